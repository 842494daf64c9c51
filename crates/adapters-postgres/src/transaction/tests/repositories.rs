//! The sessions, counters and trail of a unit of work act inside it: kept
//! on commit, gone on rollback.

use std::net::IpAddr;

use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::session::NewSession;
use domain::throttle::{NetworkPrefixes, ThrottleKey};
use domain::user::{DisplayName, NewUser, UserChanges};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::*;
use crate::test_support::new_session;

/// What one unit writes through each repository: an account, a session
/// of it, a counted attempt and an event.
struct Work {
    user: NewUser,
    session: NewSession,
    key: ThrottleKey,
    event: AuditEvent,
}

impl Work {
    fn new() -> Self {
        let now = OffsetDateTime::now_utc();
        let user = new_user("unit");
        let session = NewSession {
            now,
            ..new_session(user.id)
        };
        let ip = IpAddr::from(Uuid::now_v7().as_u128().rotate_left(64).to_be_bytes());
        let key = ThrottleKey::register_networks(&NetworkPrefixes::DEFAULT.of(ip)).remove(0);
        let event = AuditEvent::new(AuditAction::Register, now, &Origin::default()).by(user.id);
        Self {
            user,
            session,
            key,
            event,
        }
    }

    async fn write(&self, unit: &dyn UnitOfWork) {
        unit.users().insert(&self.user).await.expect("account");
        unit.sessions()
            .insert(&self.session)
            .await
            .expect("session");
        let window = Duration::hours(1);
        unit.throttles()
            .reserve(&self.key, self.session.now, window)
            .await
            .expect("reserve");
        unit.audit().record(&self.event).await.expect("event");
    }

    /// How many of the four rows are stored.
    async fn stored(&self, pool: &PgPool) -> i64 {
        sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM users WHERE id = $1)
                  + (SELECT count(*) FROM sessions WHERE id = $2)
                  + (SELECT count(*) FROM throttles WHERE subject = $3)
                  + (SELECT count(*) FROM audit_events WHERE id = $4)",
        )
        .bind(self.user.id.as_uuid())
        .bind(self.session.id.as_uuid())
        .bind(self.key.subject())
        .bind(self.event.id)
        .fetch_one(pool)
        .await
        .expect("count")
    }
}

#[test]
fn every_repository_of_a_unit_commits_and_rolls_back_with_it() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let (transactor, pool) = transactor_on(&test_database).await;
        let (kept, undone) = (Work::new(), Work::new());

        let unit = transactor
            .begin(TransactionOptions::default())
            .await
            .expect("begin");
        kept.write(unit.as_ref()).await;
        unit.commit().await.expect("commit");
        let unit = transactor
            .begin(TransactionOptions::default())
            .await
            .expect("begin");
        undone.write(unit.as_ref()).await;
        assert_eq!(undone.stored(&pool).await, 0, "invisible before the commit");
        unit.rollback().await.expect("rollback");

        assert_eq!(kept.stored(&pool).await, 4);
        assert_eq!(undone.stored(&pool).await, 0);
    });
}

#[test]
fn a_stale_version_leaves_the_unit_usable() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let (transactor, pool) = transactor_on(&test_database).await;
        let user = new_user("stale");
        let now = OffsetDateTime::now_utc();
        let rename = UserChanges {
            display_name: Some(DisplayName::parse("Grace").expect("valid")),
            ..UserChanges::default()
        };

        let unit = transactor
            .begin(TransactionOptions::default())
            .await
            .expect("begin");
        unit.users().insert(&user).await.expect("insert");
        let error = unit
            .users()
            .update(user.id, &rename, Some(7), now)
            .await
            .expect_err("stale");
        assert!(
            matches!(
                error,
                RepoError::Conflict(Conflict::StaleVersion { current: 1 })
            ),
            "{error:?}"
        );
        unit.users()
            .update(user.id, &rename, Some(1), now)
            .await
            .expect("the unit goes on");
        unit.commit().await.expect("commit");

        assert!(exists(&pool, &user).await);
    });
}
