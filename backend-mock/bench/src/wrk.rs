//! Load from wrk: the requests written to files beforehand (each code once), wrk run
//! with `wrk/requests.lua`, and the line that script prints read back.

use crate::cpu::CpuTime;
use crate::measurement::{Measurement, RoundLatency};
use crate::targets::Target;

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
        .arg(&target.urls[0])
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
    let url = reqwest::Url::parse(&target.urls[0]).expect("a target URL");
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
