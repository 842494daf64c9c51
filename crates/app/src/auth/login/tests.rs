use std::sync::{Arc, Mutex};

use domain::auth::IssuedAccessToken;
use domain::outcome::AuthOutcome;
use domain::ports::HasherError;
use domain::session::Session;
use domain::throttle::{Attempt, ThrottleScope};
use domain::user::{UserId, UserStatus};
use secrecy::ExposeSecret;
use time::Duration;

use super::*;
use crate::fixtures::{Ports, digest, hash_of, registered_user, secret, unavailable};

const PASSWORD: &str = "correct horse battery";

fn credentials(password: &str) -> Credentials {
    Credentials {
        email: Email::parse("ADA@example.com").expect("valid"),
        password: Password::parse(password.to_owned()).expect("valid"),
        device: None,
    }
}

fn with_device(password: &str, device: DeviceId) -> Credentials {
    Credentials {
        device: Some(DeviceToken::new(device, secret())),
        ..credentials(password)
    }
}

fn origin() -> Origin {
    Origin {
        request_id: Some("req-1".to_owned()),
        client_request_id: Some("client-1".to_owned()),
        ip: Some("2001:db8:1:2::9".parse().expect("ip")),
        user_agent: Some("curl/8".to_owned()),
    }
}

/// Ports where `ada@example.com` exists with [`PASSWORD`] and `status`;
/// the counters and the device tokens are left to the test.
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
    ports.audit_accepted();
    (ports, user)
}

/// The scopes reserved, in order, each answered by `answer`.
type Reservations = Arc<Mutex<Vec<ThrottleScope>>>;

fn reservations(
    ports: &mut Ports,
    answer: impl Fn(ThrottleScope) -> Attempt + Send + 'static,
) -> Reservations {
    let seen = Reservations::default();
    let log = seen.clone();
    ports
        .unit
        .throttles
        .expect_reserve()
        .returning(move |key, _, _| {
            log.lock().expect("log").push(key.scope());
            Ok(answer(key.scope()))
        });
    seen
}

/// What settling a success did: the scopes cleared and given back.
type Settled = Arc<Mutex<Vec<(&'static str, ThrottleScope)>>>;

fn settlements(ports: &mut Ports) -> Settled {
    let settled = Settled::default();
    let (cleared, given_back) = (settled.clone(), settled.clone());
    ports.unit.throttles.expect_clear().returning(move |key| {
        cleared.lock().expect("log").push(("clear", key.scope()));
        Ok(())
    });
    ports
        .unit
        .throttles
        .expect_give_back()
        .returning(move |key, _| {
            given_back
                .lock()
                .expect("log")
                .push(("give_back", key.scope()));
            Ok(())
        });
    settled
}

fn signs_in(ports: &mut Ports) {
    ports.fixed_secrets();
    ports.tokens_issued();
    ports
        .unit
        .sessions
        .expect_insert()
        .returning(|new| Ok(live_session(new)));
}

/// `ada`'s device `id`, whose secret is `secret()`, digested to `digest(1)`.
fn known_device(ports: &mut Ports, user: &User, id: DeviceId) {
    let owner = user.id;
    let now = ports.now;
    ports
        .unit
        .devices
        .expect_find_live()
        .withf(move |found, _| *found == id)
        .returning(move |_, _| {
            Ok(Some(Device {
                id,
                user_id: owner,
                digest: digest(1),
                expires_at: now + Duration::days(1),
            }))
        });
    ports.secrets.expect_digest().returning(|_| digest(1));
}

const STRANGER: [ThrottleScope; 3] = [
    ThrottleScope::LoginAccount,
    ThrottleScope::LoginNetwork,
    ThrottleScope::LoginWideNetwork,
];

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

fn is_locked(error: &AppError, seconds: i64) -> bool {
    matches!(error, AppError::RateLimited { retry_after } if *retry_after == Duration::seconds(seconds))
}

#[tokio::test]
async fn the_right_password_opens_a_session_and_issues_its_pair_and_a_device_token() {
    let (mut ports, user) = ports_with_account(UserStatus::Active);
    let now = ports.now;
    let reserved = reservations(&mut ports, |_| Attempt::Counted(1));
    let settled = settlements(&mut ports);
    ports.fixed_secrets();
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
    let issued = Arc::new(Mutex::new(None));
    let device = issued.clone();
    ports
        .unit
        .devices
        .expect_issue()
        .times(1)
        .returning(move |new, at| {
            assert_eq!(at, now);
            *device.lock().expect("device") = Some(new.clone());
            Ok(())
        });
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
    let device = issued.lock().expect("device").clone().expect("issued");
    assert_eq!(
        (device.user_id, device.digest, device.expires_at),
        (user.id, digest(1), now + Duration::days(90))
    );
    let token = signed_in.device_token.expect("a device token");
    assert_eq!(token.id(), device.id);
    assert_eq!(*reserved.lock().expect("log"), STRANGER);
    assert_eq!(
        *settled.lock().expect("log"),
        [
            ("clear", ThrottleScope::LoginAccount),
            ("give_back", ThrottleScope::LoginNetwork),
            ("give_back", ThrottleScope::LoginWideNetwork)
        ]
    );
    assert_eq!(*journal.lock().expect("journal"), ["commit", "commit"]);
    assert_eq!(
        outcomes.auth(),
        [(AuthOperation::Login, AuthOutcome::Success)]
    );
}

#[tokio::test]
async fn a_wrong_password_stays_counted_and_is_invalid_credentials() {
    let (mut ports, user) = ports_with_account(UserStatus::Active);
    let reserved = reservations(&mut ports, |_| Attempt::Counted(1));
    ports.unit.throttles.expect_lock().never();
    ports.unit.throttles.expect_clear().never();
    ports.unit.throttles.expect_give_back().never();
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
                && event.origin.client_request_id.as_deref() == Some("client-1")
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
    assert_eq!(*reserved.lock().expect("log"), STRANGER);
    assert_eq!(*journal.lock().expect("journal"), ["commit", "commit"]);
    assert_eq!(
        outcomes.auth(),
        [(AuthOperation::Login, AuthOutcome::WrongCredentials)]
    );
}

#[tokio::test]
async fn the_attempt_that_reaches_the_threshold_locks_the_address_before_it_is_checked() {
    let (mut ports, user) = ports_with_account(UserStatus::Active);
    let now = ports.now;
    reservations(&mut ports, |scope| match scope {
        ThrottleScope::LoginAccount => Attempt::Counted(5),
        _ => Attempt::Counted(1),
    });
    ports
        .unit
        .throttles
        .expect_lock()
        .withf(move |key, until| {
            key.scope() == ThrottleScope::LoginAccount && *until == now + Duration::seconds(30)
        })
        .times(1)
        .returning(|_, _| Ok(()));
    ports.unit.audit.checkpoint();
    let user_id = user.id;
    ports
        .unit
        .audit
        .expect_record()
        .withf(move |event| {
            event.action == AuditAction::Lockout
                && event.subject == Some(user_id)
                && event.detail == Some("login_account")
        })
        .times(1)
        .returning(|_| Ok(()));
    ports
        .unit
        .audit
        .expect_record()
        .withf(|event| event.action == AuditAction::LoginFailed)
        .times(1)
        .returning(|_| Ok(()));

    let error = ports
        .auth()
        .login(credentials("wrong password"), &origin())
        .await
        .expect_err("refused");

    assert!(is_invalid_credentials(&error), "{error:?}");
}

#[tokio::test]
async fn a_locked_network_refuses_before_any_password_work_and_keeps_no_count() {
    let mut ports = Ports::new();
    let now = ports.now;
    ports
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(registered_user(PASSWORD))));
    ports
        .unit
        .throttles
        .expect_reserve()
        .returning(move |key, _, _| {
            Ok(match key.scope() {
                ThrottleScope::LoginNetwork => {
                    Attempt::Locked(now + Duration::milliseconds(12_300))
                }
                _ => Attempt::Counted(1),
            })
        });
    ports.hasher.expect_verify().never();
    ports.hasher.expect_verify_dummy().never();
    let journal = ports.journal.clone();
    let outcomes = ports.outcomes.clone();

    let error = ports
        .auth()
        .login(credentials(PASSWORD), &origin())
        .await
        .expect_err("locked");

    assert!(is_locked(&error, 13), "{error:?}");
    assert_eq!(
        *journal.lock().expect("journal"),
        ["rollback"],
        "the address's count is undone"
    );
    assert_eq!(
        outcomes.auth(),
        [(AuthOperation::Login, AuthOutcome::Locked)]
    );
}

#[tokio::test]
async fn an_own_device_gets_in_while_the_address_is_locked_for_strangers() {
    let (mut ports, user) = ports_with_account(UserStatus::Active);
    let now = ports.now;
    let device = DeviceId::generate();
    known_device(&mut ports, &user, device);
    let reserved = reservations(&mut ports, move |scope| match scope {
        ThrottleScope::LoginDevice => Attempt::Counted(1),
        _ => Attempt::Locked(now + Duration::minutes(10)),
    });
    let settled = settlements(&mut ports);
    signs_in(&mut ports);
    ports
        .unit
        .devices
        .expect_issue()
        .withf(move |renewed, _| renewed.id == device)
        .times(1)
        .returning(|_, _| Ok(()));

    let signed_in = ports
        .auth()
        .login(with_device(PASSWORD, device), &origin())
        .await
        .expect("signed in");

    assert_eq!(signed_in.device_token.map(|token| token.id()), Some(device));
    assert_eq!(*reserved.lock().expect("log"), [ThrottleScope::LoginDevice]);
    assert_eq!(
        *settled.lock().expect("log"),
        [("clear", ThrottleScope::LoginDevice)]
    );
}

#[tokio::test]
async fn a_locked_device_stops_vouching_and_its_client_is_a_stranger() {
    let (mut ports, user) = ports_with_account(UserStatus::Active);
    let now = ports.now;
    let device = DeviceId::generate();
    known_device(&mut ports, &user, device);
    let reserved = reservations(&mut ports, move |scope| match scope {
        ThrottleScope::LoginDevice => Attempt::Locked(now + Duration::minutes(1)),
        ThrottleScope::LoginAccount => Attempt::Locked(now + Duration::minutes(10)),
        _ => Attempt::Counted(1),
    });
    ports.hasher.expect_verify().never();

    let error = ports
        .auth()
        .login(with_device(PASSWORD, device), &origin())
        .await
        .expect_err("locked");

    assert!(is_locked(&error, 600), "{error:?}");
    assert_eq!(
        *reserved.lock().expect("log"),
        [ThrottleScope::LoginDevice, ThrottleScope::LoginAccount]
    );
}

#[tokio::test]
async fn another_accounts_device_token_or_a_wrong_secret_vouches_for_nothing() {
    for (owner_is_other, digest_of_presented) in [(true, 1), (false, 2)] {
        let (mut ports, user) = ports_with_account(UserStatus::Active);
        let device = DeviceId::generate();
        let owner = if owner_is_other {
            UserId::generate()
        } else {
            user.id
        };
        let now = ports.now;
        ports
            .unit
            .devices
            .expect_find_live()
            .returning(move |_, _| {
                Ok(Some(Device {
                    id: device,
                    user_id: owner,
                    digest: digest(1),
                    expires_at: now + Duration::days(1),
                }))
            });
        ports
            .secrets
            .expect_digest()
            .returning(move |_| digest(digest_of_presented));
        let reserved = reservations(&mut ports, |_| Attempt::Counted(1));

        ports
            .auth()
            .login(with_device("wrong password", device), &origin())
            .await
            .expect_err("refused");

        assert_eq!(*reserved.lock().expect("log"), STRANGER);
    }
}

#[tokio::test]
async fn an_unknown_email_fails_like_a_wrong_password_after_the_same_work() {
    let mut ports = Ports::new();
    ports.audit_accepted();
    ports.users.expect_find_by_email().returning(|_| Ok(None));
    ports
        .hasher
        .expect_verify_dummy()
        .times(1)
        .returning(|_| Ok(()));
    ports
        .unit
        .devices
        .expect_find_live()
        .times(1)
        .returning(|_, _| Ok(None));
    let reserved = reservations(&mut ports, |_| Attempt::Counted(1));
    ports.tokens.expect_issue().never();

    let error = ports
        .auth()
        .login(with_device(PASSWORD, DeviceId::generate()), &origin())
        .await
        .expect_err("refused");

    assert!(is_invalid_credentials(&error), "{error:?}");
    assert_eq!(*reserved.lock().expect("log"), STRANGER);
}

#[tokio::test]
async fn a_disabled_account_is_forbidden_only_with_the_right_password() {
    let (mut ports, _) = ports_with_account(UserStatus::Disabled);
    ports.nothing_locked();
    let settled = settlements(&mut ports);
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
    assert_eq!(settled.lock().expect("log").len(), 3, "the right one only");
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
    ports.nothing_locked();
    settlements(&mut ports);
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
    ports.unit.devices.expect_issue().returning(|_, _| Ok(()));
    signs_in(&mut ports);

    ports
        .auth()
        .login(credentials(PASSWORD), &origin())
        .await
        .expect("signed in");
}

#[tokio::test]
async fn a_saturated_hasher_is_unavailable_and_its_attempt_stays_counted() {
    let mut ports = Ports::new();
    ports
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(registered_user(PASSWORD))));
    let reserved = reservations(&mut ports, |_| Attempt::Counted(1));
    ports
        .hasher
        .expect_verify()
        .returning(|_, _| Err(HasherError::Busy));
    ports.unit.throttles.expect_clear().never();
    ports.unit.throttles.expect_give_back().never();

    let error = ports
        .auth()
        .login(credentials(PASSWORD), &origin())
        .await
        .expect_err("fails");

    assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
    assert_eq!(*reserved.lock().expect("log"), STRANGER);
}

#[tokio::test]
async fn an_unreachable_store_is_unavailable_not_invalid_credentials() {
    let mut ports = Ports::new();
    ports
        .users
        .expect_find_by_email()
        .returning(|_| Err(unavailable()));
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
        ports.nothing_locked();
        ports.fixed_secrets();
        ports.unit.sessions.expect_insert().never();
        ports.unit.devices.expect_issue().never();
        let journal = ports.journal.clone();

        let error = ports
            .auth()
            .login(credentials(PASSWORD), &origin())
            .await
            .expect_err("refused");

        assert_eq!(*journal.lock().expect("journal"), ["commit", "rollback"]);
        refusals.push(error);
    }

    assert!(is_invalid_credentials(&refusals[0]), "{:?}", refusals[0]);
    assert!(
        matches!(refusals[1], AppError::Forbidden(Forbidden::AccountDisabled)),
        "{:?}",
        refusals[1]
    );
}
