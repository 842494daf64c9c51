use domain::password::NewPassword;
use domain::ports::TransactionOptions;
use domain::user::{DisplayName, Email, NewUser, User, UserId};

use super::AuthService;
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
    /// # Errors
    ///
    /// [`AppError::Conflict`] when the email address is taken in any letter
    /// case; [`AppError::Unavailable`] or [`AppError::Internal`] when the
    /// store or the hasher fails.
    #[tracing::instrument(name = "auth.register", skip_all, fields(user.id))]
    pub async fn register(&self, registration: Registration) -> Result<User, AppError> {
        // The unique index decides whether the address is free: checking
        // first would only race with a concurrent registration.
        let password_hash = self
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
        let user = self
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                Ok(unit.users().insert(&new_user).await?)
            })
            .await?;
        tracing::info!("account registered");
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use domain::error::{Conflict, RepoError};
    use domain::ports::{MockTransactor, MockUnitOfWork, MockUserRepository};

    use super::*;
    use crate::fixtures::{Ports, hash_of, stored_user, unavailable};

    fn registration() -> Registration {
        Registration {
            email: Email::parse("Ada@Example.com").expect("valid"),
            password: NewPassword::parse("correct horse battery".to_owned()).expect("valid"),
            display_name: DisplayName::parse("Ada").expect("valid"),
        }
    }

    /// A transactor whose single unit of work inserts through `users` and
    /// expects a commit when `commits`, a rollback otherwise.
    fn transactor(users: MockUserRepository, commits: bool) -> MockTransactor {
        let mut unit = MockUnitOfWork::new();
        unit.expect_users()
            .return_const(Box::new(users) as Box<dyn domain::ports::UserRepository>);
        unit.expect_commit()
            .times(usize::from(commits))
            .returning(|| Ok(()));
        unit.expect_rollback()
            .times(usize::from(!commits))
            .returning(|| Ok(()));
        let mut unit = Some(unit);
        let mut transactor = MockTransactor::new();
        transactor.expect_begin().times(1).returning(move |_| {
            let unit = unit.take().expect("one unit of work");
            Ok(Box::new(unit) as Box<dyn domain::ports::UnitOfWork>)
        });
        transactor
    }

    #[tokio::test]
    async fn stores_the_hashed_password_and_commits() {
        let mut ports = Ports::new();
        ports
            .hasher
            .expect_hash()
            .returning(|p| Ok(hash_of(p.expose())));
        let mut users = MockUserRepository::new();
        users
            .expect_insert()
            .withf(|new| {
                new.email.as_str() == "Ada@Example.com"
                    && new.display_name.as_str() == "Ada"
                    && new.password_hash == hash_of("correct horse battery")
            })
            .times(1)
            .returning(|new| Ok(stored_user(new)));
        ports.transactor = transactor(users, true);

        let user = ports
            .auth()
            .register(registration())
            .await
            .expect("registered");

        assert_eq!(user.email.as_str(), "Ada@Example.com");
        assert!(user.is_active());
    }

    #[tokio::test]
    async fn a_taken_email_is_a_conflict_and_nothing_is_committed() {
        let mut ports = Ports::new();
        ports
            .hasher
            .expect_hash()
            .returning(|p| Ok(hash_of(p.expose())));
        let mut users = MockUserRepository::new();
        users
            .expect_insert()
            .returning(|_| Err(RepoError::Conflict(Conflict::EmailTaken)));
        ports.transactor = transactor(users, false);

        let error = ports
            .auth()
            .register(registration())
            .await
            .expect_err("conflict");

        assert!(
            matches!(error, AppError::Conflict(Conflict::EmailTaken)),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_hasher_failure_is_internal_and_touches_no_store() {
        let mut ports = Ports::new();
        ports
            .hasher
            .expect_hash()
            .returning(|_| Err(domain::ports::HasherError("pool closed".into())));
        ports.transactor.expect_begin().never();

        let error = ports
            .auth()
            .register(registration())
            .await
            .expect_err("fails");

        assert!(matches!(error, AppError::Internal(_)), "{error:?}");
    }

    #[tokio::test]
    async fn an_unreachable_store_is_unavailable() {
        let mut ports = Ports::new();
        ports
            .hasher
            .expect_hash()
            .returning(|p| Ok(hash_of(p.expose())));
        ports
            .transactor
            .expect_begin()
            .returning(|_| Err(unavailable()));

        let error = ports
            .auth()
            .register(registration())
            .await
            .expect_err("fails");

        assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
    }
}
