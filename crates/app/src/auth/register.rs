use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::password::NewPassword;
use domain::ports::TransactionOptions;
use domain::throttle::ThrottleKey;
use domain::user::{DisplayName, Email, NewUser, User, UserId};

use super::AuthService;
use super::throttling::count_attempt;
use crate::error::AppError;

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
    /// Every attempt counts against the client's address, so that accounts
    /// cannot be opened in bulk.
    ///
    /// # Errors
    ///
    /// [`AppError::RateLimited`] while the client is locked;
    /// [`AppError::Rejected`] for a guessable password (field `password`);
    /// [`AppError::Conflict`] when the email address is taken in any letter
    /// case; [`AppError::Unavailable`] or [`AppError::Internal`] when the
    /// store or the hasher fails.
    #[tracing::instrument(name = "auth.register", skip_all, fields(user.id))]
    pub async fn register(
        &self,
        registration: Registration,
        origin: &Origin,
    ) -> Result<User, AppError> {
        if let Some(ip) = origin.ip {
            self.count_registration(&ThrottleKey::register_ip(ip))
                .await?;
        }
        self.ensure_strong(
            "password",
            &registration.password,
            &registration.email,
            &registration.display_name,
        )
        .await?;
        // The unique index decides whether the address is free: checking
        // first would only race with a concurrent registration.
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
        let event =
            AuditEvent::new(AuditAction::Register, self.ports.clock.now(), origin).by(new_user.id);
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

    /// Counts a registration from a client, refusing it while the client is
    /// locked.
    async fn count_registration(&self, key: &ThrottleKey) -> Result<(), AppError> {
        self.ensure_unlocked(std::slice::from_ref(key)).await?;
        let now = self.ports.clock.now();
        let rule = self.policy.registration_per_ip;
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                count_attempt(unit, key, &rule, now).await.map(drop)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use domain::error::{Conflict, RepoError};
    use domain::ports::{HasherError, WeakPassword};
    use time::Duration;

    use super::*;
    use crate::error::Rejection;
    use crate::fixtures::{Ports, hash_of, stored_user, unavailable};

    fn registration() -> Registration {
        Registration {
            email: Email::parse("Ada@Example.com").expect("valid"),
            password: NewPassword::parse("correct horse battery".to_owned()).expect("valid"),
            display_name: DisplayName::parse("Ada").expect("valid"),
        }
    }

    fn origin() -> Origin {
        Origin {
            ip: Some("198.51.100.7".parse().expect("ip")),
            ..Origin::default()
        }
    }

    /// Ports where the client may register (`attempts` so far this window
    /// included), the password is strong and hashes.
    fn ports_allowing(attempts: u32) -> Ports {
        let mut ports = Ports::new();
        ports.nothing_locked();
        ports
            .unit
            .throttles
            .expect_hit()
            .withf(|key, _, _| key.subject() == "198.51.100.7")
            .returning(move |_, _, _| Ok(attempts));
        ports.strength.expect_check().returning(|_, _, _| Ok(()));
        ports
            .hasher
            .expect_hash()
            .returning(|p| Ok(hash_of(p.expose())));
        ports
    }

    #[tokio::test]
    async fn stores_the_hashed_password_and_records_the_registration() {
        let mut ports = ports_allowing(1);
        ports
            .unit
            .users
            .expect_insert()
            .withf(|new| {
                new.email.as_str() == "Ada@Example.com"
                    && new.display_name.as_str() == "Ada"
                    && new.password_hash == hash_of("correct horse battery")
            })
            .times(1)
            .returning(|new| Ok(stored_user(new)));
        ports
            .unit
            .audit
            .expect_record()
            .withf(|event| {
                event.action == AuditAction::Register
                    && event.actor.is_some()
                    && event.actor == event.subject
            })
            .times(1)
            .returning(|_| Ok(()));
        let journal = ports.journal.clone();

        let user = ports
            .auth()
            .register(registration(), &origin())
            .await
            .expect("registered");

        assert_eq!(user.email.as_str(), "Ada@Example.com");
        assert!(user.is_active());
        assert_eq!(*journal.lock().expect("journal"), ["commit", "commit"]);
    }

    #[tokio::test]
    async fn a_taken_email_is_a_conflict_and_nothing_is_committed() {
        let mut ports = ports_allowing(1);
        ports
            .unit
            .users
            .expect_insert()
            .returning(|_| Err(RepoError::Conflict(Conflict::EmailTaken)));
        ports.unit.audit.expect_record().never();
        let journal = ports.journal.clone();

        let error = ports
            .auth()
            .register(registration(), &origin())
            .await
            .expect_err("conflict");

        assert!(
            matches!(error, AppError::Conflict(Conflict::EmailTaken)),
            "{error:?}"
        );
        // The attempt was counted; the account was not created.
        assert_eq!(*journal.lock().expect("journal"), ["commit", "rollback"]);
    }

    #[tokio::test]
    async fn a_guessable_password_is_rejected_on_its_field_before_hashing() {
        let mut ports = Ports::new();
        ports.nothing_locked();
        ports.unit.throttles.expect_hit().returning(|_, _, _| Ok(1));
        ports
            .strength
            .expect_check()
            .withf(|_, email, name| email.as_str() == "Ada@Example.com" && name.as_str() == "Ada")
            .returning(|_, _, _| Err(WeakPassword("is too easy to guess".to_owned())));
        ports.hasher.expect_hash().never();

        let error = ports
            .auth()
            .register(registration(), &origin())
            .await
            .expect_err("weak");

        assert!(
            matches!(&error, AppError::Rejected(Rejection { field: "password", message }) if message == "is too easy to guess"),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn the_registration_that_reaches_the_limit_locks_the_client() {
        let mut ports = ports_allowing(3);
        let now = ports.now;
        ports
            .unit
            .throttles
            .expect_lock()
            .withf(move |key, until| {
                key.subject() == "198.51.100.7" && *until == now + Duration::seconds(30)
            })
            .times(1)
            .returning(|_, _| Ok(()));
        ports
            .unit
            .users
            .expect_insert()
            .returning(|new| Ok(stored_user(new)));
        ports.audit_accepted();

        ports
            .auth()
            .register(registration(), &origin())
            .await
            .expect("the third is still allowed");
    }

    #[tokio::test]
    async fn a_locked_client_is_rate_limited_before_anything_else() {
        let mut ports = Ports::new();
        let now = ports.now;
        ports
            .throttles
            .expect_locked_until()
            .returning(move |_, _| Ok(Some(now + Duration::seconds(30))));
        ports.unit.throttles.expect_hit().never();
        ports.hasher.expect_hash().never();

        let error = ports
            .auth()
            .register(registration(), &origin())
            .await
            .expect_err("limited");

        assert!(
            matches!(error, AppError::RateLimited { retry_after } if retry_after == Duration::seconds(30)),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_saturated_hasher_is_unavailable_and_touches_no_account() {
        let mut ports = Ports::new();
        ports.nothing_locked();
        ports.unit.throttles.expect_hit().returning(|_, _, _| Ok(1));
        ports.strength.expect_check().returning(|_, _, _| Ok(()));
        ports
            .hasher
            .expect_hash()
            .returning(|_| Err(HasherError::Busy));
        ports.unit.users.expect_insert().never();

        let error = ports
            .auth()
            .register(registration(), &origin())
            .await
            .expect_err("fails");

        assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
    }

    #[tokio::test]
    async fn an_unreachable_store_is_unavailable() {
        let mut ports = Ports::new();
        ports
            .throttles
            .expect_locked_until()
            .returning(|_, _| Err(unavailable()));

        let error = ports
            .auth()
            .register(registration(), &origin())
            .await
            .expect_err("fails");

        assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
    }
}
