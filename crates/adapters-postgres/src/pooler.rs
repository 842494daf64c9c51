//! Running behind a transaction pooler (PgBouncer in transaction mode),
//! where a client owns a server connection only from `BEGIN` to its end.
//! Every statement then runs inside an explicit transaction, prepared
//! unnamed, and the session limits are set anew in each transaction: a
//! statement outside one may reach another client's server connection
//! between its Parse and its Bind, and a session setting would stay behind
//! for whoever uses that connection next.

use std::sync::Arc;
use std::time::Duration;

use sqlx::AssertSqlSafe;

/// What sits between the service and PostgreSQL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Pooler {
    /// Nothing, or a pooler in session mode: each connection is one server
    /// session for its whole life.
    #[default]
    None,
    /// A pooler in transaction mode.
    Transaction,
}

/// The session limits as the statement that sets them for one transaction,
/// sent with its `BEGIN`.
#[derive(Debug, Clone)]
pub(crate) struct TransactionLimits(Arc<str>);

impl TransactionLimits {
    pub(crate) fn new(
        statement_timeout: Duration,
        lock_timeout: Duration,
        idle_in_transaction_timeout: Duration,
    ) -> Self {
        let limits = [
            ("statement_timeout", statement_timeout),
            ("lock_timeout", lock_timeout),
            (
                "idle_in_transaction_session_timeout",
                idle_in_transaction_timeout,
            ),
        ]
        .iter()
        .map(|(name, limit)| format!("SET LOCAL {name} = '{}ms'", limit.as_millis()))
        .collect::<Vec<_>>()
        .join("; ");
        Self(limits.into())
    }

    /// `begin` followed by the limits, as one message to the server.
    pub(crate) fn after(&self, begin: &str) -> AssertSqlSafe<String> {
        // Only our own statement and numbers: nothing a caller wrote.
        AssertSqlSafe(format!("{begin}; {}", self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_follow_the_begin_in_one_message() {
        let limits = TransactionLimits::new(
            Duration::from_millis(1500),
            Duration::from_millis(250),
            Duration::from_secs(7),
        );

        assert_eq!(
            limits.after("BEGIN READ ONLY").0,
            "BEGIN READ ONLY; SET LOCAL statement_timeout = '1500ms'; \
             SET LOCAL lock_timeout = '250ms'; \
             SET LOCAL idle_in_transaction_session_timeout = '7000ms'"
        );
    }
}
