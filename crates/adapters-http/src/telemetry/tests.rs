use actix_web::middleware::from_fn;
use actix_web::web::{self, Data};
use actix_web::{App, HttpResponse, test};
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

use super::HttpMetrics;
use crate::error::{ApiError, ErrorKind};
use crate::request_context::around_request;

async fn refused() -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(ErrorKind::Conflict, "no"))
}

/// Every series of `name`, as its sorted `key=value` attributes and its
/// value (a histogram's count, an up-down counter's sum).
fn series(
    provider: &SdkMeterProvider,
    exporter: &InMemoryMetricExporter,
    name: &str,
) -> Vec<(String, i64)> {
    provider.force_flush().expect("flushed");
    let finished = exporter.get_finished_metrics().expect("metrics");
    let last = finished.last().expect("an export");
    let mut series = Vec::new();
    let labels = |attributes: &mut dyn Iterator<Item = &opentelemetry::KeyValue>| {
        let mut pairs: Vec<String> = attributes
            .map(|kv| format!("{}={}", kv.key, kv.value))
            .collect();
        pairs.sort();
        pairs.join(",")
    };
    for metric in last
        .scope_metrics()
        .flat_map(|scope| scope.metrics())
        .filter(|metric| metric.name() == name)
    {
        match metric.data() {
            AggregatedMetrics::F64(MetricData::Histogram(histogram)) => {
                for point in histogram.data_points() {
                    let count = i64::try_from(point.count()).expect("small");
                    series.push((labels(&mut point.attributes()), count));
                }
            }
            AggregatedMetrics::I64(MetricData::Sum(sum)) => {
                for point in sum.data_points() {
                    series.push((labels(&mut point.attributes()), point.value()));
                }
            }
            other => panic!("{name} is of an unexpected kind: {other:?}"),
        }
    }
    series.sort();
    series
}

#[actix_web::test]
async fn requests_are_counted_by_route_template_status_and_error_type_only() {
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .build();
    let app = test::init_service(
        App::new()
            .app_data(Data::new(HttpMetrics::new(&provider.meter("tests"))))
            .wrap(from_fn(around_request))
            .route("/items/{id}", web::get().to(HttpResponse::Ok))
            .route("/refused", web::post().to(refused)),
    )
    .await;

    for uri in [
        "/items/1",
        "/items/ada@example.com",
        "/no/such/path",
        "/another-random-path",
    ] {
        test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
    }
    test::call_service(&app, test::TestRequest::post().uri("/refused").to_request()).await;

    assert_eq!(
        series(&provider, &exporter, "http.server.request.duration"),
        [
            (
                "error.type=ConflictError,http.request.method=POST,http.response.status_code=409,http.route=/refused"
                    .to_owned(),
                1
            ),
            (
                "error.type=NotFoundError,http.request.method=GET,http.response.status_code=404,http.route=unmatched"
                    .to_owned(),
                2
            ),
            (
                "http.request.method=GET,http.response.status_code=200,http.route=/items/{id}"
                    .to_owned(),
                2
            ),
        ]
    );
    let active = series(&provider, &exporter, "http.server.active_requests");
    assert_eq!(active.len(), 10, "every method from the start: {active:?}");
    assert!(active.iter().all(|(_, value)| *value == 0), "{active:?}");
}
