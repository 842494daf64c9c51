//! Black-box tests: the real service on a random port against a real
//! PostgreSQL, driven over HTTP as a client would.

mod concurrency;
mod database_down;
mod health;
mod helpers;
mod login;
mod malformed;
mod me;
mod register;
mod users;
