//! The use cases' outcomes as OpenTelemetry counters, each series there
//! from the start at zero.

use domain::outcome::{AuthOperation, AuthOutcome, PurgedKind, TransactionOutcome};
use domain::ports::Outcomes;
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Meter};

/// Counts what the use cases report.
pub(crate) struct CountedOutcomes {
    auth: Counter<u64>,
    transactions: Counter<u64>,
    purged: Counter<u64>,
}

impl CountedOutcomes {
    pub(crate) fn new(meter: &Meter) -> Self {
        let counted = Self {
            auth: meter
                .u64_counter("doorman.auth.attempts")
                .with_unit("{attempt}")
                .with_description("Authentication attempts, by operation and outcome")
                .build(),
            transactions: meter
                .u64_counter("doorman.transaction.attempts")
                .with_unit("{attempt}")
                .with_description("Attempts at a request's unit of work, by how each ended")
                .build(),
            purged: meter
                .u64_counter("doorman.purge.deleted")
                .with_unit("{row}")
                .with_description("Rows the purge deleted, by table")
                .build(),
        };
        for operation in AuthOperation::ALL {
            for outcome in AuthOutcome::ALL {
                counted.auth.add(0, &auth_attributes(operation, outcome));
            }
        }
        for outcome in TransactionOutcome::ALL {
            counted
                .transactions
                .add(0, &[transaction_attribute(outcome)]);
        }
        for kind in PurgedKind::ALL {
            counted.purged.add(0, &[table_attribute(kind)]);
        }
        counted
    }
}

impl Outcomes for CountedOutcomes {
    fn auth_attempt(&self, operation: AuthOperation, outcome: AuthOutcome) {
        self.auth.add(1, &auth_attributes(operation, outcome));
    }

    fn transaction_attempt(&self, outcome: TransactionOutcome) {
        self.transactions.add(1, &[transaction_attribute(outcome)]);
    }

    fn purged(&self, kind: PurgedKind, rows: u64) {
        self.purged.add(rows, &[table_attribute(kind)]);
    }
}

fn auth_attributes(operation: AuthOperation, outcome: AuthOutcome) -> [KeyValue; 2] {
    let operation = match operation {
        AuthOperation::Register => "register",
        AuthOperation::Login => "login",
        AuthOperation::Refresh => "refresh",
        AuthOperation::Logout => "logout",
        AuthOperation::LogoutAll => "logout_all",
        AuthOperation::PasswordChange => "password_change",
    };
    let outcome = match outcome {
        AuthOutcome::Success => "success",
        AuthOutcome::WrongCredentials => "wrong_credentials",
        AuthOutcome::Locked => "locked",
        AuthOutcome::RateLimited => "rate_limited",
        AuthOutcome::Disabled => "disabled",
        AuthOutcome::Forbidden => "forbidden",
        AuthOutcome::ReuseDetected => "reuse_detected",
        AuthOutcome::InvalidToken => "invalid_token",
        AuthOutcome::Rejected => "rejected",
        AuthOutcome::EmailTaken => "email_taken",
        AuthOutcome::Invalid => "invalid",
        AuthOutcome::NotFound => "not_found",
        AuthOutcome::Conflict => "conflict",
        AuthOutcome::Contention => "contention",
        AuthOutcome::Unavailable => "unavailable",
        AuthOutcome::OutcomeUnknown => "outcome_unknown",
        AuthOutcome::Internal => "internal",
    };
    [
        KeyValue::new("operation", operation),
        KeyValue::new("outcome", outcome),
    ]
}

fn transaction_attribute(outcome: TransactionOutcome) -> KeyValue {
    let outcome = match outcome {
        TransactionOutcome::Committed => "committed",
        TransactionOutcome::RolledBack => "rolled_back",
        TransactionOutcome::NotStarted => "not_started",
        TransactionOutcome::RetriedSerialization => "retried_serialization",
        TransactionOutcome::RetriedDeadlock => "retried_deadlock",
        TransactionOutcome::RetriedStalePlan => "retried_stale_plan",
        TransactionOutcome::Exhausted => "exhausted",
        TransactionOutcome::OutcomeUnknown => "outcome_unknown",
    };
    KeyValue::new("outcome", outcome)
}

fn table_attribute(kind: PurgedKind) -> KeyValue {
    let table = match kind {
        PurgedKind::Sessions => "sessions",
        PurgedKind::Devices => "device_tokens",
        PurgedKind::Throttles => "throttles",
        PurgedKind::AuditEvents => "audit_events",
    };
    KeyValue::new("table", table)
}
