//! Sign-in sessions and the refresh tokens that keep them going.

mod refresh_token;

pub(crate) use refresh_token::parse_id_and_secret;

pub use refresh_token::{MalformedRefreshToken, RefreshSecret, RefreshToken, SecretDigest};

use std::net::IpAddr;

use time::{Duration, OffsetDateTime};

use crate::id::uuid_v7_id;
use crate::user::UserId;

uuid_v7_id! {
    /// The identifier of a session: a UUID v7, also the `sid` claim of its
    /// access tokens and the first half of its refresh tokens.
    SessionId
}

/// A live session as its owner may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The session's identifier.
    pub id: SessionId,
    /// The account signed in.
    pub user_id: UserId,
    /// When the sign-in happened.
    pub created_at: OffsetDateTime,
    /// When a refresh token of the session was last used.
    pub last_used_at: OffsetDateTime,
    /// When the session ends unless it is used again: the earlier of its
    /// absolute end and its idle timeout.
    pub expires_at: OffsetDateTime,
    /// The `User-Agent` of the sign-in, cut to a sane length.
    pub user_agent: Option<String>,
    /// The client address of the sign-in.
    pub ip: Option<IpAddr>,
}

/// A session about to be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Its identifier.
    pub id: SessionId,
    /// The account signing in.
    pub user_id: UserId,
    /// The digest of its first refresh secret.
    pub digest: SecretDigest,
    /// The sign-in time.
    pub now: OffsetDateTime,
    /// How long the session may live and idle.
    pub lifetime: SessionLifetime,
    /// The `User-Agent` of the sign-in.
    pub user_agent: Option<String>,
    /// The client address of the sign-in.
    pub ip: Option<IpAddr>,
}

/// How long sessions live, and how long a replaced refresh token still
/// works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetime {
    /// The most a session lives after sign-in, however often it is used.
    pub absolute: Duration,
    /// How long a session lives without a refresh.
    pub idle: Duration,
    /// How long after a rotation the replaced token still yields a pair
    /// for the same session (two tabs refreshing at once, a retried
    /// request), instead of counting as reuse.
    pub grace: Duration,
}

/// The idle expiry moves in steps of this share of the idle timeout.
const EXPIRY_STEPS_PER_IDLE_TIMEOUT: i32 = 100;

impl SessionLifetime {
    /// When a session used at `now` ends if it is not used again.
    #[must_use]
    pub fn expiry(&self, created_at: OffsetDateTime, now: OffsetDateTime) -> OffsetDateTime {
        (created_at + self.absolute).min(now + self.idle)
    }

    /// The least a use moves the idle expiry by. A use that would move it
    /// less leaves it where it is, so a session may end up to one step
    /// before the idle timeout after its last use, never after; in
    /// exchange most refreshes leave the expiry's index alone, and
    /// PostgreSQL rewrites the row in place (a HOT update) instead of
    /// adding an entry to every index of the table.
    #[must_use]
    pub fn expiry_step(&self) -> Duration {
        self.idle / EXPIRY_STEPS_PER_IDLE_TIMEOUT
    }
}

/// A refresh: replace the presented secret with a new one, if the
/// presented one is still good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The session named by the presented token.
    pub session_id: SessionId,
    /// The digest of the presented secret.
    pub presented: SecretDigest,
    /// The digest of the secret that replaces it.
    pub replacement: SecretDigest,
    /// The time of the refresh.
    pub now: OffsetDateTime,
    /// The policy the session runs under.
    pub lifetime: SessionLifetime,
}

/// Why a session ended before its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// Its owner signed out of it.
    Logout,
    /// Its owner signed out everywhere.
    LogoutAll,
    /// Its owner ended it from the list of sessions.
    EndedByOwner,
    /// Its owner changed the password from another session.
    PasswordChanged,
    /// A refresh token of it was used twice: it may have been stolen.
    RefreshReuse,
    /// An administrator disabled the account.
    AccountDisabled,
    /// The account's role changed: its tokens carry the old one.
    RoleChanged,
}

impl EndReason {
    /// The reason as stored.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::LogoutAll => "logout_all",
            Self::EndedByOwner => "ended_by_owner",
            Self::PasswordChanged => "password_changed",
            Self::RefreshReuse => "refresh_reuse",
            Self::AccountDisabled => "account_disabled",
            Self::RoleChanged => "role_changed",
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_session_ends_at_its_idle_timeout_or_its_absolute_end_whichever_is_first() {
        let lifetime = SessionLifetime {
            absolute: Duration::days(30),
            idle: Duration::days(7),
            grace: Duration::seconds(10),
        };
        let created = datetime!(2026-11-01 00:00 UTC);

        assert_eq!(
            lifetime.expiry(created, created + Duration::days(1)),
            created + Duration::days(8)
        );
        assert_eq!(
            lifetime.expiry(created, created + Duration::days(29)),
            created + Duration::days(30)
        );
    }

    #[test]
    fn the_idle_expiry_moves_in_hundredths_of_the_idle_timeout() {
        let lifetime = SessionLifetime {
            absolute: Duration::days(30),
            idle: Duration::days(7),
            grace: Duration::seconds(10),
        };

        assert_eq!(lifetime.expiry_step(), Duration::seconds(6048));
    }
}
