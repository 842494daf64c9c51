//! Structured logs and traces through `tracing`: log lines to standard
//! output, spans to an OpenTelemetry tracer that exports them over OTLP
//! when a collector is configured.

use std::io::IsTerminal as _;

use anyhow::Context as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing::Subscriber;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer};

use super::{otlp, resource};
use crate::config::{Config, LogFormat};

/// The process's tracing pipeline; [`shut_down`](Self::shut_down) pushes
/// the spans still buffered.
pub struct Tracing {
    provider: SdkTracerProvider,
}

impl Tracing {
    /// Exports every span ended so far.
    ///
    /// # Errors
    ///
    /// When the exporter fails to deliver them.
    pub fn flush(&self) -> anyhow::Result<()> {
        self.provider
            .force_flush()
            .context("cannot export the buffered spans")
    }

    /// Exports what is left and stops the exporter.
    pub fn shut_down(&self) {
        if let Err(error) = self.provider.shutdown() {
            tracing::warn!(error = %error, "the span exporter did not shut down cleanly");
        }
    }
}

/// The service's log lines as JSON, one per line, written to `writer`:
/// what operators read, and what the black-box suite's log audit searches.
pub fn json_log_layer<S, W>(writer: W) -> impl Layer<S> + Send + Sync + 'static
where
    S: Subscriber + for<'span> LookupSpan<'span>,
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        // Every span from the request's down, so that a line logged deep in
        // a statement still names its request and trace.
        .with_current_span(false)
        .with_span_list(true)
        .with_writer(writer)
}

/// Logs to standard output, as JSON lines unless it is a terminal (or as
/// configured), filtered by the configured directives; traces every span at
/// `info` or above, continuing the callers' W3C trace context, and exports
/// them when a collector is configured. Panics are logged too, so that they
/// reach the same place as everything else.
///
/// # Errors
///
/// When the filter does not parse, the exporter cannot be set up or a
/// subscriber is already installed.
pub fn init_telemetry(config: &Config) -> anyhow::Result<Tracing> {
    let filter = EnvFilter::try_new(&config.log)
        .with_context(|| format!("DOORMAN_LOG is not a valid filter: {}", config.log))?;
    let json = match config.log_format {
        LogFormat::Json => true,
        LogFormat::Text => false,
        LogFormat::Auto => !std::io::stdout().is_terminal(),
    };
    let logs = if json {
        json_log_layer(std::io::stdout).with_filter(filter).boxed()
    } else {
        tracing_subscriber::fmt::layer().with_filter(filter).boxed()
    };
    // The share of requests traced is this service's choice, whatever the
    // caller's `traceparent` asks for: no client can keep its requests out
    // of the traces or flood the collector with its own. With nothing to
    // export to, none is recorded, yet each still has a trace id for the
    // logs and the `traceresponse`.
    let mut provider = SdkTracerProvider::builder().with_resource(resource(config));
    provider = match otlp::endpoint(config) {
        Some(endpoint) => provider
            .with_sampler(Sampler::TraceIdRatioBased(config.trace_sample_ratio))
            .with_batch_exporter(otlp::span_exporter(config, endpoint)?),
        None => provider.with_sampler(Sampler::AlwaysOff),
    };
    let provider = provider.build();
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    // Spans are traced whatever the log filter lets through, so that turning
    // logs down never breaks a trace.
    // Source locations, threads, targets and busy/idle times would make
    // every span larger and slower, and say nothing its name does not.
    let traces = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("doorman"))
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_tracked_inactivity(false)
        .with_filter(LevelFilter::INFO);
    tracing_subscriber::registry()
        .with(logs)
        .with(traces)
        .try_init()
        .map_err(|error| anyhow::anyhow!(error))
        .context("cannot install the logger")?;
    std::panic::set_hook(Box::new(|panic| {
        tracing::error!(panic = %panic, "panicked");
    }));
    Ok(Tracing { provider })
}
