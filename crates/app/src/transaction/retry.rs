use std::time::Duration;

/// How often, and after what pauses, a unit of work that lost a conflict
/// is run again.
///
/// The pause before attempt `n` is drawn uniformly from zero to
/// `base_delay * 2^(n-2)`, capped at `max_delay` ("full jitter"): the
/// losers of one conflict spread out instead of colliding again in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl RetryPolicy {
    /// At most `max_attempts` runs in all (at least one), with pauses
    /// growing from `base_delay` up to `max_delay`.
    pub fn new(max_attempts: u32, base_delay: Duration, max_delay: Duration) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            base_delay,
            max_delay: max_delay.max(base_delay),
        }
    }

    /// The most runs of one unit of work, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The pause before attempt `attempt` (2 or more), for a `jitter`
    /// drawn uniformly from `[0, 1)`.
    pub fn pause_before(&self, attempt: u32, jitter: f64) -> Duration {
        let doublings = attempt.saturating_sub(2).min(16);
        let ceiling = self
            .base_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay);
        ceiling.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

impl Default for RetryPolicy {
    /// Four attempts, pauses from 5 ms up to 100 ms.
    fn default() -> Self {
        Self::new(4, Duration::from_millis(5), Duration::from_millis(100))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_from_the_base_up_to_the_cap() {
        let policy = RetryPolicy::new(10, Duration::from_millis(5), Duration::from_millis(30));

        let ceilings: Vec<_> = (2..=6).map(|n| policy.pause_before(n, 1.0)).collect();

        assert_eq!(
            ceilings,
            [5, 10, 20, 30, 30].map(Duration::from_millis).to_vec()
        );
    }

    #[test]
    fn jitter_scales_the_pause_within_its_ceiling() {
        let policy = RetryPolicy::new(3, Duration::from_millis(8), Duration::from_millis(100));

        assert_eq!(policy.pause_before(3, 0.0), Duration::ZERO);
        assert_eq!(policy.pause_before(3, 0.25), Duration::from_millis(4));
        assert_eq!(policy.pause_before(3, 7.0), Duration::from_millis(16));
    }

    #[test]
    fn there_is_always_at_least_one_attempt() {
        assert_eq!(
            RetryPolicy::new(0, Duration::ZERO, Duration::ZERO).max_attempts(),
            1
        );
    }
}
