//! `gashapay-partner`: the emulated reward partner (PROTOCOL §12) on the command line.
//! It asks the backend for codes (signed with its secret), shows each as a link on
//! standard output (one JSON line per step) and, with `--png`, as a QR image; renews a
//! visit code each interval; and ends kind-3 sessions by their token.

use clap::{Parser, Subcommand};
use gashapay_core::api::rewards::{RewardCodeAnswer, RewardKind};
use gashapay_core::reward_request::PartnerSecret;
use gashapay_machine::partner::{CodeOrder, PartnerClient};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "gashapay-partner",
    about = "The emulated GashaPay reward partner",
    version
)]
struct Cli {
    #[arg(long, env = "GASHAPAY_SERVER", default_value = "http://127.0.0.1:8080")]
    server: String,
    #[arg(long, env = "GASHAPAY_PARTNER_APP_ID")]
    app_id: String,
    /// `prsec_…`, as the operator's `create-partner` printed it.
    #[arg(long, env = "GASHAPAY_PARTNER_SECRET", hide_env_values = true)]
    secret: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Visit codes: a new one each interval, `--rotations` times (0: until stopped).
    Visit {
        #[arg(long)]
        point: u64,
        #[arg(long, default_value_t = 1)]
        interval: u32,
        #[arg(long, default_value_t = 0)]
        rotations: u32,
        /// Write the current code's QR to this PNG file.
        #[arg(long)]
        png: Option<PathBuf>,
    },
    /// A start code and an end code: the player scans one coming in, one leaving.
    Timed {
        #[arg(long)]
        point: u64,
        #[arg(long)]
        interval: u32,
        #[arg(long)]
        png_start: Option<PathBuf>,
        #[arg(long)]
        png_end: Option<PathBuf>,
    },
    /// A start code whose session this server ends later with `end --token`.
    Start {
        #[arg(long)]
        token: String,
        #[arg(long)]
        point: u64,
        #[arg(long)]
        interval: u32,
        #[arg(long)]
        png: Option<PathBuf>,
    },
    /// Ends the session `--token` started: the player earns for the time in between.
    End {
        #[arg(long)]
        token: String,
    },
}

fn print_json(value: &serde_json::Value) {
    println!("{value}");
}

/// Writes beside the file, then renames: whoever watches for it never reads half.
fn write_png(path: &Path, link: &str) -> Result<(), String> {
    let bytes = gashapay_core::qr::render::png(link, 8).map_err(|e| e.to_string())?;
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).map_err(|e| e.to_string())?;
    std::fs::rename(&partial, path).map_err(|e| e.to_string())
}

/// The answer as a step, or its refusal as an error.
fn shown(step: &str, answer: &RewardCodeAnswer) -> Result<(), String> {
    if answer.code != 0 {
        return Err(format!(
            "{}: {}",
            answer.message,
            answer.detail.clone().unwrap_or_default()
        ));
    }
    print_json(&serde_json::json!({
        "step": step,
        "quickid": answer.quickid,
        "link": answer.message,
        "qrcode": answer.qrcode,
        "expires_at": answer.expires_at,
        "end_link": answer.end.as_ref().map(|end| &end.message),
    }));
    Ok(())
}

fn order(kind: RewardKind, point: u64, interval_minutes: u32, token: Option<String>) -> CodeOrder {
    CodeOrder {
        kind,
        point,
        interval_minutes,
        failure_minutes: None,
        token,
    }
}

async fn ask(client: &PartnerClient, order: CodeOrder) -> Result<RewardCodeAnswer, String> {
    client.request_code(&order).await.map_err(|e| e.to_string())
}

async fn run(client: &PartnerClient, command: Command) -> Result<(), String> {
    match command {
        Command::Visit {
            point,
            interval,
            rotations,
            png,
        } => {
            let mut made = 0;
            loop {
                let answer = ask(client, order(RewardKind::Visit, point, interval, None)).await?;
                shown("visit_code", &answer)?;
                if let Some(path) = &png {
                    write_png(path, &answer.message)?;
                }
                made += 1;
                if rotations != 0 && made >= rotations {
                    return Ok(());
                }
                // The code dies with its interval: the next one then.
                let expires = answer.expires_at.map_or(0, |at| at.timestamp());
                let wait = (expires - chrono::Utc::now().timestamp()).max(1) as u64;
                tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
            }
        }
        Command::Timed {
            point,
            interval,
            png_start,
            png_end,
        } => {
            let kind = RewardKind::TimedByPlayer;
            let answer = ask(client, order(kind, point, interval, None)).await?;
            shown("timed_codes", &answer)?;
            let end = answer.end.as_ref().ok_or("no end code in the answer")?;
            if let Some(path) = &png_start {
                write_png(path, &answer.message)?;
            }
            if let Some(path) = &png_end {
                write_png(path, &end.message)?;
            }
            Ok(())
        }
        Command::Start {
            token,
            point,
            interval,
            png,
        } => {
            let kind = RewardKind::TimedByPartner;
            let answer = ask(client, order(kind, point, interval, Some(token))).await?;
            shown("start_code", &answer)?;
            if let Some(path) = &png {
                write_png(path, &answer.message)?;
            }
            Ok(())
        }
        Command::End { token } => {
            let answer = client.end(&token).await.map_err(|e| e.to_string())?;
            if answer.code != 0 {
                return Err(format!(
                    "{}: {}",
                    answer.message,
                    answer.detail.unwrap_or_default()
                ));
            }
            print_json(&serde_json::json!({
                "step": "ended", "earned": answer.earned, "minutes": answer.minutes,
            }));
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(secret) = PartnerSecret::parse(&cli.secret) else {
        eprintln!("gashapay-partner: the secret must look like prsec_<base64>");
        return ExitCode::from(2);
    };
    let client = PartnerClient::new(&cli.server, &cli.app_id, secret);
    match run(&client, cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            print_json(&serde_json::json!({"step": "refused", "message": error}));
            ExitCode::from(3)
        }
    }
}
