//! What every paginated listing reads from its query string.

use app::pagination::MAX_PAGE_SIZE;

use crate::error::{ApiError, FOREIGN_CURSOR};
use crate::extract::{FromField, Parsed};

/// Items per page when the client does not say.
pub(crate) const DEFAULT_PAGE_SIZE: u32 = 20;

/// Cursors the service makes are far shorter; longer is not one of ours.
const MAX_CURSOR_CHARS: usize = 1024;

/// `limit`: 1 to 100.
#[derive(Debug)]
pub(super) struct PageSize(u32);

impl FromField for PageSize {
    fn from_field(text: String) -> Result<Self, String> {
        text.parse::<u32>()
            .ok()
            .filter(|limit| (1..=MAX_PAGE_SIZE).contains(limit))
            .map(Self)
            .ok_or_else(|| format!("must be a whole number from 1 to {MAX_PAGE_SIZE}"))
    }
}

/// `cursor`: as the previous page gave it.
#[derive(Debug)]
pub(super) struct Cursor(String);

impl FromField for Cursor {
    fn from_field(text: String) -> Result<Self, String> {
        if text.is_empty() || text.len() > MAX_CURSOR_CHARS {
            return Err(FOREIGN_CURSOR.to_owned());
        }
        Ok(Self(text))
    }
}

/// The page size asked for, or the default.
pub(super) fn limit(raw: Option<Parsed<PageSize>>) -> Result<u32, ApiError> {
    Ok(raw
        .map(Parsed::into_value)
        .transpose()?
        .map_or(DEFAULT_PAGE_SIZE, |size| size.0))
}

/// The cursor given, if any.
pub(super) fn cursor(raw: Option<Parsed<Cursor>>) -> Result<Option<String>, ApiError> {
    Ok(raw
        .map(Parsed::into_value)
        .transpose()?
        .map(|cursor| cursor.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_is_a_whole_number_from_1_to_100_and_20_by_default() {
        let parsed = |text: &str| PageSize::from_field(text.to_owned()).map(|size| size.0);

        assert_eq!(limit(None).ok(), Some(20));
        assert_eq!(parsed("1").ok(), Some(1));
        assert_eq!(parsed("100").ok(), Some(100));
        for bad in ["0", "101", "-1", "2.5", "", "ten", "99999999999"] {
            assert!(parsed(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_cursor_is_not_empty_and_not_longer_than_any_of_ours() {
        assert!(Cursor::from_field(String::new()).is_err());
        assert!(Cursor::from_field("c".repeat(MAX_CURSOR_CHARS + 1)).is_err());
        assert!(Cursor::from_field("c".repeat(MAX_CURSOR_CHARS)).is_ok());
    }
}
