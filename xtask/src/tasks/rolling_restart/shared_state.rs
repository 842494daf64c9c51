//! What one replica decides, every replica enforces: an account locked
//! through the balancer, its failed sign-ins spread over all of them, and a
//! logout-all made through it, each checked on every replica directly; and
//! the purge, which every replica runs, removes what ended and nothing
//! else. Failures name statuses only: an answer may hold tokens.

use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::json;

use crate::postgres::Cluster;
use crate::service::{Account, Client};

/// How long the replicas' purges (each every second) may take to remove
/// the ended sessions.
const PURGE_TIMEOUT: Duration = Duration::from_secs(15);

/// The sessions table of the replicas' database, read directly.
pub struct Sessions<'a> {
    cluster: &'a Cluster,
    database: &'a str,
}

impl<'a> Sessions<'a> {
    pub fn of(cluster: &'a Cluster, database: &'a str) -> Self {
        Self { cluster, database }
    }

    /// The sessions the purge is to remove (ended or expired), and the live
    /// ones.
    fn count(&self) -> anyhow::Result<(u64, u64)> {
        let counts = self.cluster.query(
            &self.cluster.url(self.database),
            "SELECT count(*) FILTER (WHERE ended_at IS NOT NULL OR expires_at <= now()), \
                    count(*) FILTER (WHERE ended_at IS NULL AND expires_at > now()) \
               FROM sessions",
        )?;
        let mut parsed = counts.trim().split('|').map(str::parse::<u64>);
        match (parsed.next(), parsed.next()) {
            (Some(Ok(done)), Some(Ok(live))) => Ok((done, live)),
            _ => bail!("cannot read the sessions' counts from {counts:?}"),
        }
    }
}

/// The failed sign-ins that lock an account's address: the service's
/// default, which the replicas are given back (the tasks' services allow
/// far more).
pub const FAILURES_TO_LOCK: u32 = 5;
const PASSWORD: &str = "Marble-Pigeon-Sunset-6184";

/// Each check, in words, once it held; `live` sessions, the clients', are
/// to outlive the purge.
pub fn check(
    balancer_port: u16,
    replica_ports: &[u16],
    sessions: &Sessions<'_>,
    live: usize,
) -> anyhow::Result<Vec<String>> {
    let live = u64::try_from(live)?;
    Ok(vec![
        lockout(balancer_port, replica_ports)?,
        logout_all(balancer_port, replica_ports)?,
        purge(balancer_port, replica_ports, sessions, live)?,
    ])
}

/// Failures sent round robin over the replicas lock the account on each.
fn lockout(balancer_port: u16, replica_ports: &[u16]) -> anyhow::Result<String> {
    let balancer = Client::new(balancer_port);
    let account = registered(&balancer, "locked@example.net", "Locked Out")?;
    let wrong = json!({"email": account.email, "password": "not-the-password-at-all"});
    for attempt in 1..=FAILURES_TO_LOCK {
        let (status, answer) = balancer.request("POST", "/v1/auth/login", Some(&wrong))?;
        if status != 401 {
            bail!("wrong password {attempt} through the balancer got {status}: {answer}");
        }
    }
    let right = json!({"email": account.email, "password": account.password});
    for &port in replica_ports {
        let (status, _) = Client::new(port).request("POST", "/v1/auth/login", Some(&right))?;
        if status != 429 {
            bail!(
                "after {FAILURES_TO_LOCK} failures through the balancer, the replica on \
                 {port} answered the right password with {status}, not 429"
            );
        }
    }
    Ok(format!(
        "{FAILURES_TO_LOCK} wrong passwords sent round robin through the balancer lock the \
         account on each of the {} replicas (429 for the right password)",
        replica_ports.len()
    ))
}

/// A logout-all through the balancer refuses the access token everywhere.
fn logout_all(balancer_port: u16, replica_ports: &[u16]) -> anyhow::Result<String> {
    let balancer = Client::new(balancer_port);
    let account = registered(&balancer, "revoked@example.net", "Signed Out")?;
    let tokens = balancer.sign_in(&account)?;
    let me_on = |port: u16| {
        Client::new(port)
            .with_bearer(&tokens.access)
            .request("GET", "/v1/users/me", None)
    };
    for &port in replica_ports {
        let (status, answer) = me_on(port)?;
        if status != 200 {
            bail!("before the logout, the replica on {port} answered {status}: {answer}");
        }
    }
    log_out_everywhere(&balancer, &tokens.access)?;
    for &port in replica_ports {
        let (status, answer) = me_on(port)?;
        if status != 401 {
            bail!(
                "after a logout-all through the balancer, the replica on {port} still \
                 answered the access token with {status}: {answer}"
            );
        }
    }
    Ok(format!(
        "after a logout-all through the balancer, each of the {} replicas refuses the \
         session's access token at once (401)",
        replica_ports.len()
    ))
}

/// Sessions ended through the balancer are removed by the replicas' purges,
/// which run at once, and the `live` ones stay.
fn purge(
    balancer_port: u16,
    replica_ports: &[u16],
    sessions: &Sessions<'_>,
    live: u64,
) -> anyhow::Result<String> {
    let balancer = Client::new(balancer_port);
    let account = registered(&balancer, "purged@example.net", "Purged")?;
    let mut last = None;
    for _ in 0..replica_ports.len() {
        last = Some(balancer.sign_in(&account)?);
    }
    let tokens = last.context("no sign-in")?;
    log_out_everywhere(&balancer, &tokens.access)?;
    let deadline = Instant::now() + PURGE_TIMEOUT;
    loop {
        let (ended, still_live) = sessions.count()?;
        if still_live != live {
            bail!("the purges left {still_live} live sessions, not the clients' {live}");
        }
        if ended == 0 {
            break;
        }
        if Instant::now() >= deadline {
            bail!(
                "{ended} ended sessions were still there {}s after the logout-all",
                PURGE_TIMEOUT.as_secs()
            );
        }
        sleep(Duration::from_millis(100));
    }
    Ok(format!(
        "the {} replicas' purges, running at once, removed every ended session (these {} and \
         the logout-all's before) and kept the clients' {live} live ones",
        replica_ports.len(),
        replica_ports.len()
    ))
}

/// An account of `email`, registered through `balancer`.
fn registered(
    balancer: &Client,
    email: &'static str,
    display_name: &str,
) -> anyhow::Result<Account<'static>> {
    let account = Account {
        email,
        password: PASSWORD,
        role: "user",
    };
    balancer.register(&account, display_name)?;
    Ok(account)
}

/// Ends every session of the holder of `access_token`, through `balancer`.
fn log_out_everywhere(balancer: &Client, access_token: &str) -> anyhow::Result<()> {
    let (status, answer) =
        balancer
            .with_bearer(access_token)
            .request("POST", "/v1/auth/logout-all", None)?;
    if status != 204 {
        bail!("logout-all through the balancer got {status}: {answer}");
    }
    Ok(())
}
