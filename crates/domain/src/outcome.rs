//! What the use cases report of how their work ended, for the operators'
//! counters: closed sets, so that every value can be counted from start-up
//! and none can carry data.

/// An attempt to prove or change who the caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthOperation {
    /// Opening an account.
    Register,
    /// Signing in with a password.
    Login,
    /// Exchanging a refresh token for a new pair.
    Refresh,
    /// Ending the caller's session.
    Logout,
    /// Ending every session of the caller.
    LogoutAll,
    /// Changing the caller's password.
    PasswordChange,
}

impl AuthOperation {
    /// Every operation, once.
    pub const ALL: [Self; 6] = [
        Self::Register,
        Self::Login,
        Self::Refresh,
        Self::Logout,
        Self::LogoutAll,
        Self::PasswordChange,
    ];
}

/// How an authentication attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthOutcome {
    /// It did what was asked.
    Success,
    /// An unknown address, a wrong password or a wrong current password.
    WrongCredentials,
    /// The address or the client is locked after too many failures.
    Locked,
    /// Too many attempts of another kind (registrations from one client).
    RateLimited,
    /// The account is disabled.
    Disabled,
    /// The caller may not do this.
    Forbidden,
    /// A replaced refresh token came back: its session was ended.
    ReuseDetected,
    /// A token that is malformed, forged, expired or of an ended session.
    InvalidToken,
    /// A value the rules refuse (a guessable or unchanged password).
    Rejected,
    /// The address belongs to another account.
    EmailTaken,
    /// The store refused a value of the request.
    Invalid,
    /// What the request names does not exist.
    NotFound,
    /// The request contradicts what is stored.
    Conflict,
    /// Concurrent work kept winning.
    Contention,
    /// The store or the hasher is down or saturated.
    Unavailable,
    /// The connection broke during the commit.
    OutcomeUnknown,
    /// A bug or a broken invariant.
    Internal,
}

impl AuthOutcome {
    /// Every outcome, once.
    pub const ALL: [Self; 17] = [
        Self::Success,
        Self::WrongCredentials,
        Self::Locked,
        Self::RateLimited,
        Self::Disabled,
        Self::Forbidden,
        Self::ReuseDetected,
        Self::InvalidToken,
        Self::Rejected,
        Self::EmailTaken,
        Self::Invalid,
        Self::NotFound,
        Self::Conflict,
        Self::Contention,
        Self::Unavailable,
        Self::OutcomeUnknown,
        Self::Internal,
    ];
}

/// How one attempt at a unit of work ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionOutcome {
    /// Its work succeeded and it committed.
    Committed,
    /// Its work failed and it was rolled back, for good.
    RolledBack,
    /// It could not begin: the store was unreachable or saturated.
    NotStarted,
    /// It lost a serialization conflict and runs again.
    RetriedSerialization,
    /// It lost a deadlock and runs again.
    RetriedDeadlock,
    /// A cached plan went stale under it and it runs again.
    RetriedStalePlan,
    /// It lost a conflict with no attempt left.
    Exhausted,
    /// The connection broke during its commit.
    OutcomeUnknown,
}

impl TransactionOutcome {
    /// Every outcome, once.
    pub const ALL: [Self; 8] = [
        Self::Committed,
        Self::RolledBack,
        Self::NotStarted,
        Self::RetriedSerialization,
        Self::RetriedDeadlock,
        Self::RetriedStalePlan,
        Self::Exhausted,
        Self::OutcomeUnknown,
    ];
}

/// What the purge removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PurgedKind {
    /// Ended and expired sessions.
    Sessions,
    /// Expired device tokens.
    Devices,
    /// Attempt counters whose window and lock are over.
    Throttles,
    /// Audit events past their retention.
    AuditEvents,
}

impl PurgedKind {
    /// Every kind, once.
    pub const ALL: [Self; 4] = [
        Self::Sessions,
        Self::Devices,
        Self::Throttles,
        Self::AuditEvents,
    ];
}
