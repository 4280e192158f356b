//! `gashapay-backend`: the mock backend as a server.

use clap::Parser;
use gashapay_backend_mock::config::{Args, Settings};
use gashapay_backend_mock::{start, StartOptions};
use std::io::IsTerminal;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let colours = std::io::stderr().is_terminal();
    let _log = gashapay_backend_mock::logging::init(std::io::stderr(), colours);
    let args = Args::parse();
    let min = gashapay_backend_mock::admin::operator::MIN_OPERATOR_KEY_LEN;
    if args.admin_key.as_ref().is_some_and(|key| key.len() < min) {
        eprintln!("gashapay-backend: --admin-key must be at least {min} characters");
        return std::process::ExitCode::from(2);
    }
    let options = StartOptions {
        listen: args.listen,
        db: args.db.clone(),
        settings: Settings::from_args(&args),
        payment_secret: args.payment_secret.clone(),
        seed_demo: args.seed_demo,
        clock: gashapay_core::clock::SystemClock::shared(),
        admin_key: args.admin_key.clone().map(gashapay_core::Redacted::new),
    };
    let backend = match start(options).await {
        Ok(backend) => backend,
        Err(error) => {
            eprintln!("gashapay-backend: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let url = backend.base_url();
    let db = gashapay_backend_mock::store::shown(&args.db);
    println!("GashaPay mock backend on {url} (database {db})");
    if let Some(key) = &backend.new_admin_key {
        // Printed once, to the operator's terminal, never to the log.
        println!(
            "Operator key (shown only now; /api/v1/admin/…): {}",
            key.expose()
        );
    }
    if let Some(demo) = &backend.demo {
        // Printed once, to the operator's terminal, never to the log.
        println!("Demo user: {} / {}", demo.username, demo.password);
        // Before the export lines: scripts read this output up to the last of them.
        let link = gashapay_core::links::AppLink::MachineCode {
            code_id: demo.machine_code.clone(),
        };
        let base = backend
            .state
            .settings
            .public_url
            .clone()
            .unwrap_or(url.clone());
        println!("Demo machine's printed code: {}", link.https_link(&base));
        println!("Demo machine credentials (new each start):");
        println!("  export GASHAPAY_SERVER={url}");
        println!("  export GASHAPAY_MACHINE_ID={}", demo.machine.machine_id);
        println!(
            "  export GASHAPAY_MACHINE_API_KEY={}",
            demo.machine.api_key.expose()
        );
        println!(
            "  export GASHAPAY_WEBHOOK_SECRET={}",
            demo.machine.webhook_secret.to_text()
        );
    }
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("gashapay-backend: stopping");
    backend.stop().await;
    std::process::ExitCode::SUCCESS
}
