//! What it costs to set up the isolation of one database test, each way:
//! (a) a transaction on the shared rollback database, rolled back; the
//! hand-over of a database of its own, taken from the clones made ahead of
//! need and dropped in the background; (b) a clone of the template,
//! created and dropped there and then, with each clone strategy; (c) a
//! fresh database with every migration applied, created and dropped, as
//! `#[sqlx::test]` does.
//!
//! `cargo xtask bench test-isolation` provides the database, runs this and
//! sums the results up.

use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use test_db::{CloneStrategy, TestDatabase, rollback_transaction, run, settle};

fn test_isolation(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("test_isolation");
    group.bench_function("rollback_transaction", |bencher| {
        bencher.iter(|| run(async { drop(rollback_transaction().await) }));
    });

    // Milliseconds each: the same number of runs per sample keeps the run
    // short.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(30)
        .measurement_time(Duration::from_secs(6));
    // A test takes far longer than a clone, so the stock is full whenever
    // a test asks for a database: each hand-over is timed that way, once the
    // work it leaves to the background has caught up.
    group.bench_function("hand_off", |bencher| {
        bencher.iter_custom(|iterations| {
            run(async {
                let mut timed = Duration::ZERO;
                for _ in 0..iterations {
                    settle().await;
                    let started = Instant::now();
                    drop(TestDatabase::create().await);
                    timed += started.elapsed();
                }
                timed
            })
        });
    });
    for (id, strategy) in [
        ("template_clone_wal_log", CloneStrategy::WalLog),
        ("template_clone_file_copy", CloneStrategy::FileCopy),
    ] {
        group.bench_function(id, |bencher| {
            bencher.iter(|| run(async { drop(TestDatabase::clone_with(strategy).await) }));
        });
    }
    group.bench_function("fresh_database", |bencher| {
        bencher.iter(|| run(async { drop(TestDatabase::fresh().await) }));
    });
    group.finish();
}

criterion_group!(benches, test_isolation);
criterion_main!(benches);
