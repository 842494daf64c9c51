//! Traffic through the API for Prometheus to see: every operation whose
//! metrics the checks read, the refused sign-in included.

use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::json;

use crate::interrupt;
use crate::service::{Account, Client};

/// Strong enough for the service's password rules, and far from the
/// addresses.
const PASSWORD: &str = "Tangerine-Lighthouse-Walrus-5821";
/// Requests in one round of [`drive`].
const REQUESTS_PER_ROUND: u32 = 5;

/// What [`drive`] sent.
pub struct Sent {
    pub rounds: u32,
    pub requests: u32,
    pub took: Duration,
}

/// Rounds of a registration, a sign-in, a sign-in with a wrong password, a
/// refresh and `GET /v1/users/me`, for `duration`; fails at the first
/// answer that is not the expected one.
pub fn drive(client: &Client, duration: Duration) -> anyhow::Result<Sent> {
    let started = Instant::now();
    let mut rounds = 0;
    while started.elapsed() < duration {
        interrupt::check()?;
        let email = format!("prometheus-{rounds}@example.net");
        let account = Account {
            email: &email,
            password: PASSWORD,
            role: "user",
        };
        client.register(&account, "Prometheus")?;
        let tokens = client.sign_in(&account)?;
        let wrong = json!({"email": email, "password": "not the password"});
        let (status, answer) = client.request("POST", "/v1/auth/login", Some(&wrong))?;
        if status != 401 {
            bail!("a sign-in with a wrong password got {status}: {answer}");
        }
        let tokens = client.refresh(&tokens.refresh)?;
        let (status, answer) =
            client
                .with_bearer(&tokens.access)
                .request("GET", "/v1/users/me", None)?;
        if status != 200 {
            bail!("GET /v1/users/me got {status}: {answer}");
        }
        rounds += 1;
    }
    Ok(Sent {
        rounds,
        requests: rounds * REQUESTS_PER_ROUND,
        took: started.elapsed(),
    })
}
