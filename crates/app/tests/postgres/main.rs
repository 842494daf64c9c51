//! The use cases over the real PostgreSQL adapter: conflicts and deadlocks
//! that PostgreSQL itself detects are retried until both units commit, and
//! no further than the policy allows; the purge removes what has ended,
//! and only that, with several replicas at once; a change made between a
//! use case's read and its write is never lost from the trail.

mod conflicts;
mod housekeeping;
mod read_then_change;
mod support;
