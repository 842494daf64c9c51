//! The trail's SQL against a real PostgreSQL, inside transactions that are
//! rolled back.

mod listing;

use std::net::IpAddr;

use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::error::{InvalidData, RepoError};
use domain::session::SessionId;
use domain::user::UserId;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use super::*;
use crate::test_support::rolled_back_lease;

const NOW: OffsetDateTime = datetime!(2026-11-01 00:00 UTC);

type StoredEvent = (
    OffsetDateTime,
    String,
    Option<Uuid>,
    Option<Uuid>,
    Option<Uuid>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

#[test]
fn an_event_is_stored_with_its_action_people_session_origin_and_detail() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let (user, session) = (UserId::generate(), SessionId::generate());
        let origin = Origin {
            request_id: Some("req-1".to_owned()),
            client_request_id: Some("client-1".to_owned()),
            ip: Some(IpAddr::from([198, 51, 100, 4])),
            user_agent: Some("curl/8".to_owned()),
        };
        let event = AuditEvent::new(AuditAction::RefreshReuse, NOW, &origin)
            .about(user)
            .in_session(session)
            .detail("retired_token");

        record(&mut lease, &event).await.expect("recorded");

        let stored: StoredEvent = sqlx::query_as(
            "SELECT occurred_at, action, actor_id, subject_id, session_id, request_id,
                    client_request_id, host(ip), user_agent, detail
               FROM audit_events WHERE id = $1",
        )
        .bind(event.id)
        .fetch_one(&mut *lease)
        .await
        .expect("the event");
        assert_eq!(
            stored,
            (
                NOW,
                "auth.refresh_reuse".to_owned(),
                None,
                Some(user.as_uuid()),
                Some(session.as_uuid()),
                Some("req-1".to_owned()),
                Some("client-1".to_owned()),
                Some("198.51.100.4".to_owned()),
                Some("curl/8".to_owned()),
                Some("retired_token".to_owned()),
            )
        );
    });
}

#[test]
fn an_event_with_nothing_but_its_action_is_stored() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let event = AuditEvent::new(AuditAction::LoginFailed, NOW, &Origin::default());

        record(&mut lease, &event).await.expect("recorded");

        let action: String = sqlx::query_scalar("SELECT action FROM audit_events WHERE id = $1")
            .bind(event.id)
            .fetch_one(&mut *lease)
            .await
            .expect("the event");
        assert_eq!(action, "auth.login_failed");
    });
}

#[test]
fn a_request_id_longer_than_the_store_takes_is_invalid_and_named() {
    test_db::run(async {
        let too_long = Some("r".repeat(129));
        for (origin, named) in [
            (
                Origin {
                    request_id: too_long.clone(),
                    ..Origin::default()
                },
                "request_id",
            ),
            (
                Origin {
                    client_request_id: too_long.clone(),
                    ..Origin::default()
                },
                "client_request_id",
            ),
        ] {
            let mut lease = rolled_back_lease().await;
            let event = AuditEvent::new(AuditAction::Logout, NOW, &origin);

            let error = record(&mut lease, &event).await.expect_err("too long");

            assert!(
                matches!(error, RepoError::Invalid(InvalidData { column: Some(ref column), .. }) if column == named),
                "{error:?}"
            );
        }
    });
}
