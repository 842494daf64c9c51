//! The counters' SQL against a real PostgreSQL, inside transactions that
//! are rolled back. Every test counts for keys of its own.

use std::net::{IpAddr, Ipv6Addr};

use domain::throttle::ThrottleKey;
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
    ThrottleKey::login_ip(IpAddr::V6(Ipv6Addr::from(Uuid::now_v7().as_u128())))
}

async fn hits(lease: &mut Lease, key: &ThrottleKey, at: OffsetDateTime) -> u32 {
    hit(lease, key, at, WINDOW).await.expect("hit")
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

        assert_eq!(hits(&mut lease, &key, NOW + Duration::hours(2)).await, 1);

        assert_eq!(stored(&mut lease, &key).await, Some((1, Some(until))));
    });
}

#[test]
fn the_latest_lock_in_force_on_any_key_counts() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let (account, ip, expired, elsewhere) = (account_key(), ip_key(), ip_key(), ip_key());
        let later = NOW + Duration::minutes(10);
        lock(&mut lease, &account, NOW + Duration::minutes(5))
            .await
            .expect("lock");
        lock(&mut lease, &ip, later).await.expect("lock");
        lock(&mut lease, &expired, NOW).await.expect("lock");
        lock(&mut lease, &elsewhere, NOW + Duration::days(1))
            .await
            .expect("lock");
        hits(&mut lease, &ip_key(), NOW).await;

        let both = locked_until(&mut lease, &[account.clone(), ip], NOW).await;
        let one = locked_until(&mut lease, &[account.clone(), expired.clone()], NOW).await;
        let none = locked_until(&mut lease, &[expired], NOW).await;
        let passed = locked_until(&mut lease, &[account], later).await;

        assert_eq!(both.expect("query"), Some(later));
        assert_eq!(one.expect("query"), Some(NOW + Duration::minutes(5)));
        assert_eq!(none.expect("query"), None, "a lock ending now is over");
        assert_eq!(passed.expect("query"), None);
        assert_eq!(
            locked_until(&mut lease, &[], NOW).await.expect("query"),
            None
        );
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
            locked_until(&mut lease, std::slice::from_ref(&key), NOW)
                .await
                .expect("query"),
            Some(long)
        );
        assert_eq!(hits(&mut lease, &key, NOW).await, 1, "the first attempt");
        assert_eq!(hits(&mut lease, &key, NOW).await, 2);
        let longer = NOW + Duration::hours(2);
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
