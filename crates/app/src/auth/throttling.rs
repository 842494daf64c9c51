//! Attempt counting shared by the use cases that can be abused by
//! repetition: sign-in, password change, registration.
//!
//! An attempt is counted before it is evaluated, in a unit that holds the
//! counters' rows until it commits: concurrent attempts are counted one
//! after the other, and the attempt that reaches a threshold starts the
//! lock at once, so no more attempts than the threshold are ever evaluated
//! per lock, however many arrive together. An attempt that fails for want
//! of capacity (a busy hasher) stays counted. A success gives its attempt
//! back.

use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::device::DeviceId;
use domain::ports::UnitOfWork;
use domain::throttle::{Attempt, ClientNetworks, ThrottleKey, ThrottleRule};
use domain::user::{Email, UserId};
use time::{Duration, OffsetDateTime};

use super::AuthService;
use crate::error::AppError;
use crate::transaction::UnitError;

/// A counter, the rule it is held to, and what a success does to it.
pub(super) struct Limit {
    pub key: ThrottleKey,
    pub rule: ThrottleRule,
    pub on_success: OnSuccess,
}

/// What a success does to the counter of its attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OnSuccess {
    /// Forgets it: the attempts were the guesses of one account or device,
    /// which the right password ends.
    Clear,
    /// Uncounts this attempt only: many people share a network.
    GiveBack,
    /// Keeps it: a registration counts whether it succeeds or not.
    Keep,
}

/// The attempts one request counted in advance, and the locks they
/// started.
#[derive(Debug, Default)]
pub(super) struct Reserved {
    counted: Vec<Counted>,
}

#[derive(Debug)]
struct Counted {
    key: ThrottleKey,
    on_success: OnSuccess,
    lock: Option<OffsetDateTime>,
}

/// Who the attempt is about, and whence, for the trail of the locks it
/// starts.
pub(super) struct Attempted<'a> {
    pub now: OffsetDateTime,
    pub user: Option<UserId>,
    pub origin: &'a Origin,
}

impl Reserved {
    /// Counts one attempt against every limit, in their order, starting a
    /// lock where a threshold is reached and recording it in the trail.
    /// Returns the time left on a lock instead when one of them is locked:
    /// the unit must then roll back, so that the other limits keep no
    /// count of an attempt that was not made.
    pub(super) async fn take(
        unit: &dyn UnitOfWork,
        limits: &[Limit],
        attempted: &Attempted<'_>,
    ) -> Result<Result<Self, Duration>, UnitError> {
        let now = attempted.now;
        let mut counted = Vec::with_capacity(limits.len());
        for limit in limits {
            let attempts = match unit
                .throttles()
                .reserve(&limit.key, now, limit.rule.window)
                .await?
            {
                Attempt::Counted(attempts) => attempts,
                Attempt::Locked(until) => return Ok(Err(until - now)),
            };
            let lock = limit.rule.lock_after(attempts).map(|lock| now + lock);
            if let Some(until) = lock {
                unit.throttles().lock(&limit.key, until).await?;
                let mut lockout = AuditEvent::new(AuditAction::Lockout, now, attempted.origin)
                    .detail(limit.key.scope().as_str());
                lockout.subject = attempted.user;
                unit.audit().record(&lockout).await?;
            }
            counted.push(Counted {
                key: limit.key.clone(),
                on_success: limit.on_success,
                lock,
            });
        }
        Ok(Ok(Self { counted }))
    }

    /// As [`take`](Self::take), refusing with 429 when a limit is locked.
    pub(super) async fn take_or_refuse(
        unit: &dyn UnitOfWork,
        limits: &[Limit],
        attempted: &Attempted<'_>,
    ) -> Result<Self, UnitError> {
        match Self::take(unit, limits, attempted).await? {
            Ok(reserved) => Ok(reserved),
            Err(wait) => Err(rate_limited(wait).into()),
        }
    }

    /// Settles the attempt as a success, inside the unit that commits it.
    pub(super) async fn succeeded(&self, unit: &dyn UnitOfWork) -> Result<(), UnitError> {
        for counted in &self.counted {
            match counted.on_success {
                OnSuccess::Clear => unit.throttles().clear(&counted.key).await?,
                OnSuccess::GiveBack => {
                    unit.throttles()
                        .give_back(&counted.key, counted.lock)
                        .await?;
                }
                OnSuccess::Keep => {}
            }
        }
        Ok(())
    }
}

/// Too many attempts; try again after `wait`, in whole seconds, at least one.
pub(super) fn rate_limited(wait: Duration) -> AppError {
    let seconds = wait.whole_seconds() + i64::from(wait.subsec_nanoseconds() > 0);
    AppError::RateLimited {
        retry_after: Duration::seconds(seconds.max(1)),
    }
}

impl AuthService {
    /// The limits of a sign-in by a client the account does not know: the
    /// address's, then the client's networks'.
    pub(super) fn stranger_limits(&self, email: &Email, origin: &Origin) -> Vec<Limit> {
        let mut limits = vec![Limit {
            key: ThrottleKey::login_account(email),
            rule: self.policy.login_per_account,
            on_success: OnSuccess::Clear,
        }];
        limits.extend(self.network_limits(
            origin,
            ThrottleKey::login_networks,
            [
                self.policy.login_per_network,
                self.policy.login_per_wide_network,
            ],
            OnSuccess::GiveBack,
        ));
        limits
    }

    /// The limit of a sign-in through a device token.
    pub(super) fn device_limit(&self, device: DeviceId) -> Limit {
        Limit {
            key: ThrottleKey::login_device(device),
            rule: self.policy.login_per_device,
            on_success: OnSuccess::Clear,
        }
    }

    /// The limit of the current passwords tried by an account's sessions.
    pub(super) fn password_change_limit(&self, user: UserId) -> Limit {
        Limit {
            key: ThrottleKey::password_change(user),
            rule: self.policy.login_per_account,
            on_success: OnSuccess::Clear,
        }
    }

    /// The limits of a registration: the client's networks'.
    pub(super) fn registration_limits(&self, origin: &Origin) -> Vec<Limit> {
        self.network_limits(
            origin,
            ThrottleKey::register_networks,
            [
                self.policy.registration_per_network,
                self.policy.registration_per_wide_network,
            ],
            OnSuccess::Keep,
        )
    }

    /// One limit per network of the client, narrow first, with `rules` in
    /// that order; none for a client without an address.
    fn network_limits(
        &self,
        origin: &Origin,
        keys: fn(&ClientNetworks) -> Vec<ThrottleKey>,
        rules: [ThrottleRule; 2],
        on_success: OnSuccess,
    ) -> Vec<Limit> {
        let Some(ip) = origin.ip else {
            return Vec::new();
        };
        keys(&self.policy.networks.of(ip))
            .into_iter()
            .zip(rules)
            .map(|(key, rule)| Limit {
                key,
                rule,
                on_success,
            })
            .collect()
    }
}
