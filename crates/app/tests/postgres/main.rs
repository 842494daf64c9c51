//! The transaction runner over the real PostgreSQL adapter: conflicts and
//! deadlocks that PostgreSQL itself detects are retried until both units
//! commit, and no further than the policy allows.

mod conflicts;
