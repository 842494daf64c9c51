//! Twenty clients refreshing with one token at once, on a database of
//! their own: the row lock orders them, and every one gets a working
//! secret.

use std::collections::HashSet;
use std::sync::Arc;

use domain::session::Rotation;
use test_db::TestDatabase;
use tokio::sync::Barrier;

use super::*;
use crate::test_support::{committed, database};

const RACERS: usize = 20;

#[test]
fn concurrent_refreshes_with_one_token_all_succeed_and_each_adds_a_current_secret() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let database = database(
            test_database
                .pool(u32::try_from(RACERS).expect("small"))
                .await,
        );
        let user = new_user("race");
        let first = digest();
        let session = committed(&database, async |unit| {
            unit.users().insert(&user).await.expect("account");
            unit.sessions()
                .insert(&new_session(user.id, first, NOW))
                .await
                .expect("session")
        })
        .await;

        // Every racer holds its connection before any starts, so that the
        // statements reach the server together.
        let barrier = Arc::new(Barrier::new(RACERS));
        let mut racers = tokio::task::JoinSet::new();
        let mut replacements = HashSet::new();
        for _ in 0..RACERS {
            let mut lease = database.lease().await.expect("a connection");
            let barrier = Arc::clone(&barrier);
            let replacement = digest();
            replacements.insert(bytes(replacement));
            let rotation = Rotation {
                session_id: session.id,
                presented: first,
                replacement,
                now: NOW + Duration::seconds(1),
                lifetime: LIFETIME,
            };
            racers.spawn(async move {
                barrier.wait().await;
                rotate(&mut lease, &rotation).await
            });
        }
        let outcomes = racers.join_all().await;

        let rotated = outcomes
            .into_iter()
            .map(|outcome| outcome.expect("no failure"))
            .filter(|rotated| rotated.as_ref().is_some_and(|s| s.id == session.id))
            .count();
        assert_eq!(rotated, RACERS);
        let rows: Vec<Digests> = sqlx::query_as(
            "SELECT current_digests, replaced_digests, retired_digests
               FROM sessions WHERE user_id = $1",
        )
        .bind(user.id.as_uuid())
        .fetch_all(database.pool())
        .await
        .expect("the sessions");
        let [(current, replaced, retired)] = &rows[..] else {
            panic!("one session, not {}", rows.len());
        };
        assert_eq!(current.len(), RACERS, "one main rotation and 19 siblings");
        assert_eq!(
            current.iter().cloned().collect::<HashSet<_>>(),
            replacements
        );
        assert_eq!(replaced, &[bytes(first)]);
        assert_eq!(retired, &[bytes(first)]);
    });
}
