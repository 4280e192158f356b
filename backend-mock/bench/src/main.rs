//! `gashapay-bench`: validation throughput against a bare axum JSON echo, side by side
//! in one run, on this machine. Starts the echo server and the real backend (with
//! every play committed alone, then with group commit, both `synchronous=FULL` on a
//! file), loads each from `--connections` keep-alive connections for `--seconds`,
//! every validation with a distinct valid code, and prints req/s, p50/p99 and the
//! ratio to the echo. Run it in release: `cargo run --release -p
//! gashapay-bench`.
//!
//! The built-in load generator runs in this process and shares the machine's cores
//! with the servers, so absolute numbers are lower than an external tool's; the ratio
//! is the figure to compare. `--load wrk` drives the same targets with wrk instead
//! (`wrk -t2`, with `wrk/requests.lua` sending each pre-made code once).

mod builtin;
mod cpu;
mod measurement;
mod report;
mod status;
mod targets;
mod wrk;

use clap::Parser;
use measurement::Measurement;
use targets::Target;

#[derive(Parser)]
#[command(
    name = "gashapay-bench",
    about = "Validation throughput against an axum echo baseline"
)]
struct Args {
    /// Measured seconds per target, in total over all rounds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Slices the targets take turns in (each slice after a 0.5 s warm-up).
    #[arg(long, default_value_t = 5)]
    rounds: u32,
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Plays for the status-latency measurement.
    #[arg(long, default_value_t = 200)]
    status_plays: usize,
    /// Players the validations are spread over, in turn. One player keeps the
    /// writer's pages together (the best case); many make each batch touch as many
    /// balances and history pages.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    users: u32,
    /// Load only the targets whose name contains this text (the echo always runs
    /// first, as the baseline), e.g. `--only group` while profiling.
    #[arg(long)]
    only: Option<String>,
    /// Who makes the load: this process (`builtin`) or wrk (`wrk`, installed
    /// separately: `apt-get install wrk`).
    #[arg(long, value_enum, default_value_t = Load::Builtin)]
    load: Load,
    /// Serve with no log at all, to profile the servers alone. By default they log
    /// as the shipped binary does (`logging::init`, `RUST_LOG` included), to
    /// `backend.log` in the bench's directory, as stderr redirected to a file would.
    #[arg(long)]
    quiet: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Load {
    Builtin,
    Wrk,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("gashapay-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let _log = (!args.quiet).then(|| {
        let log = std::fs::File::create(dir.join("backend.log")).unwrap();
        gashapay_backend_mock::logging::init(log, false)
    });
    let targets = [
        targets::echo().await,
        targets::validate("each play committed alone", false, args.users, &dir).await,
        targets::validate("group commit", true, args.users, &dir).await,
    ];
    println!(
        "{} connections ({} load), {} player(s), {} s each in {} rounds, synchronous=FULL, WAL, {}, on {}",
        args.connections,
        match args.load {
            Load::Builtin => "built-in",
            Load::Wrk => "wrk -t2",
        },
        args.users,
        args.seconds,
        args.rounds,
        match args.quiet {
            true => "no log",
            false => "logging as shipped",
        },
        dir.display()
    );
    // The echo always runs, first: it is the baseline.
    let wanted: Vec<&Target> = targets
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            *i == 0
                || args
                    .only
                    .as_deref()
                    .is_none_or(|only| t.name.contains(only))
        })
        .map(|(_, t)| t)
        .collect();
    let mut wrk_sizing = match args.load {
        Load::Builtin => None,
        Load::Wrk => Some(wrk::Sizing::calibrated(&wanted, args.connections).await),
    };
    let mut results: Vec<Measurement> = wanted.iter().map(|_| Measurement::default()).collect();
    let slice = args.seconds as f64 / args.rounds as f64;
    // Round-robin in short slices, so a change in the machine's speed during the run
    // (other tenants, thermal) falls on every target alike.
    for _ in 0..args.rounds {
        for (target, result) in wanted.iter().zip(results.iter_mut()) {
            let writer_before = target.writer.as_ref().map(|w| w.stats());
            let mut measured = match &mut wrk_sizing {
                None => builtin::load(target, args.connections, slice).await,
                Some(sizing) => {
                    let whole = slice.ceil().max(1.0) as u64;
                    sizing.load(target, args.connections, whole, &dir).await
                }
            };
            measured.round_rates = vec![measured.requests_per_second()];
            if let (Some(writer), Some(before)) = (&target.writer, writer_before) {
                measured.writer = writer.stats().since(&before);
            }
            result.add(measured);
        }
    }
    report::print(&wanted, &results);
    if args.status_plays > 0 {
        status::status_latency(args.status_plays, &dir).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
