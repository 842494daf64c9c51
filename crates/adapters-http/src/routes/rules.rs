//! The request rules, for the validator crate: each delegates to the
//! domain's parser, so that a rule is written once.

use std::fmt::Display;

use domain::password::{NewPassword, Password};
use domain::session::RefreshToken;
use domain::user::{DisplayName, Email};
use validator::ValidationError;

use crate::error::{ApiError, FieldIssue};

pub(super) fn email(value: &str) -> Result<(), ValidationError> {
    check("email", Email::parse(value))
}

pub(super) fn display_name(value: &str) -> Result<(), ValidationError> {
    check("display_name", DisplayName::parse(value))
}

pub(super) fn new_password(value: &str) -> Result<(), ValidationError> {
    check("new_password", NewPassword::parse(value.to_owned()))
}

pub(super) fn password(value: &str) -> Result<(), ValidationError> {
    check("password", Password::parse(value.to_owned()))
}

pub(super) fn refresh_token(value: &str) -> Result<(), ValidationError> {
    check("refresh_token", RefreshToken::parse(value))
}

fn check<T, E: Display>(code: &'static str, parsed: Result<T, E>) -> Result<(), ValidationError> {
    parsed
        .map(drop)
        .map_err(|error| ValidationError::new(code).with_message(error.to_string().into()))
}

/// A value the validator already accepted, parsed into its domain type.
pub(super) fn parsed<T, E: Display>(field: &str, parsed: Result<T, E>) -> Result<T, ApiError> {
    parsed.map_err(|error| ApiError::validation(vec![FieldIssue::new(field, error.to_string())]))
}
