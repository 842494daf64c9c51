use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::outcome::AuthOperation;
use domain::password::NewPassword;
use domain::ports::TransactionOptions;
use domain::user::{DisplayName, Email, NewUser, User, UserId};

use super::AuthService;
use super::throttling::{Attempted, Reserved};
use crate::error::{AppError, Rejection};

/// What a person supplies to open an account.
#[derive(Debug)]
pub struct Registration {
    /// The address to sign in with.
    pub email: Email,
    /// The chosen password.
    pub password: NewPassword,
    /// The name to show.
    pub display_name: DisplayName,
}

impl AuthService {
    /// Opens an account with role `user` and status `active`.
    ///
    /// Every attempt counts against the client's networks before anything
    /// else is done, so that accounts cannot be opened in bulk, even by a
    /// burst of concurrent requests.
    ///
    /// # Errors
    ///
    /// [`AppError::RateLimited`] while a network of the client is locked;
    /// [`AppError::Rejected`] for a guessable password;
    /// [`AppError::Conflict`] when the email address is taken in any letter
    /// case; [`AppError::Unavailable`] or [`AppError::Internal`] when the
    /// store or the hasher fails.
    #[tracing::instrument(name = "auth.register", skip_all, fields(user.id))]
    pub async fn register(
        &self,
        registration: Registration,
        origin: &Origin,
    ) -> Result<User, AppError> {
        let outcome: Result<User, AppError> = async {
            self.count_registration(origin).await?;
            // The unique index decides whether the address is free: checking
            // first would only race with a concurrent registration.
            let new_user = self.new_account(registration).await?;
            let event = AuditEvent::new(AuditAction::Register, self.ports.clock.now(), origin)
                .by(new_user.id);
            let user = self
                .ports
                .transactions
                .run(TransactionOptions::READ_COMMITTED, async |unit| {
                    let user = unit.users().insert(&new_user).await?;
                    unit.audit().record(&event).await?;
                    Ok(user)
                })
                .await?;
            tracing::info!("account registered");
            Ok(user)
        }
        .await;
        self.counted(AuthOperation::Register, outcome)
    }

    /// The account `registration` asks for, once its password passed the
    /// strength rule and was hashed.
    pub(super) async fn new_account(
        &self,
        registration: Registration,
    ) -> Result<NewUser, AppError> {
        self.ensure_strong(
            &registration.password,
            &registration.email,
            &registration.display_name,
        )
        .await
        .map_err(|weak| AppError::Rejected(Rejection::WeakPassword(weak)))?;
        let password_hash = self
            .ports
            .hasher
            .hash(registration.password.as_password())
            .await?;
        let new_user = NewUser {
            id: UserId::generate(),
            email: registration.email,
            display_name: registration.display_name,
            password_hash,
        };
        tracing::Span::current().record("user.id", tracing::field::display(new_user.id));
        Ok(new_user)
    }

    /// Counts a registration against the client's networks, before any
    /// work, refusing it while one of them is locked.
    async fn count_registration(&self, origin: &Origin) -> Result<(), AppError> {
        let limits = self.registration_limits(origin);
        if limits.is_empty() {
            return Ok(());
        }
        let attempted = Attempted {
            now: self.ports.clock.now(),
            user: None,
            origin,
        };
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                Reserved::take_or_refuse(unit, &limits, &attempted)
                    .await
                    .map(drop)
            })
            .await
    }
}

#[cfg(test)]
mod tests;
