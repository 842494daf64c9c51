//! Cursors of keyset pagination: the position after the last item of a
//! page and the filter of the listing, sealed so that a tampered cursor, or
//! one from another listing or filter, is refused rather than serving a
//! wrong page.

use domain::audit::{AuditAction, AuditFilter};
use domain::ports::CursorSigner;
use domain::user::{UserFilter, UserId, UserPosition};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{AppError, Rejection};

/// Separates the parts of a cursor's payload, and the fields of its filter;
/// filters never hold control characters.
const SEPARATOR: char = '\u{1f}';
const FILTER_SEPARATOR: char = '\u{1e}';

/// A page of a listing and the cursor of the next one, if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in the listing's order.
    pub items: Vec<T>,
    /// The cursor that asks for the next page; `None` on the last one.
    pub next_cursor: Option<String>,
}

/// The most items a page may hold.
pub const MAX_PAGE_SIZE: u32 = 100;

/// How many items to fetch for a page of at most `limit`: one more than
/// the page holds, which tells whether another follows without counting.
pub(crate) fn fetch_size(limit: u32) -> u32 {
    limit.clamp(1, MAX_PAGE_SIZE) + 1
}

/// The page of `items`, fetched with [`fetch_size`] for `limit`, and the
/// cursor after its last item, made by `cursor_after`, when more follow.
pub(crate) fn page<T>(
    mut items: Vec<T>,
    limit: u32,
    cursor_after: impl FnOnce(&T) -> String,
) -> Page<T> {
    let size = limit.clamp(1, MAX_PAGE_SIZE) as usize;
    let next_cursor = if items.len() > size {
        items.truncate(size);
        items.last().map(cursor_after)
    } else {
        None
    };
    Page { items, next_cursor }
}

/// The cursor of a user listing with `filter`, after `position`.
pub(crate) fn user_cursor(
    signer: &dyn CursorSigner,
    filter: &UserFilter,
    position: UserPosition,
) -> String {
    let payload = [
        "users".to_owned(),
        user_filter_key(filter),
        position.created_at.unix_timestamp_nanos().to_string(),
        position.id.to_string(),
    ]
    .join(&SEPARATOR.to_string());
    signer.seal(payload.as_bytes())
}

/// The position of a user listing's cursor, if the service sealed it for
/// a listing with this very `filter`.
pub(crate) fn user_position(
    signer: &dyn CursorSigner,
    filter: &UserFilter,
    cursor: &str,
) -> Result<UserPosition, AppError> {
    let payload = opened(signer, cursor)?;
    let parts: Vec<&str> = payload.split(SEPARATOR).collect();
    let filter_key = user_filter_key(filter);
    let ["users", key, nanos, id] = parts[..] else {
        return Err(foreign());
    };
    if key != filter_key {
        return Err(foreign());
    }
    let created_at = nanos
        .parse::<i128>()
        .ok()
        .and_then(|nanos| OffsetDateTime::from_unix_timestamp_nanos(nanos).ok())
        .ok_or_else(foreign)?;
    let id = Uuid::try_parse(id).map_err(|_| foreign())?;
    Ok(UserPosition {
        created_at,
        id: UserId::from(id),
    })
}

/// The cursor of an audit listing with `filter`, after event `id`.
pub(crate) fn audit_cursor(signer: &dyn CursorSigner, filter: &AuditFilter, id: Uuid) -> String {
    let payload =
        ["audit".to_owned(), audit_filter_key(filter), id.to_string()].join(&SEPARATOR.to_string());
    signer.seal(payload.as_bytes())
}

/// The event of an audit listing's cursor, if the service sealed it for a
/// listing with this very `filter`.
pub(crate) fn audit_position(
    signer: &dyn CursorSigner,
    filter: &AuditFilter,
    cursor: &str,
) -> Result<Uuid, AppError> {
    let payload = opened(signer, cursor)?;
    let parts: Vec<&str> = payload.split(SEPARATOR).collect();
    let filter_key = audit_filter_key(filter);
    match parts[..] {
        ["audit", key, id] if key == filter_key => Uuid::try_parse(id).map_err(|_| foreign()),
        _ => Err(foreign()),
    }
}

fn opened(signer: &dyn CursorSigner, cursor: &str) -> Result<String, AppError> {
    signer
        .open(cursor)
        .and_then(|payload| String::from_utf8(payload).ok())
        .ok_or_else(foreign)
}

fn user_filter_key(filter: &UserFilter) -> String {
    [
        filter
            .email_prefix
            .as_deref()
            .map(str::to_lowercase)
            .unwrap_or_default(),
        filter
            .role
            .map(|role| role.as_str())
            .unwrap_or_default()
            .to_owned(),
        filter
            .status
            .map(|status| status.as_str())
            .unwrap_or_default()
            .to_owned(),
    ]
    .join(&FILTER_SEPARATOR.to_string())
}

fn audit_filter_key(filter: &AuditFilter) -> String {
    [
        filter.subject.map(|id| id.to_string()).unwrap_or_default(),
        filter
            .action
            .map(AuditAction::as_str)
            .unwrap_or_default()
            .to_owned(),
    ]
    .join(&FILTER_SEPARATOR.to_string())
}

fn foreign() -> AppError {
    AppError::Rejected(Rejection::ForeignCursor)
}

#[cfg(test)]
mod tests {
    use domain::ports::MockCursorSigner;
    use domain::user::Role;
    use time::macros::datetime;

    use super::*;

    /// A signer that "seals" by hex-encoding and opens only its own output.
    fn signer() -> MockCursorSigner {
        let mut signer = MockCursorSigner::new();
        signer
            .expect_seal()
            .returning(|payload| payload.iter().map(|b| format!("{b:02x}")).collect());
        signer.expect_open().returning(|cursor| {
            (0..cursor.len())
                .step_by(2)
                .map(|i| {
                    cursor
                        .get(i..i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                })
                .collect()
        });
        signer
    }

    fn filter() -> UserFilter {
        UserFilter {
            email_prefix: Some("Ada".to_owned()),
            role: Some(Role::Admin),
            status: None,
        }
    }

    #[test]
    fn a_user_cursor_gives_back_its_position_for_the_same_filter() {
        let position = UserPosition {
            created_at: datetime!(2026-11-27 09:00:00.123456789 UTC),
            id: UserId::generate(),
        };
        let signer = signer();
        let cursor = user_cursor(&signer, &filter(), position);

        let same_but_case = UserFilter {
            email_prefix: Some("ADA".to_owned()),
            ..filter()
        };

        assert_eq!(
            user_position(&signer, &filter(), &cursor).ok(),
            Some(position)
        );
        assert_eq!(
            user_position(&signer, &same_but_case, &cursor).ok(),
            Some(position)
        );
    }

    #[test]
    fn a_cursor_of_another_filter_or_listing_or_a_forged_one_is_refused() {
        let signer = signer();
        let position = UserPosition {
            created_at: datetime!(2026-11-27 09:00 UTC),
            id: UserId::generate(),
        };
        let cursor = user_cursor(&signer, &filter(), position);
        let audit = audit_cursor(&signer, &AuditFilter::default(), Uuid::now_v7());
        let other_filter = UserFilter {
            role: Some(Role::User),
            ..filter()
        };

        for (cursor, filter) in [
            (cursor.as_str(), other_filter),
            (audit.as_str(), filter()),
            ("zz", filter()),
            ("", filter()),
        ] {
            let refused = user_position(&signer, &filter, cursor);
            assert!(
                matches!(&refused, Err(AppError::Rejected(Rejection::ForeignCursor))),
                "{refused:?}"
            );
        }
        assert!(audit_position(&signer, &AuditFilter::default(), &cursor).is_err());
        assert!(audit_position(&signer, &AuditFilter::default(), &audit).is_ok());
    }
}
