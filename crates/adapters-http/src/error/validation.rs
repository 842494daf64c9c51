//! Validation failures: every offending field, with what is wrong with it.

use serde::Serialize;
use utoipa::ToSchema;
use validator::ValidationErrors;

use super::{ApiError, ErrorKind};

/// One offending field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub(crate) struct FieldIssue {
    /// The field, as the request spells it (`displayName`).
    field: String,
    /// What is wrong with it.
    message: String,
}

impl FieldIssue {
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn field(&self) -> &str {
        &self.field
    }
}

impl ApiError {
    /// A 400 naming every offending field.
    pub(crate) fn validation(issues: Vec<FieldIssue>) -> Self {
        let message = issues
            .iter()
            .map(|issue| format!("{}: {}", issue.field, issue.message))
            .collect::<Vec<_>>()
            .join("; ");
        Self::new(ErrorKind::Validation, message).with_details(issues)
    }
}

impl From<ValidationErrors> for ApiError {
    /// Request bodies and queries are flat: every error is a field's.
    fn from(errors: ValidationErrors) -> Self {
        let mut issues: Vec<FieldIssue> = errors
            .field_errors()
            .into_iter()
            .flat_map(|(field, errors)| {
                errors.iter().map(move |error| {
                    let message = error.message.as_ref().unwrap_or(&error.code);
                    FieldIssue::new(camel_case(&field), message.as_ref())
                })
            })
            .collect();
        issues.sort_by(|a, b| a.field.cmp(&b.field));
        Self::validation(issues)
    }
}

/// Rust's field names (`display_name`) as the JSON names them
/// (`displayName`).
pub(super) fn camel_case(snake: &str) -> String {
    let mut camel = String::with_capacity(snake.len());
    let mut upper_next = false;
    for c in snake.chars() {
        if c == '_' {
            upper_next = true;
        } else if upper_next {
            camel.extend(c.to_uppercase());
            upper_next = false;
        } else {
            camel.push(c);
        }
    }
    camel
}

impl ApiError {
    /// A body that does not parse as JSON.
    pub(crate) fn invalid_json(error: &serde_json::Error) -> Self {
        Self::new(
            ErrorKind::Validation,
            format!("the request body is not valid JSON: {error}"),
        )
    }
}

impl From<serde_path_to_error::Error<serde_json::Error>> for ApiError {
    fn from(error: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let text = inner.to_string();
        match inner.classify() {
            serde_json::error::Category::Data => {
                // serde names unknown, missing and repeated fields in the
                // message, at the path of the object that holds them.
                let named = ["unknown field `", "missing field `", "duplicate field `"]
                    .iter()
                    .find_map(|prefix| {
                        let rest = text.strip_prefix(prefix)?;
                        let (name, _) = rest.split_once('`')?;
                        Some(join_path(&path, name))
                    });
                let problem = text.split(" at line ").next().unwrap_or(&text).to_owned();
                match named.or((path != ".").then_some(path)) {
                    Some(field) => Self::validation(vec![FieldIssue::new(field, problem)]),
                    None => Self::new(ErrorKind::Validation, problem),
                }
            }
            serde_json::error::Category::Syntax
            | serde_json::error::Category::Eof
            | serde_json::error::Category::Io => Self::invalid_json(&inner),
        }
    }
}

/// The path of a field that serde names in its message: serde's path ends
/// at the field for unknown fields and at its parent for missing ones.
fn join_path(path: &str, name: &str) -> String {
    if path == "." {
        name.to_owned()
    } else if path.rsplit('.').next() == Some(name) {
        path.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[expect(dead_code, reason = "the tests only deserialise it")]
    struct Body {
        display_name: String,
        age: u8,
    }

    fn json_error(text: &str) -> ApiError {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize::<_, Body>(&mut deserializer)
            .expect_err("invalid")
            .into()
    }

    #[test]
    fn names_the_field_of_a_type_error() {
        let error = json_error(r#"{"displayName": 5, "age": 1}"#);
        assert_eq!(error.0.details[0].field, "displayName");
        assert!(
            error.0.details[0]
                .message
                .starts_with("invalid type: integer `5`")
        );
    }

    #[test]
    fn a_log_sees_kind_and_fields_but_no_value_and_no_made_up_name() {
        let typed = json_error(r#"{"displayName": "ada@example.com", "age": "x"}"#);
        let made_up = json_error(r#"{"displayName": "a", "age": 1, "ada@example.com": 1}"#);

        assert_eq!(
            (typed.type_name(), typed.fields_for_log().as_str()),
            ("ValidationError", "age")
        );
        assert_eq!(made_up.fields_for_log(), "[unrecognised]");
    }

    #[test]
    fn names_unknown_and_missing_fields() {
        assert_eq!(
            json_error(r#"{"displayName": "a", "age": 1, "admin": true}"#)
                .0
                .details[0]
                .field,
            "admin"
        );
        assert_eq!(
            json_error(r#"{"age": 1}"#).0.details[0].field,
            "displayName"
        );
    }

    #[test]
    fn malformed_json_is_a_validation_error_without_fields() {
        let error = json_error(r#"{"displayName": "#);
        assert_eq!(error.0.kind, ErrorKind::Validation);
        assert!(error.0.details.is_empty());
        assert!(
            error
                .0
                .message
                .starts_with("the request body is not valid JSON")
        );
    }

    #[test]
    fn snake_case_becomes_camel_case() {
        assert_eq!(camel_case("display_name"), "displayName");
        assert_eq!(camel_case("email"), "email");
    }
}
