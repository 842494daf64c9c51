/// Seals pagination cursors so that the service can tell its own from
/// tampered or foreign ones.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait CursorSigner: Send + Sync {
    /// An opaque, URL-safe cursor carrying `payload`.
    fn seal(&self, payload: &[u8]) -> String;

    /// The payload of a cursor this service sealed; `None` for anything
    /// else.
    fn open(&self, cursor: &str) -> Option<Vec<u8>>;
}
