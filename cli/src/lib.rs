//! `gashapay`: a headless GashaPay user client on the shared core. Every command
//! prints JSON on stdout, so it is scriptable; errors print
//! `{"error": code, "message": text}` on stderr.

pub mod admin;

use clap::{Parser, Subcommand};
use gashapay_core::client::{
    watch_transaction, ApiClient, ClientConfig, ClientError, PollConfig, PollEnd,
};
use gashapay_core::clock::unix_now;
use gashapay_core::qr::{render, DEFAULT_TTL_SECONDS};
use gashapay_core::secrets::{KeychainLifetime, SecretStore};
use gashapay_core::{Points, Redacted, TransactionId};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(name = "gashapay", about = "GashaPay on the command line", version)]
pub struct Cli {
    /// The backend's base URL.
    #[arg(long, env = "GASHAPAY_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in; the first sign-in on this device registers it.
    Login {
        #[arg(long, env = "GASHAPAY_USERNAME")]
        username: String,
        #[arg(long, env = "GASHAPAY_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Create an account and sign it in on this device.
    Signup {
        #[arg(long, env = "GASHAPAY_USERNAME")]
        username: String,
        #[arg(long, env = "GASHAPAY_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Sign out and forget the session (the device stays registered).
    Logout,
    /// The current balance.
    Balance,
    /// Ledger entries, newest first.
    History {
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// `next_before` from the previous page.
        #[arg(long)]
        before: Option<i64>,
    },
    /// Add points, paid with a payment token.
    Topup {
        #[arg(long)]
        amount: u64,
        #[arg(long, default_value = "tok_test_success")]
        payment_token: String,
        /// Reuse to retry safely; a new one is made when absent.
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// Make a signed one-time code, offline.
    Qr {
        #[arg(long)]
        points: u64,
        /// Also write the QR symbol to this PNG file.
        #[arg(long)]
        png: Option<PathBuf>,
        /// Seconds until the code expires.
        #[arg(long, default_value_t = DEFAULT_TTL_SECONDS)]
        ttl: u16,
    },
    /// The operator's calls (`/api/v1/admin/…`): machines, devices, the audit trail.
    Admin {
        /// The operator key (`--admin-key` of the backend, or the one it printed at
        /// its first start).
        #[arg(long, env = "GASHAPAY_ADMIN_KEY", hide_env_values = true)]
        admin_key: String,
        #[command(subcommand)]
        action: admin::AdminCommand,
    },
    /// A play's status; with --wait, follow it to the end (one JSON line per change).
    Status {
        transaction_id: TransactionId,
        #[arg(long)]
        wait: bool,
        /// The code's expiry (Unix seconds, as `qr` printed it); defaults to now + 5 min.
        #[arg(long)]
        expires_at: Option<u64>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot draw the QR code: {0}")]
    Render(#[from] render::RenderError),
    #[error("the play did not finish: {0}")]
    Unfinished(String),
    #[error("{KEYCHAIN_HINT}")]
    KeychainNotLasting,
}

/// Said instead of signing in when the keychain would forget the session.
const KEYCHAIN_HINT: &str = "not signed in: this shell has no keyring session, so the \
session would be forgotten as soon as this command ends. Run the commands inside \
`keyctl session - bash` (Debian package keyutils), or from a desktop login.";

/// Said when no session is found: on Linux the keyring may not outlive the process.
const SIGN_IN_HINT: &str = "not signed in: run `gashapay login` first. On Linux the \
session lives in the kernel keyring; in a shell without a login keyring, run the \
commands inside `keyctl session - bash`.";

impl CliError {
    /// `{"error": code, "message": text}` for stderr.
    pub fn to_json(&self) -> serde_json::Value {
        let code = match self {
            CliError::Client(ClientError::Api { code, .. }) => code.as_str(),
            CliError::Client(ClientError::Network(_)) => "network",
            CliError::Client(ClientError::Timeout) => "timeout",
            CliError::Client(ClientError::NotSignedIn) => "not_signed_in",
            CliError::Client(ClientError::Device(_)) => "not_signed_in",
            CliError::Client(ClientError::Storage(_)) => "secret_storage",
            CliError::Client(ClientError::InvalidResponse(_)) => "invalid_response",
            CliError::Write { .. } => "io",
            CliError::Render(_) => "render",
            CliError::Unfinished(_) => "unfinished",
            CliError::KeychainNotLasting => "keychain_not_lasting",
        };
        let message = match code {
            "not_signed_in" => SIGN_IN_HINT.to_owned(),
            _ => self.to_string(),
        };
        json!({ "error": code, "message": message })
    }
}

/// Signing in where the keychain forgets everything at exit would seem to work and
/// leave the next command `not_signed_in`; refuse it before asking the server (which
/// would register a device that is lost at once).
pub fn check_keychain_lasts(command: &Command, lifetime: KeychainLifetime) -> Result<(), CliError> {
    match (command, lifetime) {
        (Command::Login { .. } | Command::Signup { .. }, KeychainLifetime::ThisProcessOnly) => {
            Err(CliError::KeychainNotLasting)
        }
        _ => Ok(()),
    }
}

fn emit(out: &mut dyn Write, value: serde_json::Value) {
    // A closed stdout (a pipe to `head`) is not worth a panic.
    let _ = writeln!(out, "{value}");
}

/// Runs one command against `cli.server`, keeping secrets in `secrets`.
pub async fn run(
    cli: Cli,
    secrets: Arc<dyn SecretStore>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let config = ClientConfig {
        device_name: "gashapay CLI".into(),
        ..ClientConfig::default()
    };
    let client = ApiClient::new(&cli.server, secrets, config)?;
    match cli.command {
        Command::Admin { admin_key, action } => {
            admin::run(&cli.server, Redacted::new(admin_key), action, out).await?;
        }
        Command::Login { username, password } => {
            let session = client.login(&username, &password).await?;
            emit(
                out,
                json!({
                    "user_id": session.user_id,
                    "device_id": session.device_id,
                    "new_device": session.device_secret.is_some(),
                }),
            );
        }
        Command::Signup { username, password } => {
            let session = client.signup(&username, &password).await?;
            emit(
                out,
                json!({ "user_id": session.user_id, "device_id": session.device_id }),
            );
        }
        Command::Logout => {
            client.logout().await?;
            emit(out, json!({ "signed_out": true }));
        }
        Command::Balance => {
            let balance = client.balance().await?;
            emit(out, serde_json::to_value(balance).unwrap_or_default());
        }
        Command::History { limit, before } => {
            let page = client.history(limit, before).await?;
            emit(out, serde_json::to_value(page).unwrap_or_default());
        }
        Command::Topup {
            amount,
            payment_token,
            idempotency_key,
        } => {
            let key = idempotency_key.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let result = client.top_up(Points(amount), &payment_token, &key).await?;
            emit(out, serde_json::to_value(result).unwrap_or_default());
        }
        Command::Qr { points, png, ttl } => {
            let credentials = client.device_credentials()?;
            let code = credentials
                .make_code(Points(points), unix_now(), ttl)
                .map_err(ClientError::from)?;
            let text = code.to_text();
            if let Some(path) = &png {
                let bytes = render::png(&text, 8)?;
                std::fs::write(path, bytes).map_err(|source| CliError::Write {
                    path: path.display().to_string(),
                    source,
                })?;
            }
            emit(
                out,
                json!({
                    "transaction_id": code.payload.transaction_id,
                    "points": code.payload.points,
                    "issued_at": code.payload.issued_at,
                    "expires_at": code.payload.expires_at(),
                    "qr_version": render::version(&text)?,
                    "code": text,
                    "png": png.map(|p| p.display().to_string()),
                }),
            );
        }
        Command::Status {
            transaction_id,
            wait,
            expires_at,
        } => {
            if !wait {
                let view = client.transaction(transaction_id, None, None).await?;
                emit(out, serde_json::to_value(view).unwrap_or_default());
                return Ok(());
            }
            let expires_at =
                expires_at.unwrap_or_else(|| unix_now() + u64::from(DEFAULT_TTL_SECONDS));
            let cancel = tokio_util::sync::CancellationToken::new();
            let end = watch_transaction(
                &client,
                transaction_id,
                expires_at,
                &PollConfig::default(),
                &cancel,
                |view| emit(out, serde_json::to_value(view).unwrap_or_default()),
            )
            .await?;
            match end {
                PollEnd::Final(_) => {}
                PollEnd::NeverScanned => {
                    return Err(CliError::Unfinished(
                        "the code expired before any machine scanned it; nothing was charged"
                            .into(),
                    ))
                }
                PollEnd::Cancelled => return Err(CliError::Unfinished("cancelled".into())),
            }
        }
    }
    Ok(())
}
