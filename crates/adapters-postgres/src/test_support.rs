//! What this crate's tests share: accounts to insert, connections on the
//! test databases, and what logs and metrics they saw.

use domain::password::PasswordHash;
use domain::ports::{TransactionOptions, Transactor, UnitOfWork};
use domain::session::{NewSession, SecretDigest, SessionId, SessionLifetime};
use domain::user::{DisplayName, Email, NewUser, UserId};
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use sqlx::{PgPool, Postgres, Transaction};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::database::{Database, Thresholds};
use crate::lease::{Held, Lease};
use crate::query::QueryMetrics;
use crate::transaction::PgTransactor;

/// An account with an address no other test uses, in the given case.
pub fn new_user(local_part: &str) -> NewUser {
    NewUser {
        id: UserId::generate(),
        email: Email::parse(&format!(
            "{local_part}.{}@Example.com",
            Uuid::now_v7().simple()
        ))
        .expect("valid"),
        display_name: DisplayName::parse("Ada Lovelace").expect("valid"),
        password_hash: PasswordHash::parse(
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        )
        .expect("valid"),
    }
}

/// A session of `user` opened now, from nowhere in particular.
pub fn new_session(user: UserId) -> NewSession {
    NewSession {
        id: SessionId::generate(),
        user_id: user,
        digest: SecretDigest::from_bytes([7; 32]),
        now: OffsetDateTime::now_utc(),
        lifetime: SessionLifetime {
            absolute: Duration::days(30),
            idle: Duration::days(7),
            grace: Duration::seconds(10),
        },
        user_agent: None,
        ip: None,
    }
}

/// A lease inside a transaction of the test harness, rolled back when the
/// lease is dropped.
pub fn lease_in(transaction: Transaction<'static, Postgres>) -> Lease {
    Lease::new(
        Held::TestTransaction(transaction),
        Thresholds::default(),
        QueryMetrics::new(&opentelemetry::global::meter("tests")),
    )
}

/// A lease on the shared rollback database.
pub async fn rolled_back_lease() -> Lease {
    lease_in(test_db::rollback_transaction().await)
}

/// The adapters' handle on a test database's pool.
pub fn database(pool: PgPool) -> Database {
    Database::new(
        pool,
        Thresholds::default(),
        &opentelemetry::global::meter("tests"),
    )
}

/// Runs `work` in a unit of work on `database` and commits it, for tests
/// that need rows other connections see.
pub async fn committed<T>(database: &Database, work: impl AsyncFnOnce(&dyn UnitOfWork) -> T) -> T {
    let unit = PgTransactor::new(database.clone())
        .begin(TransactionOptions::default())
        .await
        .expect("begin");
    let value = work(&*unit).await;
    unit.commit().await.expect("commit");
    value
}

/// One event a test saw: its level and every field, message included, as
/// text.
#[derive(Debug)]
pub struct SeenEvent {
    pub level: tracing::Level,
    pub fields: std::collections::BTreeMap<String, String>,
}

impl SeenEvent {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// Sends every event of the current thread to the returned receiver while
/// the guard lives. Use it in a current-thread runtime, so that spawned
/// tasks log on the same thread.
///
/// One global subscriber, installed once, routes events by thread: with a
/// thread-local subscriber per test, tracing's per-callsite cache of
/// interest can miss events while tests run in parallel.
pub fn watch_events() -> (
    EventsWatched,
    tokio::sync::mpsc::UnboundedReceiver<SeenEvent>,
) {
    use tracing_subscriber::layer::SubscriberExt as _;

    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(ThreadSink))
            .expect("no other global subscriber in these tests");
    });
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    SINK.with(|sink| *sink.borrow_mut() = Some(sender));
    (EventsWatched, receiver)
}

thread_local! {
    static SINK: std::cell::RefCell<Option<tokio::sync::mpsc::UnboundedSender<SeenEvent>>> =
        const { std::cell::RefCell::new(None) };
}

/// Stops sending this thread's events when dropped.
pub struct EventsWatched;

impl Drop for EventsWatched {
    fn drop(&mut self) {
        SINK.with(|sink| *sink.borrow_mut() = None);
    }
}

struct ThreadSink;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for ThreadSink {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        SINK.with(|sink| {
            if let Some(sender) = sink.borrow().as_ref() {
                let mut fields = FieldText::default();
                event.record(&mut fields);
                // The receiver may be gone at the end of a test.
                let _ = sender.send(SeenEvent {
                    level: *event.metadata().level(),
                    fields: fields.0,
                });
            }
        });
    }
}

#[derive(Default)]
struct FieldText(std::collections::BTreeMap<String, String>);

impl tracing::field::Visit for FieldText {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

/// Metrics recorded in memory, to be read back by series.
pub struct RecordedMetrics {
    provider: SdkMeterProvider,
    exporter: InMemoryMetricExporter,
}

impl RecordedMetrics {
    pub fn new() -> Self {
        let exporter = InMemoryMetricExporter::default();
        let provider = SdkMeterProvider::builder()
            .with_reader(PeriodicReader::builder(exporter.clone()).build())
            .build();
        Self { provider, exporter }
    }

    pub fn meter(&self) -> opentelemetry::metrics::Meter {
        self.provider.meter("tests")
    }

    /// Every series of the metrics named `name` recorded so far, as its
    /// attributes (`key=value`, sorted, joined by `,`) and its value: the
    /// count of a histogram, the sum of a counter, the last value of a
    /// gauge.
    pub fn series(&self, name: &str) -> std::collections::BTreeMap<String, f64> {
        self.provider.force_flush().expect("flushed");
        let mut series = std::collections::BTreeMap::new();
        let finished = self.exporter.get_finished_metrics().expect("metrics");
        // Each flush exports every series again: the last export holds them.
        let Some(last) = finished.last() else {
            return series;
        };
        for scope in last.scope_metrics() {
            for metric in scope.metrics().filter(|metric| metric.name() == name) {
                match metric.data() {
                    AggregatedMetrics::F64(MetricData::Histogram(histogram)) => {
                        for point in histogram.data_points() {
                            #[expect(clippy::cast_precision_loss, reason = "small test counts")]
                            let count = point.count() as f64;
                            series.insert(labels(point.attributes()), count);
                        }
                    }
                    AggregatedMetrics::U64(MetricData::Sum(sum)) => {
                        for point in sum.data_points() {
                            #[expect(clippy::cast_precision_loss, reason = "small test counts")]
                            let value = point.value() as f64;
                            series.insert(labels(point.attributes()), value);
                        }
                    }
                    AggregatedMetrics::U64(MetricData::Gauge(gauge)) => {
                        for point in gauge.data_points() {
                            #[expect(clippy::cast_precision_loss, reason = "small test counts")]
                            let value = point.value() as f64;
                            series.insert(labels(point.attributes()), value);
                        }
                    }
                    other => panic!("{name} is of an unexpected kind: {other:?}"),
                }
            }
        }
        series
    }
}

fn labels<'a>(attributes: impl Iterator<Item = &'a opentelemetry::KeyValue>) -> String {
    let mut pairs: Vec<String> = attributes
        .map(|kv| format!("{}={}", kv.key, kv.value))
        .collect();
    pairs.sort();
    pairs.join(",")
}
