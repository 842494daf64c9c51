use std::sync::Arc;

use adapters_postgres::{Database, PgReads, PgTransactor, Thresholds};
use app::housekeeping::{Housekeeping, PurgePolicy};
use app::transaction::{RetryPolicy, Transactions};
use domain::ports::{SessionReads, TransactionOptions, UnitOfWork};
use domain::session::{EndReason, NewSession, SecretDigest, SessionId, SessionLifetime};
use domain::throttle::{Attempt, ThrottleKey};
use domain::user::{Email, UserId};
use test_db::TestDatabase;
use time::{Duration, OffsetDateTime};

use crate::support::{Recorded, TokioClock, unique, user};

const LIFETIME: SessionLifetime = SessionLifetime {
    absolute: Duration::days(30),
    idle: Duration::days(7),
    grace: Duration::seconds(10),
};

async fn open_session(unit: &dyn UnitOfWork, user: UserId, at: OffsetDateTime) -> SessionId {
    let id = SessionId::generate();
    // Any digest unique to the session will do.
    let mut digest = [0; 32];
    digest[..16].copy_from_slice(id.as_uuid().as_bytes());
    unit.sessions()
        .insert(&NewSession {
            id,
            user_id: user,
            digest: SecretDigest::from_bytes(digest),
            now: at,
            lifetime: LIFETIME,
            user_agent: None,
            ip: None,
        })
        .await
        .expect("opened");
    id
}

#[test]
fn two_replicas_purging_at_once_remove_every_ended_session_once_and_nothing_live() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let database = Database::new(
            test_database.pool(6).await,
            Thresholds::default(),
            &opentelemetry::global::meter("tests"),
        );
        let transactions = Transactions::new(
            Arc::new(PgTransactor::new(database.clone())),
            Arc::new(TokioClock),
            RetryPolicy::default(),
            Arc::new(Recorded::default()),
        );
        let now = OffsetDateTime::now_utc();
        let spent = ThrottleKey::login_account(&Email::parse("spent@example.com").expect("valid"));
        let counting =
            ThrottleKey::login_account(&Email::parse("counting@example.com").expect("valid"));
        let (owner, mut live) = transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let owner = unit.users().insert(&user(&unique("purge"))).await?.id;
                let mut live = Vec::new();
                for _ in 0..3 {
                    live.push(open_session(unit, owner, now).await);
                }
                // Idle for eight days, past the seven-day timeout.
                for _ in 0..7 {
                    open_session(unit, owner, now - Duration::days(8)).await;
                }
                for _ in 0..5 {
                    let id = open_session(unit, owner, now).await;
                    unit.sessions()
                        .end(owner, id, EndReason::Logout, now)
                        .await?;
                }
                unit.throttles()
                    .reserve(&spent, now - Duration::hours(2), Duration::hours(1))
                    .await?;
                unit.throttles()
                    .reserve(&counting, now, Duration::hours(1))
                    .await?;
                Ok((owner, live))
            })
            .await
            .expect("arranged");
        let replica = || {
            Housekeeping::new(
                Arc::new(PgTransactor::new(database.clone())),
                Arc::new(TokioClock),
                PurgePolicy {
                    batch: 2,
                    longest_throttle_window: Duration::hours(1),
                    audit_retention: Duration::days(365),
                },
                Arc::new(Recorded::default()),
            )
        };
        let (first, second) = (replica(), replica());

        let (a, b) = tokio::join!(first.purge(), second.purge());

        let (a, b) = (a.expect("purged"), b.expect("purged"));
        assert_eq!(a.sessions + b.sessions, 12);
        assert_eq!(a.throttles + b.throttles, 1);
        let left = PgReads::new(database.clone())
            .list_live(owner, now)
            .await
            .expect("listed");
        let mut left: Vec<SessionId> = left.into_iter().map(|session| session.id).collect();
        left.sort();
        live.sort();
        assert_eq!(left, live);
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
            .fetch_one(database.pool())
            .await
            .expect("count");
        assert_eq!(rows, 3);
        let attempts = transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                Ok(unit
                    .throttles()
                    .reserve(&counting, now, Duration::hours(1))
                    .await?)
            })
            .await
            .expect("reserve");
        assert_eq!(
            attempts,
            Attempt::Counted(2),
            "a counter in its window is kept"
        );
    });
}
