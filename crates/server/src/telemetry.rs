//! Structured logs through `tracing`.

use std::io::IsTerminal as _;

use anyhow::Context as _;
use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

/// Logs to standard output, as JSON lines unless it is a terminal (or as
/// configured), filtered by the configured directives. Panics are logged
/// too, so that they reach the same place as everything else.
///
/// # Errors
///
/// When the filter does not parse or a subscriber is already installed.
pub fn init_telemetry(config: &Config) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(&config.log)
        .with_context(|| format!("DOORMAN_LOG is not a valid filter: {}", config.log))?;
    let json = match config.log_format {
        LogFormat::Json => true,
        LogFormat::Text => false,
        LogFormat::Auto => !std::io::stdout().is_terminal(),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let installed = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
    installed
        .map_err(|error| anyhow::anyhow!(error))
        .context("cannot install the logger")?;
    std::panic::set_hook(Box::new(|panic| {
        tracing::error!(panic = %panic, "panicked");
    }));
    Ok(())
}
