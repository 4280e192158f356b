use clap::Parser;
use gashapay_cli::{check_keychain_lasts, run, Cli, CliError};
use gashapay_core::client::ClientError;
use gashapay_core::secrets::{KeyringSecretStore, SecretStore};
use std::process::ExitCode;
use std::sync::Arc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // One keychain profile per server, so a demo server and a real one never mix.
    let keychain = KeyringSecretStore::platform(format!("gashapay {}", cli.server))
        .map_err(|error| CliError::Client(ClientError::Storage(error)));
    let ran = match keychain {
        Ok(keychain) => match check_keychain_lasts(&cli.command, keychain.lifetime()) {
            Ok(()) => {
                let secrets: Arc<dyn SecretStore> = Arc::new(keychain);
                run(cli, secrets, &mut std::io::stdout()).await
            }
            Err(error) => Err(error),
        },
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
