use clap::Parser;
use gashapay_cli::{check_keychain_lasts, run, Cli};
use gashapay_core::secrets::{KeyringSecretStore, SecretStore};
use std::process::ExitCode;
use std::sync::Arc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // One keychain profile per server, so a demo server and a real one never mix.
    let keychain = KeyringSecretStore::new(format!("gashapay {}", cli.server));
    let checked = check_keychain_lasts(&cli.command, keychain.lifetime());
    let secrets: Arc<dyn SecretStore> = Arc::new(keychain);
    let mut stdout = std::io::stdout();
    let ran = match checked {
        Ok(()) => run(cli, secrets, &mut stdout).await,
        Err(error) => Err(error),
    };
    match ran {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", error.to_json());
            ExitCode::FAILURE
        }
    }
}
