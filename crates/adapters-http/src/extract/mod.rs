//! Extractors that turn requests into checked values, failing with the
//! contract's errors, and the request fields they parse.

mod bearer;
mod if_match;
mod json;
mod origin;
mod parsed;
mod query;

pub(crate) use bearer::{Authenticated, AuthenticatedAccount};
pub(crate) use if_match::IfMatch;
pub(crate) use json::{ValidatedJson, not_json, too_large};
pub(crate) use origin::RequestOrigin;
pub(crate) use parsed::{FromField, Parsed};
pub(crate) use query::QueryParams;
