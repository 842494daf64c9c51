//! `doorman admin create`: an administrator for a fresh deployment,
//! without touching SQL.

use std::io::{BufRead as _, IsTerminal as _};

use anyhow::{Context as _, anyhow, bail};
use app::auth::{Promotion, Registration};
use app::error::{AppError, Conflict};
use domain::audit::Origin;
use domain::password::{NewPassword, Password};
use domain::user::{DisplayName, Email};
use secrecy::{ExposeSecret as _, SecretString};

use crate::config::Config;
use crate::migrate_command;
use crate::wiring;

/// The variable that holds a new administrator's password.
const PASSWORD_VARIABLE: &str = "DOORMAN_ADMIN_PASSWORD";

/// Creates an active administrator with `email` and a password from the
/// environment or standard input; or, with `promote_existing`, makes the
/// account that has the address one, if the password is its own. Returns
/// what it did, in words for the operator.
///
/// # Errors
///
/// A message naming the input at fault, an address that has an account
/// (without `promote_existing`), a password that is not the account's, or
/// the store's failure. Nothing changes on an error.
pub async fn create_admin(
    email: &str,
    display_name: &str,
    promote_existing: bool,
    config: &Config,
) -> anyhow::Result<String> {
    let email = Email::parse(email).map_err(|error| anyhow!("--email {error}"))?;
    let password = read_password()?;
    // A one-off command: nothing scrapes or receives its metrics.
    let meter = opentelemetry::global::meter("doorman");
    let database = adapters_postgres::connect_lazy(&config.database_settings()?, &meter)?;
    migrate_command::prepare_schema(config, &database).await?;
    let services = wiring::services(config, &database, None, &meter)?;
    let origin = Origin {
        user_agent: Some("doorman admin create".to_owned()),
        ..Origin::default()
    };
    if promote_existing {
        let password = Password::parse(password.expose_secret().to_owned())
            .map_err(|error| anyhow!("the password {error}"))?;
        return match services
            .auth
            .promote_to_admin(&email, &password, &origin)
            .await?
        {
            Promotion::Promoted {
                user,
                sessions_ended,
            } => Ok(format!(
                "{} ({}) is now an active administrator; {sessions_ended} of its sessions ended",
                user.email.as_str(),
                user.id
            )),
            Promotion::NoAccount => {
                bail!("no account has this address; without --promote-existing one is created")
            }
            Promotion::WrongPassword => {
                bail!("the password is not the account's; nothing changed")
            }
        };
    }
    let registration = Registration {
        password: NewPassword::parse(password.expose_secret().to_owned())
            .map_err(|error| anyhow!("the password {error}"))?,
        display_name: DisplayName::parse(display_name)
            .map_err(|error| anyhow!("--display-name {error}"))?,
        email,
    };
    match services.auth.create_admin(registration, &origin).await {
        Ok(user) => Ok(format!(
            "created the administrator {} ({})",
            user.email.as_str(),
            user.id
        )),
        Err(AppError::Conflict(Conflict::EmailTaken)) => bail!(
            "an account has this address already; nothing changed. To make it an \
             administrator, run again with --promote-existing and give its current password"
        ),
        Err(error) => Err(error.into()),
    }
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
            eprintln!("password of the administrator (or set {PASSWORD_VARIABLE}):");
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
