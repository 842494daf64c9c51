//! The audit trail: who did what to which account, when, and from where.

use std::net::IpAddr;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::session::SessionId;
use crate::user::{AccountField, UserId};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// An account was opened.
    Register,
    /// A sign-in succeeded and opened a session.
    LoginSucceeded,
    /// A sign-in was refused.
    LoginFailed,
    /// Failed sign-ins locked an address or a client out for a while.
    Lockout,
    /// A replaced refresh token came back: its session was ended.
    RefreshReuse,
    /// A session was signed out of.
    Logout,
    /// Every session of an account was signed out of.
    LogoutAll,
    /// A password was changed and the account's other sessions ended.
    PasswordChanged,
    /// Its owner ended a session from the list of sessions.
    SessionEnded,
    /// An account's profile was changed.
    ProfileUpdated,
    /// An administrator cleared a sign-in lockout.
    Unlock,
    /// An administrator changed an account.
    UserUpdated,
    /// An administrator deleted an account.
    UserDeleted,
    /// An administrator account was created, or an account made one, from
    /// the command line.
    AdminBootstrapped,
}

impl AuditAction {
    /// The action as stored: `<resource>.<verb>`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "user.register",
            Self::LoginSucceeded => "auth.login",
            Self::LoginFailed => "auth.login_failed",
            Self::Lockout => "auth.lockout",
            Self::RefreshReuse => "auth.refresh_reuse",
            Self::Logout => "auth.logout",
            Self::LogoutAll => "auth.logout_all",
            Self::PasswordChanged => "user.password_changed",
            Self::SessionEnded => "session.ended",
            Self::ProfileUpdated => "user.profile_updated",
            Self::Unlock => "user.unlock",
            Self::UserUpdated => "user.updated",
            Self::UserDeleted => "user.deleted",
            Self::AdminBootstrapped => "user.admin_bootstrapped",
        }
    }

    /// Every action, for parsing and listing.
    pub const ALL: [Self; 14] = [
        Self::Register,
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::Lockout,
        Self::RefreshReuse,
        Self::Logout,
        Self::LogoutAll,
        Self::PasswordChanged,
        Self::SessionEnded,
        Self::ProfileUpdated,
        Self::Unlock,
        Self::UserUpdated,
        Self::UserDeleted,
        Self::AdminBootstrapped,
    ];

    /// The action stored as `text`, if it is one.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == text)
    }
}

/// One field an event changed, with its values before and after (`None`
/// where it had none). Never a secret: password changes record no values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field.
    pub field: AccountField,
    /// Its value before.
    pub before: Option<String>,
    /// Its value after.
    pub after: Option<String>,
}

impl FieldChange {
    /// `field` went from `before` to `after`.
    #[must_use]
    pub fn replaced(field: AccountField, before: &str, after: &str) -> Self {
        Self {
            field,
            before: Some(before.to_owned()),
            after: Some(after.to_owned()),
        }
    }

    /// `field` was `before` and is gone.
    #[must_use]
    pub fn removed(field: AccountField, before: &str) -> Self {
        Self {
            field,
            before: Some(before.to_owned()),
            after: None,
        }
    }
}

/// Where a request came from, for the trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The service's own id of the request.
    pub request_id: Option<String>,
    /// The client's own `x-request-id`, kept apart from ours: a client
    /// chooses it, so it proves nothing.
    pub client_request_id: Option<String>,
    /// The client's address, as far as the trusted proxies tell.
    pub ip: Option<IpAddr>,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
}

/// One entry of the trail. It holds identifiers and fixed words only,
/// never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// The entry's identifier (UUID v7).
    pub id: Uuid,
    /// When it happened.
    pub occurred_at: OffsetDateTime,
    /// What happened.
    pub action: AuditAction,
    /// Who did it, when known.
    pub actor: Option<UserId>,
    /// The account it was done to, when known.
    pub subject: Option<UserId>,
    /// The session concerned, if any.
    pub session: Option<SessionId>,
    /// Where the request came from.
    pub origin: Origin,
    /// A fixed word saying more (`wrong_password`, `account_locked`, ...).
    pub detail: Option<&'static str>,
    /// The fields the event changed.
    pub changes: Vec<FieldChange>,
}

/// An event as the trail keeps it, for reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// The entry's identifier (UUID v7, so ordered by time).
    pub id: Uuid,
    /// When it happened.
    pub occurred_at: OffsetDateTime,
    /// What happened, as stored (see [`AuditAction::as_str`]).
    pub action: String,
    /// Who did it, when known.
    pub actor: Option<UserId>,
    /// The account it was done to, when known.
    pub subject: Option<UserId>,
    /// The session concerned, if any.
    pub session: Option<SessionId>,
    /// Where the request came from.
    pub origin: Origin,
    /// A fixed word saying more.
    pub detail: Option<String>,
    /// The fields the event changed.
    pub changes: Vec<FieldChange>,
}

/// Which events a listing shows; every field given must match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The account the events were done to.
    pub subject: Option<UserId>,
    /// The action.
    pub action: Option<AuditAction>,
}

impl Origin {
    /// The longest `User-Agent` kept, in characters; the store holds no
    /// more.
    pub const MAX_USER_AGENT_CHARS: usize = 512;
}

impl AuditEvent {
    /// An event of `action` at `now` from `origin`, with no actor, subject,
    /// session or detail yet.
    #[must_use]
    pub fn new(action: AuditAction, now: OffsetDateTime, origin: &Origin) -> Self {
        Self {
            id: Uuid::now_v7(),
            occurred_at: now,
            action,
            actor: None,
            subject: None,
            session: None,
            origin: origin.clone(),
            detail: None,
            changes: Vec::new(),
        }
    }

    /// The same event, done by `user` to their own account.
    #[must_use]
    pub fn by(self, user: UserId) -> Self {
        Self {
            actor: Some(user),
            subject: Some(user),
            ..self
        }
    }

    /// The same event, concerning `user`'s account.
    #[must_use]
    pub fn about(self, user: UserId) -> Self {
        Self {
            subject: Some(user),
            ..self
        }
    }

    /// The same event, concerning `session`.
    #[must_use]
    pub fn in_session(self, session: SessionId) -> Self {
        Self {
            session: Some(session),
            ..self
        }
    }

    /// The same event, with the fields it changed.
    #[must_use]
    pub fn changing(self, changes: Vec<FieldChange>) -> Self {
        Self { changes, ..self }
    }

    /// The same event, with a fixed word saying more.
    #[must_use]
    pub fn detail(self, detail: &'static str) -> Self {
        Self {
            detail: Some(detail),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_stored_name() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(AuditAction::parse("user.nothing"), None);
    }
}
