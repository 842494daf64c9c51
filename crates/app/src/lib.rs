//! Doorman's use cases. Each service method is one thing a client can ask
//! for; it parses nothing (it takes domain values), decides the rules, draws
//! the transaction boundaries and reaches the world only through the
//! domain's ports.
//!
//! This crate must not depend on SQL, HTTP or an async runtime (time passes
//! through the [`Clock`](domain::ports::Clock) port): services are
//! unit-tested against the mockall fakes of the ports.

#![deny(missing_docs)]

pub mod admin;
pub mod auth;
mod caller;
pub mod error;
pub mod housekeeping;
pub mod pagination;
pub mod transaction;
pub mod users;

#[cfg(test)]
mod fixtures;
