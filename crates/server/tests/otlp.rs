//! The OTLP export, received and decoded: one sign-in is one trace, from
//! the HTTP span through the use case down to each statement, with no
//! secret in it, and the metrics arrive too.
//!
//! A test binary of its own: the tracing pipeline is process-wide.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser as _;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message as _;
use serde_json::{Value, json};
use server::{Application, Cli, init_telemetry};
use test_db::TestDatabase;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

const PASSWORD: &str = "correct horse battery staple";

/// What a collector received.
#[derive(Default)]
struct Received {
    spans: Mutex<Vec<Span>>,
    metric_names: Mutex<Vec<String>>,
    arrived: Notify,
}

/// An OTLP/HTTP receiver on a random port: it decodes every export it is
/// sent and answers 200. It runs on a thread and runtime of its own, which
/// outlive the test's: the service pushes its last metrics when the test's
/// runtime drops it, and a receiver gone by then would have the exporter
/// retry until its timeout.
fn receiver() -> (SocketAddr, Arc<Received>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bound");
    listener.set_nonblocking(true).expect("non-blocking");
    let address = listener.local_addr().expect("address");
    let received = Arc::new(Received::default());
    let shared = Arc::clone(&received);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("a runtime");
    std::thread::spawn(move || {
        runtime.block_on(async move {
            let listener = TcpListener::from_std(listener).expect("registered");
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&shared)));
            }
        });
    });
    (address, received)
}

/// Reads HTTP/1.1 requests off one connection until it closes.
async fn serve(stream: TcpStream, received: Arc<Received>) {
    let mut stream = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if stream.read_line(&mut request_line).await.unwrap_or(0) == 0 {
            return;
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        let mut length = 0;
        loop {
            let mut header = String::new();
            stream.read_line(&mut header).await.expect("a header");
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().expect("a length");
            }
        }
        let mut body = vec![0; length];
        stream.read_exact(&mut body).await.expect("the body");
        match path.as_str() {
            "/v1/traces" => {
                let export = ExportTraceServiceRequest::decode(body.as_slice()).expect("traces");
                let spans = export
                    .resource_spans
                    .into_iter()
                    .flat_map(|resource| resource.scope_spans)
                    .flat_map(|scope| scope.spans);
                received.spans.lock().expect("spans").extend(spans);
            }
            "/v1/metrics" => {
                let export = ExportMetricsServiceRequest::decode(body.as_slice()).expect("metrics");
                let names = export
                    .resource_metrics
                    .into_iter()
                    .flat_map(|resource| resource.scope_metrics)
                    .flat_map(|scope| scope.metrics)
                    .map(|metric| metric.name);
                received.metric_names.lock().expect("metrics").extend(names);
            }
            other => panic!("an export to an unexpected path: {other}"),
        }
        received.arrived.notify_waiters();
        let answer =
            "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
        stream
            .get_mut()
            .write_all(answer.as_bytes())
            .await
            .expect("answered");
    }
}

fn attribute<'a>(span: &'a Span, key: &str) -> Option<&'a AnyValue> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|value| value.value.as_ref())
}

fn text<'a>(span: &'a Span, key: &str) -> Option<&'a str> {
    match attribute(span, key) {
        Some(AnyValue::StringValue(text)) => Some(text),
        _ => None,
    }
}

fn every_value(attributes: &[KeyValue]) -> impl Iterator<Item = String> + '_ {
    attributes
        .iter()
        .filter_map(|kv| kv.value.as_ref()?.value.as_ref())
        .map(|value| format!("{value:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_sign_in_is_one_trace_from_the_request_down_to_each_statement() {
    let (collector, received) = receiver();
    let database = TestDatabase::create().await;
    let mut cli = Cli::try_parse_from([
        "doorman".to_owned(),
        format!("--database-url={}", database.url()),
        "--bind-address=127.0.0.1:0".to_owned(),
        "--metrics-bind-address=".to_owned(),
        "--http-workers=1".to_owned(),
        "--argon2-memory-kib=64".to_owned(),
        "--argon2-iterations=1".to_owned(),
        // The panic hook reports through the log: a failed assertion must
        // reach it.
        "--log=error".to_owned(),
        format!("--otlp-endpoint=http://{collector}"),
        "--otlp-metric-interval-ms=100".to_owned(),
        "--trace-sample-ratio=1".to_owned(),
        // Every statement logs its parameters as a slow one would: none
        // may carry a secret or an address into the trace.
        "--db-slow-query-ms=0".to_owned(),
    ])
    .expect("arguments parse");
    cli.config.access_token_private_key = Some(
        adapters_crypto::SigningKey::generate()
            .to_pkcs8_pem()
            .expect("encodes"),
    );
    let tracing = init_telemetry(&cli.config).expect("installed");
    let application = Application::build(&cli.config).await.expect("starts");
    let base = format!("http://{}", application.address());
    tokio::spawn(application.run());
    let client = reqwest::Client::new();
    let email = format!("otlp-{}@example.com", uuid::Uuid::now_v7().simple());
    let registered = client
        .post(format!("{base}/v1/auth/register"))
        .json(&json!({"email": email, "password": PASSWORD, "displayName": "Ada"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(registered.status(), 201);

    let caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let login = client
        .post(format!("{base}/v1/auth/login"))
        .header("traceparent", format!("00-{caller_trace}-{caller_span}-01"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("sent");
    assert_eq!(login.status(), 200);
    let trace_response = login
        .headers()
        .get("traceresponse")
        .and_then(|value| value.to_str().ok())
        .expect("a traceresponse")
        .to_owned();
    assert!(
        trace_response.starts_with(&format!("00-{caller_trace}-")),
        "{trace_response}"
    );
    let body: Value = login.json().await.expect("json");
    let secrets = [
        PASSWORD.to_owned(),
        body["accessToken"].as_str().expect("access").to_owned(),
        body["refreshToken"].as_str().expect("refresh").to_owned(),
        email.clone(),
    ];
    let spans = spans_of_the_whole_request(&received, tracing, caller_trace).await;
    let by_id: HashMap<Vec<u8>, &Span> = spans
        .iter()
        .map(|span| (span.span_id.clone(), span))
        .collect();
    let http: Vec<&Span> = spans
        .iter()
        .filter(|span| span.kind == SpanKind::Server as i32)
        .collect();
    assert_eq!(http.len(), 1, "one server span: {spans:#?}");
    let http = http[0];
    assert_eq!(http.name, "POST /v1/auth/login");
    assert_eq!(hex(&http.parent_span_id), caller_span);
    assert_eq!(text(http, "http.route"), Some("/v1/auth/login"));
    assert_eq!(text(http, "http.request.method"), Some("POST"));
    assert_eq!(
        attribute(http, "http.response.status_code"),
        Some(&AnyValue::IntValue(200))
    );
    let use_case = spans
        .iter()
        .find(|span| span.name == "auth.login")
        .expect("the use-case span");
    assert_eq!(use_case.parent_span_id, http.span_id);
    let statements: Vec<&Span> = spans
        .iter()
        .filter(|span| text(span, "db.operation.name").is_some())
        .collect();
    assert!(statements.len() >= 3, "{statements:#?}");
    for statement in &statements {
        assert_eq!(text(statement, "db.system.name"), Some("postgresql"));
        assert_eq!(
            text(statement, "db.operation.name"),
            Some(statement.name.as_str()),
            "{statement:#?}"
        );
        // Up the tree: through the unit of work, if any, to the use case.
        let mut parent = by_id.get(&statement.parent_span_id).expect("a parent");
        while parent.span_id != use_case.span_id {
            assert_eq!(parent.name, "transaction", "{parent:#?}");
            parent = by_id.get(&parent.parent_span_id).expect("a parent");
        }
    }
    assert!(
        statements
            .iter()
            .any(|span| span.name == "users.find_by_email")
    );
    assert!(statements.iter().any(|span| span.name == "sessions.insert"));
    assert!(
        statements.iter().any(|span| span
            .events
            .iter()
            .any(|event| event.name == "slow database statement")),
        "the statements' log lines are in the trace"
    );
    for span in &spans {
        let values: Vec<String> = every_value(&span.attributes)
            .chain(
                span.events
                    .iter()
                    .flat_map(|event| every_value(&event.attributes)),
            )
            .collect();
        for secret in &secrets {
            assert!(
                values.iter().all(|value| !value.contains(secret.as_str())),
                "{} carries a secret or an address: {values:?}",
                span.name
            );
        }
    }

    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let arrived = received.arrived.notified();
            let names = received.metric_names.lock().expect("metrics").clone();
            if [
                "doorman.auth.attempts",
                "http.server.request.duration",
                "db.client.operation.duration",
            ]
            .iter()
            .all(|name| names.iter().any(|received| received == name))
            {
                return;
            }
            arrived.await;
        }
    })
    .await
    .expect("the metrics are pushed");
}

/// The spans of `trace` once its server span has arrived. The server span
/// ends when the response has been sent, which may be after the client has
/// read it: a flush then misses it, and it comes with a later export (the
/// metrics' are every 100 ms), when the spans are flushed again.
async fn spans_of_the_whole_request(
    received: &Received,
    tracing: server::Tracing,
    trace: &str,
) -> Vec<Span> {
    let tracing = Arc::new(tracing);
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let arrived = received.arrived.notified();
            let flushing = Arc::clone(&tracing);
            tokio::task::spawn_blocking(move || flushing.flush())
                .await
                .expect("joined")
                .expect("flushed");
            let spans: Vec<Span> = received
                .spans
                .lock()
                .expect("spans")
                .iter()
                .filter(|span| hex(&span.trace_id) == trace)
                .cloned()
                .collect();
            if spans
                .iter()
                .any(|span| span.kind == SpanKind::Server as i32)
            {
                return spans;
            }
            arrived.await;
        }
    })
    .await
    .expect("the server span is exported within 30 s")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
