//! Failures of work that no test awaits.

use crate::error::Failure;

#[expect(
    clippy::print_stderr,
    reason = "nobody awaits the work that failed, so standard error is the only place to report it"
)]
pub(crate) fn report(failure: &Failure) {
    eprintln!("test-db: {failure}");
}
