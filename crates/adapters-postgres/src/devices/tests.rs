//! The device tokens' SQL against a real PostgreSQL, inside transactions
//! that are rolled back.

use domain::error::{Conflict, RepoError};
use domain::session::SecretDigest;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::lease::Lease;
use crate::test_support::{new_user, rolled_back_lease};
use crate::users;

const NOW: OffsetDateTime = datetime!(2026-11-01 00:00 UTC);

async fn account(lease: &mut Lease) -> UserId {
    users::insert(lease, &new_user("device"))
        .await
        .expect("account")
        .id
}

fn device(user: UserId, digest: u8, expires_at: OffsetDateTime) -> Device {
    Device {
        id: DeviceId::generate(),
        user_id: user,
        digest: SecretDigest::from_bytes([digest; 32]),
        expires_at,
    }
}

#[test]
fn a_device_is_found_until_it_expires() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        let issued = device(user, 1, NOW + Duration::days(1));
        issue(&mut lease, &issued, NOW).await.expect("issued");

        let found = find_live(&mut lease, issued.id, NOW).await.expect("query");
        let later = find_live(&mut lease, issued.id, issued.expires_at)
            .await
            .expect("query");
        let unknown = find_live(&mut lease, DeviceId::generate(), NOW)
            .await
            .expect("query");

        assert_eq!(found, Some(issued));
        assert_eq!(later, None, "an expiry reached is over");
        assert_eq!(unknown, None);
    });
}

#[test]
fn a_renewal_replaces_the_secret_for_the_same_account_only() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let (owner, other) = (account(&mut lease).await, account(&mut lease).await);
        let first = device(owner, 1, NOW + Duration::days(1));
        issue(&mut lease, &first, NOW).await.expect("issued");
        let renewed = Device {
            digest: SecretDigest::from_bytes([2; 32]),
            expires_at: NOW + Duration::days(2),
            ..first.clone()
        };
        let hijack = Device {
            user_id: other,
            digest: SecretDigest::from_bytes([3; 32]),
            ..first.clone()
        };

        issue(&mut lease, &renewed, NOW).await.expect("renewed");
        issue(&mut lease, &hijack, NOW).await.expect("ignored");

        let found = find_live(&mut lease, first.id, NOW).await.expect("query");
        assert_eq!(found, Some(renewed));
    });
}

#[test]
fn a_device_of_a_missing_account_is_a_reference_conflict() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;

        let error = issue(&mut lease, &device(UserId::generate(), 1, NOW), NOW)
            .await
            .expect_err("no such account");

        assert!(
            matches!(error, RepoError::Conflict(Conflict::Reference { ref constraint }) if constraint == "device_tokens_user_id_fkey"),
            "{error:?}"
        );
    });
}

#[test]
fn revoking_forgets_every_device_of_the_account_and_no_other() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let (owner, other) = (account(&mut lease).await, account(&mut lease).await);
        let later = NOW + Duration::days(1);
        let (one, two, kept) = (
            device(owner, 1, later),
            device(owner, 2, later),
            device(other, 3, later),
        );
        for device in [&one, &two, &kept] {
            issue(&mut lease, device, NOW).await.expect("issued");
        }

        let revoked = revoke_all(&mut lease, owner).await.expect("revoked");

        assert_eq!(revoked, 2);
        assert_eq!(
            find_live(&mut lease, one.id, NOW).await.expect("query"),
            None
        );
        assert_eq!(
            find_live(&mut lease, kept.id, NOW).await.expect("query"),
            Some(kept)
        );
    });
}

#[test]
fn purge_deletes_expired_devices_a_batch_at_a_time() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        let live = device(user, 1, NOW + Duration::seconds(1));
        issue(&mut lease, &live, NOW).await.expect("issued");
        issue(&mut lease, &device(user, 2, NOW), NOW)
            .await
            .expect("issued");
        issue(&mut lease, &device(user, 3, NOW), NOW)
            .await
            .expect("issued");

        let first = purge(&mut lease, NOW, 1).await.expect("purge");
        let second = purge(&mut lease, NOW, 10).await.expect("purge");

        assert_eq!((first, second), (1, 1));
        assert_eq!(
            find_live(&mut lease, live.id, NOW).await.expect("query"),
            Some(live)
        );
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM device_tokens WHERE user_id = $1")
            .bind(user.as_uuid())
            .fetch_one(&mut *lease)
            .await
            .expect("count");
        assert_eq!(left, 1);
    });
}
