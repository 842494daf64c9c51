use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::outcome::AuthOperation;
use domain::password::{Password, PasswordHash};
use domain::ports::TransactionOptions;
use domain::session::{NewSession, SessionId};
use domain::throttle::ThrottleKey;
use domain::user::{Email, User};

use super::throttling::FailedLogin;
use super::{AuthService, SignedIn};
use crate::error::{AppError, AuthFailure, Forbidden};

/// What a person supplies to sign in.
#[derive(Debug)]
pub struct Credentials {
    /// The account's address, in any letter case.
    pub email: Email,
    /// The password as typed.
    pub password: Password,
}

impl AuthService {
    /// Checks the credentials, opens a session and issues its token pair.
    ///
    /// Before any password is verified, an unknown address, a wrong
    /// password and a locked address or client cannot be told apart from
    /// outside: a lock answers the same for every address, and an unknown
    /// address costs the same hashing work as a wrong password. A disabled
    /// account is reported only once the password was right. Each failure
    /// counts against the address and the client; a success clears the
    /// address's count and upgrades a hash made with older parameters.
    ///
    /// # Errors
    ///
    /// [`AppError::RateLimited`] while the address or the client is locked;
    /// [`AuthFailure::InvalidCredentials`] for an unknown address or a wrong
    /// password; [`Forbidden::AccountDisabled`] for a disabled account;
    /// [`AppError::Unavailable`] when the store or the hasher is saturated
    /// or down; [`AppError::Internal`] otherwise.
    #[tracing::instrument(name = "auth.login", skip_all, fields(user.id, session.id))]
    pub async fn login(
        &self,
        credentials: Credentials,
        origin: &Origin,
    ) -> Result<SignedIn, AppError> {
        let outcome: Result<SignedIn, AppError> = async {
            let email = &credentials.email;
            self.ensure_unlocked(&Self::login_keys(email, origin))
                .await?;
            let Some(user) = self.ports.users.find_by_email(email).await? else {
                self.ports
                    .hasher
                    .verify_dummy(&credentials.password)
                    .await?;
                return self
                    .refuse_login(email, None, "unknown_account", origin)
                    .await;
            };
            tracing::Span::current().record("user.id", tracing::field::display(user.id));
            if !self
                .ports
                .hasher
                .verify(&credentials.password, &user.password_hash)
                .await?
            {
                return self
                    .refuse_login(email, Some(&user), "wrong_password", origin)
                    .await;
            }
            if !user.is_active() {
                tracing::info!("sign-in refused: account disabled");
                let now = self.ports.clock.now();
                let event = AuditEvent::new(AuditAction::LoginFailed, now, origin)
                    .about(user.id)
                    .detail("account_disabled");
                self.ports
                    .transactions
                    .run(TransactionOptions::READ_COMMITTED, async |unit| {
                        Ok(unit.audit().record(&event).await?)
                    })
                    .await?;
                return Err(AppError::Forbidden(Forbidden::AccountDisabled));
            }
            let upgraded = self
                .upgraded_hash(&credentials.password, &user.password_hash)
                .await;
            self.open_session(user, upgraded.as_ref(), origin).await
        }
        .await;
        self.counted(AuthOperation::Login, outcome)
    }

    async fn refuse_login<T>(
        &self,
        email: &Email,
        user: Option<&User>,
        detail: &'static str,
        origin: &Origin,
    ) -> Result<T, AppError> {
        tracing::info!(reason = detail, "sign-in refused");
        self.record_failed_login(&FailedLogin {
            email,
            user: user.map(|user| user.id),
            detail,
            origin,
        })
        .await?;
        Err(AppError::Unauthenticated(AuthFailure::InvalidCredentials))
    }

    /// A hash of `password` with the current parameters when `hash` was
    /// made with others. Failing to make one only delays the upgrade.
    async fn upgraded_hash(
        &self,
        password: &Password,
        hash: &PasswordHash,
    ) -> Option<PasswordHash> {
        if !self.ports.hasher.needs_rehash(hash) {
            return None;
        }
        match self.ports.hasher.hash(password).await {
            Ok(upgraded) => Some(upgraded),
            Err(error) => {
                tracing::warn!(error = %error, "could not upgrade a password hash; keeping the old one");
                None
            }
        }
    }

    /// Opens a session for `user` after a successful sign-in, if the
    /// account is still as it was verified: a password change or a disable
    /// that committed while the password was checked ended every session,
    /// and a session opened after it must not survive it.
    async fn open_session(
        &self,
        user: User,
        upgraded: Option<&PasswordHash>,
        origin: &Origin,
    ) -> Result<SignedIn, AppError> {
        let now = self.ports.clock.now();
        let (secret, digest) = self.ports.secrets.generate();
        let new_session = NewSession {
            id: SessionId::generate(),
            user_id: user.id,
            digest,
            now,
            lifetime: self.policy.sessions,
            user_agent: origin.user_agent.clone(),
            ip: origin.ip,
        };
        tracing::Span::current().record("session.id", tracing::field::display(new_session.id));
        let account_key = ThrottleKey::login_account(&user.email);
        let event = AuditEvent::new(AuditAction::LoginSucceeded, now, origin)
            .by(user.id)
            .in_session(new_session.id);
        let session = self
            .ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                // Locked, so that a password change or a disable waits for
                // this session and then ends it, or has already committed
                // and is seen here.
                let now_stored = unit.users().lock_by_id(user.id).await?;
                let Some(stored) =
                    now_stored.filter(|stored| stored.password_hash == user.password_hash)
                else {
                    return Err(AppError::Unauthenticated(AuthFailure::InvalidCredentials).into());
                };
                if !stored.is_active() {
                    return Err(AppError::Forbidden(Forbidden::AccountDisabled).into());
                }
                if let Some(upgraded) = upgraded {
                    unit.users()
                        .upgrade_password_hash(user.id, &user.password_hash, upgraded)
                        .await?;
                }
                unit.throttles().clear(&account_key).await?;
                let session = unit.sessions().insert(&new_session).await?;
                unit.audit().record(&event).await?;
                Ok(session)
            })
            .await?;
        tracing::info!("signed in");
        self.pair(user, &session, secret)
    }
}

#[cfg(test)]
mod tests;
