//! `doorman migrate`, and the schema checks of the service at start, on
//! real databases as an operator would meet them.

use std::process::{Command, Output, Stdio};

use clap::Parser as _;
use server::{Application, Cli};
use sqlx::PgPool;
use test_db::TestDatabase;

/// `doorman migrate <arguments>` against `database_url`, started.
fn doorman_migrate(database_url: &str, arguments: &[&str]) -> std::process::Child {
    doorman_migrate_with(database_url, &[], arguments)
}

/// [`doorman_migrate`] with these further variables.
fn doorman_migrate_with(
    database_url: &str,
    variables: &[(&str, &str)],
    arguments: &[&str],
) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_doorman"))
        .arg("migrate")
        .args(arguments)
        .env("DATABASE_URL", database_url)
        .envs(variables.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

/// Whether it succeeded, and its standard output then standard error.
fn finished(child: std::process::Child) -> (bool, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("finished");
    (
        status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        ),
    )
}

fn migrate(database_url: &str, arguments: &[&str]) -> (bool, String) {
    finished(doorman_migrate(database_url, arguments))
}

/// Whether `status` lists every migration as applied.
fn all_applied(status: &str) -> bool {
    status
        .lines()
        .skip(1)
        .all(|line| line.contains(" applied "))
}

/// How many migrations this build has, as `status` lists them.
fn known_migrations(status: &str) -> usize {
    status.lines().skip(1).count()
}

#[tokio::test]
async fn three_processes_migrating_one_empty_database_apply_each_migration_once() {
    let database = TestDatabase::empty().await;
    let url = database.url();

    let children: Vec<_> = (0..3).map(|_| doorman_migrate(&url, &["up"])).collect();
    let outcomes: Vec<(bool, String)> = children.into_iter().map(finished).collect();

    assert!(outcomes.iter().all(|(ok, _)| *ok), "{outcomes:?}");
    let applied = outcomes
        .iter()
        .flat_map(|(_, said)| said.lines())
        .filter(|line| line.starts_with("applied "))
        .count();
    let (_, status) = migrate(&url, &["status"]);
    assert_eq!(applied, known_migrations(&status), "{outcomes:?}");
    assert!(all_applied(&status), "{status}");
    assert!(migrate(&url, &["verify"]).0);
}

#[tokio::test]
async fn down_says_what_it_reverts_and_up_brings_it_back() {
    let database = TestDatabase::empty().await;
    let url = database.url();
    assert!(migrate(&url, &["up"]).0);

    let (ok, said) = migrate(&url, &["down"]);
    assert!(!ok, "down without --to is refused");
    assert!(said.contains("--to"), "{said}");

    let (reverted, said) = migrate(&url, &["down", "--to", "2"]);
    assert!(reverted, "{said}");
    assert!(said.contains("reverting 3 (administration)"), "{said}");
    assert!(said.contains("reverted 3 (administration)"), "{said}");
    let (_, status) = migrate(&url, &["status"]);
    let pending = status
        .lines()
        .filter(|line| line.contains(" pending "))
        .count();
    assert_eq!(pending, known_migrations(&status) - 2, "{status}");

    let (applied, said) = migrate(&url, &["up"]);
    assert!(
        applied && said.contains("applied 3 (administration)"),
        "{said}"
    );
}

/// A migrated database of its own, with `sql` run on its bookkeeping.
async fn tampered(sql: &'static str) -> (TestDatabase, PgPool) {
    let database = TestDatabase::create().await;
    let pool = database.pool(1).await;
    sqlx::query(sql).execute(&pool).await.expect(sql);
    (database, pool)
}

/// Why the service refuses to start on `database_url`, with these flags.
async fn refusal(database_url: &str, flags: &[&str]) -> String {
    let arguments = [
        "doorman".to_owned(),
        format!("--database-url={database_url}"),
        "--bind-address=127.0.0.1:0".to_owned(),
        "--metrics-bind-address=".to_owned(),
    ];
    let cli = Cli::try_parse_from(
        arguments
            .iter()
            .map(String::as_str)
            .chain(flags.iter().copied()),
    )
    .expect("arguments parse");
    match Application::build(&cli.config).await {
        Ok(_) => panic!("the service started on a schema it cannot trust"),
        Err(error) => format!("{error:#}"),
    }
}

#[tokio::test]
async fn the_service_and_verify_refuse_a_schema_this_build_cannot_trust() {
    for (sql, said) in [
        (
            "UPDATE _sqlx_migrations SET checksum = '\\x00' WHERE version = 1",
            "migration 1 (create users) was applied with other SQL",
        ),
        (
            "UPDATE _sqlx_migrations SET success = false WHERE version = 2",
            "migration 2 (sessions throttles audit) failed halfway",
        ),
        (
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (9999, 'from a newer build', true, '\\x01', 1)",
            "migration 9999 (from a newer build) was applied by a newer build",
        ),
    ] {
        let (database, pool) = tampered(sql).await;
        let url = database.url();

        for flags in [&[][..], &["--migrate"][..]] {
            let refused = refusal(&url, flags).await;
            assert!(refused.contains(said), "{flags:?}: {refused}");
        }
        let (verified, explained) = migrate(&url, &["verify"]);
        assert!(!verified, "{sql}");
        assert!(explained.contains(said), "{explained}");
        let (applied, _) = migrate(&url, &["up"]);
        assert!(!applied, "up refuses too");
        pool.close().await;
    }
}

#[tokio::test]
async fn behind_a_transaction_pooler_migrations_take_the_direct_url_or_refuse() {
    let database = TestDatabase::empty().await;
    let direct = database.url();
    // The suite's pooler when it has one: the refusal must not depend on it.
    let service = test_db::through_pooler(&direct).unwrap_or_else(|| direct.clone());
    let pooled = [("DOORMAN_DB_POOLER", "transaction")];

    let (ok, said) = finished(doorman_migrate_with(&service, &pooled, &["up"]));
    assert!(!ok, "{said}");
    assert!(
        said.contains("set DOORMAN_MIGRATION_DATABASE_URL to a direct connection"),
        "{said}"
    );
    let said = refusal(&service, &["--migrate", "--db-pooler=transaction"]).await;
    assert!(said.contains("DOORMAN_MIGRATION_DATABASE_URL"), "{said}");

    let (ok, said) = finished(doorman_migrate_with(
        &service,
        &[pooled[0], ("DOORMAN_MIGRATION_DATABASE_URL", &direct)],
        &["up"],
    ));
    assert!(ok, "{said}");
    let (ok, status) = migrate(&direct, &["status"]);
    assert!(ok, "{status}");
    assert!(all_applied(&status), "{status}");
}
