//! The counters' SQL against a real PostgreSQL, inside transactions that
//! are rolled back. Every test counts for keys of its own.

use std::net::{IpAddr, Ipv6Addr};

use domain::throttle::{NetworkPrefixes, ThrottleKey};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::*;
use crate::lease::Lease;
use crate::test_support::{new_user, rolled_back_lease};

const NOW: OffsetDateTime = datetime!(2026-11-01 00:00 UTC);
const WINDOW: Duration = Duration::hours(1);

fn account_key() -> ThrottleKey {
    ThrottleKey::login_account(&new_user("throttled").email)
}

fn ip_key() -> ThrottleKey {
    // The random bits first, so that every key has a /64 of its own.
    let ip = IpAddr::V6(Ipv6Addr::from(Uuid::now_v7().as_u128().rotate_left(64)));
    ThrottleKey::login_networks(&NetworkPrefixes::DEFAULT.of(ip)).remove(0)
}

async fn hits(lease: &mut Lease, key: &ThrottleKey, at: OffsetDateTime) -> u32 {
    match reserve(lease, key, at, WINDOW).await.expect("reserve") {
        Attempt::Counted(attempts) => attempts,
        Attempt::Locked(until) => panic!("locked until {until}"),
    }
}

async fn stored(lease: &mut Lease, key: &ThrottleKey) -> Option<(i32, Option<OffsetDateTime>)> {
    sqlx::query_as("SELECT attempts, locked_until FROM throttles WHERE scope = $1 AND subject = $2")
        .bind(key.scope().as_str())
        .bind(key.subject())
        .fetch_optional(&mut **lease)
        .await
        .expect("the counter")
}

#[test]
fn hits_count_within_a_window_and_start_over_after_it() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let key = account_key();
        let other = ip_key();

        let counts = [
            hits(&mut lease, &key, NOW).await,
            hits(&mut lease, &key, NOW + Duration::minutes(30)).await,
            hits(&mut lease, &other, NOW).await,
            hits(&mut lease, &key, NOW + Duration::minutes(59)).await,
            hits(&mut lease, &key, NOW + Duration::minutes(60)).await,
            hits(&mut lease, &key, NOW + Duration::minutes(61)).await,
        ];

        assert_eq!(counts, [1, 2, 1, 3, 1, 2]);
    });
}

#[test]
fn a_new_window_keeps_the_lock_in_force() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let key = account_key();
        let until = NOW + Duration::hours(5);
        hits(&mut lease, &key, NOW).await;
        lock(&mut lease, &key, until).await.expect("lock");

        assert_eq!(
            reserve(&mut lease, &key, NOW + Duration::hours(2), WINDOW)
                .await
                .expect("reserve"),
            Attempt::Locked(until)
        );
        assert_eq!(hits(&mut lease, &key, until).await, 1, "a new window");
        assert_eq!(stored(&mut lease, &key).await, Some((1, Some(until))));
    });
}

#[test]
fn a_locked_key_counts_nothing_and_tells_when_its_lock_ends() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let key = account_key();
        let until = NOW + Duration::minutes(5);
        hits(&mut lease, &key, NOW).await;
        lock(&mut lease, &key, until).await.expect("lock");

        let refused = reserve(&mut lease, &key, NOW, WINDOW)
            .await
            .expect("reserve");
        let at_the_end = reserve(&mut lease, &key, until, WINDOW)
            .await
            .expect("reserve");

        assert_eq!(refused, Attempt::Locked(until));
        assert_eq!(at_the_end, Attempt::Counted(2), "a lock ending now is over");
        assert_eq!(stored(&mut lease, &key).await, Some((2, Some(until))));
    });
}

#[test]
fn giving_back_uncounts_one_attempt_and_lifts_only_the_lock_it_started() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let (key, lengthened) = (account_key(), account_key());
        let started = NOW + Duration::minutes(1);
        for key in [&key, &lengthened] {
            hits(&mut lease, key, NOW).await;
            hits(&mut lease, key, NOW).await;
            lock(&mut lease, key, started).await.expect("lock");
        }
        lock(&mut lease, &lengthened, NOW + Duration::minutes(2))
            .await
            .expect("lock");

        give_back(&mut lease, &key, Some(started))
            .await
            .expect("given back");
        give_back(&mut lease, &lengthened, Some(started))
            .await
            .expect("given back");
        give_back(&mut lease, &key, None).await.expect("given back");
        give_back(&mut lease, &key, None).await.expect("given back");

        assert_eq!(
            stored(&mut lease, &key).await,
            Some((0, None)),
            "never below zero"
        );
        assert_eq!(
            stored(&mut lease, &lengthened).await,
            Some((1, Some(NOW + Duration::minutes(2))))
        );
        assert_eq!(hits(&mut lease, &key, NOW).await, 1);
    });
}

#[test]
fn a_lock_is_never_shortened_and_a_lock_without_attempts_starts_no_window() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let key = account_key();
        let long = NOW + Duration::hours(1);

        lock(&mut lease, &key, long).await.expect("lock");
        lock(&mut lease, &key, NOW + Duration::minutes(1))
            .await
            .expect("lock");

        assert_eq!(
            reserve(&mut lease, &key, NOW, WINDOW)
                .await
                .expect("reserve"),
            Attempt::Locked(long)
        );
        assert_eq!(hits(&mut lease, &key, long).await, 1, "the first attempt");
        assert_eq!(hits(&mut lease, &key, long).await, 2);
        let longer = NOW + Duration::hours(3);
        lock(&mut lease, &key, longer).await.expect("lock");
        assert_eq!(stored(&mut lease, &key).await, Some((2, Some(longer))));
    });
}

#[test]
fn clear_forgets_attempts_and_lock() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let key = account_key();
        hits(&mut lease, &key, NOW).await;
        lock(&mut lease, &key, NOW + Duration::hours(1))
            .await
            .expect("lock");

        clear(&mut lease, &key).await.expect("clear");

        assert_eq!(stored(&mut lease, &key).await, None);
        assert_eq!(hits(&mut lease, &key, NOW).await, 1);
    });
}

#[test]
fn purge_deletes_counters_whose_window_and_lock_are_over_a_batch_at_a_time() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let earlier = NOW - Duration::hours(2);
        let (old, old_too, open_window, locked) = (ip_key(), ip_key(), ip_key(), ip_key());
        hits(&mut lease, &old, earlier).await;
        hits(&mut lease, &old_too, earlier).await;
        lock(&mut lease, &old_too, NOW).await.expect("lock");
        hits(&mut lease, &open_window, NOW - Duration::minutes(30)).await;
        hits(&mut lease, &locked, earlier).await;
        lock(&mut lease, &locked, NOW + Duration::minutes(1))
            .await
            .expect("lock");

        let first = purge(&mut lease, NOW, WINDOW, 1).await.expect("purge");
        let second = purge(&mut lease, NOW, WINDOW, 10).await.expect("purge");

        assert_eq!((first, second), (1, 1));
        assert_eq!(stored(&mut lease, &old).await, None);
        assert_eq!(stored(&mut lease, &old_too).await, None);
        assert!(stored(&mut lease, &open_window).await.is_some());
        assert!(stored(&mut lease, &locked).await.is_some());
    });
}
