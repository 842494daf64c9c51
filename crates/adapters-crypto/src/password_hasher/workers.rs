//! Hashing threads of the hasher's own.
//!
//! Each keeps the memory of its last hash for as long as hashes keep
//! coming: a busy hasher neither allocates nor faults in the 19 MiB of a
//! hash each time, and an idle one gives the memory back to the system.

use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use argon2_rust::{Argon2, Hasher};

/// How long a thread keeps its memory once no hash comes: long enough
/// to span the gaps of a steady stream of sign-ins.
const KEEP_MEMORY: Duration = Duration::from_secs(1);

/// A hash to compute, with the memory of the thread that runs it.
pub(super) type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// The memory of one hash, kept between hashes: an argon2 hasher and its
/// arena, allocated by the first hash.
#[derive(Default)]
pub(super) struct Memory {
    hasher: Option<Hasher>,
}

impl Memory {
    /// A hasher for `argon2`'s costs, on the arena of the last hash (grown
    /// when these need more). Dropping the memory wipes and frees it.
    pub(super) fn hasher(&mut self, argon2: Argon2) -> &mut Hasher {
        match &mut self.hasher {
            Some(hasher) => {
                hasher.set_argon2(argon2);
                hasher
            }
            empty @ None => empty.insert(argon2.hasher()),
        }
    }
}

/// The threads, fed by one queue. Dropping the last handle stops them once
/// the queue is empty.
#[derive(Clone)]
pub(super) struct Workers {
    closer: Arc<Closer>,
}

/// Held by the handles only, not by the threads: its drop closes the queue.
struct Closer {
    queue: Arc<Queue>,
}

/// The jobs waiting for a thread, and whether the handles are gone.
#[derive(Default)]
struct Queue {
    state: Mutex<Waiting>,
    arrived: Condvar,
}

#[derive(Default)]
struct Waiting {
    jobs: VecDeque<Job>,
    closed: bool,
}

/// What a thread waiting on the queue gets.
enum Next {
    Job(Job),
    Idle,
    Closed,
}

impl Workers {
    /// Starts `count` threads.
    pub(super) fn start(count: usize) -> std::io::Result<Self> {
        let queue = Arc::new(Queue::default());
        for index in 0..count {
            let queue = Arc::clone(&queue);
            thread::Builder::new()
                .name(format!("password-hash-{index}"))
                .spawn(move || work(&queue))?;
        }
        Ok(Self {
            closer: Arc::new(Closer { queue }),
        })
    }

    /// Queues `job` for the next free thread.
    pub(super) fn submit(&self, job: Job) {
        let queue = &self.closer.queue;
        queue.lock().jobs.push_back(job);
        queue.arrived.notify_one();
    }
}

impl Drop for Closer {
    /// The threads finish what is queued, then stop.
    fn drop(&mut self) {
        self.queue.lock().closed = true;
        self.queue.arrived.notify_all();
    }
}

impl Queue {
    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next job, waiting at most [`KEEP_MEMORY`] for one: each thread
    /// times out on its own, so that each releases its memory.
    fn next(&self) -> Next {
        let mut waiting = self.lock();
        loop {
            if let Some(job) = waiting.jobs.pop_front() {
                return Next::Job(job);
            }
            if waiting.closed {
                return Next::Closed;
            }
            let (guard, timeout) = self
                .arrived
                .wait_timeout(waiting, KEEP_MEMORY)
                .unwrap_or_else(PoisonError::into_inner);
            waiting = guard;
            if timeout.timed_out() && waiting.jobs.is_empty() {
                return Next::Idle;
            }
        }
    }
}

/// A thread's life: the queue's jobs one after another, the memory
/// released after [`KEEP_MEMORY`] without one.
fn work(queue: &Queue) {
    let mut memory = Memory::default();
    loop {
        match queue.next() {
            // A job that panics loses its answer, which its caller reports
            // as a failure; the thread goes on with fresh memory.
            Next::Job(job) => {
                if panic::catch_unwind(AssertUnwindSafe(|| job(&mut memory))).is_err() {
                    memory = Memory::default();
                }
            }
            Next::Idle => memory = Memory::default(),
            Next::Closed => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    /// Runs `job` on `workers` and waits for what it sends back.
    fn run<T: Send + 'static>(
        workers: &Workers,
        job: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> T {
        let (answer, answered) = mpsc::channel();
        workers.submit(Box::new(move |memory| {
            let _ = answer.send(job(memory));
        }));
        answered
            .recv_timeout(Duration::from_secs(10))
            .expect("answered")
    }

    fn argon2(memory_kib: u64) -> Argon2 {
        let params = argon2_rust::Params::builder()
            .memory(argon2_rust::params::Memory::kib(memory_kib))
            .passes(1)
            .build()
            .expect("valid");
        Argon2::new(
            argon2_rust::Algorithm::Argon2id,
            argon2_rust::Version::V0x13,
            params,
        )
    }

    #[test]
    fn a_thread_keeps_its_memory_from_one_hash_to_the_next() {
        let workers = Workers::start(1).expect("started");
        let hash = |kib| {
            move |memory: &mut Memory| {
                let hasher = memory.hasher(argon2(kib));
                let before = hasher.reserved_blocks();
                hasher
                    .hash(b"password", b"sixteen byte salt")
                    .expect("hashed");
                (before, hasher.reserved_blocks())
            }
        };

        assert_eq!(run(&workers, hash(64)), (0, 64));
        assert_eq!(run(&workers, hash(64)), (64, 64));
        assert_eq!(run(&workers, hash(128)), (64, 128));
    }

    #[test]
    fn an_idle_thread_gives_its_memory_back() {
        let workers = Workers::start(1).expect("started");
        let reserved = |memory: &mut Memory| {
            let hasher = memory.hasher(argon2(64));
            let before = hasher.reserved_blocks();
            hasher
                .hash(b"password", b"sixteen byte salt")
                .expect("hashed");
            before
        };
        run(&workers, reserved);

        // The idle time itself is what is tested.
        thread::sleep(KEEP_MEMORY + Duration::from_millis(500));

        assert_eq!(run(&workers, reserved), 0);
    }

    #[test]
    fn a_job_that_panics_leaves_its_thread_working() {
        let workers = Workers::start(1).expect("started");
        workers.submit(Box::new(|_| panic!("a failing hash")));

        assert!(
            run(&workers, |memory| {
                memory
                    .hasher(argon2(8))
                    .hash(b"password", b"sixteen byte salt")
            })
            .is_ok()
        );
    }
}
