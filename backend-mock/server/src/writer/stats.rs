//! What the writer counts as it goes: batches, plays, and where a validation's time
//! goes, as histograms of waits.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// Width of one bucket of the wait histograms.
const WAIT_BUCKET: Duration = Duration::from_micros(100);
/// Buckets of a wait histogram; the last also takes every longer wait.
const WAIT_BUCKETS: usize = 256;

/// Counters the writer keeps as it goes (a few relaxed atomic adds per batch and per
/// play), so a benchmark or an operator can see how well plays share commits and
/// where a validation's time goes: queued for and inside the writer, then waiting
/// for the runtime to run the request again once the writer has answered.
#[derive(Default)]
pub(super) struct WriterStats {
    batches: AtomicU64,
    plays: AtomicU64,
    answered: AtomicHistogram,
    resumed: AtomicHistogram,
}

impl WriterStats {
    pub(super) fn record_batch(&self, plays: usize) {
        self.batches.fetch_add(1, Relaxed);
        self.plays.fetch_add(plays as u64, Relaxed);
    }

    pub(super) fn record(&self, queued: Instant, answered: Instant, resumed: Instant) {
        self.answered
            .record(answered.saturating_duration_since(queued));
        self.resumed
            .record(resumed.saturating_duration_since(answered));
    }

    pub(super) fn snapshot(&self) -> WriterSnapshot {
        WriterSnapshot {
            batches: self.batches.load(Relaxed),
            plays: self.plays.load(Relaxed),
            answered: self.answered.snapshot(),
            resumed: self.resumed.snapshot(),
        }
    }
}

struct AtomicHistogram([AtomicU64; WAIT_BUCKETS]);

impl Default for AtomicHistogram {
    fn default() -> Self {
        Self(std::array::from_fn(|_| AtomicU64::new(0)))
    }
}

impl AtomicHistogram {
    fn record(&self, wait: Duration) {
        let bucket = (wait.as_micros() / WAIT_BUCKET.as_micros()) as usize;
        self.0[bucket.min(WAIT_BUCKETS - 1)].fetch_add(1, Relaxed);
    }

    fn snapshot(&self) -> WaitHistogram {
        WaitHistogram(std::array::from_fn(|bucket| self.0[bucket].load(Relaxed)))
    }
}

/// Waits counted in `WAIT_BUCKET` wide buckets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitHistogram([u64; WAIT_BUCKETS]);

impl Default for WaitHistogram {
    fn default() -> Self {
        Self([0; WAIT_BUCKETS])
    }
}

impl WaitHistogram {
    /// How many waits were counted.
    pub fn count(&self) -> u64 {
        self.0.iter().sum()
    }

    fn since(&self, earlier: &WaitHistogram) -> WaitHistogram {
        WaitHistogram(std::array::from_fn(|bucket| {
            self.0[bucket] - earlier.0[bucket]
        }))
    }

    fn add(&mut self, other: &WaitHistogram) {
        for (total, n) in self.0.iter_mut().zip(&other.0) {
            *total += n;
        }
    }

    /// The time within which a share `q` (0 to 1) of the waits ended, to the
    /// histogram's 100 µs resolution (an upper bound); `None` if nothing was counted
    /// or the quantile falls among the longest waits.
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        let total: u64 = self.0.iter().sum();
        let wanted = (q * total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (bucket, &n) in self.0.iter().enumerate() {
            seen += n;
            if seen >= wanted && total > 0 {
                return (bucket < WAIT_BUCKETS - 1).then(|| WAIT_BUCKET * (bucket as u32 + 1));
            }
        }
        None
    }
}

/// The writer's counters at one moment; subtract two to get what happened between.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriterSnapshot {
    /// Batches the writer ran: each one transaction (one commit and one fsync, or
    /// rolled back as a whole).
    pub batches: u64,
    /// Plays decided in them.
    pub plays: u64,
    /// Plays answered, by time from being queued to the writer's answer (after the
    /// commit): the writer's share of a validation's latency.
    pub answered: WaitHistogram,
    /// Plays answered, by time from the writer's answer to the request running again
    /// on the async runtime: the hop back, which grows when the cores are busy.
    pub resumed: WaitHistogram,
}

impl WriterSnapshot {
    /// What happened since `earlier`, a snapshot of the same writer.
    pub fn since(&self, earlier: &WriterSnapshot) -> WriterSnapshot {
        WriterSnapshot {
            batches: self.batches - earlier.batches,
            plays: self.plays - earlier.plays,
            answered: self.answered.since(&earlier.answered),
            resumed: self.resumed.since(&earlier.resumed),
        }
    }

    /// Adds `other`'s counts to these (to total several stretches of a run).
    pub fn add(&mut self, other: &WriterSnapshot) {
        self.batches += other.batches;
        self.plays += other.plays;
        self.answered.add(&other.answered);
        self.resumed.add(&other.resumed);
    }

    /// Plays per commit, on average.
    pub fn mean_batch(&self) -> Option<f64> {
        (self.batches > 0).then(|| self.plays as f64 / self.batches as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waits(buckets: &[(usize, u64)]) -> WaitHistogram {
        let mut histogram = WaitHistogram::default();
        for &(bucket, n) in buckets {
            histogram.0[bucket] = n;
        }
        histogram
    }

    fn snapshot(batches: u64, plays: u64, answered: &[(usize, u64)]) -> WriterSnapshot {
        WriterSnapshot {
            batches,
            plays,
            answered: waits(answered),
            // Shifted, so a mix-up of the two histograms shows.
            resumed: waits(
                &answered
                    .iter()
                    .map(|&(b, n)| (b + 1, n))
                    .collect::<Vec<_>>(),
            ),
        }
    }

    #[test]
    fn wait_quantiles_are_the_upper_edge_of_their_bucket() {
        // 90 plays answered within 100 µs, 9 within 1.2 ms, 1 within 3 ms.
        let histogram = waits(&[(0, 90), (11, 9), (29, 1)]);
        for (q, within_micros) in [
            (0.5, 100),
            (0.9, 100),
            (0.91, 1200),
            (0.99, 1200),
            (1.0, 3000),
        ] {
            let expected = Some(Duration::from_micros(within_micros));
            assert_eq!(histogram.quantile(q), expected, "quantile {q}");
        }
        // Beyond the histogram's range there is no honest upper bound.
        assert_eq!(waits(&[(WAIT_BUCKETS - 1, 1)]).quantile(0.5), None);
        assert_eq!(WaitHistogram::default().quantile(0.5), None);
        assert_eq!(WriterSnapshot::default().mean_batch(), None);
    }

    #[test]
    fn snapshots_subtract_and_add_up() {
        let earlier = snapshot(2, 3, &[(0, 1), (3, 2)]);
        let later = snapshot(5, 12, &[(0, 4), (3, 2), (5, 6)]);
        let between = later.since(&earlier);
        assert_eq!(between.mean_batch(), Some(3.0));
        assert_eq!(between, snapshot(3, 9, &[(0, 3), (5, 6)]));
        let mut total = WriterSnapshot::default();
        total.add(&earlier);
        total.add(&between);
        assert_eq!(total, later);
    }
}
