//! Stopping behind a balancer: not ready first while still serving, each
//! connection closed after its answer, then the listener closed with the
//! requests under way answered.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use adapters_crypto::SigningKey;
use reqwest::StatusCode;
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};
use test_db::TestDatabase;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::helpers::{PASSWORD, assert_error, read_response, spawn_app_with_flags, unique_email};

/// A drain no test outlives: each ends it with a second request.
const ENDLESS_DRAIN: &str = "--shutdown-delay-ms=3600000";
/// How long a test waits for what must come soon, so that a service that
/// never does fails the test instead of hanging it.
const BOUND: Duration = Duration::from_secs(30);

#[tokio::test]
async fn once_asked_to_stop_it_is_not_ready_yet_serves_and_closes_each_connection() {
    let app = spawn_app_with_flags(&[ENDLESS_DRAIN]).await;
    let before = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(before.status(), StatusCode::OK);
    assert!(before.headers().get("connection").is_none());

    app.shutdown.request();

    let readyz = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(readyz.headers()["connection"], "close");
    assert_eq!(readyz.headers()["retry-after"], "5");
    let error = assert_error(
        readyz,
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailableError",
    )
    .await;
    assert_eq!(error["message"], "not ready: shutting down");
    let registered = app.register(&unique_email()).await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    assert_eq!(registered.headers()["connection"], "close");
    let healthz = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(healthz.status(), StatusCode::OK);
    assert_eq!(healthz.headers()["connection"], "close");
}

#[tokio::test]
async fn the_listener_closes_at_the_second_request_and_a_request_under_way_is_answered() {
    let app = spawn_app_with_flags(&[ENDLESS_DRAIN]).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let body = json!({
        "email": unique_email(),
        "password": PASSWORD,
        "displayName": "Ada Lovelace",
    })
    .to_string();
    let mut under_way = TcpStream::connect(&address).await.expect("connected");
    send_head_and_await_continue(&mut under_way, body.len()).await;

    app.shutdown.request();
    app.shutdown.request();

    until_refused(&address, "still accepting connections").await;
    under_way
        .write_all(body.as_bytes())
        .await
        .expect("sent the body");
    let (head, _) = tokio::time::timeout(BOUND, read_response(&mut under_way))
        .await
        .expect("answered in time");
    assert!(head.starts_with("HTTP/1.1 201"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("\r\nconnection: close\r\n"),
        "{head}"
    );
    let mut rest = Vec::new();
    let read = tokio::time::timeout(BOUND, under_way.read_to_end(&mut rest))
        .await
        .expect("closed in time")
        .expect("read to the end");
    assert_eq!(read, 0, "more after the answer: {rest:?}");
}

#[tokio::test]
async fn the_listener_closes_by_itself_once_the_delay_is_over() {
    let app = spawn_app_with_flags(&["--shutdown-delay-ms=200"]).await;
    let address = app.base.trim_start_matches("http://").to_owned();

    app.shutdown.request();

    until_refused(&address, "still accepting connections").await;
}

#[tokio::test]
async fn sigterm_drains_a_second_signal_closes_the_listener_and_a_third_drops_what_is_left() {
    let database = TestDatabase::create().await;
    let key = SigningKey::generate().to_pkcs8_pem().expect("encodes");
    let mut service = Process(
        Command::new(env!("CARGO_BIN_EXE_doorman"))
            .args([
                "--bind-address=127.0.0.1:0",
                "--metrics-bind-address=",
                "--http-workers=1",
                "--db-max-connections=1",
                "--log=info",
                "--log-format=json",
                // Nothing but the third signal ends the request left
                // waiting for its body.
                "--http-body-timeout-secs=3600",
                "--shutdown-timeout-secs=3600",
                ENDLESS_DRAIN,
            ])
            .env("DATABASE_URL", database.url())
            .env("DOORMAN_ACCESS_TOKEN_PRIVATE_KEY", key.expose_secret())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary runs"),
    );
    let log = log_lines(&mut service.0);
    let base = log
        .iter()
        .find(|line| line["message"] == "listening")
        .and_then(|line| line["url"].as_str().map(str::to_owned))
        .expect("a line saying where it listens");
    let address = base.trim_start_matches("http://").to_owned();
    let client = reqwest::Client::builder()
        .timeout(BOUND)
        .build()
        .expect("a client");
    let readyz = format!("{base}/readyz");
    assert_eq!(status_of(&client, &readyz).await, StatusCode::OK);
    let mut left_waiting = TcpStream::connect(&address).await.expect("connected");
    send_head_and_await_continue(&mut left_waiting, 64).await;

    service.signal("TERM");
    let deadline = Instant::now() + BOUND;
    while status_of(&client, &readyz).await == StatusCode::OK {
        assert!(Instant::now() < deadline, "still ready after SIGTERM");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    service.signal("INT");
    until_refused(&address, "still accepting after SIGINT").await;
    assert!(
        service.0.try_wait().expect("asked").is_none(),
        "stopped with a request in flight"
    );
    service.signal("TERM");

    let deadline = Instant::now() + BOUND;
    let status = loop {
        if let Some(status) = service.0.try_wait().expect("waited") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running after a third signal"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let said: Vec<Value> = log.iter().collect();
    // Stopped without the request's answer: not a clean stop.
    assert_eq!(status.code(), Some(1), "{status}: {said:#?}");
    let messages: Vec<(&str, &str)> = said
        .iter()
        .map(|line| {
            (
                line["message"].as_str().unwrap_or_default(),
                line["signal"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    for expected in [
        ("asked to stop", "SIGTERM"),
        ("asked to stop", "SIGINT"),
        ("asked again to stop: closing the listener now", ""),
        ("asked a third time: dropping the requests in flight", ""),
    ] {
        assert!(
            messages.contains(&expected),
            "{expected:?} in {messages:#?}"
        );
    }
}

/// Waits until `address` refuses connections: its listener is closed.
async fn until_refused(address: &str, failure: &str) {
    let deadline = Instant::now() + BOUND;
    while TcpStream::connect(address).await.is_ok() {
        assert!(Instant::now() < deadline, "{failure}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Sends the head of a registration of `length` bytes, asking to be told
/// to go on, and waits for that interim answer: the service has then read
/// the head, and the request is under way there.
async fn send_head_and_await_continue(stream: &mut TcpStream, length: usize) {
    stream
        .write_all(
            format!(
                "POST /v1/auth/register HTTP/1.1\r\nHost: doorman\r\n\
                 Content-Type: application/json\r\nContent-Length: {length}\r\n\
                 Expect: 100-continue\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .expect("sent the head");
    let mut interim = [0; 25];
    tokio::time::timeout(BOUND, stream.read_exact(&mut interim))
        .await
        .expect("answered in time")
        .expect("read the interim answer");
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
}

/// The service as a process, killed if the test ends before it stops.
struct Process(Child);

impl Process {
    /// Sends it `SIG<name>`, with the shell's `kill`.
    fn signal(&self, name: &str) {
        let status = Command::new("sh")
            .args(["-c", &format!("kill -{name} {}", self.0.id())])
            .status()
            .expect("ran kill");
        assert!(status.success(), "kill -{name}: {status}");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The JSON lines that `child` writes to its standard output, read on a
/// thread of their own as they come.
fn log_lines(child: &mut Child) -> LogLines {
    let output = child.stdout.take().expect("piped");
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(output).lines() {
            let Ok(line) = line else { return };
            let Ok(value) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if sender.send(value).is_err() {
                return;
            }
        }
    });
    LogLines(receiver)
}

struct LogLines(mpsc::Receiver<Value>);

impl LogLines {
    /// The lines as they come, until the output ends or none comes within
    /// [`BOUND`].
    fn iter(&self) -> impl Iterator<Item = Value> + '_ {
        std::iter::from_fn(|| self.0.recv_timeout(BOUND).ok())
    }
}

async fn status_of(client: &reqwest::Client, url: &str) -> StatusCode {
    client.get(url).send().await.expect("sent").status()
}
