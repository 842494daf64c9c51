use domain::audit::{AuditAction, Origin};
use domain::auth::AccessClaims;
use domain::session::EndReason;
use domain::user::{AccountField, Role, User, UserChanges, UserFilter, UserId, UserStatus};

use super::{UserChange, UserQuery};
use crate::error::{AppError, Conflict, Forbidden, Rejection};
use crate::fixtures::{Ports, claims_for, registered_user};

fn admin() -> User {
    let mut admin = registered_user("any password");
    admin.role = Role::Admin;
    admin
}

/// Ports where the caller `admin` is stored as given.
fn ports_for(caller: &User) -> Ports {
    let mut ports = Ports::new();
    let stored = caller.clone();
    ports
        .users
        .expect_find_by_id()
        .returning(move |_| Ok(Some(stored.clone())));
    ports
}

/// Ports where the administrator `caller` changes `before` into `after`,
/// the unit locking `admins` as the active administrators.
fn ports_changing(caller: &User, admins: Vec<UserId>, before: &User, after: User) -> Ports {
    let mut ports = ports_for(caller);
    ports
        .unit
        .users
        .expect_lock_active_admins()
        .returning(move || Ok(admins.clone()));
    let before = before.clone();
    ports
        .unit
        .users
        .expect_lock_by_id()
        .returning(move |_| Ok(Some(before.clone())));
    ports
        .unit
        .users
        .expect_update()
        .returning(move |_, _, _, _| Ok(after.clone()));
    ports
}

fn is_admin_only(error: &AppError) -> bool {
    matches!(error, AppError::Forbidden(Forbidden::AdminOnly))
}

fn query(cursor: Option<&str>) -> UserQuery {
    UserQuery {
        filter: UserFilter::default(),
        limit: 2,
        cursor: cursor.map(str::to_owned),
    }
}

#[tokio::test]
async fn a_token_without_the_admin_role_is_refused_without_a_lookup() {
    let mut ports = Ports::new();
    ports.users.expect_find_by_id().never();
    let claims = claims_for(&registered_user("any password"));

    let error = ports
        .admin_service()
        .list_users(&claims, query(None))
        .await
        .expect_err("refused");

    assert!(is_admin_only(&error), "{error:?}");
}

#[tokio::test]
async fn a_demoted_or_disabled_administrator_is_refused_at_once() {
    let mut demoted = admin();
    let claims = claims_for(&demoted);
    demoted.role = Role::User;
    let mut disabled = admin();
    disabled.status = UserStatus::Disabled;

    let demoted_error = ports_for(&demoted)
        .admin_service()
        .list_users(&claims, query(None))
        .await
        .expect_err("refused");
    let disabled_error = ports_for(&disabled)
        .admin_service()
        .list_users(&claims_for(&disabled), query(None))
        .await
        .expect_err("refused");

    assert!(is_admin_only(&demoted_error), "{demoted_error:?}");
    assert!(
        matches!(
            disabled_error,
            AppError::Forbidden(Forbidden::AccountDisabled)
        ),
        "{disabled_error:?}"
    );
}

#[tokio::test]
async fn a_full_page_gets_a_cursor_from_its_last_item_and_the_last_page_none() {
    let caller = admin();
    let mut ports = ports_for(&caller);
    let users: Vec<User> = (0..3).map(|_| registered_user("p")).collect();
    let second = users[1].clone();
    ports
        .users
        .expect_list()
        .withf(|_, after, limit| after.is_none() && *limit == 3)
        .returning(move |_, _, _| Ok(users.clone()));
    ports
        .cursors
        .expect_seal()
        .withf(move |payload| String::from_utf8_lossy(payload).ends_with(&second.id.to_string()))
        .returning(|_| "sealed".to_owned());

    let page = ports
        .admin_service()
        .list_users(&claims_for(&caller), query(None))
        .await
        .expect("listed");

    assert_eq!(page.items.len(), 2);
    assert_eq!(page.next_cursor.as_deref(), Some("sealed"));
}

#[tokio::test]
async fn a_cursor_the_service_did_not_seal_is_rejected_before_any_listing() {
    let caller = admin();
    let mut ports = ports_for(&caller);
    ports.cursors.expect_open().returning(|_| None);
    ports.users.expect_list().never();

    let error = ports
        .admin_service()
        .list_users(&claims_for(&caller), query(Some("forged")))
        .await
        .expect_err("rejected");

    assert!(
        matches!(error, AppError::Rejected(Rejection::ForeignCursor)),
        "{error:?}"
    );
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_records_the_change() {
    let caller = admin();
    let target = registered_user("p");
    let id = target.id;
    let mut after = target.clone();
    (after.status, after.version) = (UserStatus::Disabled, 2);
    let mut ports = ports_changing(&caller, vec![caller.id], &target, after);
    ports
        .unit
        .sessions
        .expect_end_all()
        .withf(move |user, keep, reason, _| {
            *user == id && keep.is_none() && *reason == EndReason::AccountDisabled
        })
        .times(1)
        .returning(|_, _, _, _| Ok(3));
    let admin_id = caller.id;
    ports
        .unit
        .audit
        .expect_record()
        .withf(move |event| {
            event.action == AuditAction::UserUpdated
                && event.actor == Some(admin_id)
                && event.subject == Some(id)
                && event.changes.len() == 1
                && event.changes[0].field == AccountField::Status
                && event.changes[0].before.as_deref() == Some("active")
                && event.changes[0].after.as_deref() == Some("disabled")
        })
        .times(1)
        .returning(|_| Ok(()));
    let journal = ports.journal.clone();

    let updated = ports
        .admin_service()
        .update_user(&claims_for(&caller), id, disable(), &Origin::default())
        .await
        .expect("updated");

    assert_eq!(updated.status, UserStatus::Disabled);
    assert_eq!(*journal.lock().expect("journal"), ["commit"]);
}

fn disable() -> UserChange {
    UserChange {
        changes: UserChanges {
            status: Some(UserStatus::Disabled),
            ..UserChanges::default()
        },
        expected_version: None,
    }
}

#[tokio::test]
async fn the_last_active_administrator_cannot_be_disabled_or_deleted() {
    let caller = admin();
    let id = caller.id;
    let claims: AccessClaims = claims_for(&caller);
    let mut ports = ports_for(&caller);
    ports
        .unit
        .users
        .expect_lock_active_admins()
        .returning(move || Ok(vec![id]));
    let stored = caller.clone();
    ports
        .unit
        .users
        .expect_lock_by_id()
        .returning(move |_| Ok(Some(stored.clone())));
    ports.unit.users.expect_update().never();
    ports.unit.users.expect_delete().never();
    let journal = ports.journal.clone();
    let admin = ports.admin_service();

    let disabled = admin
        .update_user(&claims, id, disable(), &Origin::default())
        .await
        .expect_err("refused");
    let deleted = admin
        .delete_user(&claims, id, None, &Origin::default())
        .await
        .expect_err("refused");

    for error in [disabled, deleted] {
        assert!(
            matches!(error, AppError::Conflict(Conflict::LastAdmin)),
            "{error:?}"
        );
    }
    assert_eq!(*journal.lock().expect("journal"), ["rollback", "rollback"]);
}

#[tokio::test]
async fn demoting_an_administrator_ends_the_sessions_that_carry_the_role() {
    let caller = admin();
    let target = admin();
    let id = target.id;
    let mut after = target.clone();
    after.role = Role::User;
    let mut ports = ports_changing(&caller, vec![caller.id, id], &target, after);
    ports
        .unit
        .sessions
        .expect_end_all()
        .withf(move |user, keep, reason, _| {
            *user == id && keep.is_none() && *reason == EndReason::RoleChanged
        })
        .times(1)
        .returning(|_, _, _, _| Ok(2));
    ports.audit_accepted();
    let demotion = UserChange {
        changes: UserChanges {
            role: Some(Role::User),
            ..UserChanges::default()
        },
        expected_version: None,
    };

    let updated = ports
        .admin_service()
        .update_user(&claims_for(&caller), id, demotion, &Origin::default())
        .await
        .expect("updated");

    assert_eq!(updated.role, Role::User);
}

#[tokio::test]
async fn an_administrator_demoted_before_the_unit_locked_them_changes_nothing() {
    let caller = admin();
    let mut ports = ports_for(&caller);
    let other_admin = admin().id;
    ports
        .unit
        .users
        .expect_lock_active_admins()
        .returning(move || Ok(vec![other_admin]));
    ports.unit.users.expect_update().never();
    ports.unit.users.expect_delete().never();
    ports.unit.sessions.expect_end_all().never();
    let journal = ports.journal.clone();
    let admin = ports.admin_service();
    let target = registered_user("p").id;

    let updated = admin
        .update_user(&claims_for(&caller), target, disable(), &Origin::default())
        .await
        .expect_err("refused");
    let deleted = admin
        .delete_user(&claims_for(&caller), target, None, &Origin::default())
        .await
        .expect_err("refused");

    assert!(is_admin_only(&updated), "{updated:?}");
    assert!(is_admin_only(&deleted), "{deleted:?}");
    assert_eq!(*journal.lock().expect("journal"), ["rollback", "rollback"]);
}
