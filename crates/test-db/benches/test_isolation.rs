//! What it costs to set up the isolation of one database test, each way:
//! (a) a transaction on the shared rollback database, rolled back; (b) a
//! clone of the template, created and dropped, with each clone strategy;
//! (c) a fresh database with every migration applied, created and dropped,
//! as `#[sqlx::test]` does.
//!
//! `cargo xtask bench test-isolation` provides the database, runs this and
//! sums the results up.

use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use test_db::{CloneStrategy, TestDatabase, rollback_transaction, run};

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
    group.bench_function("template_clone", |bencher| {
        bencher.iter(|| run(async { drop(TestDatabase::create().await) }));
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
