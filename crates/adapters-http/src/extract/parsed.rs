//! Request fields parsed into their domain values as the request is read,
//! so that each is parsed once; the validator then gathers the problems of
//! every field into one 400.

use std::fmt::{self, Display};

use domain::audit::AuditAction;
use domain::device::DeviceToken;
use domain::password::{NewPassword, Password};
use domain::session::RefreshToken;
use domain::user::{DisplayName, Email, Role, UserId, UserStatus};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;
use validator::ValidationError;

use crate::error::{ApiError, ErrorKind};

/// A field parsed into `T` while the request is read, or what is wrong
/// with it. Mark it `#[validate(custom(function = "Parsed::check"))]` so
/// that the validator reports the problem with the other fields'.
#[derive(Debug)]
pub(crate) struct Parsed<T>(Result<T, String>);

/// How a field's text becomes a value.
pub(crate) trait FromField: Sized {
    /// The value, or what is wrong with the text, in words for a person.
    fn from_field(text: String) -> Result<Self, String>;
}

impl<T> Parsed<T> {
    /// The rule the validator runs: the field parsed.
    pub(crate) fn check(&self) -> Result<(), ValidationError> {
        match &self.0 {
            Ok(_) => Ok(()),
            Err(problem) => {
                Err(ValidationError::new("invalid").with_message(problem.clone().into()))
            }
        }
    }

    /// The value; once the validator passed the request, every field holds
    /// one.
    pub(crate) fn into_value(self) -> Result<T, ApiError> {
        self.0
            .map_err(|problem| ApiError::new(ErrorKind::Validation, problem))
    }
}

impl<'de, T: FromField> Deserialize<'de> for Parsed<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| Self(T::from_field(text)))
    }
}

/// The validator keeps the value of a failed field as a parameter of its
/// error; a field may hold a password, so nothing is kept.
impl<T> Serialize for Parsed<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

/// The domain's parser's error, in its own words.
fn problem(error: impl Display) -> String {
    error.to_string()
}

impl FromField for Email {
    fn from_field(text: String) -> Result<Self, String> {
        Self::parse(&text).map_err(problem)
    }
}

impl FromField for DisplayName {
    fn from_field(text: String) -> Result<Self, String> {
        Self::parse(&text).map_err(problem)
    }
}

impl FromField for Password {
    fn from_field(text: String) -> Result<Self, String> {
        Self::parse(text).map_err(problem)
    }
}

impl FromField for NewPassword {
    fn from_field(text: String) -> Result<Self, String> {
        Self::parse(text).map_err(problem)
    }
}

impl FromField for RefreshToken {
    fn from_field(text: String) -> Result<Self, String> {
        Self::parse(&text).map_err(problem)
    }
}

impl FromField for DeviceToken {
    fn from_field(text: String) -> Result<Self, String> {
        Self::parse(&text).map_err(problem)
    }
}

impl FromField for Role {
    fn from_field(text: String) -> Result<Self, String> {
        text.parse().map_err(problem)
    }
}

impl FromField for UserStatus {
    fn from_field(text: String) -> Result<Self, String> {
        text.parse().map_err(problem)
    }
}

impl FromField for UserId {
    fn from_field(text: String) -> Result<Self, String> {
        Uuid::try_parse(&text)
            .map(Self::from)
            .map_err(|_| "must be a UUID".to_owned())
    }
}

impl FromField for AuditAction {
    fn from_field(text: String) -> Result<Self, String> {
        Self::parse(&text).ok_or_else(|| format!("must be one of {}", KnownActions))
    }
}

/// Every action the trail records, for the message that lists them.
struct KnownActions;

impl Display for KnownActions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, action) in AuditAction::ALL.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            f.write_str(action.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use validator::Validate;

    use super::*;

    #[derive(Deserialize, Validate)]
    struct Body {
        #[validate(custom(function = "Parsed::check"))]
        email: Parsed<Email>,
        #[validate(custom(function = "Parsed::check"))]
        role: Option<Parsed<Role>>,
    }

    fn body(value: serde_json::Value) -> Body {
        serde_json::from_value(value).expect("deserialises")
    }

    #[test]
    fn a_field_is_parsed_once_as_it_is_read_and_handed_over_as_its_value() {
        let body = body(json!({"email": "Ada@Example.com", "role": "admin"}));

        assert!(body.validate().is_ok());
        let email = body.email.into_value().expect("parsed");
        assert_eq!(email.as_str(), "Ada@Example.com");
        assert_eq!(
            body.role.map(Parsed::into_value).transpose().ok(),
            Some(Some(Role::Admin))
        );
    }

    #[test]
    fn every_field_that_does_not_parse_is_reported_with_the_parsers_words() {
        let errors = body(json!({"email": "not an address", "role": "root"}))
            .validate()
            .expect_err("invalid");

        let fields = errors.field_errors();
        let message = |field: &str| fields[field][0].message.as_deref().map(str::to_owned);
        assert_eq!(
            message("email").as_deref(),
            Some("must be a valid email address")
        );
        assert_eq!(
            message("role").as_deref(),
            Some("must be one of: user, admin")
        );
        assert_eq!(fields["email"][0].params["value"], serde_json::Value::Null);
    }

    #[test]
    fn an_unknown_action_lists_the_known_ones() {
        let problem = AuditAction::from_field("user.nothing".to_owned()).expect_err("unknown");

        assert!(
            problem.starts_with("must be one of user.register, auth.login, "),
            "{problem}"
        );
        assert!(problem.ends_with("user.admin_bootstrapped"), "{problem}");
    }
}
