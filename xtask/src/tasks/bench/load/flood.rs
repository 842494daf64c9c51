//! Sign-ins whose clients hang up as soon as they have sent them, as a
//! flood of impatient or hostile clients does.

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serde_json::json;

use crate::service::Account;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Threads that each send a sign-in and close the connection at once, in
/// a loop, until finished.
pub struct Flood {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
    threads: Vec<JoinHandle<()>>,
}

impl Flood {
    pub fn start(port: u16, account: &Account<'_>, threads: usize) -> Self {
        let body = json!({"email": account.email, "password": account.password}).to_string();
        let request = Arc::new(format!(
            "POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ));
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let threads = (0..threads)
            .map(|_| {
                let stop = Arc::clone(&stop);
                let sent = Arc::clone(&sent);
                let request = Arc::clone(&request);
                thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let Ok(mut stream) = TcpStream::connect_timeout(&address, CONNECT_TIMEOUT)
                        else {
                            continue;
                        };
                        if stream.write_all(request.as_bytes()).is_ok() {
                            sent.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        Self {
            stop,
            sent,
            threads,
        }
    }

    /// Stops the flood: how many sign-ins it sent.
    pub fn finish(mut self) -> u64 {
        self.stop_threads();
        self.sent.load(Ordering::Relaxed)
    }

    fn stop_threads(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for Flood {
    fn drop(&mut self) {
        self.stop_threads();
    }
}
