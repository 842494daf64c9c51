//! Counting attempts, so that guessing passwords or opening accounts in
//! bulk gets slower the more it is tried.

mod network;

pub use network::{ClientNetworks, Network, NetworkPrefixes};

use time::{Duration, OffsetDateTime};

use crate::device::DeviceId;
use crate::user::{Email, UserId};

/// What is being counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThrottleScope {
    /// Sign-ins for one email address by clients it does not know, whether
    /// or not it has an account (so that a lockout tells nothing about
    /// existence).
    LoginAccount,
    /// Sign-ins through one device token.
    LoginDevice,
    /// Sign-ins from one client network.
    LoginNetwork,
    /// Sign-ins from one wider IPv6 network.
    LoginWideNetwork,
    /// Current passwords tried by the sessions of one account.
    PasswordChange,
    /// Registrations from one client network.
    RegisterNetwork,
    /// Registrations from one wider IPv6 network.
    RegisterWideNetwork,
}

impl ThrottleScope {
    /// The scope as stored.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginAccount => "login_account",
            Self::LoginDevice => "login_device",
            Self::LoginNetwork => "login_network",
            Self::LoginWideNetwork => "login_wide_network",
            Self::PasswordChange => "password_change",
            Self::RegisterNetwork => "register_network",
            Self::RegisterWideNetwork => "register_wide_network",
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
    /// Sign-ins for this address, in any letter case.
    #[must_use]
    pub fn login_account(email: &Email) -> Self {
        Self {
            scope: ThrottleScope::LoginAccount,
            subject: email.as_str().to_lowercase(),
        }
    }

    /// Sign-ins through this device token.
    #[must_use]
    pub fn login_device(device: DeviceId) -> Self {
        Self {
            scope: ThrottleScope::LoginDevice,
            subject: device.to_string(),
        }
    }

    /// Current passwords tried for this account.
    #[must_use]
    pub fn password_change(user: UserId) -> Self {
        Self {
            scope: ThrottleScope::PasswordChange,
            subject: user.to_string(),
        }
    }

    /// Sign-ins from these networks: the narrow one's key, then the wide
    /// one's, always in that order, so that concurrent attempts lock the
    /// counters in the same order.
    #[must_use]
    pub fn login_networks(networks: &ClientNetworks) -> Vec<Self> {
        Self::networks(
            networks,
            ThrottleScope::LoginNetwork,
            ThrottleScope::LoginWideNetwork,
        )
    }

    /// Registrations from these networks, in the order of
    /// [`login_networks`](Self::login_networks).
    #[must_use]
    pub fn register_networks(networks: &ClientNetworks) -> Vec<Self> {
        Self::networks(
            networks,
            ThrottleScope::RegisterNetwork,
            ThrottleScope::RegisterWideNetwork,
        )
    }

    fn networks(
        networks: &ClientNetworks,
        narrow: ThrottleScope,
        wide: ThrottleScope,
    ) -> Vec<Self> {
        let mut keys = vec![Self {
            scope: narrow,
            subject: networks.narrow.to_string(),
        }];
        keys.extend(networks.wide.map(|network| Self {
            scope: wide,
            subject: network.to_string(),
        }));
        keys
    }

    /// What is counted.
    #[must_use]
    pub fn scope(&self) -> ThrottleScope {
        self.scope
    }

    /// Whom it is counted for: an address in lower case, a network, or an
    /// identifier.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }
}

/// What counting an attempt in advance found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Counted: the attempts of the current window, this one included.
    Counted(u32),
    /// Not counted, because the key is locked until then.
    Locked(OffsetDateTime),
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

    #[test]
    fn network_keys_come_narrow_first() {
        let networks = NetworkPrefixes::DEFAULT.of("2001:db8:1:2::9".parse().expect("an address"));

        let keys = ThrottleKey::login_networks(&networks);

        let keys: Vec<_> = keys
            .iter()
            .map(|k| (k.scope().as_str(), k.subject()))
            .collect();
        assert_eq!(
            keys,
            [
                ("login_network", "2001:db8:1:2::/64"),
                ("login_wide_network", "2001:db8:1::/48")
            ]
        );
    }
}
