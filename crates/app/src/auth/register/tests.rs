use domain::error::{Conflict as StoreConflict, RepoError};
use domain::outcome::AuthOutcome;
use domain::ports::{HasherError, WeakPassword};
use domain::throttle::{Attempt, ThrottleScope};
use time::Duration;

use super::*;
use crate::error::{Conflict, Rejection};
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
    ports
        .unit
        .throttles
        .expect_reserve()
        .withf(|key, _, _| {
            key.scope() == ThrottleScope::RegisterNetwork && key.subject() == "198.51.100.7/32"
        })
        .returning(move |_, _, _| Ok(Attempt::Counted(attempts)));
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
        .returning(|_| Err(RepoError::Conflict(StoreConflict::EmailTaken)));
    ports.unit.audit.expect_record().never();
    let journal = ports.journal.clone();
    let outcomes = ports.outcomes.clone();

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
    assert_eq!(
        outcomes.auth(),
        [(AuthOperation::Register, AuthOutcome::EmailTaken)]
    );
}

#[tokio::test]
async fn a_guessable_password_is_rejected_on_its_field_before_hashing() {
    let mut ports = Ports::new();
    ports.nothing_locked();
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
        matches!(&error, AppError::Rejected(Rejection::WeakPassword(reason)) if reason == "is too easy to guess"),
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
            key.subject() == "198.51.100.7/32" && *until == now + Duration::seconds(30)
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
        .unit
        .throttles
        .expect_reserve()
        .returning(move |_, _, _| Ok(Attempt::Locked(now + Duration::seconds(30))));
    ports.unit.throttles.expect_lock().never();
    ports.hasher.expect_hash().never();
    let outcomes = ports.outcomes.clone();

    let error = ports
        .auth()
        .register(registration(), &origin())
        .await
        .expect_err("limited");

    assert!(
        matches!(error, AppError::RateLimited { retry_after } if retry_after == Duration::seconds(30)),
        "{error:?}"
    );
    assert_eq!(
        outcomes.auth(),
        [(AuthOperation::Register, AuthOutcome::RateLimited)]
    );
}

#[tokio::test]
async fn a_saturated_hasher_is_unavailable_and_touches_no_account() {
    let mut ports = Ports::new();
    ports.nothing_locked();
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
        .unit
        .throttles
        .expect_reserve()
        .returning(|_, _, _| Err(unavailable()));

    let error = ports
        .auth()
        .register(registration(), &origin())
        .await
        .expect_err("fails");

    assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
}
