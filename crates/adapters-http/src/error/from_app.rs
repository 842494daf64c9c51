use app::error::{AppError, AuthFailure};
use domain::error::Conflict;

use super::{ApiError, ErrorKind, FieldIssue};

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
            AppError::Conflict(Conflict::EmailTaken) => Self::new(
                ErrorKind::Conflict,
                "this email address is already registered",
            )
            .with_details(vec![FieldIssue::new("email", "is already registered")]),
            // The constraint's name is a detail of the schema: log it only.
            AppError::Conflict(conflict @ Conflict::Other { .. }) => Self::new(
                ErrorKind::Conflict,
                "the request conflicts with the current state",
            )
            .with_source(conflict),
            AppError::Unavailable(source) => Self::new(
                ErrorKind::ServiceUnavailable,
                "the service is temporarily unavailable; try again later",
            )
            .with_source(source),
            AppError::Internal(source) => Self::internal(source),
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;
    use actix_web::http::StatusCode;
    use app::error::Forbidden;

    use super::*;

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
                AppError::Conflict(Conflict::EmailTaken),
                StatusCode::CONFLICT,
            ),
            (
                AppError::Unavailable("down".into()),
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
        let conflict = ApiError::from(AppError::Conflict(Conflict::Other {
            constraint: "users_secret_key".to_owned(),
        }));

        assert!(!internal.to_string().contains("relation"));
        assert!(internal.cause().is_some());
        assert!(!conflict.to_string().contains("users_secret_key"));
    }
}
