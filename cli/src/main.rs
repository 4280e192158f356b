use clap::Parser;
use gashapay_cli::{run, Cli};
use gashapay_core::secrets::{KeyringSecretStore, SecretStore};
use std::process::ExitCode;
use std::sync::Arc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // One keychain profile per server, so a demo server and a real one never mix.
    let secrets: Arc<dyn SecretStore> =
        Arc::new(KeyringSecretStore::new(format!("gashapay {}", cli.server)));
    let mut stdout = std::io::stdout();
    match run(cli, secrets, &mut stdout).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", error.to_json());
            ExitCode::FAILURE
        }
    }
}
