use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::auth::AccessClaims;
use domain::outcome::AuthOperation;
use domain::password::{NewPassword, Password};
use domain::ports::TransactionOptions;
use domain::session::EndReason;
use domain::user::{DisplayName, Email, User};

use super::AuthService;
use super::throttling::{Attempted, Reserved};
use crate::caller;
use crate::error::{AppError, Rejection};

/// A password change: the current password, to prove it is the owner, and
/// the new one.
#[derive(Debug)]
pub struct PasswordChange {
    /// The password now.
    pub current: Password,
    /// The password to have.
    pub new: NewPassword,
}

impl AuthService {
    /// Changes the caller's password, ends every other session of the
    /// account and forgets its device tokens. Every check of the current
    /// password is counted against the account before it is made, so that
    /// a stolen access token cannot be used to guess it; sign-ins by
    /// strangers do not count here, so that they cannot keep the owner from
    /// changing it.
    ///
    /// The password is checked and the new one hashed outside the unit of
    /// work, which then locks the account and changes it only if its hash
    /// is still the one that was checked.
    ///
    /// # Errors
    ///
    /// [`AppError::Rejected`] for a wrong current password or a new one
    /// that is the same or guessable; [`AppError::RateLimited`] while the
    /// account's checks of its current password are locked;
    /// [`AppError::Contention`] when the hash changed while the new one was
    /// being made; [`AuthFailure::AccountGone`](crate::error::AuthFailure::AccountGone) or
    /// [`Forbidden::AccountDisabled`](crate::error::Forbidden::AccountDisabled)
    /// for an account that is gone or disabled; [`AppError::Unavailable`] or
    /// [`AppError::Internal`] when a dependency fails.
    #[tracing::instrument(name = "auth.change_password", skip_all, fields(user.id = %caller.user_id))]
    pub async fn change_password(
        &self,
        caller: &AccessClaims,
        change: PasswordChange,
        origin: &Origin,
    ) -> Result<(), AppError> {
        let outcome: Result<(), AppError> = async {
            let user = caller::active_account(&*self.ports.users, caller).await?;
            let reserved = self.reserve_password_check(&user, origin).await?;
            if !self
                .ports
                .hasher
                .verify(&change.current, &user.password_hash)
                .await?
            {
                tracing::info!(reason = "wrong_current_password", "password change refused");
                let event =
                    AuditEvent::new(AuditAction::LoginFailed, self.ports.clock.now(), origin)
                        .about(user.id)
                        .in_session(caller.session_id)
                        .detail("wrong_current_password");
                self.ports
                    .transactions
                    .run(TransactionOptions::READ_COMMITTED, async |unit| {
                        Ok(unit.audit().record(&event).await?)
                    })
                    .await?;
                return Err(AppError::Rejected(Rejection::WrongCurrentPassword));
            }
            // The owner proved who they are: a new password refused as weak
            // is no guess.
            self.ports
                .transactions
                .run(TransactionOptions::READ_COMMITTED, async |unit| {
                    reserved.succeeded(unit).await
                })
                .await?;
            if change.new.as_password().expose() == change.current.expose() {
                return Err(AppError::Rejected(Rejection::UnchangedPassword));
            }
            self.ensure_strong(&change.new, &user.email, &user.display_name)
                .await
                .map_err(|weak| AppError::Rejected(Rejection::WeakNewPassword(weak)))?;
            let hash = self.ports.hasher.hash(change.new.as_password()).await?;
            let now = self.ports.clock.now();
            let event = AuditEvent::new(AuditAction::PasswordChanged, now, origin)
                .by(user.id)
                .in_session(caller.session_id);
            let ended = self
                .ports
                .transactions
                .run(TransactionOptions::READ_COMMITTED, async |unit| {
                    let locked = caller::active(unit.users().lock_by_id(user.id).await?)?;
                    if locked.password_hash != user.password_hash {
                        return Err(AppError::Contention(
                            "the password hash changed while the new one was being made".into(),
                        )
                        .into());
                    }
                    unit.users().set_password_hash(user.id, &hash, now).await?;
                    let ended = unit
                        .sessions()
                        .end_all(
                            user.id,
                            Some(caller.session_id),
                            EndReason::PasswordChanged,
                            now,
                        )
                        .await?;
                    unit.devices().revoke_all(user.id).await?;
                    unit.audit().record(&event).await?;
                    Ok(ended)
                })
                .await?;
            tracing::info!(sessions.ended = ended, "password changed");
            Ok(())
        }
        .await;
        self.counted(AuthOperation::PasswordChange, outcome)
    }

    /// Counts a check of the current password against the account, before
    /// it is made, refusing it while the account's checks are locked. Only
    /// the account's own sessions count here: strangers guessing its
    /// password at sign-in do not keep its owner from changing it.
    async fn reserve_password_check(
        &self,
        user: &User,
        origin: &Origin,
    ) -> Result<Reserved, AppError> {
        let limit = self.password_change_limit(user.id);
        let attempted = Attempted {
            now: self.ports.clock.now(),
            user: Some(user.id),
            origin,
        };
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                Reserved::take_or_refuse(unit, std::slice::from_ref(&limit), &attempted).await
            })
            .await
    }

    /// Refuses a new password that is too easy to guess for its owner; the
    /// reason, in words for a person.
    pub(super) async fn ensure_strong(
        &self,
        password: &NewPassword,
        email: &Email,
        display_name: &DisplayName,
    ) -> Result<(), String> {
        self.ports
            .strength
            .check(password.as_password(), email, display_name)
            .await
            .map_err(|weak| weak.0)
    }
}

#[cfg(test)]
mod tests {
    use domain::outcome::AuthOutcome;
    use domain::ports::WeakPassword;
    use domain::session::SessionId;
    use domain::throttle::{Attempt, ThrottleScope};
    use time::Duration;

    use super::*;
    use crate::fixtures::{Ports, claims_for, hash_of, registered_user};

    const CURRENT: &str = "current password";

    fn change(current: &str, new: &str) -> PasswordChange {
        PasswordChange {
            current: Password::parse(current.to_owned()).expect("valid"),
            new: NewPassword::parse(new.to_owned()).expect("valid"),
        }
    }

    /// Ports where the caller's account has [`CURRENT`] and nothing is
    /// locked; the account and the claims of the caller's session.
    fn ports_for_caller() -> (Ports, AccessClaims) {
        let (ports, claims, _) = ports_with_account();
        (ports, claims)
    }

    fn ports_with_account() -> (Ports, AccessClaims, domain::user::User) {
        let (mut ports, claims, user) = ports_knowing_caller();
        verifying_by_hash(&mut ports);
        ports.nothing_locked();
        ports.unit.throttles.expect_clear().returning(|_| Ok(()));
        ports.audit_accepted();
        (ports, claims, user)
    }

    /// Ports that know the caller's account, whose password is [`CURRENT`],
    /// and nothing else yet.
    fn ports_knowing_caller() -> (Ports, AccessClaims, domain::user::User) {
        let mut ports = Ports::new();
        let user = registered_user(CURRENT);
        let claims = claims_for(&user);
        let stored = user.clone();
        ports
            .users
            .expect_find_by_id()
            .returning(move |_| Ok(Some(stored.clone())));
        (ports, claims, user)
    }

    /// A hasher that verifies a password against its [`hash_of`].
    fn verifying_by_hash(ports: &mut Ports) {
        ports
            .hasher
            .expect_verify()
            .returning(|password, hash| Ok(hash_of(password.expose()) == *hash));
    }

    /// Ports that accept `new` as strong enough and hash it.
    fn new_password_accepted(ports: &mut Ports) {
        ports.strength.expect_check().returning(|_, _, _| Ok(()));
        ports
            .hasher
            .expect_hash()
            .returning(|p| Ok(hash_of(p.expose())));
    }

    fn is_rejected(error: &AppError, why: &Rejection) -> bool {
        matches!(error, AppError::Rejected(rejection) if rejection == why)
    }

    #[tokio::test]
    async fn the_new_hash_is_stored_and_every_other_session_ends() {
        let (mut ports, claims, account) = ports_with_account();
        new_password_accepted(&mut ports);
        ports
            .unit
            .users
            .expect_lock_by_id()
            .times(1)
            .returning(move |_| Ok(Some(account.clone())));
        let user = claims.user_id;
        ports
            .unit
            .users
            .expect_set_password_hash()
            .withf(move |id, hash, _| *id == user && *hash == hash_of("brand new secret words"))
            .times(1)
            .returning(|id, _, _| {
                let mut user = registered_user("brand new secret words");
                user.id = id;
                Ok(user)
            });
        let kept: SessionId = claims.session_id;
        ports
            .unit
            .sessions
            .expect_end_all()
            .withf(move |id, keep, reason, _| {
                *id == user && *keep == Some(kept) && *reason == EndReason::PasswordChanged
            })
            .times(1)
            .returning(|_, _, _, _| Ok(2));
        ports
            .unit
            .devices
            .expect_revoke_all()
            .withf(move |id| *id == user)
            .times(1)
            .returning(|_| Ok(3));
        let journal = ports.journal.clone();

        ports
            .auth()
            .change_password(
                &claims,
                change(CURRENT, "brand new secret words"),
                &Origin::default(),
            )
            .await
            .expect("changed");

        assert_eq!(
            *journal.lock().expect("journal"),
            ["commit", "commit", "commit"],
            "counted, settled once the current password was right, changed"
        );
    }

    #[tokio::test]
    async fn a_wrong_current_password_stays_counted_against_the_account() {
        let (mut ports, claims, _) = ports_knowing_caller();
        verifying_by_hash(&mut ports);
        let subject = claims.user_id.to_string();
        ports
            .unit
            .throttles
            .expect_reserve()
            .withf(move |key, _, _| {
                key.scope() == ThrottleScope::PasswordChange && key.subject() == subject
            })
            .times(1)
            .returning(|_, _, _| Ok(Attempt::Counted(1)));
        ports.unit.throttles.expect_clear().never();
        ports.audit_accepted();
        ports.hasher.expect_hash().never();
        ports.unit.users.expect_set_password_hash().never();
        let journal = ports.journal.clone();
        let outcomes = ports.outcomes.clone();

        let error = ports
            .auth()
            .change_password(
                &claims,
                change("not it at all", "brand new secret words"),
                &Origin::default(),
            )
            .await
            .expect_err("refused");

        assert!(
            is_rejected(&error, &Rejection::WrongCurrentPassword),
            "{error:?}"
        );
        assert_eq!(*journal.lock().expect("journal"), ["commit", "commit"]);
        assert_eq!(
            outcomes.auth(),
            [(AuthOperation::PasswordChange, AuthOutcome::WrongCredentials)]
        );
    }

    #[tokio::test]
    async fn a_locked_account_refuses_the_check_before_verifying() {
        let (mut ports, claims, _) = ports_knowing_caller();
        let now = ports.now;
        ports
            .unit
            .throttles
            .expect_reserve()
            .returning(move |_, _, _| Ok(Attempt::Locked(now + Duration::seconds(30))));
        ports.hasher.expect_verify().never();

        let error = ports
            .auth()
            .change_password(
                &claims,
                change(CURRENT, "brand new secret words"),
                &Origin::default(),
            )
            .await
            .expect_err("locked");

        assert!(
            matches!(error, AppError::RateLimited { retry_after } if retry_after == Duration::seconds(30)),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_guessable_or_unchanged_new_password_is_rejected_on_its_field() {
        let (mut ports, claims) = ports_for_caller();
        ports
            .strength
            .expect_check()
            .returning(|_, _, _| Err(WeakPassword("is too easy to guess".to_owned())));
        ports.hasher.expect_hash().never();
        let auth = ports.auth();

        let weak = auth
            .change_password(&claims, change(CURRENT, "password1234"), &Origin::default())
            .await
            .expect_err("weak");
        let same = auth
            .change_password(&claims, change(CURRENT, CURRENT), &Origin::default())
            .await
            .expect_err("unchanged");

        assert!(
            is_rejected(
                &weak,
                &Rejection::WeakNewPassword("is too easy to guess".to_owned())
            ),
            "{weak:?}"
        );
        assert!(
            is_rejected(&same, &Rejection::UnchangedPassword),
            "{same:?}"
        );
    }

    /// The change of [`CURRENT`] to a strong new password, when the unit
    /// finds the account as `locked`; the error, and how the unit ended.
    async fn refused_when_locked_as(
        mut ports: Ports,
        claims: &AccessClaims,
        locked: domain::user::User,
    ) -> (AppError, Vec<&'static str>) {
        new_password_accepted(&mut ports);
        ports
            .unit
            .users
            .expect_lock_by_id()
            .returning(move |_| Ok(Some(locked.clone())));
        ports.unit.users.expect_set_password_hash().never();
        ports.unit.sessions.expect_end_all().never();
        ports.unit.devices.expect_revoke_all().never();
        let journal = ports.journal.clone();

        let error = ports
            .auth()
            .change_password(
                claims,
                change(CURRENT, "brand new secret words"),
                &Origin::default(),
            )
            .await
            .expect_err("refused");

        let ended = journal.lock().expect("journal").clone();
        (error, ended)
    }

    #[tokio::test]
    async fn a_hash_changed_meanwhile_keeps_it_and_asks_to_try_again() {
        let (ports, claims, mut account) = ports_with_account();
        account.password_hash = hash_of("changed by another request");

        let (error, ended) = refused_when_locked_as(ports, &claims, account).await;

        assert!(matches!(error, AppError::Contention(_)), "{error:?}");
        assert_eq!(ended, ["commit", "commit", "rollback"]);
    }

    #[tokio::test]
    async fn an_account_disabled_meanwhile_is_refused_and_keeps_its_hash() {
        let (ports, claims, mut account) = ports_with_account();
        account.status = domain::user::UserStatus::Disabled;

        let (error, ended) = refused_when_locked_as(ports, &claims, account).await;

        assert!(
            matches!(
                error,
                AppError::Forbidden(crate::error::Forbidden::AccountDisabled)
            ),
            "{error:?}"
        );
        assert_eq!(ended, ["commit", "commit", "rollback"]);
    }
}
