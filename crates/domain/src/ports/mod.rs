//! The ports: what the domain needs from the outside world, as traits.
//!
//! Every async port uses `#[async_trait]` so that services can hold them as
//! `Arc<dyn Port>`; with the `mocks` feature each has a mockall fake named
//! `Mock<Port>`. Each method documents which error it MUST return for each
//! kind of failure: implementations are interchangeable only if they agree.
//!
//! The store's ports come in pairs: `UserReads`, `SessionReads` and
//! `AuditReads` are the single reads a request may make without a
//! transaction; `UserRepository`, `SessionRepository`, `DeviceRepository`,
//! `ThrottleRepository` and `AuditLog` exist only inside a
//! [`UnitOfWork`], and every change goes through them, but one:
//! `SessionRotations`, a refresh's rotation, which a single statement makes
//! atomically on its own.

mod audit_log;
mod clock;
mod cursor_signer;
mod device_repository;
mod outcomes;
mod password_hasher;
mod password_strength;
mod readiness;
mod refresh_secrets;
mod session_repository;
mod throttle_repository;
mod token_issuer;
mod transaction;
mod user_repository;

pub use audit_log::{AuditLog, AuditReads};
pub use clock::Clock;
pub use cursor_signer::CursorSigner;
pub use device_repository::DeviceRepository;
pub use outcomes::Outcomes;
pub use password_hasher::{HasherError, PasswordHasher};
pub use password_strength::{PasswordStrength, WeakPassword};
pub use readiness::{NotReady, ReadinessProbe};
pub use refresh_secrets::RefreshSecrets;
pub use session_repository::{SessionReads, SessionRepository, SessionRotations};
pub use throttle_repository::ThrottleRepository;
pub use token_issuer::{TokenError, TokenIssuer};
pub use transaction::{Access, Isolation, TransactionOptions, Transactor, UnitOfWork};
pub use user_repository::{UserReads, UserRepository};

#[cfg(feature = "mocks")]
pub use audit_log::{MockAuditLog, MockAuditReads};
#[cfg(feature = "mocks")]
pub use clock::MockClock;
#[cfg(feature = "mocks")]
pub use cursor_signer::MockCursorSigner;
#[cfg(feature = "mocks")]
pub use device_repository::MockDeviceRepository;
#[cfg(feature = "mocks")]
pub use password_hasher::MockPasswordHasher;
#[cfg(feature = "mocks")]
pub use password_strength::MockPasswordStrength;
#[cfg(feature = "mocks")]
pub use readiness::MockReadinessProbe;
#[cfg(feature = "mocks")]
pub use refresh_secrets::MockRefreshSecrets;
#[cfg(feature = "mocks")]
pub use session_repository::{MockSessionReads, MockSessionRepository, MockSessionRotations};
#[cfg(feature = "mocks")]
pub use throttle_repository::MockThrottleRepository;
#[cfg(feature = "mocks")]
pub use token_issuer::MockTokenIssuer;
#[cfg(feature = "mocks")]
pub use transaction::{MockTransactor, MockUnitOfWork};
#[cfg(feature = "mocks")]
pub use user_repository::{MockUserReads, MockUserRepository};
