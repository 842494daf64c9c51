//! Instants derived from the caller's clock and a policy's durations.
//!
//! Checked: a duration so long that the instant leaves the calendar is a
//! misconfiguration, reported as an error rather than a panic.

use domain::error::RepoError;
use time::{Duration, OffsetDateTime};

/// `by` after `at`.
pub(crate) fn after(at: OffsetDateTime, by: Duration) -> Result<OffsetDateTime, RepoError> {
    at.checked_add(by).ok_or_else(|| out_of_range(at, by))
}

/// `by` before `at`.
pub(crate) fn before(at: OffsetDateTime, by: Duration) -> Result<OffsetDateTime, RepoError> {
    at.checked_sub(by).ok_or_else(|| out_of_range(at, by))
}

fn out_of_range(at: OffsetDateTime, by: Duration) -> RepoError {
    RepoError::Internal(format!("{at} moved by {by} is out of range").into())
}
