//! `gashapay-machine`: the emulated machine on the command line. Prints one JSON line
//! per step on stdout.

use clap::{Parser, Subcommand};
use gashapay_core::status::DispensePlan;
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::{MachineId, Redacted};
use gashapay_machine::{self as machine, MachineClient, RetryPolicy};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "gashapay-machine",
    about = "The emulated GashaPay machine",
    version
)]
struct Cli {
    #[arg(long, env = "GASHAPAY_SERVER", default_value = "http://127.0.0.1:8080")]
    server: String,
    #[arg(long, env = "GASHAPAY_MACHINE_ID")]
    machine_id: String,
    #[arg(long, env = "GASHAPAY_MACHINE_API_KEY", hide_env_values = true)]
    api_key: String,
    #[arg(long, env = "GASHAPAY_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan a code (text or image), validate it, dispense and report.
    Scan {
        /// The code's text, as a scanner would read it.
        #[arg(long, conflicts_with = "png", required_unless_present = "png")]
        code: Option<String>,
        /// An image (PNG or JPEG) holding the QR code.
        #[arg(long)]
        png: Option<PathBuf>,
        /// What the dispenser does.
        #[arg(long, default_value = "ok", value_parser = dispense_plan())]
        outcome: DispensePlan,
        /// Time the dispenser takes, in milliseconds.
        #[arg(long, default_value_t = 500)]
        delay_ms: u64,
    },
}

/// `ok` (dispense, report `dispensed`), `fail` (jam, report `failed`) or `none`
/// (never report), by the core's names.
fn dispense_plan() -> impl clap::builder::TypedValueParser<Value = DispensePlan> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(DispensePlan::ALL.iter().map(|plan| plan.as_str()))
        .try_map(|name| DispensePlan::parse(&name).ok_or("not a dispense plan"))
}

fn print_json<T: serde::Serialize>(value: &T) {
    println!("{}", serde_json::to_string(value).expect("steps serialise"));
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(webhook_secret) = WebhookSecret::parse(&cli.webhook_secret) else {
        eprintln!("gashapay-machine: the webhook secret must look like whsec_<base64>");
        return ExitCode::from(2);
    };
    let client = MachineClient::new(
        &cli.server,
        MachineId(cli.machine_id),
        Redacted::new(cli.api_key),
        webhook_secret,
    );
    let Command::Scan {
        code,
        png,
        outcome,
        delay_ms,
    } = cli.command;
    let code = match (code, png) {
        (Some(code), _) => code,
        (None, Some(path)) => {
            let decoded = std::fs::read(&path)
                .map_err(|e| machine::MachineError::Decode(format!("{}: {e}", path.display())))
                .and_then(|bytes| machine::decode_qr_image(&bytes));
            match decoded {
                Ok(text) => text,
                Err(error) => {
                    print_json(&serde_json::json!({"step": "error", "message": error.to_string()}));
                    return ExitCode::FAILURE;
                }
            }
        }
        (None, None) => unreachable!("clap requires --code or --png"),
    };
    let result = machine::play(
        &client,
        &code,
        outcome,
        Duration::from_millis(delay_ms),
        &RetryPolicy::default(),
        print_json,
    )
    .await;
    match result {
        Ok(_) => ExitCode::SUCCESS,
        // The refusal was already printed as a step.
        Err(machine::MachineError::Refused { .. }) => ExitCode::from(3),
        Err(error) => {
            print_json(&serde_json::json!({"step": "error", "message": error.to_string()}));
            ExitCode::FAILURE
        }
    }
}
