use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use secrecy::ExposeSecret as _;
use server::{AdminCommand, Application, Cli, Command, create_admin, init_telemetry, run_migrate};

/// mimalloc rather than the system's allocator: with its per-thread
/// arenas, glibc kept every hashing thread's 19 MiB after the hash, and a
/// burst of sign-ins left hundreds of MiB resident for good. mimalloc
/// returns freed memory to the system soon after. It is built not to ask
/// for transparent huge pages (its `no_thp` feature), which kept whole
/// 2 MiB pages resident for each thread's few KiB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    match cli.command {
        Some(Command::Keygen) => {
            let pem = adapters_crypto::SigningKey::generate().to_pkcs8_pem()?;
            return std::io::stdout()
                .write_all(pem.expose_secret().as_bytes())
                .context("cannot write the key");
        }
        Some(Command::Openapi) => {
            let document = adapters_http::openapi_json()?;
            return writeln!(std::io::stdout(), "{document}").context("cannot write the document");
        }
        Some(Command::Admin(AdminCommand::Create {
            email,
            display_name,
            promote_existing,
            config,
        })) => {
            let done = create_admin(&email, &display_name, promote_existing, &config).await?;
            return writeln!(std::io::stdout(), "{done}").context("cannot write the outcome");
        }
        Some(Command::Migrate(command)) => {
            let done = run_migrate(&command).await?;
            return write!(std::io::stdout(), "{done}").context("cannot write the outcome");
        }
        None => {}
    }
    let tracing = init_telemetry(&cli.config)?;
    let application = Application::build(&cli.config).await?;
    let served = application.run_until_stopped().await;
    // The last export waits on the collector: off the async threads.
    tokio::task::spawn_blocking(move || tracing.shut_down())
        .await
        .context("exporting the last spans panicked")?;
    served
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
