use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::error::{RepoError, Retry};
use domain::outcome::TransactionOutcome::{
    Committed, Exhausted, NotStarted, OutcomeUnknown, RetriedDeadlock, RetriedSerialization,
    RolledBack,
};
use domain::ports::{MockClock, MockTransactor, MockUnitOfWork, UnitOfWork};

use super::*;
use crate::fixtures::Reported;

/// What a fake unit of work does at its end.
#[derive(Clone, Copy)]
enum Ending {
    Commits,
    CommitFails(fn() -> RepoError),
    RollsBack,
}

fn unit(ending: Ending) -> Box<dyn UnitOfWork> {
    let mut unit = MockUnitOfWork::new();
    match ending {
        Ending::Commits => {
            unit.expect_commit().times(1).returning(|| Ok(()));
        }
        Ending::CommitFails(error) => {
            unit.expect_commit()
                .times(1)
                .returning(move || Err(error()));
        }
        Ending::RollsBack => {
            unit.expect_rollback().times(1).returning(|| Ok(()));
        }
    }
    Box::new(unit)
}

/// A transactor handing out units that end as `endings` say, in order.
fn transactor(endings: Vec<Ending>) -> MockTransactor {
    let mut endings = endings.into_iter();
    let mut transactor = MockTransactor::new();
    transactor
        .expect_begin()
        .times(endings.len())
        .returning(move |_| Ok(unit(endings.next().expect("a unit per attempt"))));
    transactor
}

/// A clock whose sleeps return at once and are written down.
fn clock(pauses: &Arc<Mutex<Vec<Duration>>>) -> MockClock {
    let pauses = Arc::clone(pauses);
    let mut clock = MockClock::new();
    clock
        .expect_sleep()
        .returning(move |pause| pauses.lock().expect("not poisoned").push(pause));
    clock
}

fn transactions(
    transactor: MockTransactor,
    pauses: &Arc<Mutex<Vec<Duration>>>,
    outcomes: &Arc<Reported>,
) -> Transactions {
    Transactions::new(
        Arc::new(transactor),
        Arc::new(clock(pauses)),
        RetryPolicy::new(3, Duration::from_millis(10), Duration::from_millis(40)),
        outcomes.clone(),
    )
}

fn conflict() -> RepoError {
    RepoError::Retryable {
        reason: Retry::Serialization,
        source: "could not serialize access".into(),
    }
}

#[tokio::test]
async fn successful_work_is_committed_once() {
    let pauses = Arc::default();
    let outcomes = Arc::default();
    let transactions = transactions(transactor(vec![Ending::Commits]), &pauses, &outcomes);

    let value = transactions
        .run(TransactionOptions::SERIALIZABLE, async |_| Ok(42))
        .await
        .expect("committed");

    assert_eq!(value, 42);
    assert!(pauses.lock().expect("not poisoned").is_empty());
    assert_eq!(outcomes.transactions(), [Committed]);
}

#[tokio::test]
async fn failed_work_is_rolled_back_and_its_error_returned_without_retry() {
    let pauses = Arc::default();
    let outcomes = Arc::default();
    let transactions = transactions(transactor(vec![Ending::RollsBack]), &pauses, &outcomes);

    let error = transactions
        .run(TransactionOptions::default(), async |_| {
            Err::<(), _>(AppError::NotFound("user").into())
        })
        .await
        .expect_err("fails");

    assert!(matches!(error, AppError::NotFound("user")), "{error:?}");
    assert_eq!(outcomes.transactions(), [RolledBack]);
}

#[tokio::test]
async fn a_lost_conflict_reruns_the_work_in_a_new_unit_after_a_pause() {
    let pauses = Arc::default();
    let outcomes = Arc::default();
    let transactions = transactions(
        transactor(vec![Ending::RollsBack, Ending::Commits]),
        &pauses,
        &outcomes,
    );
    let runs = AtomicU32::new(0);

    transactions
        .run(TransactionOptions::SERIALIZABLE, async |_| {
            if runs.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(conflict().into())
            } else {
                Ok(())
            }
        })
        .await
        .expect("committed on the second attempt");

    assert_eq!(runs.load(Ordering::SeqCst), 2);
    let pauses = pauses.lock().expect("not poisoned");
    assert_eq!(pauses.len(), 1);
    assert!(pauses[0] <= Duration::from_millis(10), "{pauses:?}");
    assert_eq!(outcomes.transactions(), [RetriedSerialization, Committed]);
}

#[tokio::test]
async fn a_lost_deadlock_is_reported_as_such() {
    let pauses = Arc::default();
    let outcomes = Arc::default();
    let transactions = transactions(
        transactor(vec![
            Ending::CommitFails(|| RepoError::Retryable {
                reason: Retry::Deadlock,
                source: "deadlock detected".into(),
            }),
            Ending::Commits,
        ]),
        &pauses,
        &outcomes,
    );

    transactions
        .run(TransactionOptions::default(), async |_| Ok(()))
        .await
        .expect("committed on the second attempt");

    assert_eq!(outcomes.transactions(), [RetriedDeadlock, Committed]);
}

#[tokio::test]
async fn a_conflict_at_commit_is_retried_too() {
    let pauses = Arc::default();
    let outcomes = Arc::default();
    let transactions = transactions(
        transactor(vec![Ending::CommitFails(conflict), Ending::Commits]),
        &pauses,
        &outcomes,
    );

    transactions
        .run(TransactionOptions::SERIALIZABLE, async |_| Ok(()))
        .await
        .expect("committed on the second attempt");

    assert_eq!(pauses.lock().expect("not poisoned").len(), 1);
}

#[tokio::test]
async fn retries_stop_at_the_bound_with_a_contention_error() {
    let pauses = Arc::default();
    let outcomes = Arc::default();
    let transactions = transactions(transactor(vec![Ending::RollsBack; 3]), &pauses, &outcomes);
    let runs = AtomicU32::new(0);

    let error = transactions
        .run(TransactionOptions::SERIALIZABLE, async |_| {
            runs.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(conflict().into())
        })
        .await
        .expect_err("gives up");

    assert!(matches!(error, AppError::Contention(_)), "{error:?}");
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    let pauses = pauses.lock().expect("not poisoned");
    assert_eq!(pauses.len(), 2);
    assert!(pauses[1] <= Duration::from_millis(20), "{pauses:?}");
    assert_eq!(
        outcomes.transactions(),
        [RetriedSerialization, RetriedSerialization, Exhausted]
    );
}

#[tokio::test]
async fn a_commit_with_an_unknown_outcome_is_never_retried() {
    let pauses = Arc::default();
    let outcomes = Arc::default();
    let transactions = transactions(
        transactor(vec![Ending::CommitFails(|| {
            RepoError::OutcomeUnknown("connection reset during COMMIT".into())
        })]),
        &pauses,
        &outcomes,
    );

    let error = transactions
        .run(TransactionOptions::default(), async |_| Ok(()))
        .await
        .expect_err("unknown");

    assert!(matches!(error, AppError::OutcomeUnknown(_)), "{error:?}");
    assert!(pauses.lock().expect("not poisoned").is_empty());
    assert_eq!(outcomes.transactions(), [OutcomeUnknown]);
}

#[tokio::test]
async fn a_unit_that_cannot_begin_runs_no_work_and_is_reported_as_not_started() {
    let mut transactor = MockTransactor::new();
    transactor
        .expect_begin()
        .times(1)
        .returning(|_| Err(RepoError::Unavailable("no connection".into())));
    let outcomes = Arc::default();
    let transactions = transactions(transactor, &Arc::default(), &outcomes);

    let error = transactions
        .run(
            TransactionOptions::default(),
            async |_| -> Result<(), UnitError> { panic!("the work ran without a unit") },
        )
        .await
        .expect_err("unavailable");

    assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
    assert_eq!(outcomes.transactions(), [NotStarted]);
}

#[tokio::test]
async fn the_options_reach_the_transactor() {
    let mut transactor = MockTransactor::new();
    transactor
        .expect_begin()
        .withf(|options| *options == TransactionOptions::SERIALIZABLE.read_only())
        .times(1)
        .returning(|_| Ok(unit(Ending::Commits)));
    let transactions = transactions(transactor, &Arc::default(), &Arc::default());

    transactions
        .run(TransactionOptions::SERIALIZABLE.read_only(), async |_| {
            Ok(())
        })
        .await
        .expect("committed");
}

/// An outer unit whose one nested unit ends as `inner` says, and which
/// itself commits.
fn outer_with_nested(inner: Ending) -> MockUnitOfWork {
    let mut outer = MockUnitOfWork::new();
    outer
        .expect_nest()
        .times(1)
        .returning(move || Ok(unit(inner)));
    outer
}

#[tokio::test]
async fn a_failed_nested_unit_is_rolled_back_alone_and_its_error_handed_to_the_caller() {
    let outer = outer_with_nested(Ending::RollsBack);

    let inner = nested(&outer, async |_| {
        Err::<(), _>(AppError::NotFound("user").into())
    })
    .await;

    assert!(
        matches!(inner, Err(UnitError::App(AppError::NotFound("user")))),
        "{inner:?}"
    );
}

#[tokio::test]
async fn a_successful_nested_unit_is_released_into_the_outer_one() {
    let outer = outer_with_nested(Ending::Commits);

    let value = nested(&outer, async |_| Ok(7)).await.expect("released");

    assert_eq!(value, 7);
}

#[tokio::test]
async fn a_conflict_in_a_nested_unit_restarts_the_outermost_unit() {
    let pauses = Arc::default();
    let outcomes = Arc::default();
    let mut endings = vec![Ending::RollsBack, Ending::Commits].into_iter();
    let mut transactor = MockTransactor::new();
    transactor.expect_begin().times(2).returning(move |_| {
        let ending = endings.next().expect("a unit per attempt");
        let mut outer = outer_with_nested(match ending {
            Ending::RollsBack => Ending::RollsBack,
            _ => Ending::Commits,
        });
        if matches!(ending, Ending::RollsBack) {
            outer.expect_rollback().times(1).returning(|| Ok(()));
        } else {
            outer.expect_commit().times(1).returning(|| Ok(()));
        }
        Ok(Box::new(outer))
    });
    let transactions = transactions(transactor, &pauses, &outcomes);
    let runs = AtomicU32::new(0);

    transactions
        .run(TransactionOptions::SERIALIZABLE, async |unit| {
            nested(unit, async |_| {
                if runs.fetch_add(1, Ordering::SeqCst) == 0 {
                    Err(conflict().into())
                } else {
                    Ok(())
                }
            })
            .await
        })
        .await
        .expect("committed on the second attempt");

    assert_eq!(runs.load(Ordering::SeqCst), 2);
}
