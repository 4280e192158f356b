//! What one target's load produced, summed over rounds, and its latency percentiles.

use crate::cpu::CpuTime;
use crate::wrk::RoundLatency;
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

    /// wrk: the worst round's p99, beside the whole run's.
    pub fn worst_round_p99_ms(&self) -> Option<f64> {
        let worst = self
            .round_latencies
            .iter()
            .filter_map(|round| round.at(99.0))
            .max()?;
        Some(worst as f64 / 1000.0)
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
}
