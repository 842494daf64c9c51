//! Bounded load through the balancer while the replicas restart: a few
//! clients, each signed in as an account of its own, reading its account
//! and now and then trading its refresh token for a new pair, one request
//! after another, until told to stop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::service::{Account, Client, Tokens};

/// Every how many requests a client refreshes its tokens.
const REFRESH_EVERY: u64 = 5;
/// Failures written down in full; the rest are only counted.
const KEPT_FAILURES: usize = 10;

/// What the clients saw.
#[derive(Debug, Default)]
pub struct Seen {
    pub reads: u64,
    pub refreshes: u64,
    /// Answers other than 200, and requests that got no answer.
    pub failures: u64,
    /// Refreshes answered 401: the service took the client's newest
    /// refresh token for a replayed one, which a refresh lost on its way
    /// back from a stopping replica would cause.
    pub refused_as_reuse: u64,
    /// The first few failures, in words.
    pub examples: Vec<String>,
    pub took: Duration,
}

impl Seen {
    pub fn requests(&self) -> u64 {
        self.reads + self.refreshes
    }

    fn add(&mut self, other: Self) {
        self.reads += other.reads;
        self.refreshes += other.refreshes;
        self.failures += other.failures;
        self.refused_as_reuse += other.refused_as_reuse;
        let room = KEPT_FAILURES.saturating_sub(self.examples.len());
        self.examples.extend(other.examples.into_iter().take(room));
        self.took = self.took.max(other.took);
    }

    fn failed(&mut self, what: String) {
        self.failures += 1;
        if self.examples.len() < KEPT_FAILURES {
            self.examples.push(what);
        }
    }
}

/// The clients, running.
pub struct Load {
    stop: Arc<AtomicBool>,
    clients: Vec<JoinHandle<Seen>>,
}

impl Load {
    /// Registers and signs in `clients` accounts through the balancer on
    /// `port`, then starts one thread for each.
    pub fn start(port: u16, clients: usize) -> anyhow::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::with_capacity(clients);
        for index in 0..clients {
            let email = format!("rolling-{index}@example.net");
            let account = Account {
                email: &email,
                password: "Marble-Pigeon-Sunset-6184",
                role: "user",
            };
            let client = Client::new(port);
            client.register(&account, "Rolling Restart")?;
            let tokens = client
                .sign_in(&account)
                .with_context(|| format!("signing in as client {index}"))?;
            let stop = Arc::clone(&stop);
            threads.push(thread::spawn(move || drive(port, tokens, &stop)));
        }
        Ok(Self {
            stop,
            clients: threads,
        })
    }

    /// Stops the clients and adds up what they saw.
    pub fn stop(self) -> Seen {
        self.stop.store(true, Ordering::Relaxed);
        let mut seen = Seen::default();
        for client in self.clients {
            match client.join() {
                Ok(one) => seen.add(one),
                Err(_) => seen.failed("a client thread panicked".to_owned()),
            }
        }
        seen
    }
}

/// One client: reads its account, and refreshes every
/// [`REFRESH_EVERY`]-th request, until `stop` or until a refresh is taken
/// for a replay, which ends its session.
fn drive(port: u16, mut tokens: Tokens, stop: &AtomicBool) -> Seen {
    let started = Instant::now();
    let client = Client::new(port);
    let mut seen = Seen::default();
    let mut sent: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        sent += 1;
        let outcome = if sent.is_multiple_of(REFRESH_EVERY) {
            seen.refreshes += 1;
            refresh(&client, &mut tokens)
        } else {
            seen.reads += 1;
            read(&client, &tokens.access)
        };
        match outcome {
            Ok(()) => {}
            Err(Failure::Reuse(what)) => {
                seen.refused_as_reuse += 1;
                seen.failed(what);
                break;
            }
            Err(Failure::Other(what)) => seen.failed(what),
        }
    }
    seen.took = started.elapsed();
    seen
}

/// A request that went wrong, in words.
enum Failure {
    /// A refresh answered 401.
    Reuse(String),
    Other(String),
}

fn refresh(client: &Client, tokens: &mut Tokens) -> Result<(), Failure> {
    let body = serde_json::json!({"refreshToken": tokens.refresh});
    match client.request("POST", "/v1/auth/refresh", Some(&body)) {
        Ok((200, answer)) => {
            *tokens = Tokens::of(&answer).ok_or_else(|| {
                Failure::Other("a refresh answered 200 without a token pair".to_owned())
            })?;
            Ok(())
        }
        Ok((401, answer)) => Err(Failure::Reuse(format!(
            "a refresh refused as reuse: {answer}"
        ))),
        Ok((status, answer)) => Err(Failure::Other(format!(
            "a refresh answered {status}: {answer}"
        ))),
        Err(error) => Err(Failure::Other(format!(
            "a refresh got no answer: {error:#}"
        ))),
    }
}

fn read(client: &Client, access_token: &str) -> Result<(), Failure> {
    match client
        .with_bearer(access_token)
        .request("GET", "/v1/users/me", None)
    {
        Ok((200, _)) => Ok(()),
        Ok((status, answer)) => Err(Failure::Other(format!(
            "GET /v1/users/me answered {status}: {answer}"
        ))),
        Err(error) => Err(Failure::Other(format!(
            "GET /v1/users/me got no answer: {error:#}"
        ))),
    }
}
