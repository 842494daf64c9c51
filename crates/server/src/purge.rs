//! The periodic purge of ended sessions, spent attempt counters and audit
//! events past their retention.

use std::time::Duration;

use app::housekeeping::Housekeeping;
use tokio::time::MissedTickBehavior;

/// Purges every `interval`, starting after one interval, until aborted. A
/// failed purge is logged and tried again at the next tick.
pub(crate) async fn every(interval: Duration, housekeeping: Housekeeping) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    // After a stall, one purge catches up with everything.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match housekeeping.purge().await {
            Ok(purged)
                if purged.sessions + purged.devices + purged.throttles + purged.audit_events
                    > 0 =>
            {
                tracing::info!(
                    purged.sessions = purged.sessions,
                    purged.devices = purged.devices,
                    purged.throttles = purged.throttles,
                    purged.audit_events = purged.audit_events,
                    "purged ended sessions, expired device tokens, spent attempt counters and old audit events"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "the purge failed; it will run again"),
        }
    }
}
