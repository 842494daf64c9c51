//! How tests are isolated: by the template (the default), or by a fresh
//! database with every migration applied for each test, to compare with.

use std::env;
use std::sync::OnceLock;

const VARIABLE: &str = "DOORMAN_TEST_DB_ISOLATION";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isolation {
    Template,
    Fresh,
}

/// The isolation `DOORMAN_TEST_DB_ISOLATION` asks for, read once.
pub(crate) fn isolation() -> Isolation {
    static ISOLATION: OnceLock<Isolation> = OnceLock::new();
    *ISOLATION.get_or_init(|| {
        let value = env::var(VARIABLE).unwrap_or_default();
        parse(&value).unwrap_or_else(|| {
            panic!("{VARIABLE} is `{value}`; expected `template` (the default) or `fresh`")
        })
    })
}

fn parse(value: &str) -> Option<Isolation> {
    match value {
        "" | "template" => Some(Isolation::Template),
        "fresh" => Some(Isolation::Fresh),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_the_default_and_unknown_values_are_refused() {
        assert_eq!(parse(""), Some(Isolation::Template));
        assert_eq!(parse("template"), Some(Isolation::Template));
        assert_eq!(parse("fresh"), Some(Isolation::Fresh));
        assert_eq!(parse("Fresh"), None);
    }
}
