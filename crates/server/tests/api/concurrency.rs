//! Requests that race for the same row: the database decides, and every
//! loser gets the contract's answer rather than a 500.

use std::collections::{BTreeMap, HashSet};

use futures_util::future::join_all;
use reqwest::StatusCode;

use crate::helpers::{AppSettings, assert_error, spawn_app_configured, unique_email};

const RACERS: usize = 50;

/// `count` spellings of `email` that differ only in the case of their
/// letters: the n-th has the letters whose place is a set bit of n in
/// upper case.
fn letter_case_variants(email: &str, count: usize) -> Vec<String> {
    (0..count)
        .map(|variant| {
            let mut letter = 0;
            email
                .chars()
                .map(|c| {
                    if !c.is_ascii_alphabetic() {
                        return c;
                    }
                    let upper = variant
                        .checked_shr(letter)
                        .is_some_and(|bits| bits & 1 == 1);
                    letter += 1;
                    if upper { c.to_ascii_uppercase() } else { c }
                })
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_fifty_registrations_of_one_email_in_different_cases_exactly_one_succeeds() {
    // Enough connections that the inserts reach the database together,
    // and a registration limit that fifty attempts from one client stay under.
    let app = spawn_app_configured(
        AppSettings {
            http_workers: 2,
            db_max_connections: 10,
        },
        &[format!("--registrations-per-network={}", RACERS + 1)],
    )
    .await;
    let email = unique_email();
    let variants = letter_case_variants(&email, RACERS);
    assert_eq!(variants.iter().collect::<HashSet<_>>().len(), RACERS);

    let responses = join_all(variants.iter().map(|variant| app.register(variant))).await;

    let mut statuses = BTreeMap::new();
    for response in &responses {
        *statuses.entry(response.status().as_u16()).or_insert(0) += 1;
    }
    assert_eq!(
        statuses,
        BTreeMap::from([(201, 1), (409, RACERS - 1)]),
        "status: count"
    );
    for response in responses {
        if response.status() == StatusCode::CONFLICT {
            let error = assert_error(response, StatusCode::CONFLICT, "ConflictError").await;
            assert_eq!(error["field"], "email");
        }
    }
    assert_eq!(app.accounts_with_email(&email).await, 1);
}
