use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use secrecy::ExposeSecret as _;
use server::{Application, Cli, Command, init_telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            #[expect(clippy::print_stderr, reason = "the last word goes to the operator")]
            {
                eprintln!("doorman: {}", describe(&error));
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::Keygen) = cli.command {
        let pem = adapters_crypto::SigningKey::generate().to_pkcs8_pem()?;
        return std::io::stdout()
            .write_all(pem.expose_secret().as_bytes())
            .context("cannot write the key");
    }
    init_telemetry(&cli.config)?;
    let application = Application::build(&cli.config).await?;
    application.run_until_stopped().await
}

/// The error and its causes on one line, leaving out a cause that its
/// wrapper already quotes.
fn describe(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
