//! Passwords as typed and as stored.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A password as typed at sign-in: 1 to 256 characters, taken as is (no
/// trimming, no truncation).
///
/// Sign-in accepts any length the hasher can take, so that tightening the
/// rules for new passwords never locks out an existing account. It never
/// prints: `Debug` shows a placeholder, and there is no `Display`.
pub struct Password(SecretString);

/// A password chosen for an account: a [`Password`] that also meets the
/// rules for new passwords (at least 10 characters).
#[derive(Debug)]
pub struct NewPassword(Password);

/// Why a text is not an acceptable password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Nothing at all.
    #[error("must not be empty")]
    Empty,
    /// Shorter than [`NewPassword::MIN_CHARS`].
    #[error("must be at least {} characters", NewPassword::MIN_CHARS)]
    TooShort,
    /// Longer than [`Password::MAX_CHARS`].
    #[error("must be at most {} characters", Password::MAX_CHARS)]
    TooLong,
}

impl Password {
    /// The longest password, in characters; longer ones are refused rather
    /// than silently cut, and the bound caps the hasher's work.
    pub const MAX_CHARS: usize = 256;

    /// Accepts a password typed at sign-in.
    ///
    /// # Errors
    ///
    /// [`PasswordError`] when it is empty or too long.
    pub fn parse(raw: String) -> Result<Self, PasswordError> {
        match raw.chars().count() {
            0 => Err(PasswordError::Empty),
            n if n > Self::MAX_CHARS => Err(PasswordError::TooLong),
            _ => Ok(Self(SecretString::from(raw))),
        }
    }

    /// The password itself, for the hasher only.
    #[must_use]
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([REDACTED])")
    }
}

impl NewPassword {
    /// The shortest acceptable new password, in characters.
    pub const MIN_CHARS: usize = 10;

    /// Accepts a password chosen for an account.
    ///
    /// # Errors
    ///
    /// [`PasswordError`] names the first rule it breaks.
    pub fn parse(raw: String) -> Result<Self, PasswordError> {
        let password = Password::parse(raw)?;
        if password.expose().chars().count() < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        Ok(Self(password))
    }

    /// The password, to hash it.
    #[must_use]
    pub fn as_password(&self) -> &Password {
        &self.0
    }
}

/// A password hash in PHC string format (`$argon2id$v=19$...`).
///
/// The store keeps it and the hasher reads it; it never prints.
#[derive(Clone)]
pub struct PasswordHash(SecretString);

/// A text that is not in PHC string format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a PHC-format password hash")]
pub struct PasswordHashError;

impl PasswordHash {
    /// Wraps a PHC string produced by a password hasher.
    ///
    /// Only the outline is checked (`$<algorithm>$...`); the hasher that
    /// reads it checks the rest.
    ///
    /// # Errors
    ///
    /// [`PasswordHashError`] when the text is not shaped like a PHC string.
    pub fn parse(phc: String) -> Result<Self, PasswordHashError> {
        let mut fields = phc.split('$');
        let shaped = fields.next() == Some("")
            && fields.next().is_some_and(|id| {
                !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            && fields.next().is_some();
        if shaped {
            Ok(Self(SecretString::from(phc)))
        } else {
            Err(PasswordHashError)
        }
    }

    /// The PHC string, for the hasher and the store only.
    #[must_use]
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl PartialEq for PasswordHash {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for PasswordHash {}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_new_passwords_of_ten_to_256_characters_as_typed() {
        for raw in ["0123456789", " padded password ", &"é".repeat(256)] {
            let password = NewPassword::parse(raw.to_owned()).expect(raw);
            assert_eq!(password.as_password().expose(), raw);
        }
    }

    #[test]
    fn refuses_new_passwords_out_of_bounds_without_truncating() {
        for (raw, error) in [
            (String::new(), PasswordError::Empty),
            ("012345678".to_owned(), PasswordError::TooShort),
            ("x".repeat(257), PasswordError::TooLong),
        ] {
            assert_eq!(NewPassword::parse(raw).map(drop), Err(error));
        }
    }

    #[test]
    fn sign_in_accepts_short_passwords_but_not_empty_or_overlong_ones() {
        assert_eq!(
            Password::parse("short".to_owned()).map(|p| p.expose().to_owned()),
            Ok("short".to_owned())
        );
        assert_eq!(
            Password::parse(String::new()).map(drop),
            Err(PasswordError::Empty)
        );
        assert_eq!(
            Password::parse("x".repeat(257)).map(drop),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn never_prints_its_secret() {
        let password = NewPassword::parse("correct horse battery".to_owned()).expect("valid");
        assert!(!format!("{password:?}").contains("horse"));
        let hash = PasswordHash::parse("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned())
            .expect("valid");
        assert!(!format!("{hash:?}").contains("argon2id"));
    }

    #[test]
    fn hash_must_look_like_a_phc_string() {
        for raw in ["", "argon2id$v=19", "$", "$$x", "$argon2id"] {
            assert_eq!(
                PasswordHash::parse(raw.to_owned()).map(drop),
                Err(PasswordHashError),
                "{raw}"
            );
        }
        assert!(
            PasswordHash::parse("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()).is_ok()
        );
    }
}
