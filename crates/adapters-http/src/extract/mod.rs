//! Extractors that turn requests into checked values, failing with the
//! contract's errors.

mod bearer;
mod json;

pub(crate) use bearer::Authenticated;
pub(crate) use json::ValidatedJson;
