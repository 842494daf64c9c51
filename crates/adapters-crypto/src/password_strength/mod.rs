//! Password strength: zxcvbn's estimate of how easily a password is
//! guessed, knowing its owner's email address and display name.

mod feedback;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::password::Password;
use domain::ports::{PasswordStrength, WeakPassword};
use domain::user::{DisplayName, Email};
use secrecy::zeroize::Zeroizing;
use zxcvbn::Score;

/// The shortest part of the email address or display name, in letters and
/// digits, that a password may not contain, and the shortest password that
/// may not be part of them: shorter ones match too often by chance. zxcvbn
/// still weighs them.
const MIN_SHARED_CHARS: usize = 4;

const RESEMBLES_OWNER: &str =
    "must not contain your email address or display name, nor be part of them.";

/// The domain's password strength check on zxcvbn.
///
/// A password is refused when zxcvbn scores it below the minimum, with the
/// email address, its local part and the display name (and their words) as
/// known to the attacker, or when it contains the local part or the display
/// name, or is part of them or of the email address.
#[derive(Debug, Clone, Copy)]
pub struct ZxcvbnPasswordStrength {
    min_score: Score,
}

/// A minimum score outside zxcvbn's 0 to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the minimum password score must be from 0 to 4, not {0}")]
pub struct InvalidMinScore(pub u8);

impl ZxcvbnPasswordStrength {
    /// A check that accepts passwords scoring at least `min_score`: 0 (any)
    /// to 4 (more than 10¹⁰ guesses); 3 (more than 10⁸ guesses, enough
    /// against online attacks) is the usual choice.
    ///
    /// # Errors
    ///
    /// [`InvalidMinScore`] when `min_score` is above 4.
    pub fn new(min_score: u8) -> Result<Self, InvalidMinScore> {
        Score::try_from(min_score)
            .map(|min_score| Self { min_score })
            .map_err(|_| InvalidMinScore(min_score))
    }
}

#[async_trait]
impl PasswordStrength for ZxcvbnPasswordStrength {
    async fn check(
        &self,
        password: &Password,
        email: &Email,
        display_name: &DisplayName,
    ) -> Result<(), WeakPassword> {
        let password = Zeroizing::new(password.expose().to_owned());
        let (email, name) = (email.as_str().to_owned(), display_name.as_str().to_owned());
        let strength = *self;
        // Up to tens of milliseconds for a long password: not on a thread
        // that serves requests.
        match tokio::task::spawn_blocking(move || strength.judge(&password, &email, &name)).await {
            Ok(verdict) => verdict,
            Err(failure) => std::panic::resume_unwind(failure.into_panic()),
        }
    }
}

impl ZxcvbnPasswordStrength {
    fn judge(&self, password: &str, email: &str, name: &str) -> Result<(), WeakPassword> {
        let local_part = email.rsplit_once('@').map_or(email, |(local, _)| local);
        if resembles(password, &[local_part, name], &[email, local_part, name]) {
            return Err(WeakPassword(RESEMBLES_OWNER.to_owned()));
        }
        let mut known = vec![email, local_part, name];
        known.extend(words(local_part));
        known.extend(words(name));
        // zxcvbn reads only the first 100 characters, which bounds its time.
        let estimate = zxcvbn::zxcvbn(password, &known);
        if estimate.score() >= self.min_score {
            Ok(())
        } else {
            Err(WeakPassword(feedback::message(estimate.feedback())))
        }
    }
}

/// Whether `password` contains one of `contained` or is part of one of
/// `containing`, ignoring case and everything but letters and digits (so
/// that "Ada Lovelace" matches "ada.lovelace-1815").
fn resembles(password: &str, contained: &[&str], containing: &[&str]) -> bool {
    let password = Zeroizing::new(folded(password));
    let long_enough = |text: &String| text.chars().count() >= MIN_SHARED_CHARS;
    let contains_one = contained
        .iter()
        .map(|part| folded(part))
        .any(|part| long_enough(&part) && password.contains(&part));
    let part_of_one = long_enough(&password)
        && containing
            .iter()
            .any(|whole| folded(whole).contains(password.as_str()));
    contains_one || part_of_one
}

fn folded(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}
