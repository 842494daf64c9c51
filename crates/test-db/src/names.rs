//! Names of the databases this crate makes, and how they appear in SQL.

use uuid::Uuid;

/// A new database name: `doorman_<kind>_<time-ordered id>`, within
/// PostgreSQL's 63 bytes.
pub(crate) fn unique(kind: &str) -> String {
    format!("doorman_{kind}_{}", Uuid::now_v7().simple())
}

/// `name` as a quoted SQL identifier.
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_fit_in_an_identifier() {
        let (first, second) = (unique("test"), unique("test"));
        assert_ne!(first, second);
        assert!(first.starts_with("doorman_test_"));
        assert!(first.len() <= 63, "{first}");
    }

    #[test]
    fn quoting_doubles_embedded_quotes() {
        assert_eq!(quoted("plain"), "\"plain\"");
        assert_eq!(quoted("a\"b"), "\"a\"\"b\"");
    }
}
