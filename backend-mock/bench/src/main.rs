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

use clap::Parser;
use gashapay_backend_mock::admin::{create_player, create_user, register_machine};
use gashapay_backend_mock::config::Settings;
use gashapay_backend_mock::http::rate_limit::RateLimit;
use gashapay_backend_mock::writer::{PlayQueue, WaitHistogram, WriterSnapshot, WRITER_THREAD_NAME};
use gashapay_backend_mock::{start, StartOptions};
use gashapay_core::clock::unix_now;
use gashapay_core::clock::{Clock, SystemClock};
use gashapay_core::device::DeviceCredentials;
use gashapay_core::Points;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

struct Target {
    name: String,
    url: String,
    auth: String,
    body: Arc<dyn Fn() -> String + Send + Sync>,
    /// Every request needs a body of its own (validate: one code, one deduction).
    distinct_bodies: bool,
    /// The group-commit writer behind the target, if any, whose counters say how
    /// many plays shared each commit and how long plays waited for it.
    writer: Option<Arc<PlayQueue>>,
}

/// What one target's load produced, summed over rounds.
#[derive(Default)]
struct Measurement {
    ok: u64,
    errors: u64,
    seconds: f64,
    /// Built-in load: microseconds of every successful request.
    latencies: Vec<u32>,
    /// wrk: each round's latency distribution.
    round_latencies: Vec<RoundLatency>,
    /// Each round's requests per second.
    round_rates: Vec<f64>,
    /// What the target's group-commit writer did during the rounds.
    writer: WriterSnapshot,
    /// wrk: the CPU this process (the servers) used while wrk ran, if /proc tells.
    cpu: Option<CpuTime>,
}

impl Measurement {
    fn add(&mut self, mut other: Measurement) {
        self.ok += other.ok;
        self.errors += other.errors;
        self.seconds += other.seconds;
        self.latencies.append(&mut other.latencies);
        self.round_latencies.append(&mut other.round_latencies);
        self.round_rates.append(&mut other.round_rates);
        self.writer.add(&other.writer);
        self.cpu = match (self.cpu, other.cpu) {
            (Some(total), Some(more)) => Some(total.plus(more)),
            (total, more) => total.or(more),
        };
    }

    fn requests_per_second(&self) -> f64 {
        self.ok as f64 / self.seconds
    }

    fn p50_ms(&mut self) -> f64 {
        self.percentile_ms(0.50)
    }

    fn p99_ms(&mut self) -> f64 {
        self.percentile_ms(0.99)
    }

    /// wrk: the worst round's p99, beside the whole run's.
    fn worst_round_p99_ms(&self) -> Option<f64> {
        let worst = self
            .round_latencies
            .iter()
            .filter_map(|round| round.at(99.0))
            .max()?;
        Some(worst as f64 / 1000.0)
    }

    /// The latency within which a share `q` (0 to 1) of the run's requests were
    /// answered, over every round.
    fn percentile_ms(&mut self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return RoundLatency::combined(&self.round_latencies, q * 100.0)
                .map_or(f64::NAN, |us| us as f64 / 1000.0);
        }
        self.latencies.sort_unstable();
        let index = ((self.latencies.len() as f64 * q) as usize)
            .min(self.latencies.len().saturating_sub(1));
        self.latencies
            .get(index)
            .map(|&us| us as f64 / 1000.0)
            .unwrap_or(f64::NAN)
    }
}

/// One wrk round's latency distribution: its request count and the latency at each
/// of the percentiles `wrk/requests.lua` prints (`latency_us=q:µs,...`).
#[derive(Debug, Clone, PartialEq)]
struct RoundLatency {
    requests: u64,
    /// (percentile, microseconds), percentiles ascending.
    points: Vec<(f64, u64)>,
}

impl RoundLatency {
    fn parse(requests: u64, line: &str) -> Self {
        let list = line
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix("latency_us="))
            .unwrap_or_else(|| panic!("no latency_us in {line}"));
        let points = list
            .split(',')
            .map(|pair| {
                let (q, us) = pair.split_once(':').expect("q:µs");
                (q.parse().expect("a percentile"), us.parse().expect("µs"))
            })
            .collect();
        Self { requests, points }
    }

    /// The latency at percentile `q` exactly as wrk printed it, if it did.
    fn at(&self, q: f64) -> Option<u64> {
        self.points.iter().find(|p| p.0 == q).map(|p| p.1)
    }

    /// The share (percent) of this round's requests known to be answered within
    /// `us`: the highest printed percentile at or below it. A lower bound, so
    /// [`Self::combined`] errs towards a longer latency, never a shorter one.
    fn share_within(&self, us: u64) -> f64 {
        self.points
            .iter()
            .filter(|p| p.1 <= us)
            .map(|p| p.0)
            .fold(0.0, f64::max)
    }

    /// Percentile `q` (0 to 100) over all rounds' requests together: the shortest
    /// printed latency within which at least `q`% of them were answered. A run's
    /// p99 is this, not any one round's: one round that met a disk stall weighs
    /// what its requests weigh.
    fn combined(rounds: &[RoundLatency], q: f64) -> Option<u64> {
        let total: u64 = rounds.iter().map(|r| r.requests).sum();
        if total == 0 {
            return None;
        }
        let mut candidates: Vec<u64> = rounds
            .iter()
            .flat_map(|r| r.points.iter().map(|p| p.1))
            .collect();
        candidates.sort_unstable();
        candidates.into_iter().find(|&us| {
            let within: f64 = rounds
                .iter()
                .map(|r| r.requests as f64 * r.share_within(us))
                .sum();
            within >= q * total as f64
        })
    }
}

/// Loads `target` with wrk for `seconds` (whole seconds; wrk takes no fractions):
/// writes enough requests for the fastest target, runs wrk with
/// `wrk/requests.lua`, and reads the line the script prints.
async fn load_with_wrk(
    target: &Target,
    connections: usize,
    seconds: u64,
    dir: &std::path::Path,
) -> Measurement {
    const THREADS: usize = 2;
    // Beyond anything this machine has reached for validate (about 25k/s), with
    // room. Every target gets as many (the echo too, though it could reuse one), so
    // wrk's start-up, which reads them, takes as long for each.
    let count = seconds as usize * 60_000;
    let (requests, size) = write_wrk_requests(target, count, THREADS, dir);
    let script = dir.join("requests.lua");
    if !script.exists() {
        std::fs::write(&script, include_str!("../wrk/requests.lua")).unwrap();
    }
    // From here on this process only serves: its CPU is the server side's.
    let cpu_before = CpuTime::now();
    let output = tokio::process::Command::new("wrk")
        .arg(format!("-t{THREADS}"))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .args(["--timeout", "5s", "-s"])
        .arg(&script)
        .arg(&target.url)
        .arg("--")
        .arg(&requests)
        .arg(size.to_string())
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run wrk ({e}); install it: apt-get install wrk"));
    let cpu = CpuTime::now()
        .zip(cpu_before)
        .map(|(after, before)| after.minus(before));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("GASHAPAY "))
        .unwrap_or_else(|| panic!("wrk printed no result: {stdout}"));
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line}"))
    };
    if target.distinct_bodies {
        assert_eq!(field("wrapped"), 0, "wrk ran out of distinct bodies");
    }
    let errors = field("non2xx") + field("socket_errors");
    Measurement {
        ok: field("requests").saturating_sub(field("non2xx")),
        errors,
        seconds: field("duration_us") as f64 / 1e6,
        latencies: Vec::new(),
        round_latencies: vec![RoundLatency::parse(field("requests"), line)],
        cpu,
        ..Measurement::default()
    }
}

/// Writes `count` whole HTTP requests to `target` for wrk's `threads` threads, thread
/// N's share (every Nth request) to `<prefix>.N`, and returns the prefix and the
/// size of each request. Bodies are padded with trailing spaces (JSON allows them)
/// to one length, so every request is the same size and the script finds the next
/// one without searching.
fn write_wrk_requests(
    target: &Target,
    count: usize,
    threads: usize,
    dir: &std::path::Path,
) -> (std::path::PathBuf, usize) {
    let url = reqwest::Url::parse(&target.url).expect("a target URL");
    let host = format!(
        "{}:{}",
        url.host_str().expect("a host"),
        url.port_or_known_default().expect("a port")
    );
    let bodies: Vec<String> = (0..count).map(|_| (target.body)()).collect();
    let body_len = bodies.iter().map(String::len).max().unwrap_or(0);
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {body_len}\r\n\r\n",
        url.path(),
        target.auth
    );
    let size = head.len() + body_len;
    let prefix = dir.join("requests");
    for thread in 0..threads {
        let mut text = Vec::with_capacity(size * count.div_ceil(threads));
        for body in bodies.iter().skip(thread).step_by(threads) {
            text.extend_from_slice(head.as_bytes());
            text.extend_from_slice(body.as_bytes());
            text.resize(text.len() + body_len - body.len(), b' ');
        }
        // On disk before wrk starts: the kernel's writeback of tens of megabytes
        // would otherwise compete with the backend's fsyncs during the run.
        let mut file = std::fs::File::create(prefix.with_extension(thread.to_string())).unwrap();
        std::io::Write::write_all(&mut file, &text).unwrap();
        file.sync_all().unwrap();
    }
    (prefix, size)
}

async fn load(target: &Target, connections: usize, seconds: f64) -> Measurement {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .unwrap();
    let warmup_until = Instant::now() + Duration::from_millis(500);
    let until = warmup_until + Duration::from_secs_f64(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (client, url, auth, body) = (
            client.clone(),
            target.url.clone(),
            target.auth.clone(),
            target.body.clone(),
        );
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            loop {
                let started = Instant::now();
                if started >= until {
                    break;
                }
                let response = client
                    .post(&url)
                    .bearer_auth(&auth)
                    .header("content-type", "application/json")
                    .body(body())
                    .send()
                    .await;
                let ok = match response {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if started < warmup_until {
                    continue;
                }
                if ok {
                    latencies.push(started.elapsed().as_micros() as u32);
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        });
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    while let Some(joined) = tasks.join_next().await {
        let (mut l, e) = joined.unwrap();
        latencies.append(&mut l);
        errors += e;
    }
    Measurement {
        ok: latencies.len() as u64,
        latencies,
        errors,
        seconds,
        ..Measurement::default()
    }
}

async fn echo_server() -> String {
    async fn echo(
        axum::Json(body): axum::Json<serde_json::Value>,
    ) -> axum::Json<serde_json::Value> {
        axum::Json(body)
    }
    let app = axum::Router::new().route("/echo", axum::routing::post(echo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/echo", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// A backend on a fresh database file with a machine and `users` rich players, each
/// with a device.
async fn validate_target(
    name: &str,
    group_commit: bool,
    users: u32,
    dir: &std::path::Path,
) -> Target {
    let backend = start(StartOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        db: dir.join(format!("{name}.db")).display().to_string(),
        settings: Settings {
            group_commit,
            // One machine sends everything here: keep its budget checked on every
            // request (that cost is part of the figure) but wide enough never to bite.
            validate_limit: RateLimit::new(u32::MAX, Duration::from_millis(1)),
            ..Settings::default()
        },
        payment_secret: None,
        seed_demo: false,
        clock: gashapay_core::clock::SystemClock::shared(),
    })
    .await
    .unwrap();
    let state = backend.state.clone();
    let app_id = state.settings.app_id;
    let players = state
        .db(move |store| {
            (0..users)
                .map(|n| {
                    let (user_id, device_id, secret) = create_player(
                        store,
                        &format!("bench{n}"),
                        Points(1 << 40),
                        SystemClock.now_millis(),
                    )?;
                    Ok(DeviceCredentials {
                        app_id,
                        user_id,
                        device_id,
                        secret,
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .unwrap();
    let machine = register_machine(&state, "m_bench", "Bench").await.unwrap();
    let url = format!("{}/api/v1/gashapon/validate", backend.base_url());
    let writer = state.plays.clone();
    std::mem::forget(backend); // serves until the process exits
    let turn = std::sync::atomic::AtomicUsize::new(0);
    Target {
        name: format!("validate, {name}"),
        url,
        auth: machine.api_key.expose().to_owned(),
        body: Arc::new(move || {
            let next = turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let player = &players[next % players.len()];
            let code = player.make_code(Points(1), unix_now(), 300).unwrap();
            format!("{{\"code\":\"{}\"}}", code.to_text())
        }),
        distinct_bodies: true,
        writer,
    }
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
    let echo_body = serde_json::json!({ "code": format!("GP1:{}", "A".repeat(100)) }).to_string();
    let targets = [
        Target {
            name: "echo (bare axum JSON)".into(),
            url: echo_server().await,
            auth: "none".into(),
            body: Arc::new(move || echo_body.clone()),
            distinct_bodies: false,
            writer: None,
        },
        validate_target("each play committed alone", false, args.users, &dir).await,
        validate_target("group commit", true, args.users, &dir).await,
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
    println!(
        "{:<38} {:>10} {:>9} {:>9} {:>7} {:>9}",
        "target", "req/s", "p50 ms", "p99 ms", "errors", "vs echo"
    );
    // Round-robin in short slices, so a change in the machine's speed during the run
    // (other tenants, thermal) falls on every target alike.
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
    let mut results: Vec<Measurement> = wanted.iter().map(|_| Measurement::default()).collect();
    let slice = args.seconds as f64 / args.rounds as f64;
    for _ in 0..args.rounds {
        for (target, result) in wanted.iter().zip(results.iter_mut()) {
            let writer_before = target.writer.as_ref().map(|w| w.stats());
            let mut measured = match args.load {
                Load::Builtin => load(target, args.connections, slice).await,
                Load::Wrk => {
                    let whole = slice.ceil().max(1.0) as u64;
                    load_with_wrk(target, args.connections, whole, &dir).await
                }
            };
            measured.round_rates = vec![measured.requests_per_second()];
            if let (Some(writer), Some(before)) = (&target.writer, writer_before) {
                measured.writer = writer.stats().since(&before);
            }
            result.add(measured);
        }
    }
    let echo_rate = results[0].requests_per_second();
    let echo_rounds = results[0].round_rates.clone();
    let mut notes = Vec::new();
    for (index, (target, mut r)) in wanted.iter().zip(results).enumerate() {
        // Index 0 is the echo itself.
        if index > 0 {
            notes.push(round_ratios(&target.name, &r.round_rates, &echo_rounds));
        }
        if target.writer.is_some() {
            notes.push(writer_summary(&target.name, &r.writer));
        }
        if let Some(cpu) = r.cpu {
            notes.push(cpu_summary(&target.name, cpu, r.ok + r.errors, r.seconds));
        }
        if let Some(worst) = r.worst_round_p99_ms() {
            notes.push(format!(
                "{}: p99 of the worst round alone {worst:.2} ms",
                target.name
            ));
        }
        println!(
            "{:<38} {:>10.0} {:>9.2} {:>9.2} {:>7} {:>8.0}%",
            target.name,
            r.requests_per_second(),
            r.p50_ms(),
            r.p99_ms(),
            r.errors,
            100.0 * r.requests_per_second() / echo_rate
        );
    }
    for note in notes {
        println!("{note}");
    }
    if args.status_plays > 0 {
        status_latency(args.status_plays, &dir).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The ratio to the echo round by round (each round's target against the echo's
/// round just before it): how steady the headline ratio is on a noisy machine.
fn round_ratios(name: &str, rates: &[f64], echo_rates: &[f64]) -> String {
    let mut ratios: Vec<f64> = rates
        .iter()
        .zip(echo_rates)
        .map(|(rate, echo)| 100.0 * rate / echo)
        .collect();
    ratios.sort_by(f64::total_cmp);
    let middle = ratios.len() / 2;
    let median = match ratios.len() % 2 {
        1 => ratios[middle],
        _ => (ratios[middle.saturating_sub(1)] + ratios[middle]) / 2.0,
    };
    match (ratios.first(), ratios.last()) {
        (Some(min), Some(max)) => format!(
            "{name}: vs echo round by round: min {min:.0}%, median {median:.0}%, max {max:.0}% ({} rounds)",
            ratios.len()
        ),
        _ => format!("{name}: no rounds"),
    }
}

/// How many plays shared a commit, and how long a play spent queued for and inside
/// the writer (the rest of a validation's time is HTTP, checks and the client).
fn writer_summary(name: &str, writer: &WriterSnapshot) -> String {
    let ms = |waits: &WaitHistogram, q: f64| match waits.quantile(q) {
        Some(wait) => format!("≤ {:.1} ms", wait.as_secs_f64() * 1000.0),
        None => "beyond the histogram".to_owned(),
    };
    match writer.mean_batch() {
        Some(mean) => format!(
            "{name}: {} commits of {mean:.1} plays on average; from queued to the writer's answer, p50 {}, p99 {}; from the answer to the request running again, p50 {}, p99 {}",
            writer.batches,
            ms(&writer.answered, 0.5),
            ms(&writer.answered, 0.99),
            ms(&writer.resumed, 0.5),
            ms(&writer.resumed, 0.99)
        ),
        None => format!("{name}: the writer committed nothing"),
    }
}

/// CPU time used by this process, in all and in its play-writer threads, and by its
/// finished children (wrk), read from /proc (Linux only). Under wrk this process only
/// serves, so the time per request is the server side's cost, steadier from run to
/// run than the request rate on a noisy VM; wrk's own time shows how much of the two
/// cores the load generator got. /proc counts in ticks of 10 ms (USER_HZ): over a
/// round of seconds on two cores, well under 1%.
#[derive(Clone, Copy, Debug, Default)]
struct CpuTime {
    process: Duration,
    writers: Duration,
    /// Children that have ended and been waited for: wrk, once each round is over
    /// (its start-up, reading the request file, included).
    children: Duration,
}

impl CpuTime {
    const TICK: Duration = Duration::from_millis(10);

    fn now() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let process = Self::of_stat(&stat, 11)?;
        let children = Self::of_stat(&stat, 13)?;
        // Linux keeps the first 15 bytes of a thread's name.
        let writer_name = &WRITER_THREAD_NAME[..WRITER_THREAD_NAME.len().min(15)];
        let mut writers = Duration::ZERO;
        for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
            let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
                continue; // the thread has just ended
            };
            let name = stat
                .split_once('(')
                .and_then(|(_, rest)| rest.rsplit_once(')'));
            if name.is_some_and(|(name, _)| name == writer_name) {
                writers += Self::of_stat(&stat, 11).unwrap_or_default();
            }
        }
        Some(Self {
            process,
            writers,
            children,
        })
    }

    /// User plus system time from a `stat` line: the two fields that start `skip`
    /// fields after the name in parentheses (which may hold spaces). 11 gives the
    /// task's own time (fields 14 and 15), 13 its waited-for children's (16 and 17).
    fn of_stat(stat: &str, skip: usize) -> Option<Duration> {
        let (_, after_name) = stat.rsplit_once(')')?;
        let mut fields = after_name.split_whitespace().skip(skip);
        let user: u32 = fields.next()?.parse().ok()?;
        let system: u32 = fields.next()?.parse().ok()?;
        Some(Self::TICK * (user + system))
    }

    fn minus(self, earlier: Self) -> Self {
        Self {
            process: self.process.saturating_sub(earlier.process),
            writers: self.writers.saturating_sub(earlier.writers),
            children: self.children.saturating_sub(earlier.children),
        }
    }

    fn plus(self, other: Self) -> Self {
        Self {
            process: self.process + other.process,
            writers: self.writers + other.writers,
            children: self.children + other.children,
        }
    }
}

/// The server side's CPU per request under wrk, how much of it the writer took, and
/// what wrk itself used.
fn cpu_summary(name: &str, cpu: CpuTime, requests: u64, seconds: f64) -> String {
    let per_request = |time: Duration| time.as_secs_f64() * 1e6 / requests.max(1) as f64;
    let cores = |time: Duration| time.as_secs_f64() / seconds;
    let writer = match cpu.writers.is_zero() {
        true => String::new(),
        false => format!(
            ", of which the play writer {:.1} µs",
            per_request(cpu.writers)
        ),
    };
    format!(
        "{name}: server CPU per request {:.1} µs{writer} ({:.2} cores busy); wrk {:.1} µs per request ({:.2} cores)",
        per_request(cpu.process),
        cores(cpu.process),
        per_request(cpu.children),
        cores(cpu.children),
    )
}

/// From "webhook acknowledged" at the machine to "outcome seen" by the app's status
/// poller, over many plays, and how many status requests each play cost.
async fn status_latency(plays: usize, dir: &std::path::Path) {
    use gashapay_core::client::{watch_transaction, ApiClient, ClientConfig, PollConfig, PollEnd};
    use gashapay_core::secrets::MemorySecretStore;
    use gashapay_core::status::DispenseOutcome;

    let backend = start(StartOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        db: dir.join("status.db").display().to_string(),
        settings: Settings {
            // Plays follow one another as fast as they can: past any machine's budget.
            validate_limit: None,
            ..Settings::default()
        },
        payment_secret: None,
        seed_demo: false,
        clock: gashapay_core::clock::SystemClock::shared(),
    })
    .await
    .unwrap();
    let state = backend.state.clone();
    create_user(&state, "watcher", "watcher-password", Points(1 << 40))
        .await
        .unwrap();
    let creds = register_machine(&state, "m_status", "Status")
        .await
        .unwrap();
    let machine = gashapay_machine::MachineClient::new(
        &backend.base_url(),
        creds.machine_id,
        creds.api_key,
        creds.webhook_secret,
    );
    let client = Arc::new(
        ApiClient::new(
            &backend.base_url(),
            Arc::new(MemorySecretStore::new()),
            ClientConfig::default(),
        )
        .unwrap(),
    );
    client.login("watcher", "watcher-password").await.unwrap();
    let device = client.device_credentials().unwrap();

    let mut latencies = Vec::with_capacity(plays);
    let mut requests = Vec::with_capacity(plays);
    for _ in 0..plays {
        let code = device.make_code(Points(1), unix_now(), 300).unwrap();
        let id = code.payload.transaction_id;
        let before = client.requests_sent();
        let watcher = {
            let client = client.clone();
            tokio::spawn(async move {
                let cancel = tokio_util::sync::CancellationToken::new();
                let end = watch_transaction(
                    &client,
                    id,
                    code.payload.expires_at(),
                    &PollConfig::default(),
                    &cancel,
                    |_| {},
                )
                .await
                .unwrap();
                assert!(matches!(end, PollEnd::Final(_)));
                Instant::now()
            })
        };
        tokio::time::sleep(Duration::from_millis(5)).await;
        machine.validate(&code.to_text()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        machine
            .send_report(&format!("evt_{id}"), id, DispenseOutcome::Dispensed, None)
            .await
            .unwrap();
        let acknowledged = Instant::now();
        let seen = watcher.await.unwrap();
        latencies.push(seen.saturating_duration_since(acknowledged).as_micros() as u64);
        requests.push(client.requests_sent() - before);
    }
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)] as f64 / 1000.0
    };
    println!();
    println!(
        "status: {plays} plays, outcome seen by the app after the webhook's ack: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; status requests per play: max {}, mean {:.2}",
        at(0.5),
        at(0.99),
        *latencies.last().unwrap() as f64 / 1000.0,
        requests.iter().max().unwrap(),
        requests.iter().sum::<u64>() as f64 / plays as f64
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(requests: u64, points: &[(f64, u64)]) -> RoundLatency {
        RoundLatency {
            requests,
            points: points.to_vec(),
        }
    }

    #[test]
    fn a_round_reads_back_from_the_scripts_line() {
        let line = "requests=300 duration_us=2000000 latency_us=50:900,99:4100,100:9000 wrapped=0";
        let parsed = RoundLatency::parse(300, line);
        assert_eq!(
            parsed,
            round(300, &[(50.0, 900), (99.0, 4100), (100.0, 9000)])
        );
        assert_eq!(parsed.at(99.0), Some(4100));
        assert_eq!(RoundLatency::combined(&[parsed], 99.0), Some(4100));
    }

    #[test]
    fn a_runs_percentile_weighs_each_round_by_its_requests() {
        // 9,900 requests answered within 1 ms, and a round of 100 that met a 50 ms
        // stall: 99% of the run was within 1 ms, though that round's p99 is 50 ms.
        let fast = round(9_900, &[(50.0, 800), (99.0, 1000), (100.0, 1000)]);
        let stalled = round(100, &[(50.0, 50_000), (99.0, 50_000), (100.0, 50_000)]);
        let run = [fast.clone(), stalled.clone()];
        assert_eq!(RoundLatency::combined(&run, 99.0), Some(1000));
        assert_eq!(RoundLatency::combined(&run, 99.5), Some(50_000));
        // Half the requests slow: the run's p99 is theirs.
        let half = [round(100, &fast.points), round(100, &stalled.points)];
        assert_eq!(RoundLatency::combined(&half, 50.0), Some(1000));
        assert_eq!(RoundLatency::combined(&half, 99.0), Some(50_000));
        // Only a lower bound is known between printed percentiles, so the answer
        // errs long: 98% within 1 ms is not read as 99%.
        let coarse = [round(100, &[(98.0, 1000), (100.0, 7000)])];
        assert_eq!(RoundLatency::combined(&coarse, 99.0), Some(7000));
        assert_eq!(RoundLatency::combined(&[], 99.0), None);
    }

    #[test]
    fn cpu_time_is_user_plus_system_from_a_stat_line() {
        // A thread name may hold spaces and parentheses; fields are counted after
        // the last ')'. utime 250 and stime 50 ticks: 3 s; the children's cutime 70
        // and cstime 30: 1 s.
        let stat =
            "4242 (odd (name) here) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 70 30 20 0 3 0 1 2 3";
        assert_eq!(CpuTime::of_stat(stat, 11), Some(Duration::from_secs(3)));
        assert_eq!(CpuTime::of_stat(stat, 13), Some(Duration::from_secs(1)));
        assert_eq!(CpuTime::of_stat("4242 (cut short) S 1 2", 11), None);
        assert_eq!(CpuTime::of_stat("no name at all", 11), None);
    }

    #[test]
    fn this_process_reads_its_own_cpu_time() {
        let Some(before) = CpuTime::now() else {
            return; // not Linux: the bench prints no CPU line
        };
        // Spin until /proc shows 50 ms more (five of its ticks), or give up after
        // 10 s of wall time on a machine that never gives this thread a core.
        let give_up = Instant::now() + Duration::from_secs(10);
        let mut n = 0u64;
        let used = loop {
            n = std::hint::black_box(n.wrapping_add(1));
            let used = CpuTime::now().unwrap().minus(before);
            if used.process >= Duration::from_millis(50) || Instant::now() > give_up {
                break used;
            }
        };
        assert!(used.process >= Duration::from_millis(50), "{used:?}");
        assert_eq!(used.writers, Duration::ZERO, "no play writer runs here");
    }

    #[test]
    fn a_finished_childs_cpu_time_is_counted_apart() {
        let Some(before) = CpuTime::now() else {
            return; // not Linux
        };
        // A child that spins for a fixed amount of work (about 0.2 s of CPU time
        // here), as wrk would; only its own time, however long the wait for a core.
        let status = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done"])
            .status()
            .unwrap();
        assert!(status.success());
        let used = CpuTime::now().unwrap().minus(before);
        assert!(used.children >= Duration::from_millis(50), "{used:?}");
    }
}
