//! The session repository's SQL against a real PostgreSQL, inside
//! transactions that are rolled back; the race of refreshes commits, on a
//! database of its own.

mod race;
mod rotation;

use std::net::IpAddr;

use domain::audit::Origin;
use domain::error::{Conflict, InvalidData, RepoError};
use domain::session::{EndReason, NewSession, SecretDigest, SessionId, SessionLifetime};
use domain::user::UserId;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::*;
use crate::lease::Lease;
use crate::test_support::{new_user, rolled_back_lease};
use crate::users;

const NOW: OffsetDateTime = datetime!(2026-11-01 00:00 UTC);

const LIFETIME: SessionLifetime = SessionLifetime {
    absolute: Duration::days(30),
    idle: Duration::days(7),
    grace: Duration::seconds(10),
};

/// A session's stored digests: current, replaced and retired.
type Digests = (Vec<Vec<u8>>, Vec<Vec<u8>>, Vec<Vec<u8>>);

/// A digest no other session has.
fn digest() -> SecretDigest {
    let mut bytes = [0; 32];
    bytes[..16].copy_from_slice(Uuid::now_v7().as_bytes());
    bytes[16..].copy_from_slice(Uuid::now_v7().as_bytes());
    SecretDigest::from_bytes(bytes)
}

fn bytes(digest: SecretDigest) -> Vec<u8> {
    digest.as_bytes().to_vec()
}

async fn account(lease: &mut Lease) -> UserId {
    users::insert(lease, &new_user("session"))
        .await
        .expect("account")
        .id
}

fn new_session(user: UserId, digest: SecretDigest, now: OffsetDateTime) -> NewSession {
    NewSession {
        id: SessionId::generate(),
        user_id: user,
        digest,
        now,
        lifetime: LIFETIME,
        user_agent: Some("Mozilla/5.0".to_owned()),
        ip: Some(IpAddr::from([203, 0, 113, 7])),
    }
}

/// Opens a session for `user` at `now` and returns its identifier.
async fn open(lease: &mut Lease, user: UserId, now: OffsetDateTime) -> SessionId {
    insert(lease, &new_session(user, digest(), now))
        .await
        .expect("inserted")
        .id
}

async fn end_reason(lease: &mut Lease, id: SessionId) -> Option<String> {
    sqlx::query_scalar("SELECT end_reason FROM sessions WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_one(&mut **lease)
        .await
        .expect("the session's row")
}

#[test]
fn insert_returns_the_session_expiring_at_its_idle_timeout_with_its_origin() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        let new = new_session(user, digest(), NOW);

        let session = insert(&mut lease, &new).await.expect("inserted");

        assert_eq!((session.id, session.user_id), (new.id, user));
        assert_eq!((session.created_at, session.last_used_at), (NOW, NOW));
        assert_eq!(session.expires_at, NOW + Duration::days(7));
        assert_eq!(session.user_agent.as_deref(), Some("Mozilla/5.0"));
        assert_eq!(session.ip, new.ip);
    });
}

#[test]
fn an_idle_timeout_past_the_lifetime_expires_at_the_absolute_end_and_origins_are_optional() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        let mut new = new_session(user, digest(), NOW);
        new.lifetime.idle = Duration::days(60);
        new.user_agent = None;
        new.ip = None;
        let mut v6 = new_session(user, digest(), NOW);
        v6.ip = Some("2001:db8::7".parse().expect("valid"));

        let session = insert(&mut lease, &new).await.expect("inserted");
        let with_v6 = insert(&mut lease, &v6).await.expect("inserted");

        assert_eq!(session.expires_at, NOW + Duration::days(30));
        assert_eq!((session.user_agent, session.ip), (None, None));
        assert_eq!(with_v6.ip, v6.ip);
    });
}

#[test]
fn a_session_of_a_missing_account_is_a_reference_conflict() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;

        let error = insert(&mut lease, &new_session(UserId::generate(), digest(), NOW))
            .await
            .expect_err("no such account");

        assert!(
            matches!(error, RepoError::Conflict(Conflict::Reference { ref constraint }) if constraint == "sessions_user_id_fkey"),
            "{error:?}"
        );
    });
}

#[test]
fn a_user_agent_longer_than_the_store_takes_is_invalid_and_named() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        let mut longest = new_session(user, digest(), NOW);
        longest.user_agent = Some("x".repeat(Origin::MAX_USER_AGENT_CHARS));
        insert(&mut lease, &longest)
            .await
            .expect("the longest the domain keeps fits");
        let mut new = new_session(user, digest(), NOW);
        new.user_agent = Some("x".repeat(Origin::MAX_USER_AGENT_CHARS + 1));

        let error = insert(&mut lease, &new).await.expect_err("too long");

        assert!(
            matches!(error, RepoError::Invalid(InvalidData { column: Some(ref column), .. }) if column == "user_agent"),
            "{error:?}"
        );
    });
}

#[test]
fn only_live_sessions_are_found_and_listed_newest_first() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        let other = account(&mut lease).await;
        let older = open(&mut lease, user, NOW - Duration::days(2)).await;
        let newer = open(&mut lease, user, NOW - Duration::days(1)).await;
        let idled_out = open(&mut lease, user, NOW - Duration::days(8)).await;
        let ended = open(&mut lease, user, NOW).await;
        open(&mut lease, other, NOW).await;
        assert!(
            end(&mut lease, user, ended, EndReason::Logout, NOW)
                .await
                .expect("end")
        );

        let listed: Vec<_> = list_live(&mut lease, user, NOW)
            .await
            .expect("list")
            .into_iter()
            .map(|session| session.id)
            .collect();

        assert_eq!(listed, [newer, older]);
        for (id, live) in [(older, true), (idled_out, false), (ended, false)] {
            let found = find_live(&mut lease, id, NOW).await.expect("find");
            assert_eq!(found.is_some(), live, "{id}");
            let account = users::find_by_live_session(&mut lease, id, NOW)
                .await
                .expect("find the account");
            assert_eq!(
                account.map(|account| account.id),
                live.then_some(user),
                "{id}"
            );
        }
    });
}

#[test]
fn end_ends_only_a_live_session_of_its_owner() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        let stranger = account(&mut lease).await;
        let id = open(&mut lease, user, NOW).await;

        let by_stranger = end(&mut lease, stranger, id, EndReason::Logout, NOW).await;
        let by_owner = end(&mut lease, user, id, EndReason::EndedByOwner, NOW).await;
        let again = end(&mut lease, user, id, EndReason::Logout, NOW).await;

        assert!(!by_stranger.expect("end"));
        assert!(by_owner.expect("end"));
        assert!(!again.expect("end"), "an ended session ends once");
        assert_eq!(
            end_reason(&mut lease, id).await.as_deref(),
            Some("ended_by_owner")
        );
    });
}

#[test]
fn end_all_ends_every_live_session_of_the_account_but_the_one_kept() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        let other = account(&mut lease).await;
        let kept = open(&mut lease, user, NOW).await;
        open(&mut lease, user, NOW).await;
        open(&mut lease, user, NOW).await;
        let others = open(&mut lease, other, NOW).await;

        let ended = end_all(
            &mut lease,
            user,
            Some(kept),
            EndReason::PasswordChanged,
            NOW,
        )
        .await;

        assert_eq!(ended.expect("end all"), 2);
        let live = list_live(&mut lease, user, NOW).await.expect("list");
        assert_eq!(live.iter().map(|s| s.id).collect::<Vec<_>>(), [kept]);
        assert!(
            find_live(&mut lease, others, NOW)
                .await
                .expect("find")
                .is_some()
        );
        let rest = end_all(&mut lease, user, None, EndReason::LogoutAll, NOW).await;
        assert_eq!(rest.expect("end all"), 1);
        assert_eq!(
            end_reason(&mut lease, kept).await.as_deref(),
            Some("logout_all")
        );
    });
}

#[test]
fn purge_deletes_expired_and_ended_sessions_a_batch_at_a_time() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        let live = open(&mut lease, user, NOW).await;
        open(&mut lease, user, NOW - Duration::days(31)).await;
        let ended = open(&mut lease, user, NOW).await;
        end(&mut lease, user, ended, EndReason::Logout, NOW)
            .await
            .expect("end");

        let first = purge(&mut lease, NOW, 1).await.expect("purge");
        let second = purge(&mut lease, NOW, 10).await.expect("purge");
        let third = purge(&mut lease, NOW, 10).await.expect("purge");

        assert_eq!((first, second, third), (1, 1, 0));
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE user_id = $1")
            .bind(user.as_uuid())
            .fetch_one(&mut *lease)
            .await
            .expect("count");
        assert_eq!(left, 1);
        assert!(
            find_live(&mut lease, live, NOW)
                .await
                .expect("find")
                .is_some()
        );
    });
}

#[test]
fn the_store_accepts_every_end_reason() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        for reason in [
            EndReason::Logout,
            EndReason::LogoutAll,
            EndReason::EndedByOwner,
            EndReason::PasswordChanged,
            EndReason::RefreshReuse,
            EndReason::AccountDisabled,
            EndReason::RoleChanged,
        ] {
            let id = open(&mut lease, user, NOW).await;
            assert!(end(&mut lease, user, id, reason, NOW).await.expect("end"));
            assert_eq!(
                end_reason(&mut lease, id).await.as_deref(),
                Some(reason.as_str())
            );
        }
    });
}
