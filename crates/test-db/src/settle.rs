//! Letting the background work of the harness catch up, for benchmarks
//! that time one hand-over at a time.

use crate::dropper;
use crate::error::OrPanic;
use crate::ready;
use crate::runtime::on_shared_runtime;
use crate::server::require_database_url;

/// Waits until the drops started so far have ended and the stock of clones
/// made ahead of need is full.
pub async fn settle() {
    require_database_url();
    on_shared_runtime(async {
        dropper::settled().await;
        ready::until_full().await
    })
    .await
    .or_panic();
}
