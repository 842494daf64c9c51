//! Changes to an account: its fields under optimistic locking, and its
//! password hash.

use domain::password::PasswordHash;
use domain::user::{DisplayName, User, UserChanges};
use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::lease::Lease;

const LATER: OffsetDateTime = datetime!(2026-11-01 00:00 UTC);

fn name(raw: &str) -> DisplayName {
    DisplayName::parse(raw).expect("valid")
}

fn hash(salt: &str) -> PasswordHash {
    PasswordHash::parse(format!("$argon2id$v=19$m=19456,t=2,p=1${salt}$aGFzaA")).expect("valid")
}

async fn account(lease: &mut Lease) -> User {
    insert(lease, &new_user("change")).await.expect("inserted")
}

fn changes(
    display_name: Option<&str>,
    role: Option<Role>,
    status: Option<UserStatus>,
) -> UserChanges {
    UserChanges {
        display_name: display_name.map(name),
        role,
        status,
    }
}

#[test]
fn an_update_changes_each_field_alone_or_all_together_and_moves_the_version_on() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;

        let renamed = update(
            &mut lease,
            user.id,
            &changes(Some("Grace"), None, None),
            Some(1),
            LATER,
        )
        .await
        .expect("renamed");
        let promoted = update(
            &mut lease,
            user.id,
            &changes(None, Some(Role::Admin), None),
            Some(2),
            LATER,
        )
        .await
        .expect("promoted");
        let disabled = update(
            &mut lease,
            user.id,
            &changes(None, None, Some(UserStatus::Disabled)),
            None,
            LATER,
        )
        .await
        .expect("disabled");
        let all = changes(Some("Ada"), Some(Role::User), Some(UserStatus::Active));
        let together = update(&mut lease, user.id, &all, Some(4), LATER)
            .await
            .expect("all at once");

        let fields = |user: &User| {
            (
                user.display_name.clone(),
                user.role,
                user.status,
                user.version,
            )
        };
        assert_eq!(
            fields(&renamed),
            (name("Grace"), Role::User, UserStatus::Active, 2)
        );
        assert_eq!(
            fields(&promoted),
            (name("Grace"), Role::Admin, UserStatus::Active, 3)
        );
        assert_eq!(
            fields(&disabled),
            (name("Grace"), Role::Admin, UserStatus::Disabled, 4)
        );
        assert_eq!(
            fields(&together),
            (name("Ada"), Role::User, UserStatus::Active, 5)
        );
        assert_eq!(
            (together.created_at, together.updated_at),
            (user.created_at, LATER)
        );
        assert_eq!(
            (&together.email, &together.password_hash),
            (&user.email, &user.password_hash)
        );
        let stored = find_by_id(&mut lease, user.id).await.expect("query");
        assert_eq!(stored, Some(together));
    });
}

#[test]
fn an_update_at_a_stale_version_reports_the_current_one_and_changes_nothing() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        let renamed = update(
            &mut lease,
            user.id,
            &changes(Some("Grace"), None, None),
            None,
            LATER,
        )
        .await
        .expect("updated");

        let all = changes(Some("Eve"), Some(Role::Admin), Some(UserStatus::Disabled));
        let error = update(&mut lease, user.id, &all, Some(1), LATER)
            .await
            .expect_err("stale");

        assert!(
            matches!(
                error,
                RepoError::Conflict(Conflict::StaleVersion { current: 2 })
            ),
            "{error:?}"
        );
        let stored = find_by_id(&mut lease, user.id).await.expect("query");
        assert_eq!(stored, Some(renamed));
    });
}

#[test]
fn changes_to_a_missing_account_are_not_found() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let missing = UserId::generate();
        let rename = changes(Some("Eve"), None, None);

        let updated = update(&mut lease, missing, &rename, Some(1), LATER).await;
        let unconditional = update(&mut lease, missing, &rename, None, LATER).await;
        let deleted = delete(&mut lease, missing, Some(1)).await;
        let deleted_unconditionally = delete(&mut lease, missing, None).await;
        let rehashed = set_password_hash(&mut lease, missing, &hash("c2FsdDI"), LATER).await;
        let upgraded = upgrade_password_hash(&mut lease, missing, &hash("a"), &hash("b")).await;

        for outcome in [
            updated,
            unconditional,
            deleted,
            deleted_unconditionally,
            rehashed,
        ] {
            assert!(matches!(outcome, Err(RepoError::NotFound)), "{outcome:?}");
        }
        assert!(!upgraded.expect("query"));
    });
}

#[test]
fn a_new_password_hash_moves_the_version_on() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        let new = hash("bmV3c2FsdA");

        let changed = set_password_hash(&mut lease, user.id, &new, LATER)
            .await
            .expect("updated");

        assert_eq!(changed.password_hash, new);
        assert_eq!((changed.version, changed.updated_at), (2, LATER));
    });
}

#[test]
fn an_upgraded_hash_replaces_only_the_hash_it_was_made_from_and_keeps_the_version() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        let (upgraded, changed_meanwhile) = (hash("dXBncmFkZWQ"), hash("b3RoZXI"));

        let from_stale = upgrade_password_hash(&mut lease, user.id, &changed_meanwhile, &upgraded)
            .await
            .expect("query");
        let from_current =
            upgrade_password_hash(&mut lease, user.id, &user.password_hash, &upgraded)
                .await
                .expect("query");

        assert!(!from_stale);
        assert!(from_current);
        let stored = find_by_id(&mut lease, user.id)
            .await
            .expect("query")
            .expect("found");
        assert_eq!(stored.password_hash, upgraded);
        assert_eq!(
            (stored.version, stored.updated_at),
            (user.version, user.updated_at)
        );
    });
}
