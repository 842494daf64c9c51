//! Drops in the background, off the path of the test that is ending.
//!
//! A drop still pending when the process ends is finished by the next
//! process's sweep ([`owner`](crate::owner)).

use std::sync::{LazyLock, Mutex, PoisonError};

use tokio::task::JoinSet;

use crate::report::report;
use crate::runtime::runtime;
use crate::server::drop_database;

fn pending() -> &'static Mutex<JoinSet<()>> {
    static PENDING: LazyLock<Mutex<JoinSet<()>>> = LazyLock::new(|| Mutex::new(JoinSet::new()));
    &PENDING
}

/// Drops `database` on the shared runtime, from any thread, without waiting.
pub(crate) fn drop_later(database: String) {
    let mut pending = pending().lock().unwrap_or_else(PoisonError::into_inner);
    // Forgets the drops that have ended.
    while pending.try_join_next().is_some() {}
    pending.spawn_on(
        async move {
            if let Err(failure) = drop_database(&database).await {
                report(&failure);
            }
        },
        runtime().handle(),
    );
}

/// Waits for every drop started so far.
pub(crate) async fn settled() {
    let mut started =
        std::mem::take(&mut *pending().lock().unwrap_or_else(PoisonError::into_inner));
    while started.join_next().await.is_some() {}
}
