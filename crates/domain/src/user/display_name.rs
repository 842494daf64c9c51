use std::fmt;

/// The name shown to people: 1 to 100 characters after trimming, with no
/// control characters and no invisible characters that reorder or hide text
/// (bidirectional overrides, zero-width characters), which could make one
/// name pass for another.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DisplayName(String);

/// Why a text is not a [`DisplayName`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisplayNameError {
    /// Nothing but whitespace.
    #[error("must not be empty")]
    Empty,
    /// Longer than [`DisplayName::MAX_CHARS`] after trimming.
    #[error("must be at most {} characters", DisplayName::MAX_CHARS)]
    TooLong,
    /// Holds a control or invisible formatting character.
    #[error("must not contain control or invisible formatting characters")]
    ForbiddenCharacter,
}

impl DisplayName {
    /// The longest name, in characters.
    pub const MAX_CHARS: usize = 100;

    /// Parses a user-supplied name, trimming surrounding whitespace.
    ///
    /// # Errors
    ///
    /// [`DisplayNameError`] names the first rule the text breaks.
    pub fn parse(raw: &str) -> Result<Self, DisplayNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DisplayNameError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(DisplayNameError::TooLong);
        }
        if trimmed.chars().any(is_forbidden) {
            return Err(DisplayNameError::ForbiddenCharacter);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name as stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' // zero-width characters and directional marks
            | '\u{202A}'..='\u{202E}' // bidirectional embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner and invisible operators
            | '\u{2066}'..='\u{2069}' // bidirectional isolates
            | '\u{FEFF}' // byte order mark
        )
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_names_in_any_script_and_trims_them() {
        for (raw, stored) in [
            ("Ada", "Ada"),
            ("  Ada Lovelace ", "Ada Lovelace"),
            ("Zoë 王 Ἀθηνᾶ", "Zoë 王 Ἀθηνᾶ"),
            ("x", "x"),
        ] {
            assert_eq!(DisplayName::parse(raw).map(|n| n.0), Ok(stored.to_owned()));
        }
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(DisplayName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            DisplayName::parse(&"é".repeat(101)),
            Err(DisplayNameError::TooLong)
        );
    }

    #[test]
    fn rejects_blank_names() {
        for raw in ["", "   ", "\t\n"] {
            assert_eq!(DisplayName::parse(raw), Err(DisplayNameError::Empty));
        }
    }

    #[test]
    fn rejects_control_and_invisible_characters() {
        for raw in [
            "Ada\u{0}",
            "A\nda",
            "Ada\u{7F}",
            "Ad\u{202E}a",
            "A\u{200B}da",
        ] {
            assert_eq!(
                DisplayName::parse(raw),
                Err(DisplayNameError::ForbiddenCharacter),
                "{raw:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn accepted_names_are_trimmed_and_within_bounds(raw in "\\PC{0,120}") {
            if let Ok(name) = DisplayName::parse(&raw) {
                prop_assert_eq!(name.as_str(), name.as_str().trim());
                prop_assert!((1..=DisplayName::MAX_CHARS).contains(&name.as_str().chars().count()));
                prop_assert_eq!(DisplayName::parse(name.as_str()), Ok(name));
            }
        }
    }
}
