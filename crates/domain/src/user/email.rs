use std::fmt;

/// An email address: trimmed, at most 254 characters, in the syntax that
/// HTML forms accept (`local@domain`), with a domain of at least two labels.
///
/// It keeps the letter case the user typed; accounts compare addresses
/// without regard to case, which the store enforces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Why a text is not an [`Email`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing but whitespace.
    #[error("must not be empty")]
    Empty,
    /// Longer than [`Email::MAX_CHARS`] after trimming.
    #[error("must be at most {} characters", Email::MAX_CHARS)]
    TooLong,
    /// Not of the form `local@domain.tld`.
    #[error("must be a valid email address")]
    Invalid,
}

impl Email {
    /// The longest address that fits in an SMTP forward path.
    pub const MAX_CHARS: usize = 254;
    const MAX_LOCAL_CHARS: usize = 64;
    const MAX_LABEL_CHARS: usize = 63;

    /// Parses a user-supplied address, trimming surrounding whitespace.
    ///
    /// # Errors
    ///
    /// [`EmailError`] names the first rule the text breaks.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::Invalid)?;
        if is_valid_local_part(local) && is_valid_domain(domain) {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(EmailError::Invalid)
        }
    }

    /// The address as typed (trimmed).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_valid_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    let is_atext = |c: char| c.is_ascii_alphanumeric() || SPECIALS.contains(c);
    (1..=Email::MAX_LOCAL_CHARS).contains(&local.len())
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(is_atext))
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let is_label = |label: &&str| {
        (1..=Email::MAX_LABEL_CHARS).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    // A numeric top-level label would make `a@1.2.3.4` an address.
    let top_level_has_letter = labels
        .last()
        .is_some_and(|tld| tld.chars().any(|c| c.is_ascii_alphabetic()));
    labels.len() >= 2 && labels.iter().all(is_label) && top_level_has_letter
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_ordinary_addresses_and_keeps_their_case() {
        for raw in [
            "ada@example.com",
            "Ada.Lovelace@Example.COM",
            "first+tag@sub.example.co.uk",
            "o'brien@example.ie",
            "x@a-b.io",
        ] {
            assert_eq!(Email::parse(raw).map(|e| e.0), Ok(raw.to_owned()), "{raw}");
        }
    }

    #[test]
    fn trims_surrounding_whitespace() {
        assert_eq!(
            Email::parse("  ada@example.com\n").map(|e| e.0),
            Ok("ada@example.com".to_owned())
        );
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for raw in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "ada@exa mple.com",
            "a da@example.com",
            ".ada@example.com",
            "ada.@example.com",
            "a..da@example.com",
            "ada@-example.com",
            "ada@example-.com",
            "ada@example..com",
            "ada@1.2.3.4",
            "adä@example.com",
            "ada@exämple.com",
            "<ada@example.com>",
        ] {
            assert_eq!(Email::parse(raw), Err(EmailError::Invalid), "{raw}");
        }
    }

    #[test]
    fn rejects_empty_and_blank() {
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
        assert_eq!(Email::parse(" \t "), Err(EmailError::Empty));
    }

    #[test]
    fn enforces_the_length_limits() {
        let domain = format!(
            "{}.{}.{}.com",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63)
        );
        let longest = format!(
            "{}@{domain}",
            "l".repeat(Email::MAX_CHARS - domain.len() - 1)
        );
        assert_eq!(longest.len(), Email::MAX_CHARS);
        assert!(Email::parse(&longest).is_ok());
        assert_eq!(
            Email::parse(&format!("l{longest}")),
            Err(EmailError::TooLong)
        );
        let long_local = format!("{}@example.com", "l".repeat(65));
        assert_eq!(Email::parse(&long_local), Err(EmailError::Invalid));
        let long_label = format!("ada@{}.com", "d".repeat(64));
        assert_eq!(Email::parse(&long_label), Err(EmailError::Invalid));
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_accepted_values_are_stable(raw in "\\PC{0,300}") {
            if let Ok(email) = Email::parse(&raw) {
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
                prop_assert!(email.as_str().len() <= Email::MAX_CHARS);
            }
        }

        #[test]
        fn accepts_generated_valid_addresses(
            local in "[a-z0-9_+-]{1,20}(\\.[a-z0-9_+-]{1,20}){0,2}",
            domain in "[a-z0-9]{1,20}(\\.[a-z0-9]{1,20}){0,2}\\.[a-z]{2,6}",
        ) {
            let raw = format!("{local}@{domain}");
            prop_assert_eq!(Email::parse(&raw).map(|e| e.0), Ok(raw));
        }
    }
}
