//! Black-box tests: the real service on a random port against a real
//! PostgreSQL, driven over HTTP as a client would.

mod admin_cli;
mod admin_users;
mod audit;
mod audit_events;
mod body_timeout;
mod client_ip;
mod concurrency;
mod database_down;
mod guessing;
mod hashing;
mod health;
mod helpers;
mod jwks;
mod key_rotation;
mod lockout;
mod log_audit;
mod login;
mod malformed;
mod me;
mod metrics;
mod migrate_cli;
mod openapi;
mod password;
mod refresh;
mod register;
mod rehash;
mod replica;
mod sessions;
mod shutdown;
mod transport;
mod users;
