//! What the tests share: a clock on tokio, and accounts to store.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use domain::outcome::{AuthOperation, AuthOutcome, PurgedKind, TransactionOutcome};
use domain::password::PasswordHash;
use domain::ports::{Clock, Outcomes};
use domain::user::{DisplayName, Email, NewUser, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

pub struct TokioClock;

#[async_trait]
impl Clock for TokioClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// The outcomes of the units of work, in order; the others are not kept.
#[derive(Default)]
pub struct Recorded(Mutex<Vec<TransactionOutcome>>);

impl Recorded {
    pub fn transactions(&self) -> Vec<TransactionOutcome> {
        self.0.lock().expect("outcomes").clone()
    }
}

impl Outcomes for Recorded {
    fn auth_attempt(&self, _: AuthOperation, _: AuthOutcome) {}

    fn transaction_attempt(&self, outcome: TransactionOutcome) {
        self.0.lock().expect("outcomes").push(outcome);
    }

    fn purged(&self, _: PurgedKind, _: u64) {}
}

pub fn user(email: &str) -> NewUser {
    NewUser {
        id: UserId::generate(),
        email: Email::parse(email).expect("valid"),
        display_name: DisplayName::parse("Ada").expect("valid"),
        password_hash: PasswordHash::parse(
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        )
        .expect("valid"),
    }
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}@example.com", Uuid::now_v7().simple())
}
