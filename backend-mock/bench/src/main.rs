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
mod prefill;
mod report;
mod status;
mod targets;
mod workload;
mod wrk;

use clap::Parser;
use measurement::Measurement;
use targets::Target;
use workload::Workload;

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
    /// Share of codes (0 to 1) carrying a random (v4) transaction id instead of a
    /// time-ordered (v7) one, spread evenly.
    #[arg(long, default_value_t = 0.0, value_parser = share)]
    v4_share: f64,
    /// Plays the database already holds when the rounds start (the same players, the
    /// same share of v4 ids, over the last 30 days). Built once and kept in
    /// `--cache-dir`.
    #[arg(long, default_value_t = 0)]
    prefill: u64,
    /// Where prefilled databases are kept between runs [default: gashapay-bench-cache
    /// in the temporary directory].
    #[arg(long)]
    cache_dir: Option<std::path::PathBuf>,
    /// The fleet goal's workload: 10,000 players, half the ids random, 5 million
    /// plays already stored (sets `--users`, `--v4-share` and `--prefill`).
    #[arg(long, conflicts_with_all = ["users", "v4_share", "prefill"])]
    fleet: bool,
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
    /// Also validate on PostgreSQL, with one backend instance and with two on one
    /// database (the load spread over them): the server's URL (of its `postgres`
    /// database), where throwaway databases are made. Built-in load only.
    #[arg(long, conflicts_with_all = ["prefill", "fleet"])]
    postgres: Option<String>,
}

fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(share) if (0.0..=1.0).contains(&share) => Ok(share),
        _ => Err(format!("{text} is not a share between 0 and 1")),
    }
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
    let workload = match args.fleet {
        true => Workload::FLEET,
        false => Workload {
            users: args.users,
            v4_share: args.v4_share,
            prefill: args.prefill,
        },
    };
    let cache = args
        .cache_dir
        .clone()
        .unwrap_or_else(prefill::default_cache);
    // The echo always runs, first: it is the baseline.
    let mut targets = vec![targets::echo().await];
    for (name, group_commit) in [("each play committed alone", false), ("group commit", true)] {
        // A target left out by --only is not built: a prefilled copy takes time and disk.
        if args
            .only
            .as_deref()
            .is_none_or(|only| format!("validate, {name}").contains(only))
        {
            targets.push(targets::validate(name, group_commit, workload, &dir, &cache).await);
        }
    }
    // The databases live as long as the run.
    let mut _postgres_databases = Vec::new();
    if let Some(server) = &args.postgres {
        if matches!(args.load, Load::Wrk) {
            eprintln!("--postgres loads two instances at once: use the built-in load");
            std::process::exit(2);
        }
        for instances in [1, 2] {
            let (target, database) =
                targets::validate_on_postgres(instances, workload, server).await;
            if args
                .only
                .as_deref()
                .is_none_or(|only| target.name.contains(only))
            {
                targets.push(target);
            }
            _postgres_databases.push(database);
        }
    }
    println!(
        "{} connections ({} load), {}, {} s each in {} rounds, SQLite synchronous=FULL, WAL{}, {}, on {}",
        args.connections,
        match args.load {
            Load::Builtin => "built-in",
            Load::Wrk => "wrk -t2",
        },
        workload.describe(),
        args.seconds,
        args.rounds,
        match args.postgres {
            Some(_) => ", PostgreSQL fsync and synchronous_commit on",
            None => "",
        },
        match args.quiet {
            true => "no log",
            false => "logging as shipped",
        },
        dir.display()
    );
    let wanted: Vec<&Target> = targets.iter().collect();
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
