//! The OTLP exporters, over HTTP.

use anyhow::{Context as _, bail};
use opentelemetry_otlp::{MetricExporter, Protocol, SpanExporter, WithExportConfig as _};

use crate::config::{Config, OtlpProtocol};

/// The collector's base URL, when pushing is configured.
pub(super) fn endpoint(config: &Config) -> Option<&str> {
    config
        .otlp_endpoint
        .as_deref()
        .map(str::trim)
        .filter(|endpoint| !endpoint.is_empty())
}

/// Pushes spans to `endpoint`.
pub(super) fn span_exporter(config: &Config, endpoint: &str) -> anyhow::Result<SpanExporter> {
    SpanExporter::builder()
        .with_http()
        .with_protocol(protocol(config)?)
        .with_endpoint(signal_url(endpoint, "traces"))
        .build()
        .context("cannot set up the OTLP span exporter")
}

/// Pushes metrics to `endpoint`.
pub(super) fn metric_exporter(config: &Config, endpoint: &str) -> anyhow::Result<MetricExporter> {
    MetricExporter::builder()
        .with_http()
        .with_protocol(protocol(config)?)
        .with_endpoint(signal_url(endpoint, "metrics"))
        .build()
        .context("cannot set up the OTLP metric exporter")
}

fn protocol(config: &Config) -> anyhow::Result<Protocol> {
    match config.otlp_protocol {
        OtlpProtocol::HttpProtobuf => Ok(Protocol::HttpBinary),
        OtlpProtocol::HttpJson => Ok(Protocol::HttpJson),
        OtlpProtocol::Grpc => bail!(
            "OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: use http/protobuf \
             (a collector's OTLP/HTTP port, 4318 by default)"
        ),
    }
}

/// The URL of one signal under the collector's base URL, as the OTLP
/// specification builds it from `OTEL_EXPORTER_OTLP_ENDPOINT`.
fn signal_url(endpoint: &str, signal: &str) -> String {
    format!("{}/v1/{signal}", endpoint.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_signal_has_its_path_under_the_base_url() {
        assert_eq!(
            signal_url("http://collector:4318", "traces"),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            signal_url("http://collector:4318/", "metrics"),
            "http://collector:4318/v1/metrics"
        );
    }
}
