//! Counting attempts, so that guessing passwords or opening accounts in
//! bulk gets slower the more it is tried.

use std::net::IpAddr;

use time::Duration;

use crate::user::Email;

/// What is being counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThrottleScope {
    /// Failed sign-ins for one email address, whether or not it has an
    /// account (so that a lockout tells nothing about existence).
    LoginAccount,
    /// Failed sign-ins from one client address.
    LoginIp,
    /// Registrations from one client address.
    RegisterIp,
}

impl ThrottleScope {
    /// The scope as stored.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginAccount => "login_account",
            Self::LoginIp => "login_ip",
            Self::RegisterIp => "register_ip",
        }
    }
}

/// One counter: a scope and what it counts for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThrottleKey {
    scope: ThrottleScope,
    subject: String,
}

impl ThrottleKey {
    /// Failed sign-ins for this address, in any letter case.
    #[must_use]
    pub fn login_account(email: &Email) -> Self {
        Self {
            scope: ThrottleScope::LoginAccount,
            subject: email.as_str().to_lowercase(),
        }
    }

    /// Failed sign-ins from this client address.
    #[must_use]
    pub fn login_ip(ip: IpAddr) -> Self {
        Self {
            scope: ThrottleScope::LoginIp,
            subject: ip.to_string(),
        }
    }

    /// Registrations from this client address.
    #[must_use]
    pub fn register_ip(ip: IpAddr) -> Self {
        Self {
            scope: ThrottleScope::RegisterIp,
            subject: ip.to_string(),
        }
    }

    /// What is counted.
    #[must_use]
    pub fn scope(&self) -> ThrottleScope {
        self.scope
    }

    /// Whom it is counted for: an address in lower case, or an IP address.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }
}

/// When counted attempts turn into a lock, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    /// Attempts allowed in a window before the first lock.
    pub threshold: u32,
    /// How long attempts are remembered after the first of a series.
    pub window: Duration,
    /// The first lock; each further attempt doubles it.
    pub base_lock: Duration,
    /// The longest lock.
    pub max_lock: Duration,
}

impl ThrottleRule {
    /// How long to lock after the `attempts`-th attempt of a window: none
    /// below the threshold, then `base_lock`, doubling with every further
    /// attempt, up to `max_lock`.
    #[must_use]
    pub fn lock_after(&self, attempts: u32) -> Option<Duration> {
        let over = attempts.checked_sub(self.threshold)?;
        let doubled = 2_i32
            .checked_pow(over)
            .and_then(|factor| self.base_lock.checked_mul(factor));
        Some(doubled.map_or(self.max_lock, |lock| lock.min(self.max_lock)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> ThrottleRule {
        ThrottleRule {
            threshold: 5,
            window: Duration::hours(1),
            base_lock: Duration::seconds(30),
            max_lock: Duration::minutes(15),
        }
    }

    #[test]
    fn locks_grow_from_the_threshold_and_stop_at_the_maximum() {
        let locks: Vec<_> = (1..=12).map(|n| rule().lock_after(n)).collect();

        assert_eq!(&locks[..4], &[None; 4]);
        assert_eq!(locks[4], Some(Duration::seconds(30)));
        assert_eq!(locks[5], Some(Duration::seconds(60)));
        assert_eq!(locks[6], Some(Duration::seconds(120)));
        assert_eq!(locks[11], Some(Duration::minutes(15)));
        assert_eq!(rule().lock_after(u32::MAX), Some(Duration::minutes(15)));
    }

    #[test]
    fn the_account_key_ignores_letter_case() {
        let upper = Email::parse("ADA@Example.com").expect("valid");
        let lower = Email::parse("ada@example.com").expect("valid");

        assert_eq!(
            ThrottleKey::login_account(&upper),
            ThrottleKey::login_account(&lower)
        );
        assert_eq!(
            ThrottleKey::login_account(&upper).subject(),
            "ada@example.com"
        );
    }
}
