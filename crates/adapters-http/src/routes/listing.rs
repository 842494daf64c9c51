//! What every paginated listing reads from its query string.

use app::pagination::MAX_PAGE_SIZE;

use crate::error::{ApiError, FieldIssue};

/// Items per page when the client does not say.
const DEFAULT_PAGE_SIZE: u32 = 20;

/// Cursors the service makes are far shorter; longer is not one of ours.
const MAX_CURSOR_CHARS: usize = 1024;

/// `limit`: 1 to 100, 20 when absent.
pub(super) fn limit(raw: Option<&str>) -> Result<u32, ApiError> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_PAGE_SIZE);
    };
    raw.parse::<u32>()
        .ok()
        .filter(|limit| (1..=MAX_PAGE_SIZE).contains(limit))
        .ok_or_else(|| {
            ApiError::validation(vec![FieldIssue::new(
                "limit",
                format!("must be a whole number from 1 to {MAX_PAGE_SIZE}"),
            )])
        })
}

/// `cursor`: as the previous page gave it.
pub(super) fn cursor(raw: String) -> Result<String, ApiError> {
    if raw.is_empty() || raw.len() > MAX_CURSOR_CHARS {
        return Err(ApiError::validation(vec![FieldIssue::new(
            "cursor",
            "is not a cursor of this listing; start again without one",
        )]));
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_is_a_whole_number_from_1_to_100_and_20_by_default() {
        assert_eq!(limit(None).ok(), Some(20));
        assert_eq!(limit(Some("1")).ok(), Some(1));
        assert_eq!(limit(Some("100")).ok(), Some(100));
        for bad in ["0", "101", "-1", "2.5", "", "ten", "99999999999"] {
            assert!(limit(Some(bad)).is_err(), "{bad}");
        }
    }
}
