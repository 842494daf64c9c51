//! Query strings: known parameters only, each valid by its rules.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::error::QueryPayloadError;
use actix_web::web::Query;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::{ApiError, FieldIssue};

/// A query string without unknown or repeated parameters, whose
/// parameters are valid by their rules.
pub(crate) struct ValidatedQuery<T>(pub T);

impl<T: DeserializeOwned + Validate> FromRequest for ValidatedQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(validated(request.query_string()).map(Self))
    }
}

fn validated<T: DeserializeOwned + Validate>(query: &str) -> Result<T, ApiError> {
    let Query(parameters) = Query::<T>::from_query(query)
        .map_err(|error| ApiError::validation(vec![FieldIssue::new("query", problem(&error))]))?;
    parameters.validate()?;
    Ok(parameters)
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
