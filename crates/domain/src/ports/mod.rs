//! The ports: what the domain needs from the outside world, as traits.
//!
//! Every async port uses `#[async_trait]` so that services can hold them as
//! `Arc<dyn Port>`; with the `mocks` feature each has a mockall fake named
//! `Mock<Port>`. Each method documents which error it MUST return for each
//! kind of failure: implementations are interchangeable only if they agree.

mod audit_log;
mod clock;
mod cursor_signer;
mod password_hasher;
mod password_strength;
mod readiness;
mod refresh_secrets;
mod session_repository;
mod throttle_repository;
mod token_issuer;
mod transaction;
mod user_repository;

pub use audit_log::AuditLog;
pub use clock::Clock;
pub use cursor_signer::CursorSigner;
pub use password_hasher::{HasherError, PasswordHasher};
pub use password_strength::{PasswordStrength, WeakPassword};
pub use readiness::{NotReady, ReadinessProbe};
pub use refresh_secrets::RefreshSecrets;
pub use session_repository::SessionRepository;
pub use throttle_repository::ThrottleRepository;
pub use token_issuer::{TokenError, TokenIssuer};
pub use transaction::{Access, Isolation, TransactionOptions, Transactor, UnitOfWork};
pub use user_repository::UserRepository;

#[cfg(feature = "mocks")]
pub use audit_log::MockAuditLog;
#[cfg(feature = "mocks")]
pub use clock::MockClock;
#[cfg(feature = "mocks")]
pub use cursor_signer::MockCursorSigner;
#[cfg(feature = "mocks")]
pub use password_hasher::MockPasswordHasher;
#[cfg(feature = "mocks")]
pub use password_strength::MockPasswordStrength;
#[cfg(feature = "mocks")]
pub use readiness::MockReadinessProbe;
#[cfg(feature = "mocks")]
pub use refresh_secrets::MockRefreshSecrets;
#[cfg(feature = "mocks")]
pub use session_repository::MockSessionRepository;
#[cfg(feature = "mocks")]
pub use throttle_repository::MockThrottleRepository;
#[cfg(feature = "mocks")]
pub use token_issuer::MockTokenIssuer;
#[cfg(feature = "mocks")]
pub use transaction::{MockTransactor, MockUnitOfWork};
#[cfg(feature = "mocks")]
pub use user_repository::MockUserRepository;
