//! Load from wrk: the requests written to files beforehand (each code once), wrk run
//! with `wrk/requests.lua`, and the line that script prints read back.

use crate::cpu::CpuTime;
use crate::measurement::Measurement;
use crate::targets::Target;

/// One wrk round's latency distribution: its request count and the latency at each
/// of the percentiles `wrk/requests.lua` prints (`latency_us=q:µs,...`).
#[derive(Debug, Clone, PartialEq)]
pub struct RoundLatency {
    requests: u64,
    /// (percentile, microseconds), percentiles ascending.
    points: Vec<(f64, u64)>,
}

impl RoundLatency {
    pub fn parse(requests: u64, line: &str) -> Self {
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
    pub fn at(&self, q: f64) -> Option<u64> {
        self.points.iter().find(|p| p.0 == q).map(|p| p.1)
    }

    /// The share (percent) of this round's requests known to be answered within
    /// `us`: the highest printed percentile at or below it. A lower bound, so
    /// [`Self::combined`] errs towards a longer latency, never a shorter one.
    pub fn share_within(&self, us: u64) -> f64 {
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
    pub fn combined(rounds: &[RoundLatency], q: f64) -> Option<u64> {
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

/// How many requests to write for a wrk round: enough for the fastest rate seen so
/// far, with room, measured on this machine rather than guessed.
pub struct Sizing {
    /// The highest rate a target needing distinct bodies is expected to reach.
    expected_rate: f64,
}

/// A round's request files ran out before its end: some codes went out twice.
pub struct RanOut;

impl Sizing {
    /// wrk from its own process outruns the built-in load, which shares this one with
    /// the servers; a round that still runs out is run again with files twice as big.
    const BUILTIN_TO_WRK: f64 = 3.0;

    /// Starts from a one-second built-in load of each target that needs distinct
    /// bodies.
    pub async fn calibrated(targets: &[&Target], connections: usize) -> Self {
        let mut expected_rate: f64 = 0.0;
        for target in targets.iter().filter(|t| t.distinct_bodies) {
            let measured = crate::builtin::load(target, connections, 1.0).await;
            expected_rate = expected_rate.max(measured.requests_per_second());
        }
        Self {
            expected_rate: expected_rate * Self::BUILTIN_TO_WRK,
        }
    }

    /// Requests for `seconds` at the expected rate: half as many again, and at least
    /// a thousand. Every target gets as many (the echo too, though it could reuse
    /// one), so wrk's start-up, which reads them, takes as long for each.
    pub fn requests_for(&self, seconds: u64) -> usize {
        (self.expected_rate * seconds as f64 * 1.5).ceil() as usize + 1000
    }

    /// One round of `target` under wrk; run again with bigger files until no code
    /// went out twice. The rate it reached raises the expectation for later rounds.
    pub async fn load(
        &mut self,
        target: &Target,
        connections: usize,
        seconds: u64,
        dir: &std::path::Path,
    ) -> Measurement {
        loop {
            let count = self.requests_for(seconds);
            match load_with_wrk(target, connections, seconds, count, dir).await {
                Ok(measured) => {
                    if target.distinct_bodies {
                        self.expected_rate = self.expected_rate.max(measured.requests_per_second());
                    }
                    return measured;
                }
                Err(RanOut) => {
                    eprintln!(
                        "{}: {count} requests ran out in {seconds} s; running the round again with twice as many",
                        target.name
                    );
                    self.expected_rate = self.expected_rate.max(1.0) * 2.0;
                }
            }
        }
    }
}

/// Loads `target` with wrk for `seconds` (whole seconds; wrk takes no fractions):
/// writes `count` requests, runs wrk with `wrk/requests.lua`, and reads the line the
/// script prints.
async fn load_with_wrk(
    target: &Target,
    connections: usize,
    seconds: u64,
    count: usize,
    dir: &std::path::Path,
) -> Result<Measurement, RanOut> {
    const THREADS: usize = 2;
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
    if target.distinct_bodies && field("wrapped") > 0 {
        return Err(RanOut);
    }
    let errors = field("non2xx") + field("socket_errors");
    Ok(Measurement {
        ok: field("requests").saturating_sub(field("non2xx")),
        errors,
        seconds: field("duration_us") as f64 / 1e6,
        round_latencies: vec![RoundLatency::parse(field("requests"), line)],
        cpu,
        ..Measurement::default()
    })
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
    fn a_round_is_sized_from_the_rate_with_room() {
        let sizing = Sizing {
            expected_rate: 20_000.0,
        };
        assert_eq!(sizing.requests_for(2), 61_000);
        let unknown = Sizing { expected_rate: 0.0 };
        assert_eq!(unknown.requests_for(5), 1000, "never an empty file");
    }
}
