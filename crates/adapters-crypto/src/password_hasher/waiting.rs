//! A count of waiting requests that stays right however a wait ends.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts one waiting request for as long as it lives, so that a request
/// cancelled while it waits stops counting too.
pub(super) struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    /// One more request waiting on `count`.
    pub(super) fn enter(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Self(count)
    }

    /// One more request waiting on `count`, unless `limit` wait already.
    pub(super) fn enter_below(count: &'a AtomicUsize, limit: usize) -> Option<Self> {
        count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |waiting| {
                (waiting < limit).then_some(waiting + 1)
            })
            .ok()
            .map(|_| Self(count))
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}
