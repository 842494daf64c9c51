//! The one multi-threaded runtime shared by every test of the process.
//!
//! A socket belongs to the runtime it was opened on and dies with it, and a
//! `#[tokio::test]` runtime dies with its test. Connections meant to serve
//! more than one test (the pools on the maintenance and rollback databases)
//! are therefore opened on this runtime only.

use std::future::Future;
use std::panic::resume_unwind;
use std::sync::OnceLock;
use std::thread;

use tokio::runtime::{Builder, Runtime};

pub(crate) fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .enable_all()
            .thread_name("test-db")
            .build()
            .unwrap_or_else(|error| panic!("cannot start the tests' runtime: {error}"))
    })
}

/// Runs a test's body on the one multi-threaded runtime shared by every test
/// of the process, so that pooled connections can be reused across tests (a
/// `#[tokio::test]` runtime dies with its test and takes its sockets with
/// it). Use as `#[test] fn name() { test_db::run(async { ... }) }`.
pub fn run<F: Future>(future: F) -> F::Output {
    runtime().block_on(future)
}

/// Runs `future` on the shared runtime from any context, a test's own
/// runtime included, and passes its panic on to the caller.
pub(crate) async fn on_shared_runtime<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match runtime().spawn(future).await {
        Ok(output) => output,
        Err(error) => match error.try_into_panic() {
            Ok(panic) => resume_unwind(panic),
            Err(error) => panic!("a task of the tests' runtime was cancelled: {error}"),
        },
    }
}

/// Runs `future` to completion where awaiting is impossible (in `drop`).
///
/// The caller may itself be blocked inside a runtime (`run`, or a
/// `#[tokio::test]`), where blocking on another is refused, so the future
/// runs on the shared runtime from a thread of its own, which the caller
/// waits for.
pub(crate) fn block_on_shared_runtime<F>(future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    thread::scope(|scope| {
        scope
            .spawn(|| runtime().block_on(future))
            .join()
            .unwrap_or_else(|panic| resume_unwind(panic))
    })
}
