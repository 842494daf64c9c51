//! A stand-in for an OpenTelemetry collector: it takes OTLP over HTTP/1.1,
//! keep-alive included, answers every request 200 with an empty body (an
//! empty export response, which means everything was accepted), and keeps
//! nothing but counts.

use std::io::{self, BufRead, BufReader, Read as _, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use anyhow::Context;

const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
/// How long a connection may stay silent: far longer than the service's
/// push interval, so only a connection that the service gave up ends.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The sink, listening until dropped.
pub struct OtlpSink {
    port: u16,
    received: Arc<Received>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Received {
    metrics: AtomicU64,
    traces: AtomicU64,
    other: AtomicU64,
    bytes: AtomicU64,
}

/// What the sink has received so far: requests by signal, and their bodies'
/// bytes.
pub struct Pushes {
    pub metrics: u64,
    pub traces: u64,
    pub other: u64,
    pub bytes: u64,
}

impl OtlpSink {
    /// Listens on a free port of 127.0.0.1, in threads of its own.
    pub fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .context("cannot listen for the OTLP exports")?;
        let port = listener.local_addr()?.port();
        let received = Arc::<Received>::default();
        let stop = Arc::<AtomicBool>::default();
        let acceptor = thread::Builder::new()
            .name("otlp-sink".into())
            .spawn({
                let received = Arc::clone(&received);
                let stop = Arc::clone(&stop);
                move || accept(&listener, &received, &stop)
            })
            .context("cannot start the OTLP sink")?;
        Ok(Self {
            port,
            received,
            stop,
            acceptor: Some(acceptor),
        })
    }

    /// What `OTEL_EXPORTER_OTLP_ENDPOINT` is set to.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pushes(&self) -> Pushes {
        let count = |counter: &AtomicU64| counter.load(Ordering::SeqCst);
        Pushes {
            metrics: count(&self.received.metrics),
            traces: count(&self.received.traces),
            other: count(&self.received.other),
            bytes: count(&self.received.bytes),
        }
    }
}

impl Drop for OtlpSink {
    /// Stops accepting. The connections' threads end with the connections,
    /// which the service closes when it stops.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the acceptor, which then sees that it is to stop.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept(listener: &TcpListener, received: &Arc<Received>, stop: &AtomicBool) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let received = Arc::clone(received);
        // A connection that cannot be served is one the exporter retries.
        let _ = thread::Builder::new()
            .name("otlp-sink-connection".into())
            .spawn(move || serve(stream, &received));
    }
}

/// Answers the requests of one connection until the client closes it.
fn serve(stream: TcpStream, received: &Received) {
    if stream.set_read_timeout(Some(IDLE_TIMEOUT)).is_err() {
        return;
    }
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Ok(Some(request)) = read_request(&mut reader) {
        let counter = match request.path.as_str() {
            "/v1/metrics" => &received.metrics,
            "/v1/traces" => &received.traces,
            _ => &received.other,
        };
        counter.fetch_add(1, Ordering::SeqCst);
        received.bytes.fetch_add(request.length, Ordering::SeqCst);
        if writer.write_all(RESPONSE).is_err() || request.close {
            return;
        }
    }
}

/// What the sink reads of a request.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    path: String,
    /// Of the body, read and dropped.
    length: u64,
    /// Whether the client asked to close the connection after the answer.
    close: bool,
}

/// The next request of a connection, or none when the client has closed
/// it.
fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut words = line.split_whitespace().skip(1);
    let path = words.next().unwrap_or_default().to_owned();
    let mut close = words.next() == Some("HTTP/1.0");
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Ok(None);
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value
                .parse()
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad content-length"))?;
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    if io::copy(&mut reader.by_ref().take(length), &mut io::sink())? < length {
        return Ok(None);
    }
    Ok(Some(Request {
        path,
        length,
        close,
    }))
}

#[cfg(test)]
mod tests;
