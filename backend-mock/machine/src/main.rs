//! `gashapay-machine`: the emulated machine on the command line: it scans a player's
//! code, shows its own (a session on its printed code, or an order's code), or serves
//! games as an arcade reader. Prints one JSON line per step on stdout.

use clap::{Parser, Subcommand};
use gashapay_core::order_code::MAX_ORDER_TTL_SECS;
use gashapay_core::status::DispensePlan;
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::{MachineId, Points, Redacted};
use gashapay_machine::{self as machine, arcade, MachineClient, RetryPolicy};
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
    /// Pay first: wait for a customer to load points from the machine's printed code,
    /// sell the items given, then (with `--end`) end the session.
    Session {
        /// An item and its price, `name=points`; repeat for several sales in order.
        #[arg(long = "sell", value_parser = item_and_price)]
        sales: Vec<(String, Points)>,
        /// End the session after the sales (otherwise the customer or the idle
        /// timeout ends it).
        #[arg(long)]
        end: bool,
        /// Seconds to wait for a customer.
        #[arg(long, default_value_t = 120)]
        wait_secs: u64,
    },
    /// Buy first: show an order's code (its link, and with `--png` its QR image), wait
    /// for the payment, dispense and report.
    Order {
        #[arg(long)]
        order_id: String,
        #[arg(long)]
        item: String,
        #[arg(long)]
        amount: u64,
        /// Seconds the order can be paid for (at most 600).
        #[arg(long, default_value_t = 120)]
        ttl_secs: u64,
        /// Write the order's QR code to this PNG file.
        #[arg(long)]
        png: Option<PathBuf>,
        #[arg(long, default_value = "ok", value_parser = dispense_plan())]
        outcome: DispensePlan,
        #[arg(long, default_value_t = 500)]
        delay_ms: u64,
    },
    /// Arcade reader: serve the reader API to games on a loopback port; each line on
    /// standard input is a scanned code (its text, or the path of an image of it).
    Reader {
        #[arg(long, default_value = "127.0.0.1:7300")]
        listen: std::net::SocketAddr,
        /// The points a game costs, `game_id=points`; repeat for several games.
        #[arg(long = "price", value_parser = item_and_price, required = true)]
        prices: Vec<(String, Points)>,
        /// Seconds the reader keeps accepting after a game's last `ask_payment`.
        #[arg(long, default_value_t = 3)]
        accept_secs: u64,
    },
}

/// Writes beside the file, then renames: whoever watches for the file never reads half
/// of it.
fn write_whole(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, path)
}

/// `Capsule A=150`.
fn item_and_price(text: &str) -> Result<(String, Points), String> {
    let (item, points) = text.rsplit_once('=').ok_or("give an item as name=points")?;
    let points: u64 = points
        .trim()
        .parse()
        .map_err(|_| "the price must be a whole number of points")?;
    Ok((item.trim().to_owned(), Points(points)))
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
    let result = match cli.command {
        Command::Reader {
            listen,
            prices,
            accept_secs,
        } => run_reader(client, listen, prices, accept_secs).await,
        Command::Scan {
            code,
            png,
            outcome,
            delay_ms,
        } => scan(&client, code, png, outcome, delay_ms).await,
        Command::Session {
            sales,
            end,
            wait_secs,
        } => machine::serve_session(
            &client,
            &sales,
            end,
            Duration::from_secs(wait_secs),
            print_json,
        )
        .await
        .map(|_| ()),
        Command::Order {
            order_id,
            item,
            amount,
            ttl_secs,
            png,
            outcome,
            delay_ms,
        } => {
            let ttl = Duration::from_secs(ttl_secs.min(MAX_ORDER_TTL_SECS));
            let order = client.order_code(&order_id, &item, Points(amount), ttl);
            if let Some(path) = png {
                let link = client.order_link(&order);
                let written = gashapay_core::qr::render::png(&link, 8)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| write_whole(&path, &bytes).map_err(|e| e.to_string()));
                if let Err(error) = written {
                    print_json(&serde_json::json!({"step": "error", "message": error}));
                    return ExitCode::FAILURE;
                }
            }
            machine::sell_order(
                &client,
                &order,
                outcome,
                Duration::from_millis(delay_ms),
                &RetryPolicy::default(),
                print_json,
            )
            .await
            .map(|_| ())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The refusal was already printed as a step.
        Err(machine::MachineError::Refused { .. }) => ExitCode::from(3),
        Err(error) => {
            print_json(&serde_json::json!({"step": "error", "message": error.to_string()}));
            ExitCode::FAILURE
        }
    }
}

/// A scanned line: the code's text, or the path of an image that holds it.
fn read_scanned(line: &str) -> Result<String, machine::MachineError> {
    let path = std::path::Path::new(line);
    if path.is_file() {
        let bytes = std::fs::read(path)
            .map_err(|e| machine::MachineError::Decode(format!("{}: {e}", path.display())))?;
        return machine::decode_qr_image(&bytes);
    }
    Ok(line.to_owned())
}

async fn run_reader(
    client: MachineClient,
    listen: std::net::SocketAddr,
    prices: Vec<(String, Points)>,
    accept_secs: u64,
) -> Result<(), machine::MachineError> {
    use tokio::io::AsyncBufReadExt;
    let settings = arcade::ReaderSettings {
        prices: prices.into_iter().collect(),
        accept_window: Duration::from_secs(accept_secs),
        retry: RetryPolicy::default(),
    };
    let reader = arcade::Reader::new(client, settings, |event| print_json(&event));
    let (address, _server) = arcade::serve(reader.clone(), listen)
        .await
        .map_err(|e| machine::MachineError::Transport(format!("cannot listen on {listen}: {e}")))?;
    print_json(&serde_json::json!({"step": "reader_listening", "address": address.to_string()}));
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match read_scanned(line) {
            // The reader prints the reservation or the refusal.
            Ok(code) => {
                let _ = reader.scan(&code).await;
            }
            Err(error) => print_json(
                &serde_json::json!({"step": "scan_refused", "code": "unreadable", "message": error.to_string()}),
            ),
        }
    }
    // Standard input closed: keep serving the games until stopped.
    std::future::pending::<()>().await;
    Ok(())
}

async fn scan(
    client: &MachineClient,
    code: Option<String>,
    png: Option<PathBuf>,
    outcome: DispensePlan,
    delay_ms: u64,
) -> Result<(), machine::MachineError> {
    let code = match (code, png) {
        (Some(code), _) => code,
        (None, Some(path)) => std::fs::read(&path)
            .map_err(|e| machine::MachineError::Decode(format!("{}: {e}", path.display())))
            .and_then(|bytes| machine::decode_qr_image(&bytes))?,
        (None, None) => unreachable!("clap requires --code or --png"),
    };
    machine::play(
        client,
        &code,
        outcome,
        Duration::from_millis(delay_ms),
        &RetryPolicy::default(),
        print_json,
    )
    .await
    .map(|_| ())
}
