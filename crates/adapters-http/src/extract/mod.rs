//! Extractors that turn requests into checked values, failing with the
//! contract's errors.

mod bearer;
mod json;
mod origin;

pub(crate) use bearer::Authenticated;
pub(crate) use json::{ValidatedJson, not_json, too_large};
pub(crate) use origin::RequestOrigin;
