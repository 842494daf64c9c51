use crate::outcome::{AuthOperation, AuthOutcome, PurgedKind, TransactionOutcome};

/// Where the use cases report how their work ended; an adapter counts it
/// for the operators. Reporting never fails and never waits.
pub trait Outcomes: Send + Sync {
    /// One authentication attempt ended so.
    fn auth_attempt(&self, operation: AuthOperation, outcome: AuthOutcome);

    /// One attempt at a unit of work ended so.
    fn transaction_attempt(&self, outcome: TransactionOutcome);

    /// The purge removed `rows` of `kind`.
    fn purged(&self, kind: PurgedKind, rows: u64);
}
