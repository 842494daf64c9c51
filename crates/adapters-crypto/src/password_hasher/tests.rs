use std::task::{Context, Waker};

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Version};

use super::*;

/// Cheap parameters: these tests check behaviour, not cost.
const CHEAP: HashingSettings = HashingSettings {
    memory_kib: 1024,
    iterations: 1,
    parallelism: 1,
    max_concurrent: 2,
    max_queued: 4,
};

fn unmeasured() -> opentelemetry::metrics::Meter {
    opentelemetry::global::meter("tests")
}

fn hasher() -> Argon2PasswordHasher {
    Argon2PasswordHasher::new(CHEAP, &unmeasured()).expect("valid settings")
}

fn password(text: &str) -> Password {
    Password::parse(text.to_owned()).expect("valid")
}

fn phc(text: &str) -> PasswordHash {
    PasswordHash::parse(text.to_owned()).expect("PHC-shaped")
}

#[tokio::test]
async fn a_hash_verifies_its_password_only() {
    let hasher = hasher();
    let hash = hasher
        .hash(&password("correct horse battery"))
        .await
        .expect("hashed");

    assert!(hash.expose().starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
    assert!(
        hasher
            .verify(&password("correct horse battery"), &hash)
            .await
            .expect("verified")
    );
    assert!(
        !hasher
            .verify(&password("correct horse batterx"), &hash)
            .await
            .expect("verified")
    );
}

#[tokio::test]
async fn hashes_are_salted() {
    let hasher = hasher();
    let first = hasher
        .hash(&password("same password"))
        .await
        .expect("hashed");
    let second = hasher
        .hash(&password("same password"))
        .await
        .expect("hashed");

    assert_ne!(first, second);
}

#[tokio::test]
async fn a_hash_made_with_other_parameters_still_verifies_but_needs_a_rehash() {
    let old = Argon2PasswordHasher::new(
        HashingSettings {
            memory_kib: 2048,
            iterations: 2,
            ..CHEAP
        },
        &unmeasured(),
    )
    .expect("valid settings");
    let hash = old
        .hash(&password("kept across upgrades"))
        .await
        .expect("hashed");

    let current = hasher();
    assert!(
        current
            .verify(&password("kept across upgrades"), &hash)
            .await
            .expect("verified")
    );
    assert!(current.needs_rehash(&hash));
    assert!(!old.needs_rehash(&hash));
}

#[tokio::test]
async fn hashes_are_those_of_the_argon2_crate_both_ways() {
    let hasher = hasher();
    let ours = hasher
        .hash(&password("same both ways"))
        .await
        .expect("hashed");
    let params =
        Params::new(CHEAP.memory_kib, CHEAP.iterations, CHEAP.parallelism, None).expect("valid");
    let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(b"same both ways")
        .expect("hashed");

    assert!(
        Argon2::default()
            .verify_password(b"same both ways", ours.expose())
            .is_ok()
    );
    let theirs = phc(&theirs.to_string());
    for (text, matches) in [("same both ways", true), ("same both ways!", false)] {
        assert_eq!(
            hasher
                .verify(&password(text), &theirs)
                .await
                .expect("verified"),
            matches,
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_hash_made_with_the_current_parameters_needs_no_rehash() {
    let hasher = hasher();
    let hash = hasher.hash(&password("up to date")).await.expect("hashed");

    assert!(!hasher.needs_rehash(&hash));
}

#[test]
fn another_algorithm_version_or_parallelism_needs_a_rehash() {
    let made_with = |algorithm, version, parallelism| {
        let params = Params::new(1024, 1, parallelism, None).expect("valid");
        let phc = Argon2::new(algorithm, version, params)
            .hash_password(b"any password")
            .expect("hashed");
        PasswordHash::parse(phc.to_string()).expect("PHC")
    };
    let hasher = hasher();

    assert!(!hasher.needs_rehash(&made_with(Algorithm::Argon2id, Version::V0x13, 1)));
    assert!(hasher.needs_rehash(&made_with(Algorithm::Argon2i, Version::V0x13, 1)));
    assert!(hasher.needs_rehash(&made_with(Algorithm::Argon2id, Version::V0x10, 1)));
    assert!(hasher.needs_rehash(&made_with(Algorithm::Argon2id, Version::V0x13, 2)));
}

#[test]
fn an_unreadable_hash_needs_a_rehash() {
    let hasher = hasher();

    for unreadable in [
        "$argon2id$v=19$garbage",
        "$argon2id$v=19$m=1024,t=1,p=1,x=3$c2FsdHNhbHQ$aGFzaA",
        "$bcrypt$whatever",
    ] {
        assert!(hasher.needs_rehash(&phc(unreadable)), "{unreadable}");
    }
}

#[tokio::test]
async fn an_unreadable_hash_is_an_error_not_a_mismatch() {
    let hash = phc("$argon2id$v=19$garbage");

    assert!(matches!(
        hasher().verify(&password("anything"), &hash).await,
        Err(HasherError::Failed(_))
    ));
}

#[tokio::test]
async fn the_dummy_verification_succeeds_for_any_password() {
    assert!(
        hasher()
            .verify_dummy(&password("anything at all"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn work_beyond_the_queue_is_refused_as_busy_until_a_slot_frees() {
    let metrics = Recorded::new();
    let hasher = Argon2PasswordHasher::new(
        HashingSettings {
            max_concurrent: 1,
            max_queued: 1,
            ..CHEAP
        },
        &metrics.meter(),
    )
    .expect("valid settings");
    let hash = hasher
        .hash(&password("queued password"))
        .await
        .expect("hashed");
    // Holding the only slot stands in for a hash that takes long.
    let held = hasher.slots.acquire().await.expect("a free slot");
    let right_password = password("queued password");
    let mut queued = hasher.verify(&right_password, &hash);
    assert!(
        queued
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending()
    );
    assert_eq!(
        metrics.values("doorman.password_hash.queue"),
        [("hash", 0), ("verify", 1)]
    );

    assert!(matches!(
        hasher.hash(&password("one too many")).await,
        Err(HasherError::Busy)
    ));
    assert!(matches!(
        hasher.verify(&password("one too many"), &hash).await,
        Err(HasherError::Busy)
    ));
    assert!(matches!(
        hasher.verify_dummy(&password("one too many")).await,
        Err(HasherError::Busy)
    ));

    drop(held);
    assert!(queued.await.expect("verified"));
    assert!(hasher.hash(&password("after the burst")).await.is_ok());
    assert_eq!(
        metrics.values("doorman.password_hash.queue"),
        [("hash", 0), ("verify", 0)]
    );
    // The dummy's hash, then the two asked for; the refused requests
    // computed nothing.
    assert_eq!(
        metrics.values("doorman.password_hash.duration"),
        [("hash", 3), ("verify", 1)]
    );
}

/// Metrics recorded in memory.
struct Recorded {
    provider: SdkMeterProvider,
    exporter: InMemoryMetricExporter,
}

impl Recorded {
    fn new() -> Self {
        let exporter = InMemoryMetricExporter::default();
        let provider = SdkMeterProvider::builder()
            .with_reader(PeriodicReader::builder(exporter.clone()).build())
            .build();
        Self { provider, exporter }
    }

    fn meter(&self) -> opentelemetry::metrics::Meter {
        self.provider.meter("tests")
    }

    /// The series of `name` by operation: a gauge's value, a histogram's
    /// count.
    fn values(&self, name: &str) -> Vec<(&'static str, u64)> {
        self.provider.force_flush().expect("flushed");
        let finished = self.exporter.get_finished_metrics().expect("metrics");
        let last = finished.last().expect("an export");
        let mut values = Vec::new();
        for metric in last
            .scope_metrics()
            .flat_map(|scope| scope.metrics())
            .filter(|metric| metric.name() == name)
        {
            match metric.data() {
                AggregatedMetrics::U64(MetricData::Gauge(gauge)) => {
                    for point in gauge.data_points() {
                        values.push((operation_of(point.attributes()), point.value()));
                    }
                }
                AggregatedMetrics::F64(MetricData::Histogram(histogram)) => {
                    for point in histogram.data_points() {
                        values.push((operation_of(point.attributes()), point.count()));
                    }
                }
                other => panic!("{name} is of an unexpected kind: {other:?}"),
            }
        }
        values.sort();
        values
    }
}

#[test]
fn parameters_out_of_bounds_are_refused() {
    let settings = HashingSettings {
        memory_kib: 1,
        ..CHEAP
    };
    assert!(matches!(
        Argon2PasswordHasher::new(settings, &unmeasured()),
        Err(InvalidHashingSettings::Params(_))
    ));
    assert!(matches!(
        Argon2PasswordHasher::new(
            HashingSettings {
                max_concurrent: 0,
                ..CHEAP
            },
            &unmeasured(),
        ),
        Err(InvalidHashingSettings::NoConcurrency)
    ));
}

fn operation_of<'a>(
    mut attributes: impl Iterator<Item = &'a opentelemetry::KeyValue>,
) -> &'static str {
    let operation = attributes
        .find(|kv| kv.key.as_str() == "operation")
        .map(|kv| kv.value.to_string())
        .expect("an operation");
    match operation.as_str() {
        "hash" => "hash",
        "verify" => "verify",
        other => panic!("an unknown operation: {other}"),
    }
}
