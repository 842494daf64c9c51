//! Failures to prepare or remove a test database. They end the test that
//! met them, naming the step that failed and its cause.

use std::error::Error;
use std::fmt;

pub(crate) type Result<T> = std::result::Result<T, Failure>;

#[derive(Debug)]
pub(crate) struct Failure {
    step: String,
    cause: Box<dyn Error + Send + Sync>,
}

impl Failure {
    /// A failure that no other error caused.
    pub(crate) fn new(step: impl Into<String>, cause: &str) -> Self {
        Self {
            step: step.into(),
            cause: cause.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.step, self.cause)
    }
}

/// Names the step an error comes from.
pub(crate) trait Step<T> {
    fn step(self, step: impl Into<String>) -> Result<T>;
}

impl<T, E: Error + Send + Sync + 'static> Step<T> for std::result::Result<T, E> {
    fn step(self, step: impl Into<String>) -> Result<T> {
        self.map_err(|cause| Failure {
            step: step.into(),
            cause: Box::new(cause),
        })
    }
}

/// Fails the test with the failure's message.
pub(crate) trait OrPanic<T> {
    fn or_panic(self) -> T;
}

impl<T> OrPanic<T> for Result<T> {
    #[track_caller]
    fn or_panic(self) -> T {
        self.unwrap_or_else(|failure| panic!("{failure}"))
    }
}
