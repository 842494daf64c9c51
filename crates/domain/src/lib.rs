//! Doorman's domain: the user account, its sessions, the attempt counters
//! and the audit trail, the values they are made of, and the ports through
//! which the rest of the service reaches storage, password hashing and
//! strength, tokens, time and the reporting of outcomes.
//!
//! Every value here is valid by construction ("parse, don't validate"): the
//! only ways to build one are fallible constructors that enforce the rules of
//! the HTTP contract. This crate must not depend on an async runtime, on
//! HTTP or on SQL; adapters implement its ports and `app` orchestrates them.

#![deny(missing_docs)]

pub mod audit;
pub mod auth;
pub mod device;
pub mod error;
mod id;
pub mod outcome;
pub mod password;
pub mod ports;
pub mod session;
pub mod throttle;
pub mod user;
