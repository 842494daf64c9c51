//! One meter provider per application, read two ways: by Prometheus at
//! the scrape endpoint, and pushed over OTLP when a collector is set. With
//! neither, it has no reader and recording costs next to nothing.

use std::time::Duration;

use adapters_http::MetricsText;
use anyhow::Context as _;
use opentelemetry::metrics::{Meter, MeterProvider as _};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use prometheus::{Registry, TextEncoder};

use super::{otlp, resource};
use crate::config::Config;

/// The application's meter provider and what Prometheus reads from it.
pub(crate) struct Metrics {
    provider: SdkMeterProvider,
    registry: Option<Registry>,
}

impl Metrics {
    /// The provider `config` asks for.
    ///
    /// # Errors
    ///
    /// When an exporter cannot be set up.
    pub(crate) fn new(config: &Config) -> anyhow::Result<Self> {
        let mut builder = SdkMeterProvider::builder().with_resource(resource(config));
        let registry = if config.metrics_bind_address.0.is_some() {
            let registry = Registry::new();
            let prometheus = opentelemetry_prometheus::exporter()
                .with_registry(registry.clone())
                // The scope would add a label to every series and say
                // nothing that the metric's name does not.
                .scope_info_enabled(false)
                .build()
                .context("cannot set up the Prometheus exporter")?;
            builder = builder.with_reader(prometheus);
            Some(registry)
        } else {
            None
        };
        if let Some(endpoint) = otlp::endpoint(config) {
            let reader = PeriodicReader::builder(otlp::metric_exporter(config, endpoint)?)
                .with_interval(Duration::from_millis(config.otlp_metric_interval_ms.max(1)))
                .build();
            builder = builder.with_reader(reader);
        }
        Ok(Self {
            provider: builder.build(),
            registry,
        })
    }

    /// The meter every adapter records on.
    pub(crate) fn meter(&self) -> Meter {
        self.provider.meter("doorman")
    }

    /// What the scrape endpoint serves, when there is one.
    pub(crate) fn text(&self) -> Option<PrometheusText> {
        self.registry.clone().map(PrometheusText)
    }

    /// Pushes what is left and stops the exporters.
    pub(crate) fn shut_down(&self) {
        if let Err(error) = self.provider.shutdown() {
            tracing::warn!(error = %error, "the metrics exporters did not shut down cleanly");
        }
    }
}

/// The metrics in the Prometheus text format.
pub(crate) struct PrometheusText(Registry);

impl MetricsText for PrometheusText {
    fn render(&self) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
        Ok(TextEncoder::new().encode_to_string(&self.0.gather())?)
    }
}
