use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::device::{Device, DeviceId, DeviceToken};
use domain::outcome::AuthOperation;
use domain::password::{Password, PasswordHash};
use domain::ports::TransactionOptions;
use domain::session::{NewSession, RefreshSecret, SessionId};
use domain::user::{Email, User};
use time::OffsetDateTime;

use super::throttling::{Attempted, Reserved};
use super::{AuthService, SignedIn};
use crate::error::{AppError, AuthFailure, Forbidden};

/// What a person supplies to sign in.
#[derive(Debug)]
pub struct Credentials {
    /// The account's address, in any letter case.
    pub email: Email,
    /// The password as typed.
    pub password: Password,
    /// The device token an earlier sign-in to the account returned, if the
    /// client kept one.
    pub device: Option<DeviceToken>,
}

/// The attempt a sign-in counted before checking the password, and the
/// device that vouched for the client, if one did.
struct Trust {
    reserved: Reserved,
    device: Option<DeviceId>,
}

impl AuthService {
    /// Checks the credentials, opens a session and issues its token pair
    /// and a device token.
    ///
    /// The attempt is counted before the password is checked: through a
    /// live device token of the account, against that device only;
    /// otherwise against the address and the client's networks, so that an
    /// account under attack refuses strangers but lets its own devices in.
    /// A device whose count is locked stops vouching, and the client is a
    /// stranger. Before any password is verified, an unknown address, a
    /// wrong password and a locked address or network cannot be told apart
    /// from outside: a lock answers the same for every address, and an
    /// unknown address costs the same hashing work as a wrong password. A
    /// disabled account is reported only once the password was right. A
    /// success gives the attempt back, renews the device token presented
    /// (or issues one), and upgrades a hash made with older parameters.
    ///
    /// # Errors
    ///
    /// [`AppError::RateLimited`] while the address or a network of the
    /// client is locked, for a client no device vouches for;
    /// [`AuthFailure::InvalidCredentials`] for an unknown address or a wrong
    /// password; [`Forbidden::AccountDisabled`] for a disabled account;
    /// [`AppError::Unavailable`] when the store or the hasher is saturated
    /// or down; [`AppError::Internal`] otherwise.
    #[tracing::instrument(name = "auth.login", skip_all, fields(user.id, session.id, device.trusted))]
    pub async fn login(
        &self,
        credentials: Credentials,
        origin: &Origin,
    ) -> Result<SignedIn, AppError> {
        let outcome: Result<SignedIn, AppError> = async {
            let email = &credentials.email;
            let user = self.ports.users.find_by_email(email).await?;
            let trust = self
                .reserve_login(&credentials, user.as_ref(), origin)
                .await?;
            tracing::Span::current().record("device.trusted", trust.device.is_some());
            let Some(user) = user else {
                self.ports
                    .hasher
                    .verify_dummy(&credentials.password)
                    .await?;
                return self.refuse_login(None, "unknown_account", origin).await;
            };
            tracing::Span::current().record("user.id", tracing::field::display(user.id));
            if !self
                .ports
                .hasher
                .verify(&credentials.password, &user.password_hash)
                .await?
            {
                return self
                    .refuse_login(Some(&user), "wrong_password", origin)
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
                        trust.reserved.succeeded(unit).await?;
                        Ok(unit.audit().record(&event).await?)
                    })
                    .await?;
                return Err(AppError::Forbidden(Forbidden::AccountDisabled));
            }
            let upgraded = self
                .upgraded_hash(&credentials.password, &user.password_hash)
                .await;
            self.open_session(user, upgraded.as_ref(), origin, &trust)
                .await
        }
        .await;
        self.counted(AuthOperation::Login, outcome)
    }

    /// Counts the attempt: against the device, when the client presented
    /// a live device token of `user` whose count is not locked; otherwise
    /// against the address and the client's networks, unless one of them
    /// is locked.
    async fn reserve_login(
        &self,
        credentials: &Credentials,
        user: Option<&User>,
        origin: &Origin,
    ) -> Result<Trust, AppError> {
        let now = self.ports.clock.now();
        let attempted = Attempted {
            now,
            user: user.map(|user| user.id),
            origin,
        };
        let strangers = self.stranger_limits(&credentials.email, origin);
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                // Looked up whether or not the address has an account, so
                // that the work tells nothing about existence.
                if let Some(token) = &credentials.device
                    && let Some(device) = unit.devices().find_live(token.id(), now).await?
                    && Some(device.user_id) == user.map(|user| user.id)
                    && device.digest == self.ports.secrets.digest(token.secret())
                    && let Ok(reserved) =
                        Reserved::take(unit, &[self.device_limit(device.id)], &attempted).await?
                {
                    return Ok(Trust {
                        reserved,
                        device: Some(device.id),
                    });
                }
                let reserved = Reserved::take_or_refuse(unit, &strangers, &attempted).await?;
                Ok(Trust {
                    reserved,
                    device: None,
                })
            })
            .await
    }

    async fn refuse_login<T>(
        &self,
        user: Option<&User>,
        detail: &'static str,
        origin: &Origin,
    ) -> Result<T, AppError> {
        tracing::info!(reason = detail, "sign-in refused");
        let mut event = AuditEvent::new(AuditAction::LoginFailed, self.ports.clock.now(), origin)
            .detail(detail);
        if let Some(user) = user {
            event = event.about(user.id);
        }
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                Ok(unit.audit().record(&event).await?)
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
        trust: &Trust,
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
        let (device_secret, device) = self.device_for(&user, trust, now);
        let mut event = AuditEvent::new(AuditAction::LoginSucceeded, now, origin)
            .by(user.id)
            .in_session(new_session.id);
        if trust.device.is_some() {
            event = event.detail("known_device");
        }
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
                trust.reserved.succeeded(unit).await?;
                let session = unit.sessions().insert(&new_session).await?;
                unit.devices().issue(&device, now).await?;
                unit.audit().record(&event).await?;
                Ok(session)
            })
            .await?;
        tracing::info!("signed in");
        let mut signed_in = self.pair(user, &session, secret)?;
        signed_in.device_token = Some(DeviceToken::new(device.id, device_secret));
        Ok(signed_in)
    }

    /// The device token a sign-in of `user` hands out: the vouching one
    /// renewed, or a new one.
    fn device_for(
        &self,
        user: &User,
        trust: &Trust,
        now: OffsetDateTime,
    ) -> (RefreshSecret, Device) {
        let (secret, digest) = self.ports.secrets.generate();
        let device = Device {
            id: trust.device.unwrap_or_else(DeviceId::generate),
            user_id: user.id,
            digest,
            expires_at: now + self.policy.device_lifetime,
        };
        (secret, device)
    }
}

#[cfg(test)]
mod tests;
