//! Changes to an account: its display name under optimistic locking, and
//! its password hash.

use domain::password::PasswordHash;
use domain::user::DisplayName;
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

#[test]
fn a_display_name_change_at_the_expected_version_moves_the_version_on() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;

        let changed = update_display_name(&mut lease, user.id, &name("Grace"), Some(1), LATER)
            .await
            .expect("updated");
        let unconditional = update_display_name(&mut lease, user.id, &name("Ada"), None, LATER)
            .await
            .expect("updated");

        assert_eq!(changed.display_name, name("Grace"));
        assert_eq!((changed.version, changed.updated_at), (2, LATER));
        assert_eq!(changed.created_at, user.created_at);
        assert_eq!(
            (unconditional.display_name, unconditional.version),
            (name("Ada"), 3)
        );
    });
}

#[test]
fn a_display_name_change_at_a_stale_version_reports_the_current_one_and_changes_nothing() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = account(&mut lease).await;
        update_display_name(&mut lease, user.id, &name("Grace"), None, LATER)
            .await
            .expect("updated");

        let error = update_display_name(&mut lease, user.id, &name("Eve"), Some(1), LATER)
            .await
            .expect_err("stale");

        assert!(
            matches!(
                error,
                RepoError::Conflict(Conflict::StaleVersion { current: 2 })
            ),
            "{error:?}"
        );
        let stored = find_by_id(&mut lease, user.id)
            .await
            .expect("query")
            .expect("found");
        assert_eq!(stored.display_name, name("Grace"));
    });
}

#[test]
fn changes_to_a_missing_account_are_not_found() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let missing = UserId::generate();

        let renamed = update_display_name(&mut lease, missing, &name("Eve"), Some(1), LATER).await;
        let unconditional =
            update_display_name(&mut lease, missing, &name("Eve"), None, LATER).await;
        let rehashed = set_password_hash(&mut lease, missing, &hash("c2FsdDI"), LATER).await;
        let upgraded = upgrade_password_hash(&mut lease, missing, &hash("a"), &hash("b")).await;

        assert!(matches!(renamed, Err(RepoError::NotFound)), "{renamed:?}");
        assert!(
            matches!(unconditional, Err(RepoError::NotFound)),
            "{unconditional:?}"
        );
        assert!(matches!(rehashed, Err(RepoError::NotFound)), "{rehashed:?}");
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
