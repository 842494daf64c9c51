//! Builders shared by the services' unit tests.

use std::sync::Arc;

use domain::error::RepoError;
use domain::password::PasswordHash;
use domain::ports::{
    MockClock, MockPasswordHasher, MockTokenIssuer, MockTransactor, MockUserRepository,
};
use domain::user::{DisplayName, Email, NewUser, Role, User, UserId, UserStatus};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::auth::AuthService;
use crate::transaction::{RetryPolicy, Transactions};
use crate::users::UserService;

/// One fake of every port, to be given expectations and then wired.
pub struct Ports {
    pub users: MockUserRepository,
    pub transactor: MockTransactor,
    pub hasher: MockPasswordHasher,
    pub tokens: MockTokenIssuer,
    pub now: OffsetDateTime,
}

impl Ports {
    pub fn new() -> Self {
        Self {
            users: MockUserRepository::new(),
            transactor: MockTransactor::new(),
            hasher: MockPasswordHasher::new(),
            tokens: MockTokenIssuer::new(),
            now: datetime!(2026-11-27 09:00 UTC),
        }
    }

    fn clock(&self) -> Arc<MockClock> {
        let mut clock = MockClock::new();
        clock.expect_now().return_const(self.now);
        Arc::new(clock)
    }

    pub fn auth(self) -> AuthService {
        let clock = self.clock();
        let transactions = Transactions::new(
            Arc::new(self.transactor),
            clock.clone(),
            RetryPolicy::default(),
        );
        AuthService::new(
            Arc::new(self.users),
            transactions,
            Arc::new(self.hasher),
            Arc::new(self.tokens),
            clock,
        )
    }

    pub fn user_service(self) -> UserService {
        UserService::new(Arc::new(self.users))
    }
}

/// A stand-in for a real hash: distinct per password, in PHC shape.
pub fn hash_of(password: &str) -> PasswordHash {
    PasswordHash::parse(format!("$fake$v=1${password}")).expect("PHC-shaped")
}

/// The account the store would return after inserting `new`.
pub fn stored_user(new: &NewUser) -> User {
    let at = datetime!(2026-11-27 09:00 UTC);
    User {
        id: new.id,
        email: new.email.clone(),
        display_name: new.display_name.clone(),
        password_hash: new.password_hash.clone(),
        role: Role::User,
        status: UserStatus::Active,
        email_verified: false,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// An active `ada@example.com` account whose password is `password`.
pub fn registered_user(password: &str) -> User {
    stored_user(&NewUser {
        id: UserId::generate(),
        email: Email::parse("ada@example.com").expect("valid"),
        display_name: DisplayName::parse("Ada").expect("valid"),
        password_hash: hash_of(password),
    })
}

pub fn unavailable() -> RepoError {
    RepoError::Unavailable("connection refused".into())
}
