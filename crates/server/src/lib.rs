//! Doorman's server: reads the configuration, sets up logging, wires the
//! adapters to the use cases and serves HTTP until told to stop.
//!
//! The binary (`doorman`) is a thin `main` around [`Application`], which the
//! black-box tests start on a random port.

mod admin_command;
mod application;
mod clock;
mod config;
mod migrate_command;
mod purge;
mod shutdown;
mod telemetry;
mod wiring;

pub use admin_command::create_admin;
pub use application::Application;
pub use config::{
    AdminCommand, Cli, Command, Config, Listen, LogFormat, MigrateCommand, OtlpProtocol,
};
pub use migrate_command::run_migrate;
pub use shutdown::Shutdown;
pub use telemetry::{Tracing, init_telemetry, json_log_layer};
