use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use adapters_postgres::{Database, PgReads, PgTransactor, Thresholds};
use app::error::AppError;
use app::transaction::{RetryPolicy, Transactions};
use domain::outcome::TransactionOutcome::{
    Committed, Exhausted, RetriedDeadlock, RetriedSerialization,
};
use domain::ports::{TransactionOptions, UserReads};
use domain::user::Email;
use sqlx::postgres::PgPoolOptions;
use test_db::TestDatabase;
use tokio::sync::Barrier;

use crate::support::{Recorded, TokioClock, unique, user};

/// Two units racing on a database of their own (units must really
/// commit), with deadlocks detected after 20 ms rather than the default
/// second. Each registers an address; `runs` counts every run of either.
struct Race {
    _test_database: TestDatabase,
    database: Database,
    transactions: Transactions,
    addresses: [String; 2],
    barrier: Barrier,
    runs: AtomicU32,
    outcomes: Arc<Recorded>,
}

impl Race {
    async fn new(max_attempts: u32) -> Self {
        let test_database = TestDatabase::create().await;
        let options = test_database
            .connect_options()
            .options([("deadlock_timeout", "20ms")]);
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .expect("connect");
        let database = Database::new(
            pool,
            Thresholds::default(),
            &opentelemetry::global::meter("tests"),
        );
        let outcomes = Arc::new(Recorded::default());
        let transactions = Transactions::new(
            Arc::new(PgTransactor::new(database.clone())),
            Arc::new(TokioClock),
            RetryPolicy::new(
                max_attempts,
                Duration::from_millis(1),
                Duration::from_millis(10),
            ),
            outcomes.clone(),
        );
        Self {
            _test_database: test_database,
            database,
            transactions,
            addresses: [unique("a"), unique("b")],
            barrier: Barrier::new(2),
            runs: AtomicU32::new(0),
            outcomes,
        }
    }

    /// The address unit `side` (0 or 1) registers, and the other one.
    fn addresses(&self, side: usize) -> (&str, &str) {
        (&self.addresses[side], &self.addresses[1 - side])
    }

    /// Counts a run; true for the first run of each unit.
    fn first_run(&self) -> bool {
        self.runs.fetch_add(1, Ordering::SeqCst) < 2
    }

    fn runs(&self) -> u32 {
        self.runs.load(Ordering::SeqCst)
    }

    async fn assert_both_registered(&self) {
        let users = PgReads::new(self.database.clone());
        for address in &self.addresses {
            let email = Email::parse(address).expect("valid");
            assert!(users.find_by_email(&email).await.expect("query").is_some());
        }
    }
}

/// Write skew: unit `side` checks that the other's address is free and
/// registers its own. Both read before either writes, so under
/// SERIALIZABLE one of them must lose; run again, it sees the other's row
/// and commits.
async fn write_skew(race: &Race, side: usize) -> Result<(), AppError> {
    let (own, other) = race.addresses(side);
    race.transactions
        .run(TransactionOptions::SERIALIZABLE, async |unit| {
            let first_run = race.first_run();
            let other = Email::parse(other).expect("valid");
            unit.users().lock_by_email(&other).await?;
            if first_run {
                race.barrier.wait().await;
            }
            unit.users().insert(&user(own)).await?;
            Ok(())
        })
        .await
}

#[test]
fn two_serializable_units_that_really_conflict_both_commit_through_retries() {
    test_db::run(async {
        let race = Race::new(4).await;

        let (first, second) = tokio::join!(write_skew(&race, 0), write_skew(&race, 1));

        first.expect("the first unit commits");
        second.expect("the second unit commits");
        assert_eq!(race.runs(), 3, "exactly one retry");
        race.assert_both_registered().await;
        let mut outcomes = race.outcomes.transactions();
        outcomes.sort_by_key(|outcome| *outcome as u8);
        assert_eq!(outcomes, [Committed, Committed, RetriedSerialization]);
    });
}

#[test]
fn retries_stop_at_the_bound_and_the_loser_hears_of_the_contention() {
    test_db::run(async {
        let race = Race::new(1).await;

        let (first, second) = tokio::join!(write_skew(&race, 0), write_skew(&race, 1));

        let outcomes = [first, second];
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1);
        assert!(
            outcomes
                .iter()
                .any(|o| matches!(o, Err(AppError::Contention(_)))),
            "{outcomes:?}"
        );
        assert_eq!(race.runs(), 2, "no retry with one attempt");
        let mut outcomes = race.outcomes.transactions();
        outcomes.sort_by_key(|outcome| *outcome as u8);
        assert_eq!(outcomes, [Committed, Exhausted]);
    });
}

/// Unit `side` registers its own address, then (on its first run) the
/// other's: each waits for the other's uncommitted row, a deadlock that
/// PostgreSQL breaks by failing one of them. The winner then takes both
/// addresses; run again, the loser registers a fresh one instead.
async fn deadlock(race: &Race, side: usize) -> Result<(), AppError> {
    let (own, other) = race.addresses(side);
    race.transactions
        .run(TransactionOptions::READ_COMMITTED, async |unit| {
            if !race.first_run() {
                unit.users().insert(&user(&unique("retried"))).await?;
                return Ok(());
            }
            unit.users().insert(&user(own)).await?;
            race.barrier.wait().await;
            unit.users().insert(&user(other)).await?;
            Ok(())
        })
        .await
}

#[test]
fn a_real_deadlock_is_detected_and_the_loser_retried() {
    test_db::run(async {
        let race = Race::new(3).await;

        let (first, second) = tokio::join!(deadlock(&race, 0), deadlock(&race, 1));

        first.expect("the first unit commits");
        second.expect("the second unit commits");
        assert_eq!(race.runs(), 3, "exactly one retry");
        race.assert_both_registered().await;
        let mut outcomes = race.outcomes.transactions();
        outcomes.sort_by_key(|outcome| *outcome as u8);
        assert_eq!(outcomes, [Committed, Committed, RetriedDeadlock]);
    });
}
