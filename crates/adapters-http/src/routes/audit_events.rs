//! `/v1/audit-events`: the audit trail, for administrators.

use std::net::IpAddr;

use actix_web::HttpResponse;
use actix_web::web::Data;
use app::admin::AuditQuery;
use domain::audit::{AuditAction, AuditFilter, AuditRecord};
use domain::user::UserId;
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::listing::{Cursor, PageSize, cursor, limit};
use crate::error::ApiError;
use crate::extract::{Authenticated, Parsed, QueryParams};
use crate::fields::wire_name;
use crate::openapi::{BadRequest, Forbidden, InternalError, ServiceUnavailable, Unauthorized};
use crate::server::ApiState;

/// `GET /v1/audit-events` query parameters.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(crate) struct ListAuditEventsParams {
    /// Only events about this account.
    #[validate(custom(function = "Parsed::check"))]
    #[param(value_type = Option<Uuid>)]
    user_id: Option<Parsed<UserId>>,
    /// Only events of this action.
    #[validate(custom(function = "Parsed::check"))]
    #[param(schema_with = action_schema)]
    action: Option<Parsed<AuditAction>>,
    /// Events per page.
    #[validate(custom(function = "Parsed::check"))]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 20)]
    limit: Option<Parsed<PageSize>>,
    /// `nextCursor` of the previous page, with the same filters.
    #[validate(custom(function = "Parsed::check"))]
    #[param(value_type = Option<String>)]
    cursor: Option<Parsed<Cursor>>,
}

/// The schema of an action: one of the names the audit trail records.
fn action_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(AuditAction::ALL.map(AuditAction::as_str)))
        .build()
}

impl ListAuditEventsParams {
    fn into_query(self) -> Result<AuditQuery, ApiError> {
        Ok(AuditQuery {
            filter: AuditFilter {
                subject: self.user_id.map(Parsed::into_value).transpose()?,
                action: self.action.map(Parsed::into_value).transpose()?,
            },
            limit: limit(self.limit)?,
            cursor: cursor(self.cursor)?,
        })
    }
}

/// A page of audit events, the newest first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AuditEventPage)]
struct AuditEventListBody {
    items: Vec<AuditEventBody>,
    /// The `cursor` of the next page; null on the last page.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// Who did what to whom, when, and from which request.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AuditEvent)]
struct AuditEventBody {
    id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    occurred_at: OffsetDateTime,
    #[schema(schema_with = action_schema)]
    action: String,
    /// The account that acted, if known.
    #[schema(required = true)]
    actor_id: Option<Uuid>,
    /// The account acted upon, if any.
    #[schema(required = true)]
    subject_id: Option<Uuid>,
    /// The session of the request, if any.
    #[schema(required = true)]
    session_id: Option<Uuid>,
    /// The service's own id of the request (the `requestId` of its error
    /// body, and of its log lines).
    #[schema(required = true)]
    request_id: Option<String>,
    /// The `x-request-id` that the client sent, if it sent a sane one:
    /// the client's word, kept apart from `requestId`.
    #[schema(required = true)]
    client_request_id: Option<String>,
    /// The client's IPv4 or IPv6 address, if known.
    #[schema(value_type = Option<String>, required = true)]
    ip: Option<IpAddr>,
    #[schema(required = true)]
    user_agent: Option<String>,
    /// Why, for some actions (`wrong_password`).
    #[schema(required = true)]
    detail: Option<String>,
    /// What an action changed; empty for most.
    changes: Vec<FieldChangeBody>,
}

/// One field that an action changed.
#[derive(Serialize, ToSchema)]
#[schema(as = FieldChange)]
struct FieldChangeBody {
    field: &'static str,
    #[schema(required = true)]
    before: Option<String>,
    #[schema(required = true)]
    after: Option<String>,
}

impl From<AuditRecord> for AuditEventBody {
    fn from(record: AuditRecord) -> Self {
        Self {
            id: record.id,
            occurred_at: record.occurred_at.to_offset(UtcOffset::UTC),
            action: record.action,
            actor_id: record.actor.map(|id| id.as_uuid()),
            subject_id: record.subject.map(|id| id.as_uuid()),
            session_id: record.session.map(|id| id.as_uuid()),
            request_id: record.origin.request_id,
            client_request_id: record.origin.client_request_id,
            ip: record.origin.ip,
            user_agent: record.origin.user_agent,
            detail: record.detail,
            changes: record
                .changes
                .into_iter()
                .map(|change| FieldChangeBody {
                    field: wire_name(change.field),
                    before: change.before,
                    after: change.after,
                })
                .collect(),
        }
    }
}

/// Lists audit events.
///
/// Newest first, a page at a time: pass `nextCursor` as `cursor` for the
/// next page, with the same filters (a cursor that the service did not
/// make for them is a 400). Unknown query parameters are a 400. For
/// administrators.
#[utoipa::path(
    get,
    path = "/v1/audit-events",
    tag = "Audit",
    params(ListAuditEventsParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of audit events.", body = AuditEventListBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub(super) async fn list_audit_events(
    state: Data<ApiState>,
    Authenticated(caller): Authenticated,
    params: QueryParams<ListAuditEventsParams>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .admin
        .list_audit_events(&caller, params.into_valid()?.into_query()?)
        .await?;
    Ok(HttpResponse::Ok().json(AuditEventListBody {
        items: page.items.into_iter().map(AuditEventBody::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
