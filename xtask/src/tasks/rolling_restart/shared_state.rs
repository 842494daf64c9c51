//! What one replica decides, every replica enforces: an account locked
//! through the balancer, its failed sign-ins spread over all of them, and a
//! logout-all made through it, each checked on every replica directly.
//! Failures name statuses only: an answer may hold tokens.

use anyhow::bail;
use serde_json::json;

use crate::service::{Account, Client};

/// The failed sign-ins that lock an account's address: the service's
/// default, which the replicas are given back (the tasks' services allow
/// far more).
pub const FAILURES_TO_LOCK: u32 = 5;
const PASSWORD: &str = "Marble-Pigeon-Sunset-6184";

/// Each check, in words, once it held.
pub fn check(balancer_port: u16, replica_ports: &[u16]) -> anyhow::Result<Vec<String>> {
    Ok(vec![
        lockout(balancer_port, replica_ports)?,
        logout_all(balancer_port, replica_ports)?,
    ])
}

/// Failures sent round robin over the replicas lock the account on each.
fn lockout(balancer_port: u16, replica_ports: &[u16]) -> anyhow::Result<String> {
    let account = Account {
        email: "locked@example.net",
        password: PASSWORD,
        role: "user",
    };
    let balancer = Client::new(balancer_port);
    balancer.register(&account, "Locked Out")?;
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
    let account = Account {
        email: "revoked@example.net",
        password: PASSWORD,
        role: "user",
    };
    let balancer = Client::new(balancer_port);
    balancer.register(&account, "Signed Out")?;
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
    let (status, answer) =
        balancer
            .with_bearer(&tokens.access)
            .request("POST", "/v1/auth/logout-all", None)?;
    if status != 204 {
        bail!("logout-all through the balancer got {status}: {answer}");
    }
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
