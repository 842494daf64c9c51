//! Deleting an account under optimistic locking: its sessions go with it.

use domain::session::{NewSession, SessionId};
use domain::user::{DisplayName, UserChanges};
use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::lease::Lease;
use crate::sessions;
use crate::test_support::new_session;

const NOW: OffsetDateTime = datetime!(2026-11-01 00:00 UTC);

async fn open_session(lease: &mut Lease, user: UserId) -> SessionId {
    let new = NewSession {
        now: NOW,
        ..new_session(user)
    };
    sessions::insert(lease, &new).await.expect("session").id
}

async fn sessions_of(lease: &mut Lease, user: UserId) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM sessions WHERE user_id = $1")
        .bind(user.as_uuid())
        .fetch_one(&mut **lease)
        .await
        .expect("count")
}

#[test]
fn a_deletion_returns_the_account_as_it_was_and_takes_its_sessions() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = insert(&mut lease, &new_user("deleted"))
            .await
            .expect("account");
        let other = insert(&mut lease, &new_user("kept"))
            .await
            .expect("account");
        open_session(&mut lease, user.id).await;
        open_session(&mut lease, user.id).await;
        open_session(&mut lease, other.id).await;

        let deleted = delete(&mut lease, user.id, Some(1)).await.expect("deleted");

        assert_eq!(deleted, user);
        assert_eq!(find_by_id(&mut lease, user.id).await.expect("query"), None);
        assert_eq!(sessions_of(&mut lease, user.id).await, 0);
        assert_eq!(sessions_of(&mut lease, other.id).await, 1);
        let unconditional = delete(&mut lease, other.id, None).await.expect("deleted");
        assert_eq!(unconditional, other);
    });
}

#[test]
fn a_deletion_at_a_stale_version_reports_the_current_one_and_deletes_nothing() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = insert(&mut lease, &new_user("stale"))
            .await
            .expect("account");
        let rename = UserChanges {
            display_name: Some(DisplayName::parse("Grace").expect("valid")),
            ..UserChanges::default()
        };
        let renamed = update(&mut lease, user.id, &rename, None, NOW)
            .await
            .expect("updated");
        open_session(&mut lease, user.id).await;

        let error = delete(&mut lease, user.id, Some(1))
            .await
            .expect_err("stale");

        assert!(
            matches!(
                error,
                RepoError::Conflict(Conflict::StaleVersion { current: 2 })
            ),
            "{error:?}"
        );
        assert_eq!(
            find_by_id(&mut lease, user.id).await.expect("query"),
            Some(renamed)
        );
        assert_eq!(sessions_of(&mut lease, user.id).await, 1);
    });
}
