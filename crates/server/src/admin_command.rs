//! `doorman admin create`: an administrator for a fresh deployment,
//! without touching SQL.

use std::io::{BufRead as _, IsTerminal as _};

use anyhow::{Context as _, anyhow};
use app::auth::Registration;
use domain::audit::Origin;
use domain::password::NewPassword;
use domain::user::{DisplayName, Email};
use secrecy::{ExposeSecret as _, SecretString};

use crate::config::Config;
use crate::wiring;

/// The variable that holds a new administrator's password.
const PASSWORD_VARIABLE: &str = "DOORMAN_ADMIN_PASSWORD";

/// Makes the account with `email` an active administrator, creating it with
/// a password from the environment or standard input when there is none.
/// Returns what it did, in words for the operator.
///
/// # Errors
///
/// A message naming the input at fault, or the store's failure.
pub async fn create_admin(
    email: &str,
    display_name: &str,
    config: &Config,
) -> anyhow::Result<String> {
    let email = Email::parse(email).map_err(|error| anyhow!("--email {error}"))?;
    // A one-off command: nothing scrapes or receives its metrics.
    let meter = opentelemetry::global::meter("doorman");
    let database = adapters_postgres::connect_lazy(&config.database_settings()?, &meter)?;
    if config.migrate {
        adapters_postgres::migrate(database.pool()).await?;
    }
    let services = wiring::services(config, &database, &meter)?;
    let origin = Origin {
        user_agent: Some("doorman admin create".to_owned()),
        ..Origin::default()
    };
    if let Some(user) = services.auth.promote_to_admin(&email, &origin).await? {
        return Ok(format!(
            "{} ({}) is now an active administrator; its password is unchanged",
            user.email.as_str(),
            user.id
        ));
    }
    let registration = Registration {
        password: NewPassword::parse(read_password()?.expose_secret().to_owned())
            .map_err(|error| anyhow!("the password {error}"))?,
        display_name: DisplayName::parse(display_name)
            .map_err(|error| anyhow!("--display-name {error}"))?,
        email,
    };
    let user = services.auth.create_admin(registration, &origin).await?;
    Ok(format!(
        "created the administrator {} ({})",
        user.email.as_str(),
        user.id
    ))
}

/// The password from the environment, else the first line of standard
/// input.
fn read_password() -> anyhow::Result<SecretString> {
    if let Ok(password) = std::env::var(PASSWORD_VARIABLE) {
        return Ok(SecretString::from(password));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        #[expect(clippy::print_stderr, reason = "a prompt for the operator")]
        {
            eprintln!("password of the new administrator (or set {PASSWORD_VARIABLE}):");
        }
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        anyhow::bail!("no password: set {PASSWORD_VARIABLE} or write it on standard input");
    }
    Ok(SecretString::from(password))
}
