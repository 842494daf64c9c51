//! Hashing threads of the hasher's own.
//!
//! Each keeps the memory of its last hash for as long as hashes keep
//! coming: a busy hasher neither allocates nor faults in the 19 MiB of a
//! hash each time, and an idle one gives the memory back to the system.

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use argon2_rust::{Argon2, Hasher};
use domain::ports::HasherError;

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
    jobs: Sender<Job>,
}

impl Workers {
    /// Starts `count` threads.
    pub(super) fn start(count: usize) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..count {
            let queue = Arc::clone(&queue);
            thread::Builder::new()
                .name(format!("password-hash-{index}"))
                .spawn(move || work(&queue))?;
        }
        Ok(Self { jobs })
    }

    /// Queues `job` for the next free thread.
    ///
    /// # Errors
    ///
    /// [`HasherError::Failed`] when every thread has stopped.
    pub(super) fn submit(&self, job: Job) -> Result<(), HasherError> {
        self.jobs
            .send(job)
            .map_err(|_| HasherError::Failed("the password hashing threads have stopped".into()))
    }
}

/// A thread's life: the queue's jobs one after another, the memory
/// released after [`KEEP_MEMORY`] without one. A thread waits on the queue
/// for at most that long, so that each in turn gets to release its memory.
fn work(queue: &Mutex<Receiver<Job>>) {
    let mut memory = Memory::default();
    loop {
        let next = queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv_timeout(KEEP_MEMORY);
        match next {
            // A job that panics loses its answer, which its caller reports
            // as a failure; the thread goes on with fresh memory.
            Ok(job) => {
                if panic::catch_unwind(AssertUnwindSafe(|| job(&mut memory))).is_err() {
                    memory = Memory::default();
                }
            }
            Err(RecvTimeoutError::Timeout) => memory = Memory::default(),
            Err(RecvTimeoutError::Disconnected) => return,
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
        workers
            .submit(Box::new(move |memory| {
                let _ = answer.send(job(memory));
            }))
            .expect("running");
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
    fn a_job_that_panics_leaves_its_thread_working() {
        let workers = Workers::start(1).expect("started");
        workers
            .submit(Box::new(|_| panic!("a failing hash")))
            .expect("queued");

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
