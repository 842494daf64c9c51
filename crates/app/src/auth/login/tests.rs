use domain::auth::IssuedAccessToken;
use domain::outcome::AuthOutcome;
use domain::ports::HasherError;
use domain::session::Session;
use domain::throttle::ThrottleScope;
use domain::user::UserStatus;
use secrecy::ExposeSecret;
use time::Duration;

use super::*;
use crate::fixtures::{Ports, digest, hash_of, registered_user, unavailable};

const PASSWORD: &str = "correct horse battery";

fn credentials(password: &str) -> Credentials {
    Credentials {
        email: Email::parse("ADA@example.com").expect("valid"),
        password: Password::parse(password.to_owned()).expect("valid"),
    }
}

fn origin() -> Origin {
    Origin {
        request_id: Some("req-1".to_owned()),
        ip: Some("203.0.113.9".parse().expect("ip")),
        user_agent: Some("curl/8".to_owned()),
    }
}

/// Ports where `ada@example.com` exists with [`PASSWORD`] and `status`,
/// and nothing is locked.
fn ports_with_account(status: UserStatus) -> (Ports, User) {
    ports_with_account_then(status, |user| user)
}

/// As [`ports_with_account`], the unit that opens the session finding the
/// account as `meanwhile` made it.
fn ports_with_account_then(status: UserStatus, meanwhile: fn(User) -> User) -> (Ports, User) {
    let mut ports = Ports::new();
    let mut user = registered_user(PASSWORD);
    user.status = status;
    let locked = meanwhile(user.clone());
    ports
        .unit
        .users
        .expect_lock_by_id()
        .returning(move |_| Ok(Some(locked.clone())));
    let stored = user.clone();
    ports
        .users
        .expect_find_by_email()
        .withf(|email| email.as_str() == "ADA@example.com")
        .returning(move |_| Ok(Some(stored.clone())));
    ports
        .hasher
        .expect_verify()
        .returning(|password, hash| Ok(hash_of(password.expose()) == *hash));
    ports.hasher.expect_needs_rehash().return_const(false);
    ports.nothing_locked();
    ports.audit_accepted();
    (ports, user)
}

/// Failed attempts are counted: the address's `account` count and the
/// client's `ip` count are what `hit` returns.
fn failures_counted(ports: &mut Ports, account: u32, ip: u32) {
    ports
        .unit
        .throttles
        .expect_hit()
        .returning(move |key, _, _| {
            Ok(match key.scope() {
                ThrottleScope::LoginAccount => account,
                _ => ip,
            })
        });
}

fn live_session(new: &NewSession) -> Session {
    Session {
        id: new.id,
        user_id: new.user_id,
        created_at: new.now,
        last_used_at: new.now,
        expires_at: new.lifetime.expiry(new.now, new.now),
        user_agent: new.user_agent.clone(),
        ip: new.ip,
    }
}

fn is_invalid_credentials(error: &AppError) -> bool {
    matches!(
        error,
        AppError::Unauthenticated(AuthFailure::InvalidCredentials)
    )
}

#[tokio::test]
async fn the_right_password_opens_a_session_and_issues_its_pair() {
    let (mut ports, user) = ports_with_account(UserStatus::Active);
    let now = ports.now;
    ports.fixed_secrets();
    ports
        .unit
        .throttles
        .expect_clear()
        .withf(|key| key.subject() == "ada@example.com")
        .times(1)
        .returning(|_| Ok(()));
    let user_id = user.id;
    ports
        .unit
        .sessions
        .expect_insert()
        .withf(move |new| {
            new.user_id == user_id
                && new.digest == digest(1)
                && new.now == now
                && new.user_agent.as_deref() == Some("curl/8")
                && new.ip == origin().ip
        })
        .times(1)
        .returning(|new| Ok(live_session(new)));
    ports
        .tokens
        .expect_issue()
        .times(1)
        .returning(move |_, _, at| {
            assert_eq!(at, now);
            Ok(IssuedAccessToken {
                token: secrecy::SecretString::from("signed"),
                lifetime: Duration::minutes(15),
            })
        });
    let journal = ports.journal.clone();
    let outcomes = ports.outcomes.clone();

    let signed_in = ports
        .auth()
        .login(credentials(PASSWORD), &origin())
        .await
        .expect("signed in");

    assert_eq!(signed_in.access_token.token.expose_secret(), "signed");
    assert_eq!(signed_in.user.id, user.id);
    assert!(signed_in.refresh_token.expose().ends_with(&"s".repeat(43)));
    assert_eq!(*journal.lock().expect("journal"), ["commit"]);
    assert_eq!(
        outcomes.auth(),
        [(AuthOperation::Login, AuthOutcome::Success)]
    );
}

#[tokio::test]
async fn a_wrong_password_is_counted_and_is_invalid_credentials() {
    let (mut ports, user) = ports_with_account(UserStatus::Active);
    failures_counted(&mut ports, 1, 1);
    ports.unit.throttles.expect_lock().never();
    ports.unit.sessions.expect_insert().never();
    ports.tokens.expect_issue().never();
    let user_id = user.id;
    let mut audit = domain::ports::MockAuditLog::new();
    audit
        .expect_record()
        .withf(move |event| {
            event.action == AuditAction::LoginFailed
                && event.subject == Some(user_id)
                && event.detail == Some("wrong_password")
                && event.origin.request_id.as_deref() == Some("req-1")
        })
        .times(1)
        .returning(|_| Ok(()));
    ports.unit.audit = audit;
    let journal = ports.journal.clone();
    let outcomes = ports.outcomes.clone();

    let error = ports
        .auth()
        .login(credentials("wrong password"), &origin())
        .await
        .expect_err("refused");

    assert!(is_invalid_credentials(&error), "{error:?}");
    assert_eq!(*journal.lock().expect("journal"), ["commit"]);
    assert_eq!(
        outcomes.auth(),
        [(AuthOperation::Login, AuthOutcome::WrongCredentials)]
    );
}

#[tokio::test]
async fn the_failure_that_reaches_the_threshold_locks_the_address() {
    let (mut ports, _) = ports_with_account(UserStatus::Active);
    let now = ports.now;
    failures_counted(&mut ports, 5, 5);
    ports
        .unit
        .throttles
        .expect_lock()
        .withf(move |key, until| {
            key.scope() == ThrottleScope::LoginAccount && *until == now + Duration::seconds(30)
        })
        .times(1)
        .returning(|_, _| Ok(()));

    let error = ports
        .auth()
        .login(credentials("wrong password"), &origin())
        .await
        .expect_err("refused");

    assert!(is_invalid_credentials(&error), "{error:?}");
}

#[tokio::test]
async fn a_locked_address_is_refused_before_any_password_work() {
    let mut ports = Ports::new();
    let now = ports.now;
    ports
        .throttles
        .expect_locked_until()
        .withf(|keys, _| keys.len() == 2)
        .returning(move |_, _| Ok(Some(now + Duration::milliseconds(12_300))));
    ports.users.expect_find_by_email().never();
    ports.hasher.expect_verify().never();
    ports.hasher.expect_verify_dummy().never();
    let outcomes = ports.outcomes.clone();

    let error = ports
        .auth()
        .login(credentials(PASSWORD), &origin())
        .await
        .expect_err("locked");

    assert!(
        matches!(error, AppError::RateLimited { retry_after } if retry_after == Duration::seconds(13)),
        "{error:?}"
    );
    assert_eq!(
        outcomes.auth(),
        [(AuthOperation::Login, AuthOutcome::Locked)]
    );
}

#[tokio::test]
async fn an_unknown_email_fails_like_a_wrong_password_after_the_same_work() {
    let mut ports = Ports::new();
    ports.nothing_locked();
    ports.audit_accepted();
    ports.users.expect_find_by_email().returning(|_| Ok(None));
    ports
        .hasher
        .expect_verify_dummy()
        .times(1)
        .returning(|_| Ok(()));
    failures_counted(&mut ports, 1, 1);
    ports.tokens.expect_issue().never();

    let error = ports
        .auth()
        .login(credentials(PASSWORD), &origin())
        .await
        .expect_err("refused");

    assert!(is_invalid_credentials(&error), "{error:?}");
}

#[tokio::test]
async fn a_disabled_account_is_forbidden_only_with_the_right_password() {
    let (mut ports, _) = ports_with_account(UserStatus::Disabled);
    failures_counted(&mut ports, 1, 1);
    let outcomes = ports.outcomes.clone();
    let auth = ports.auth();

    let right = auth
        .login(credentials(PASSWORD), &origin())
        .await
        .expect_err("refused");
    let wrong = auth
        .login(credentials("wrong password"), &origin())
        .await
        .expect_err("refused");

    assert!(
        matches!(right, AppError::Forbidden(Forbidden::AccountDisabled)),
        "{right:?}"
    );
    assert!(is_invalid_credentials(&wrong), "{wrong:?}");
    assert_eq!(
        outcomes.auth(),
        [
            (AuthOperation::Login, AuthOutcome::Disabled),
            (AuthOperation::Login, AuthOutcome::WrongCredentials)
        ]
    );
}

#[tokio::test]
async fn a_hash_with_older_parameters_is_replaced_at_sign_in() {
    let (mut ports, user) = ports_with_account(UserStatus::Active);
    ports.hasher.checkpoint();
    ports
        .hasher
        .expect_verify()
        .returning(|password, hash| Ok(hash_of(password.expose()) == *hash));
    ports.hasher.expect_needs_rehash().return_const(true);
    ports
        .hasher
        .expect_hash()
        .returning(|_| Ok(hash_of("rehashed")));
    let old = user.password_hash.clone();
    ports
        .unit
        .users
        .expect_upgrade_password_hash()
        .withf(move |_, from, to| *from == old && *to == hash_of("rehashed"))
        .times(1)
        .returning(|_, _, _| Ok(true));
    ports.unit.throttles.expect_clear().returning(|_| Ok(()));
    ports
        .unit
        .sessions
        .expect_insert()
        .returning(|new| Ok(live_session(new)));
    ports.fixed_secrets();
    ports.tokens_issued();

    ports
        .auth()
        .login(credentials(PASSWORD), &origin())
        .await
        .expect("signed in");
}

#[tokio::test]
async fn a_saturated_hasher_is_unavailable_and_counts_nothing() {
    let mut ports = Ports::new();
    ports.nothing_locked();
    ports
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(registered_user(PASSWORD))));
    ports
        .hasher
        .expect_verify()
        .returning(|_, _| Err(HasherError::Busy));
    ports.unit.throttles.expect_hit().never();

    let error = ports
        .auth()
        .login(credentials(PASSWORD), &origin())
        .await
        .expect_err("fails");

    assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn an_unreachable_store_is_unavailable_not_invalid_credentials() {
    let mut ports = Ports::new();
    ports
        .throttles
        .expect_locked_until()
        .returning(|_, _| Err(unavailable()));
    ports.hasher.expect_verify_dummy().never();

    let error = ports
        .auth()
        .login(credentials(PASSWORD), &origin())
        .await
        .expect_err("fails");

    assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn a_password_changed_or_an_account_disabled_while_the_password_was_checked_opens_no_session()
{
    let changed = |mut user: User| {
        user.password_hash = hash_of("the owner's new password");
        user
    };
    let disabled = |mut user: User| {
        user.status = UserStatus::Disabled;
        user
    };
    let mut refusals = Vec::new();
    for meanwhile in [changed as fn(User) -> User, disabled] {
        let (mut ports, _) = ports_with_account_then(UserStatus::Active, meanwhile);
        ports.fixed_secrets();
        ports.unit.sessions.expect_insert().never();
        ports.unit.throttles.expect_clear().returning(|_| Ok(()));
        let journal = ports.journal.clone();

        let error = ports
            .auth()
            .login(credentials(PASSWORD), &origin())
            .await
            .expect_err("refused");

        assert_eq!(*journal.lock().expect("journal"), ["rollback"]);
        refusals.push(error);
    }

    assert!(is_invalid_credentials(&refusals[0]), "{:?}", refusals[0]);
    assert!(
        matches!(refusals[1], AppError::Forbidden(Forbidden::AccountDisabled)),
        "{:?}",
        refusals[1]
    );
}
