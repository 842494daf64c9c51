//! Reading the trail back, newest first and filtered, and purging it.

use domain::audit::{AuditFilter, AuditRecord, FieldChange};
use domain::user::AccountField;
use serde_json::{Value, json};
use time::Duration;

use super::*;
use crate::lease::Lease;

fn change(field: AccountField, before: Option<&str>, after: Option<&str>) -> FieldChange {
    FieldChange {
        field,
        before: before.map(str::to_owned),
        after: after.map(str::to_owned),
    }
}

/// Records an event of `action` about `subject` at `at`, and returns it.
async fn recorded(
    lease: &mut Lease,
    action: AuditAction,
    subject: UserId,
    at: OffsetDateTime,
) -> AuditEvent {
    let event = AuditEvent::new(action, at, &Origin::default()).about(subject);
    record(lease, &event).await.expect("recorded");
    event
}

async fn listed(
    lease: &mut Lease,
    filter: AuditFilter,
    after: Option<Uuid>,
    limit: u32,
) -> Vec<Uuid> {
    list(lease, &filter, after, limit)
        .await
        .expect("listed")
        .into_iter()
        .map(|record| record.id)
        .collect()
}

fn ids<const N: usize>(events: [&AuditEvent; N]) -> Vec<Uuid> {
    events.iter().map(|event| event.id).collect()
}

async fn stored_changes(lease: &mut Lease, event: &AuditEvent) -> Value {
    sqlx::query_scalar("SELECT changes FROM audit_events WHERE id = $1")
        .bind(event.id)
        .fetch_one(&mut **lease)
        .await
        .expect("the changes")
}

#[test]
fn an_event_reads_back_with_its_changes_origin_and_detail() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let (admin, user, session) = (
            UserId::generate(),
            UserId::generate(),
            SessionId::generate(),
        );
        let origin = Origin {
            request_id: Some("req-7".to_owned()),
            client_request_id: Some("client-7".to_owned()),
            ip: Some(IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])),
            user_agent: Some("curl/8".to_owned()),
        };
        let changes = vec![
            change(AccountField::DisplayName, Some("Ada"), Some("Grace")),
            change(AccountField::Role, Some("user"), Some("admin")),
            change(AccountField::Status, None, Some("active")),
            change(AccountField::Email, Some("ada@example.com"), None),
        ];
        let mut event = AuditEvent::new(AuditAction::UserUpdated, NOW, &origin)
            .about(user)
            .in_session(session)
            .detail("by_admin")
            .changing(changes.clone());
        event.actor = Some(admin);
        record(&mut lease, &event).await.expect("recorded");

        let records = list(&mut lease, &AuditFilter::default(), None, 10)
            .await
            .expect("listed");

        let expected = AuditRecord {
            id: event.id,
            occurred_at: NOW,
            action: "user.updated".to_owned(),
            actor: Some(admin),
            subject: Some(user),
            session: Some(session),
            origin,
            detail: Some("by_admin".to_owned()),
            changes,
        };
        assert_eq!(records, [expected]);
        assert_eq!(
            stored_changes(&mut lease, &event).await,
            json!([
                {"field": "displayName", "before": "Ada", "after": "Grace"},
                {"field": "role", "before": "user", "after": "admin"},
                {"field": "status", "before": null, "after": "active"},
                {"field": "email", "before": "ada@example.com", "after": null},
            ])
        );
    });
}

/// Inserts an event whose changes are `changes` as stored JSON, the way
/// earlier versions wrote them.
async fn stored_with(lease: &mut Lease, changes: Value) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO audit_events (id, occurred_at, action, changes)
         VALUES ($1, now(), 'user.updated', $2)",
    )
    .bind(id)
    .bind(changes)
    .execute(&mut **lease)
    .await
    .expect("stored");
    id
}

#[test]
fn changes_stored_by_earlier_versions_read_back_as_the_same_fields() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        stored_with(
            &mut lease,
            json!([
                {"field": "email", "before": "ada@example.com", "after": null},
                {"field": "displayName", "before": "Ada", "after": "Grace"},
                {"field": "password", "before": null, "after": null},
                {"field": "role", "before": "user", "after": "admin"},
                {"field": "status", "before": "active", "after": "disabled"},
            ]),
        )
        .await;

        let records = list(&mut lease, &AuditFilter::default(), None, 10)
            .await
            .expect("listed");

        let fields: Vec<AccountField> = records[0].changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, AccountField::ALL);
        assert_eq!(
            records[0].changes[1],
            change(AccountField::DisplayName, Some("Ada"), Some("Grace"))
        );
    });
}

#[test]
fn a_stored_change_of_an_unknown_field_is_an_internal_failure() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        stored_with(
            &mut lease,
            json!([{"field": "nickname", "before": "A", "after": null}]),
        )
        .await;

        let error = list(&mut lease, &AuditFilter::default(), None, 10)
            .await
            .expect_err("corrupt");

        assert!(matches!(error, RepoError::Internal(_)), "{error:?}");
    });
}

#[test]
fn an_event_without_changes_stores_an_empty_array() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let event = recorded(&mut lease, AuditAction::Logout, UserId::generate(), NOW).await;

        let records = list(&mut lease, &AuditFilter::default(), None, 10)
            .await
            .expect("listed");

        assert_eq!(stored_changes(&mut lease, &event).await, json!([]));
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].changes, []);
        assert_eq!(records[0].origin, Origin::default());
    });
}

#[test]
fn the_trail_lists_newest_first_by_subject_by_action_or_both_a_page_at_a_time() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let (ada, bob) = (UserId::generate(), UserId::generate());
        let registered = recorded(&mut lease, AuditAction::Register, ada, NOW).await;
        let other = recorded(&mut lease, AuditAction::Register, bob, NOW).await;
        let updated = recorded(&mut lease, AuditAction::UserUpdated, ada, NOW).await;
        let renamed = recorded(&mut lease, AuditAction::UserUpdated, ada, NOW).await;
        let filter = |subject, action| AuditFilter { subject, action };
        let (updates, registrations) =
            (Some(AuditAction::UserUpdated), Some(AuditAction::Register));

        let all = listed(&mut lease, AuditFilter::default(), None, 10).await;
        let of_ada = listed(&mut lease, filter(Some(ada), None), None, 10).await;
        let registered_ones = listed(&mut lease, filter(None, registrations), None, 10).await;
        let updates_of_ada = listed(&mut lease, filter(Some(ada), updates), None, 10).await;
        let updates_of_bob = listed(&mut lease, filter(Some(bob), updates), None, 10).await;
        let first_page = listed(&mut lease, filter(Some(ada), None), None, 2).await;
        let second_page = listed(&mut lease, filter(Some(ada), None), Some(updated.id), 2).await;
        let older_updates = listed(&mut lease, filter(None, updates), Some(renamed.id), 10).await;

        assert_eq!(all, ids([&renamed, &updated, &other, &registered]));
        assert_eq!(of_ada, ids([&renamed, &updated, &registered]));
        assert_eq!(registered_ones, ids([&other, &registered]));
        assert_eq!(updates_of_ada, ids([&renamed, &updated]));
        assert!(updates_of_bob.is_empty());
        assert_eq!(first_page, ids([&renamed, &updated]));
        assert_eq!(second_page, ids([&registered]));
        assert_eq!(older_updates, ids([&updated]));
    });
}

#[test]
fn purge_deletes_only_events_before_the_instant_a_batch_at_a_time() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let user = UserId::generate();
        for days in [3, 2, 1] {
            recorded(
                &mut lease,
                AuditAction::Logout,
                user,
                NOW - Duration::days(days),
            )
            .await;
        }
        let at_the_instant = recorded(&mut lease, AuditAction::Logout, user, NOW).await;
        let later = recorded(
            &mut lease,
            AuditAction::Logout,
            user,
            NOW + Duration::days(1),
        )
        .await;

        let first = purge(&mut lease, NOW, 2).await.expect("purge");
        let second = purge(&mut lease, NOW, 2).await.expect("purge");
        let third = purge(&mut lease, NOW, 2).await.expect("purge");

        assert_eq!((first, second, third), (2, 1, 0));
        let left = listed(&mut lease, AuditFilter::default(), None, 10).await;
        assert_eq!(left, ids([&later, &at_the_instant]));
    });
}
