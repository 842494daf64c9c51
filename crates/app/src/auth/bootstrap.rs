use domain::audit::{AuditAction, AuditEvent, FieldChange, Origin};
use domain::password::Password;
use domain::ports::TransactionOptions;
use domain::session::EndReason;
use domain::user::{AccountField, Email, Role, User, UserChanges, UserStatus};

use super::{AuthService, Registration};
use crate::error::AppError;

/// What [`AuthService::promote_to_admin`] did.
#[derive(Debug)]
pub enum Promotion {
    /// The account is an active administrator now, and its sessions, whose
    /// tokens carried the old role, have ended.
    Promoted {
        /// The account as promoted.
        user: User,
        /// How many sessions ended.
        sessions_ended: u64,
    },
    /// No account has the address.
    NoAccount,
    /// The password is not the account's (or the account's password
    /// changed while it was checked): nothing changed.
    WrongPassword,
}

impl AuthService {
    /// Makes the account with this address an active administrator, for the
    /// command line that administers a fresh deployment, once `password`
    /// proves that the operator owns it: registration is open, and anyone
    /// may have registered the address first.
    ///
    /// # Errors
    ///
    /// [`AppError::Unavailable`] or [`AppError::Internal`] when the store
    /// or the hasher fails.
    #[tracing::instrument(name = "auth.promote_to_admin", skip_all)]
    pub async fn promote_to_admin(
        &self,
        email: &Email,
        password: &Password,
        origin: &Origin,
    ) -> Result<Promotion, AppError> {
        let Some(account) = self.ports.users.find_by_email(email).await? else {
            return Ok(Promotion::NoAccount);
        };
        if !self
            .ports
            .hasher
            .verify(password, &account.password_hash)
            .await?
        {
            return Ok(Promotion::WrongPassword);
        }
        let verified = account.password_hash;
        let now = self.ports.clock.now();
        let changes = UserChanges {
            role: Some(Role::Admin),
            status: Some(UserStatus::Active),
            display_name: None,
        };
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let Some(before) = unit.users().lock_by_email(email).await? else {
                    return Ok(Promotion::NoAccount);
                };
                if before.password_hash != verified {
                    return Ok(Promotion::WrongPassword);
                }
                let promoted = unit.users().update(before.id, &changes, None, now).await?;
                let sessions_ended = unit
                    .sessions()
                    .end_all(promoted.id, None, EndReason::RoleChanged, now)
                    .await?;
                let event = AuditEvent::new(AuditAction::AdminBootstrapped, now, origin)
                    .about(promoted.id)
                    .detail("promoted")
                    .changing(vec![
                        FieldChange::replaced(
                            AccountField::Role,
                            before.role.as_str(),
                            promoted.role.as_str(),
                        ),
                        FieldChange::replaced(
                            AccountField::Status,
                            before.status.as_str(),
                            promoted.status.as_str(),
                        ),
                    ]);
                unit.audit().record(&event).await?;
                Ok(Promotion::Promoted {
                    user: promoted,
                    sessions_ended,
                })
            })
            .await
    }

    /// Opens an account that is an administrator from the start, for the
    /// command line that administers a fresh deployment. The password must
    /// pass the same rules as any other.
    ///
    /// # Errors
    ///
    /// [`AppError::Rejected`] for a guessable password;
    /// [`AppError::Conflict`] when the address is taken; the store's and
    /// the hasher's.
    #[tracing::instrument(name = "auth.create_admin", skip_all, fields(user.id))]
    pub async fn create_admin(
        &self,
        registration: Registration,
        origin: &Origin,
    ) -> Result<User, AppError> {
        let new_user = self.new_account(registration).await?;
        let now = self.ports.clock.now();
        let admin = UserChanges {
            role: Some(Role::Admin),
            ..UserChanges::default()
        };
        let event = AuditEvent::new(AuditAction::AdminBootstrapped, now, origin)
            .about(new_user.id)
            .detail("created");
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let user = unit.users().insert(&new_user).await?;
                let user = unit.users().update(user.id, &admin, None, now).await?;
                unit.audit().record(&event).await?;
                Ok(user)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{Ports, hash_of, registered_user};

    const OWN: &str = "the owner's own passphrase";

    /// Ports where `account` has the password [`OWN`], found by its
    /// address outside a unit of work and `locked` inside one.
    fn ports_with(account: &User, locked: &User) -> Ports {
        let mut ports = Ports::new();
        let found = account.clone();
        ports
            .users
            .expect_find_by_email()
            .returning(move |_| Ok(Some(found.clone())));
        ports
            .hasher
            .expect_verify()
            .returning(|password, hash| Ok(hash_of(password.expose()) == *hash));
        let locked = locked.clone();
        ports
            .unit
            .users
            .expect_lock_by_email()
            .returning(move |_| Ok(Some(locked.clone())));
        ports.audit_accepted();
        ports
    }

    fn password(text: &str) -> Password {
        Password::parse(text.to_owned()).expect("valid")
    }

    #[tokio::test]
    async fn the_owners_password_promotes_the_account_and_ends_its_sessions() {
        let account = registered_user(OWN);
        let mut ports = ports_with(&account, &account);
        let id = account.id;
        ports
            .unit
            .users
            .expect_update()
            .withf(move |target, changes, _, _| {
                *target == id
                    && changes.role == Some(Role::Admin)
                    && changes.status == Some(UserStatus::Active)
            })
            .times(1)
            .returning(|id, _, _, _| {
                let mut user = registered_user(OWN);
                (user.id, user.role) = (id, Role::Admin);
                Ok(user)
            });
        ports
            .unit
            .sessions
            .expect_end_all()
            .withf(move |user, keep, reason, _| {
                *user == id && keep.is_none() && *reason == EndReason::RoleChanged
            })
            .times(1)
            .returning(|_, _, _, _| Ok(3));

        let promotion = ports
            .auth()
            .promote_to_admin(&account.email, &password(OWN), &Origin::default())
            .await
            .expect("done");

        assert!(
            matches!(
                promotion,
                Promotion::Promoted { ref user, sessions_ended: 3 } if user.role == Role::Admin
            ),
            "{promotion:?}"
        );
    }

    /// Promotes with `password` where the account is found as `account` and
    /// locked as `locked`, expecting no change to be made.
    async fn unchanged(account: &User, locked: &User, password: &Password) -> Promotion {
        let mut ports = ports_with(account, locked);
        ports.unit.users.expect_update().never();
        ports.unit.sessions.expect_end_all().never();
        ports
            .auth()
            .promote_to_admin(&account.email, password, &Origin::default())
            .await
            .expect("done")
    }

    #[tokio::test]
    async fn another_password_changes_nothing() {
        let account = registered_user(OWN);

        let promotion = unchanged(&account, &account, &password("a stranger's guess")).await;

        assert!(
            matches!(promotion, Promotion::WrongPassword),
            "{promotion:?}"
        );
    }

    #[tokio::test]
    async fn a_password_changed_while_it_was_checked_changes_nothing() {
        let account = registered_user(OWN);
        let mut changed = account.clone();
        changed.password_hash = hash_of("changed meanwhile by its owner");

        let promotion = unchanged(&account, &changed, &password(OWN)).await;

        assert!(
            matches!(promotion, Promotion::WrongPassword),
            "{promotion:?}"
        );
    }
}
