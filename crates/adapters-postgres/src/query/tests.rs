//! The instrumented path: slow statements are logged without secrets,
//! durations are recorded by operation, long-held connections are named.

use std::time::Duration;

use domain::ports::{TransactionOptions, Transactor, UserReads};
use domain::user::UserId;
use test_db::TestDatabase;
use tracing::Level;

use crate::database::{Database, Thresholds};
use crate::reads::PgReads;
use crate::test_support::{RecordedMetrics, SeenEvent, committed, new_user, watch_events};
use crate::transaction::PgTransactor;
use crate::users;

async fn database_with(test_database: &TestDatabase, thresholds: Thresholds) -> Database {
    Database::new(
        test_database.pool(2).await,
        thresholds,
        &opentelemetry::global::meter("tests"),
    )
}

fn warnings(receiver: &mut tokio::sync::mpsc::UnboundedReceiver<SeenEvent>) -> Vec<SeenEvent> {
    let mut warnings = Vec::new();
    while let Ok(event) = receiver.try_recv() {
        if event.level == Level::WARN {
            warnings.push(event);
        }
    }
    warnings
}

#[tokio::test]
async fn a_slow_statement_logs_its_operation_rows_and_parameters_but_no_secret() {
    let test_database = TestDatabase::create().await;
    let database = database_with(
        &test_database,
        Thresholds {
            slow_query: Duration::ZERO,
            ..Thresholds::default()
        },
    )
    .await;
    let user = new_user("slow");
    let (_guard, mut events) = watch_events();

    committed(&database, async |unit| {
        unit.users().insert(&user).await.expect("insert")
    })
    .await;

    let warnings = warnings(&mut events);
    let slow = warnings
        .iter()
        .find(|event| event.field("message") == "slow database statement")
        .expect("a slow-statement warning");
    assert_eq!(slow.field("db.operation.name"), "users.insert");
    assert_eq!(slow.field("db.response.returned_rows"), "1");
    assert!(slow.fields.contains_key("duration_ms"));
    let parameters = slow.field("db.query.parameters");
    assert!(
        parameters.contains(&format!("user.id={}", user.id)),
        "{parameters}"
    );
    assert!(
        parameters.contains("password_hash=[redacted]"),
        "{parameters}"
    );
    assert!(parameters.contains("email=[redacted]"), "{parameters}");
    let everything = format!("{warnings:?}");
    for hidden in [
        user.password_hash.expose(),
        user.email.as_str(),
        user.display_name.as_str(),
    ] {
        assert!(!everything.contains(hidden), "{everything}");
    }
}

#[tokio::test]
async fn a_statement_under_the_threshold_logs_nothing() {
    let test_database = TestDatabase::create().await;
    let database = database_with(
        &test_database,
        Thresholds {
            slow_query: Duration::from_secs(3600),
            ..Thresholds::default()
        },
    )
    .await;
    let (_guard, mut events) = watch_events();

    committed(&database, async |unit| {
        unit.users()
            .insert(&new_user("fast"))
            .await
            .expect("insert")
    })
    .await;

    assert!(warnings(&mut events).is_empty());
}

#[tokio::test]
async fn a_connection_held_past_the_threshold_warns_naming_its_holder() {
    let test_database = TestDatabase::create().await;
    let database = database_with(
        &test_database,
        Thresholds {
            held_connection: Duration::from_millis(20),
            ..Thresholds::default()
        },
    )
    .await;
    let (_guard, mut events) = watch_events();

    let mut lease = database.lease().await.expect("a connection");
    users::find_by_id(&mut lease, UserId::generate())
        .await
        .expect("query");
    let warning = loop {
        let event = events.recv().await.expect("the watch warns");
        if event.level == Level::WARN {
            break event;
        }
    };
    drop(lease);

    assert_eq!(
        warning.field("message"),
        "a database connection has been held longer than the threshold"
    );
    assert_eq!(warning.field("db.operation.name"), "users.find_by_id");
    assert_eq!(warning.field("threshold_ms"), "20");
}

#[tokio::test]
async fn durations_are_recorded_by_operation_and_outcome() {
    let test_database = TestDatabase::create().await;
    let metrics = RecordedMetrics::new();
    let database = Database::new(
        test_database.pool(2).await,
        Thresholds::default(),
        &metrics.meter(),
    );
    let user = new_user("timed");

    committed(&database, async |unit| {
        unit.users().insert(&user).await.expect("insert")
    })
    .await;
    let unit = PgTransactor::new(database.clone())
        .begin(TransactionOptions::default())
        .await
        .expect("begin");
    unit.users().insert(&user).await.expect_err("duplicate");
    unit.rollback().await.expect("rollback");
    PgReads::new(database)
        .find_by_id(user.id)
        .await
        .expect("find");

    let counts = metrics.series("db.client.operation.duration");
    let system = "db.system.name=postgresql";
    let count = |labels: &str| counts.get(labels).copied();
    assert_eq!(
        count(&format!("db.operation.name=users.insert,{system}")),
        Some(1.0),
        "{counts:?}"
    );
    assert_eq!(
        count(&format!(
            "db.operation.name=users.insert,{system},error.type=conflict"
        )),
        Some(1.0),
        "{counts:?}"
    );
    assert_eq!(
        count(&format!("db.operation.name=users.find_by_id,{system}")),
        Some(1.0),
        "{counts:?}"
    );
}
