use std::io::Write as _;

use anyhow::Context as _;
use clap::Parser as _;
use secrecy::ExposeSecret as _;
use server::{Application, Cli, Command, init_telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
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
