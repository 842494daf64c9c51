//! Hashing slots with a bounded queue in front of them.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use domain::ports::HasherError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::waiting::Waiting;

/// At most `max_concurrent` holders at a time, and at most `max_queued`
/// requests waiting for one; beyond that, requests are refused at once.
#[derive(Debug)]
pub(super) struct Slots {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_queued: usize,
}

impl Slots {
    pub(super) fn new(max_concurrent: usize, max_queued: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent)),
            waiting: AtomicUsize::new(0),
            max_queued,
        }
    }

    /// A slot, once one is free.
    ///
    /// # Errors
    ///
    /// [`HasherError::Busy`] when no slot is free and the queue is full.
    pub(super) async fn acquire(&self) -> Result<OwnedSemaphorePermit, HasherError> {
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Ok(permit);
        }
        let _waiting =
            Waiting::enter_below(&self.waiting, self.max_queued).ok_or(HasherError::Busy)?;
        Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|error| HasherError::Failed(error.into()))
    }
}

#[cfg(test)]
mod tests {
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;

    /// Polls `future` once: whether it finished without waiting.
    fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(Waker::noop()))
    }

    #[tokio::test]
    async fn requests_beyond_the_queue_are_refused_until_it_drains() {
        let slots = Slots::new(1, 1);
        let held = slots.acquire().await.expect("a free slot");
        let mut queued = pin!(slots.acquire());
        assert!(poll_once(queued.as_mut()).is_pending());

        assert!(matches!(slots.acquire().await, Err(HasherError::Busy)));

        drop(held);
        let held = queued.await.expect("the freed slot");
        let mut queued_again = pin!(slots.acquire());
        assert!(poll_once(queued_again.as_mut()).is_pending());
        drop(held);
        assert!(queued_again.await.is_ok());
    }

    #[tokio::test]
    async fn a_cancelled_request_leaves_the_queue() {
        let slots = Slots::new(1, 1);
        let _held = slots.acquire().await.expect("a free slot");
        {
            let mut cancelled = pin!(slots.acquire());
            assert!(poll_once(cancelled.as_mut()).is_pending());
        }

        let mut queued = pin!(slots.acquire());
        assert!(poll_once(queued.as_mut()).is_pending());
        assert!(matches!(slots.acquire().await, Err(HasherError::Busy)));
    }

    #[tokio::test]
    async fn without_a_queue_only_the_slots_are_served() {
        let slots = Slots::new(2, 0);
        let _first = slots.acquire().await.expect("a free slot");
        let _second = slots.acquire().await.expect("a free slot");

        assert!(matches!(slots.acquire().await, Err(HasherError::Busy)));
    }
}
