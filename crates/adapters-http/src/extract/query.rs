//! Query strings: known parameters only, each valid by its rules.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::error::QueryPayloadError;
use actix_web::web::Query;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::{ApiError, FieldIssue};

/// A query string without unknown or repeated parameters. Their values are
/// checked when the handler takes them: actix-web polls a handler's
/// extractors together, and a bad value must not answer before the bearer
/// token's session has been checked.
pub(crate) struct QueryParams<T>(T);

impl<T: Validate> QueryParams<T> {
    /// The parameters, once each is valid by its rules; every problem is
    /// reported at once.
    pub(crate) fn into_valid(self) -> Result<T, ApiError> {
        self.0.validate()?;
        Ok(self.0)
    }
}

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parameters = Query::<T>::from_query(request.query_string())
            .map(|Query(parameters)| Self(parameters))
            .map_err(|error| ApiError::validation(vec![FieldIssue::new("query", problem(&error))]));
        ready(parameters)
    }
}

/// What is wrong with a query string, in serde's words (`unknown field
/// `sort``, `duplicate field `limit``), which name the parameter and
/// never echo a value.
fn problem(error: &QueryPayloadError) -> String {
    match error {
        QueryPayloadError::Deserialize(error) => error.to_string(),
        _ => "the query string is malformed".to_owned(),
    }
}
