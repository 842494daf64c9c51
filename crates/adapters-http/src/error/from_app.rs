use app::error::{AppError, AuthFailure, Conflict, Rejection};
use domain::user::AccountField;

use super::{ApiError, ErrorKind, FieldIssue};
use crate::fields::wire_name;

/// What a cursor that is not one of the listing's is told.
pub(crate) const FOREIGN_CURSOR: &str = "is not a cursor of this listing; start again without one";

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Unauthenticated(AuthFailure::InvalidCredentials) => Self::new(
                ErrorKind::Authentication,
                AuthFailure::InvalidCredentials.to_string(),
            ),
            AppError::Unauthenticated(failure) => Self::invalid_token(failure.to_string()),
            AppError::Forbidden(reason) => Self::new(ErrorKind::Forbidden, reason.to_string()),
            AppError::NotFound(what) => Self::new(ErrorKind::NotFound, format!("no such {what}")),
            AppError::Conflict(conflict @ Conflict::LastAdmin) => {
                Self::new(ErrorKind::Conflict, conflict.to_string())
            }
            AppError::Conflict(Conflict::EmailTaken) => Self::new(
                ErrorKind::Conflict,
                "this email address is already registered",
            )
            .with_details(vec![FieldIssue::new(
                wire_name(AccountField::Email),
                "is already registered",
            )]),
            // The rule's name is a detail of the schema: log it only.
            AppError::Conflict(conflict @ Conflict::Store(_)) => Self::new(
                ErrorKind::Conflict,
                "the request conflicts with the current state",
            )
            .with_source(conflict),
            AppError::Invalid {
                field,
                problem,
                source,
            } => Self::refused_value(field, problem).with_source(source),
            AppError::PreconditionFailed { current } => Self::new(
                ErrorKind::PreconditionFailed,
                format!(
                    "the resource changed since the version in If-Match; it is now at version {current}"
                ),
            ),
            AppError::Rejected(rejection) => Self::rejected(rejection),
            AppError::RateLimited { retry_after } => {
                let seconds = u64::try_from(retry_after.whole_seconds())
                    .unwrap_or(1)
                    .max(1);
                Self::rate_limited(
                    format!("too many attempts; try again in {seconds} seconds"),
                    seconds,
                )
            }
            AppError::Unavailable(source) => Self::new(
                ErrorKind::ServiceUnavailable,
                "the service is temporarily unavailable; try again later",
            )
            .with_source(source),
            AppError::Contention(source) => Self::new(
                ErrorKind::ServiceUnavailable,
                "the request kept conflicting with concurrent ones; try again later",
            )
            .with_source(source),
            AppError::OutcomeUnknown(source) => Self::new(
                ErrorKind::ServiceUnavailable,
                "the database connection was lost while saving; the change may or may not \
                 have been made, so check before repeating it",
            )
            .with_source(source),
            AppError::Internal(source) => Self::internal(source),
        }
    }
}

impl ApiError {
    /// A 400 for a value the store refused, naming its field when the
    /// store says which account field it was for.
    fn refused_value(field: Option<AccountField>, problem: &str) -> Self {
        match field {
            Some(field) => Self::validation(vec![FieldIssue::new(wire_name(field), problem)]),
            None => Self::new(
                ErrorKind::Validation,
                format!("a value of the request {problem}"),
            ),
        }
    }

    /// A 400 on the request field that a use case refused.
    fn rejected(rejection: Rejection) -> Self {
        let (field, message) = match rejection {
            Rejection::WeakPassword(reason) => (wire_name(AccountField::Password), reason),
            Rejection::WeakNewPassword(reason) => ("newPassword", reason),
            Rejection::UnchangedPassword => (
                "newPassword",
                "must differ from the current password".to_owned(),
            ),
            Rejection::WrongCurrentPassword => {
                ("currentPassword", "is not the current password".to_owned())
            }
            Rejection::ForeignCursor => ("cursor", FOREIGN_CURSOR.to_owned()),
        };
        Self::validation(vec![FieldIssue::new(field, message)])
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;
    use actix_web::http::StatusCode;
    use app::error::Forbidden;
    use domain::error::{Conflict as StoreConflict, InvalidData};

    use super::*;

    /// The store's refusal of a display name too long for its column.
    fn refused_display_name() -> AppError {
        AppError::from(domain::error::RepoError::Invalid(InvalidData {
            column: Some("display_name".to_owned()),
            field: Some(AccountField::DisplayName),
            problem: "is too long",
        }))
    }

    #[test]
    fn every_use_case_failure_has_its_status() {
        let cases = [
            (
                AppError::Unauthenticated(AuthFailure::InvalidCredentials),
                StatusCode::UNAUTHORIZED,
            ),
            (
                AppError::Unauthenticated(AuthFailure::TokenExpired),
                StatusCode::UNAUTHORIZED,
            ),
            (
                AppError::Forbidden(Forbidden::AccountDisabled),
                StatusCode::FORBIDDEN,
            ),
            (AppError::NotFound("user"), StatusCode::NOT_FOUND),
            (
                AppError::PreconditionFailed { current: 3 },
                StatusCode::PRECONDITION_FAILED,
            ),
            (
                AppError::Rejected(Rejection::WeakNewPassword(
                    "is too easy to guess".to_owned(),
                )),
                StatusCode::BAD_REQUEST,
            ),
            (
                AppError::RateLimited {
                    retry_after: time::Duration::seconds(30),
                },
                StatusCode::TOO_MANY_REQUESTS,
            ),
            (
                AppError::Unauthenticated(AuthFailure::RefreshTokenReused),
                StatusCode::UNAUTHORIZED,
            ),
            (
                AppError::Conflict(Conflict::EmailTaken),
                StatusCode::CONFLICT,
            ),
            (refused_display_name(), StatusCode::BAD_REQUEST),
            (
                AppError::from(domain::error::RepoError::Conflict(
                    StoreConflict::Reference {
                        constraint: "sessions_user_id_fkey".to_owned(),
                    },
                )),
                StatusCode::CONFLICT,
            ),
            (
                AppError::Unavailable("down".into()),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                AppError::Contention("could not serialize".into()),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                AppError::OutcomeUnknown("connection reset".into()),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                AppError::Internal("bug".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ];
        for (error, status) in cases {
            assert_eq!(ApiError::from(error).status_code(), status);
        }
    }

    #[test]
    fn internal_causes_and_constraint_names_stay_out_of_the_message() {
        let internal = ApiError::from(AppError::Internal("relation users does not exist".into()));
        let conflict = ApiError::from(AppError::from(domain::error::RepoError::Conflict(
            StoreConflict::Unique {
                constraint: "users_secret_key".to_owned(),
            },
        )));

        assert!(!internal.to_string().contains("relation"));
        assert!(internal.cause().is_some());
        assert!(!conflict.to_string().contains("users_secret_key"));
    }

    #[test]
    fn a_rate_limit_says_how_long_to_wait_in_its_header() {
        let response = ApiError::from(AppError::RateLimited {
            retry_after: time::Duration::seconds(42),
        })
        .error_response();

        assert_eq!(
            response.headers().get("retry-after").map(|v| v.as_bytes()),
            Some(&b"42"[..])
        );
    }

    #[test]
    fn a_refused_value_names_its_field_in_the_contract_s_spelling() {
        let error = ApiError::from(refused_display_name());

        assert_eq!(
            error.to_string(),
            "ValidationError: displayName: is too long"
        );
    }

    #[test]
    fn each_refusal_names_the_field_of_the_request_it_is_about() {
        let cases = [
            (
                Rejection::WeakPassword("is too short".to_owned()),
                "password",
            ),
            (
                Rejection::WeakNewPassword("is too short".to_owned()),
                "newPassword",
            ),
            (Rejection::UnchangedPassword, "newPassword"),
            (Rejection::WrongCurrentPassword, "currentPassword"),
            (Rejection::ForeignCursor, "cursor"),
        ];
        for (rejection, field) in cases {
            let error = ApiError::from(AppError::Rejected(rejection));
            assert_eq!(error.0.details[0].field(), field);
        }
    }
}
