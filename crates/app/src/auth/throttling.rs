//! Attempt counting shared by the use cases that can be abused by
//! repetition: sign-in, password change, registration.

use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::ports::{TransactionOptions, UnitOfWork};
use domain::throttle::{ThrottleKey, ThrottleRule};
use domain::user::{Email, UserId};
use time::{Duration, OffsetDateTime};

use super::AuthService;
use crate::error::AppError;
use crate::transaction::UnitError;

/// A failed sign-in, to count and record.
pub(super) struct FailedLogin<'a> {
    /// The address tried.
    pub email: &'a Email,
    /// Its account, when there is one.
    pub user: Option<UserId>,
    /// Why it failed, for the audit trail.
    pub detail: &'static str,
    /// Where it came from.
    pub origin: &'a Origin,
}

impl AuthService {
    /// The sign-in counters of this address and client.
    pub(super) fn login_keys(email: &Email, origin: &Origin) -> Vec<ThrottleKey> {
        let mut keys = vec![ThrottleKey::login_account(email)];
        keys.extend(origin.ip.map(ThrottleKey::login_ip));
        keys
    }

    /// Refuses at once when any of `keys` is locked.
    ///
    /// # Errors
    ///
    /// [`AppError::RateLimited`] with the time left on the longest lock.
    pub(super) async fn ensure_unlocked(&self, keys: &[ThrottleKey]) -> Result<(), AppError> {
        let now = self.ports.clock.now();
        match self.ports.throttles.locked_until(keys, now).await? {
            Some(until) => Err(rate_limited(until - now)),
            None => Ok(()),
        }
    }

    /// Counts a failed sign-in against its address and its client, locks
    /// whichever crossed its threshold, and records it all in the trail.
    pub(super) async fn record_failed_login(
        &self,
        failure: &FailedLogin<'_>,
    ) -> Result<(), AppError> {
        let now = self.ports.clock.now();
        let account = ThrottleKey::login_account(failure.email);
        let ip = failure.origin.ip.map(ThrottleKey::login_ip);
        let policy = self.policy;
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let mut event = AuditEvent::new(AuditAction::LoginFailed, now, failure.origin)
                    .detail(failure.detail);
                let mut lockouts = Vec::new();
                if count_attempt(unit, &account, &policy.login_per_account, now).await? {
                    lockouts.push("email_locked");
                }
                if let Some(ip) = &ip
                    && count_attempt(unit, ip, &policy.login_per_ip, now).await?
                {
                    lockouts.push("ip_locked");
                }
                if let Some(user) = failure.user {
                    event = event.about(user);
                }
                unit.audit().record(&event).await?;
                for detail in lockouts {
                    let mut lockout =
                        AuditEvent::new(AuditAction::Lockout, now, failure.origin).detail(detail);
                    lockout.subject = failure.user;
                    unit.audit().record(&lockout).await?;
                }
                Ok(())
            })
            .await
    }
}

/// Counts one attempt of `key` and locks it when `rule` says so. Returns
/// whether this attempt started or lengthened a lock.
pub(super) async fn count_attempt(
    unit: &dyn UnitOfWork,
    key: &ThrottleKey,
    rule: &ThrottleRule,
    now: OffsetDateTime,
) -> Result<bool, UnitError> {
    let attempts = unit.throttles().hit(key, now, rule.window).await?;
    match rule.lock_after(attempts) {
        Some(lock) => {
            unit.throttles().lock(key, now + lock).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Too many attempts; try again after `wait`, in whole seconds, at least one.
pub(super) fn rate_limited(wait: Duration) -> AppError {
    let seconds = wait.whole_seconds() + i64::from(wait.subsec_nanoseconds() > 0);
    AppError::RateLimited {
        retry_after: Duration::seconds(seconds.max(1)),
    }
}
