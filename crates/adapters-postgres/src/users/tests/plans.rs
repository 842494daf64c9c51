//! The listing's plans on 100,000 accounts, on a seeded database of its own:
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

/// The accounts the listings read: see the file for what they are.
const SEED: &str = include_str!("plans_seed.sql");
/// How many accounts the seed loads.
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
        let test_database = TestDatabase::seeded(SEED).await;
        let pool = test_database.pool(1).await;
        let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&pool)
            .await
            .expect("counted");
        assert_eq!(accounts, ACCOUNTS);
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
