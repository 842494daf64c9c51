//! The listing's plans on 100,000 accounts, on a database of its own:
//! unfiltered, with each filter and with all of them, on the first page and
//! after a position, it reads an index and never the whole table.
//!
//! With `DOORMAN_PRINT_PLANS` set, the test prints each case's plan (run
//! it with `--nocapture`).
#![allow(
    clippy::print_stdout,
    reason = "the plans are printed on request, for the documentation"
)]

use serde_json::Value;
use sqlx::{AssertSqlSafe, PgPool};
use test_db::TestDatabase;
use time::OffsetDateTime;

use crate::users::listing::escape_like;

/// Exactly what `list` runs.
const LIST_SQL: &str = include_str!("../list.sql");

const ACCOUNTS: i64 = 100_000;
const PAGE: i64 = 50;

/// One listing: its name, then the email prefix, role and status it
/// filters by.
type Case = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

const CASES: [Case; 5] = [
    ("unfiltered", None, None, None),
    ("email prefix", Some("aB1"), None, None),
    ("role", None, Some("admin"), None),
    ("status", None, None, Some("disabled")),
    (
        "email prefix, role and status",
        Some("a"),
        Some("admin"),
        Some("active"),
    ),
];

/// Accounts over about two months, three to a minute (ties of
/// `created_at`), with addresses in both cases, one in 50 an
/// administrator and one in 7 disabled. Loaded as bulk loads are: the
/// indexes other than the primary key are dropped, then rebuilt from their
/// own definitions once the rows are in, in half the time that updating
/// them row by row takes; the plans are of the schema's indexes all the
/// same.
async fn fill(pool: &PgPool) {
    let mut transaction = pool.begin().await.expect("a transaction");
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
           FROM pg_index
          WHERE indrelid = 'users'::regclass AND NOT indisprimary",
    )
    .fetch_all(&mut *transaction)
    .await
    .expect("the indexes");
    for (name, _) in &indexes {
        sqlx::query(AssertSqlSafe(format!("DROP INDEX {name}")))
            .execute(&mut *transaction)
            .await
            .expect("dropped");
    }
    sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, role, status,
                            created_at, updated_at)
         SELECT gen_random_uuid(),
                CASE WHEN n % 2 = 0 THEN upper(md5(n::text)) ELSE md5(n::text) END
                    || '@example.com',
                'User ' || n,
                '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
                CASE WHEN n % 50 = 0 THEN 'admin' ELSE 'user' END,
                CASE WHEN n % 7 = 0 THEN 'disabled' ELSE 'active' END,
                timestamptz '2026-01-01 00:00Z' + (n / 3) * interval '1 minute',
                timestamptz '2026-01-01 00:00Z' + (n / 3) * interval '1 minute'
           FROM generate_series(1, $1) AS n",
    )
    .bind(ACCOUNTS)
    .execute(&mut *transaction)
    .await
    .expect("accounts");
    for (_, definition) in &indexes {
        sqlx::query(AssertSqlSafe(definition.clone()))
            .execute(&mut *transaction)
            .await
            .expect("rebuilt");
    }
    transaction.commit().await.expect("committed");
    sqlx::query("ANALYZE users")
        .execute(pool)
        .await
        .expect("statistics");
}

/// The plan of the listing with these parameters, bound as `list` binds
/// them.
async fn plan(
    pool: &PgPool,
    (_, email_prefix, role, status): Case,
    after: Option<(OffsetDateTime, uuid::Uuid)>,
) -> Value {
    let explained: Value =
        sqlx::query_scalar(AssertSqlSafe(format!("EXPLAIN (FORMAT JSON) {LIST_SQL}")))
            .bind(email_prefix.map(escape_like))
            .bind(role)
            .bind(status)
            .bind(after.map(|(created_at, _)| created_at))
            .bind(after.map(|(_, id)| id))
            .bind(PAGE)
            .fetch_one(pool)
            .await
            .expect("explained");
    explained[0]["Plan"].clone()
}

/// Every node of the plan, outermost first.
fn nodes(plan: &Value) -> Vec<&Value> {
    let mut all = vec![plan];
    if let Some(children) = plan["Plans"].as_array() {
        all.extend(children.iter().flat_map(nodes));
    }
    all
}

/// The plan in one line: each node's type and index, its children after
/// `>`, several of them in brackets.
fn summary(plan: &Value) -> String {
    let mut line = plan["Node Type"].as_str().unwrap_or("?").to_owned();
    if let Some(index) = plan["Index Name"].as_str() {
        line.push_str(&format!(" on {index}"));
    }
    let children: Vec<String> = plan["Plans"]
        .as_array()
        .map(|children| children.iter().map(summary).collect())
        .unwrap_or_default();
    match &children[..] {
        [] => line,
        [child] => format!("{line} > {child}"),
        several => format!("{line} > [{}]", several.join("; ")),
    }
}

#[test]
fn every_listing_reads_an_index_and_no_listing_scans_the_table() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let pool = test_database.pool(1).await;
        fill(&pool).await;
        let middle: (OffsetDateTime, uuid::Uuid) = sqlx::query_as(
            "SELECT created_at, id FROM users ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1",
        )
        .bind(ACCOUNTS / 2)
        .fetch_one(&pool)
        .await
        .expect("a position");

        let mut summaries = Vec::new();
        for case in CASES {
            for (page, after) in [("first page", None), ("after a position", Some(middle))] {
                let plan = plan(&pool, case, after).await;
                let nodes = nodes(&plan);
                let name = format!("{}, {page}", case.0);
                assert!(
                    nodes.iter().all(|node| node["Node Type"] != "Seq Scan"),
                    "{name}: {plan:#}"
                );
                assert!(
                    nodes.iter().any(|node| node["Index Name"].is_string()),
                    "{name}: {plan:#}"
                );
                summaries.push(format!("{name}: {}", summary(&plan)));
            }
        }

        if std::env::var_os("DOORMAN_PRINT_PLANS").is_some() {
            for line in summaries {
                println!("{line}");
            }
        }
    });
}
