//! What one target's load produced, summed over rounds, and its latency percentiles.

use crate::cpu::CpuTime;
use gashapay_backend_mock::writer::WriterSnapshot;
use hdrhistogram::Histogram;

/// Latencies in microseconds, from 1 µs to a minute, to three significant digits.
pub fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

pub struct Measurement {
    pub ok: u64,
    pub errors: u64,
    pub seconds: f64,
    /// Built-in load: the latency of every successful request, in microseconds.
    pub latencies: Histogram<u64>,
    /// wrk: each round's latency distribution, as its script printed it.
    pub round_latencies: Vec<RoundLatency>,
    /// Each round's requests per second.
    pub round_rates: Vec<f64>,
    /// What the target's group-commit writer did during the rounds.
    pub writer: WriterSnapshot,
    /// wrk: the CPU this process (the servers) used while wrk ran, if /proc tells.
    pub cpu: Option<CpuTime>,
}

impl Default for Measurement {
    fn default() -> Self {
        Self {
            ok: 0,
            errors: 0,
            seconds: 0.0,
            latencies: latency_histogram(),
            round_latencies: Vec::new(),
            round_rates: Vec::new(),
            writer: WriterSnapshot::default(),
            cpu: None,
        }
    }
}

impl Measurement {
    pub fn add(&mut self, mut other: Measurement) {
        self.ok += other.ok;
        self.errors += other.errors;
        self.seconds += other.seconds;
        self.latencies
            .add(&other.latencies)
            .expect("histograms of the same bounds add");
        self.round_latencies.append(&mut other.round_latencies);
        self.round_rates.append(&mut other.round_rates);
        self.writer.add(&other.writer);
        self.cpu = match (self.cpu, other.cpu) {
            (Some(total), Some(more)) => Some(total.plus(more)),
            (total, more) => total.or(more),
        };
    }

    pub fn requests_per_second(&self) -> f64 {
        self.ok as f64 / self.seconds
    }

    /// The latency within which a share `q` (0 to 1) of the run's requests were
    /// answered, over every round.
    pub fn percentile_ms(&self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return RoundLatency::combined(&self.round_latencies, q * 100.0)
                .map_or(f64::NAN, |us| us as f64 / 1000.0);
        }
        self.latencies.value_at_quantile(q) as f64 / 1000.0
    }

    /// wrk: each round's own p99, lowest first (the last is the worst round's).
    pub fn round_p99s_ms(&self) -> Vec<f64> {
        let mut p99s: Vec<f64> = self
            .round_latencies
            .iter()
            .filter_map(|round| round.at(99.0))
            .map(|us| us as f64 / 1000.0)
            .collect();
        p99s.sort_by(f64::total_cmp);
        p99s
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_every_round_added() {
        let mut run = Measurement::default();
        for slow in [false, true] {
            let mut round = Measurement {
                ok: 100,
                seconds: 1.0,
                ..Measurement::default()
            };
            for n in 0..100u64 {
                // 99 fast answers and, in the slow round, one of 50 ms.
                let us = if slow && n == 99 { 50_000 } else { 1_000 };
                round.latencies.record(us).unwrap();
            }
            run.add(round);
        }
        assert_eq!(run.requests_per_second(), 100.0);
        assert!((run.percentile_ms(0.5) - 1.0).abs() < 0.01);
        assert!(
            (run.percentile_ms(0.99) - 1.0).abs() < 0.01,
            "199 of 200 are fast"
        );
        assert!((run.percentile_ms(1.0) - 50.0).abs() < 0.1);
    }

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
}
