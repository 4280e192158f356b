//! Group commit for validations. With `synchronous=FULL` every commit waits for an
//! fsync, and a single writer can only do so many of those a second. So one writer
//! thread takes every validation queued while the previous batch was on disk, applies
//! them in order in one transaction, commits once, and only then answers each one:
//! every "yes" a machine hears is still on disk, but many share one fsync.
//!
//! The writer is a plain OS thread, not a tokio task handing each batch to
//! `spawn_blocking`: on two cores, every extra hop between threads is a wake-up the
//! next batch waits for.

use crate::error::{ApiError, ApiResult};
use crate::store::{PlayDecision, PlayRequest, Store};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// The most plays one transaction takes.
pub const MAX_BATCH: usize = 512;

/// The writer thread's name (a profiler or the bench finds it by it; Linux shows
/// its first 15 bytes).
pub const WRITER_THREAD_NAME: &str = "gashapay-play-writer";

struct Job {
    request: PlayRequest,
    reply: oneshot::Sender<ApiResult<PlayDecision>>,
}

pub struct PlayQueue {
    // Unbounded, but never long: each job belongs to a request awaiting its answer,
    // and requests are bounded by the server's connection and concurrency limits.
    jobs: mpsc::Sender<Job>,
    stats: Arc<WriterStats>,
}

impl PlayQueue {
    /// Starts the writer thread. It stops when the queue is dropped.
    pub fn start(store: Arc<dyn Store>) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel();
        let stats = Arc::new(WriterStats::default());
        let writer_stats = stats.clone();
        std::thread::Builder::new()
            .name(WRITER_THREAD_NAME.into())
            .spawn(move || write_batches(store.as_ref(), &queue, &writer_stats))?;
        Ok(Self { jobs, stats })
    }

    pub async fn play(&self, request: PlayRequest) -> ApiResult<PlayDecision> {
        let queued = Instant::now();
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { request, reply })
            .map_err(|_| ApiError::internal("the play writer has stopped"))?;
        let answer = answer
            .await
            .map_err(|_| ApiError::internal("the play writer dropped a play"))?;
        self.stats.record_wait(queued.elapsed());
        answer
    }

    /// What the writer has done so far.
    pub fn stats(&self) -> WriterSnapshot {
        self.stats.snapshot()
    }
}

/// Width of one bucket of the wait histogram.
const WAIT_BUCKET: Duration = Duration::from_micros(100);
/// Buckets of the wait histogram; the last also takes every longer wait.
const WAIT_BUCKETS: usize = 256;

/// Counters the writer keeps as it goes (a few relaxed atomic adds per batch and per
/// play), so a benchmark or an operator can see how well plays share commits and
/// how much of a validation's time is spent queued for and inside the writer.
struct WriterStats {
    batches: AtomicU64,
    plays: AtomicU64,
    waits: [AtomicU64; WAIT_BUCKETS],
}

impl Default for WriterStats {
    fn default() -> Self {
        Self {
            batches: AtomicU64::new(0),
            plays: AtomicU64::new(0),
            waits: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }
}

impl WriterStats {
    fn record_batch(&self, plays: usize) {
        self.batches.fetch_add(1, Relaxed);
        self.plays.fetch_add(plays as u64, Relaxed);
    }

    fn record_wait(&self, wait: Duration) {
        let bucket = (wait.as_micros() / WAIT_BUCKET.as_micros()) as usize;
        self.waits[bucket.min(WAIT_BUCKETS - 1)].fetch_add(1, Relaxed);
    }

    fn snapshot(&self) -> WriterSnapshot {
        WriterSnapshot {
            batches: self.batches.load(Relaxed),
            plays: self.plays.load(Relaxed),
            waits: std::array::from_fn(|bucket| self.waits[bucket].load(Relaxed)),
        }
    }
}

/// The writer's counters at one moment; subtract two to get what happened between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterSnapshot {
    /// Batches the writer ran: each one transaction (one commit and one fsync, or
    /// rolled back as a whole).
    pub batches: u64,
    /// Plays decided in them.
    pub plays: u64,
    /// Plays answered, by time from queuing to answer (`WAIT_BUCKET` wide buckets).
    waits: [u64; WAIT_BUCKETS],
}

impl Default for WriterSnapshot {
    fn default() -> Self {
        Self {
            batches: 0,
            plays: 0,
            waits: [0; WAIT_BUCKETS],
        }
    }
}

impl WriterSnapshot {
    /// What happened since `earlier`, a snapshot of the same writer.
    pub fn since(&self, earlier: &WriterSnapshot) -> WriterSnapshot {
        WriterSnapshot {
            batches: self.batches - earlier.batches,
            plays: self.plays - earlier.plays,
            waits: std::array::from_fn(|bucket| self.waits[bucket] - earlier.waits[bucket]),
        }
    }

    /// Adds `other`'s counts to these (to total several stretches of a run).
    pub fn add(&mut self, other: &WriterSnapshot) {
        self.batches += other.batches;
        self.plays += other.plays;
        for (total, n) in self.waits.iter_mut().zip(&other.waits) {
            *total += n;
        }
    }

    /// Plays per commit, on average.
    pub fn mean_batch(&self) -> Option<f64> {
        (self.batches > 0).then(|| self.plays as f64 / self.batches as f64)
    }

    /// The time within which a share `q` (0 to 1) of the plays were answered after
    /// being queued, to the histogram's 100 µs resolution (an upper bound); `None`
    /// if no play was answered or the quantile falls among the longest waits.
    pub fn wait_quantile(&self, q: f64) -> Option<Duration> {
        let total: u64 = self.waits.iter().sum();
        let wanted = (q * total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (bucket, &n) in self.waits.iter().enumerate() {
            seen += n;
            if seen >= wanted && total > 0 {
                return (bucket < WAIT_BUCKETS - 1).then(|| WAIT_BUCKET * (bucket as u32 + 1));
            }
        }
        None
    }
}

fn write_batches(store: &dyn Store, queue: &mpsc::Receiver<Job>, stats: &WriterStats) {
    let mut requests = Vec::with_capacity(MAX_BATCH);
    let mut replies = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = queue.recv() {
        let mut next = Some(first);
        while let Some(job) = next.take() {
            requests.push(job.request);
            replies.push(job.reply);
            if requests.len() < MAX_BATCH {
                next = queue.try_recv().ok();
            }
        }
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| store.play_batch(&requests)));
        stats.record_batch(requests.len());
        requests.clear();
        match outcome {
            Ok(Ok(decisions)) => {
                for (reply, decision) in replies.drain(..).zip(decisions) {
                    let _ = reply.send(Ok(decision));
                }
            }
            // The batch rolled back as a whole: nothing was deducted for anyone.
            failed => {
                let error = match failed {
                    Ok(Err(error)) => ApiError::from(error),
                    _ => ApiError::internal("the play writer panicked"),
                };
                for reply in replies.drain(..) {
                    let _ = reply.send(Err(error.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::create_player;
    use crate::store::sqlite::SqliteStore;
    use gashapay_core::ids::{MachineId, Points, TransactionId};
    use gashapay_core::webhook::WebhookSecret;

    fn waits(buckets: &[(usize, u64)]) -> WriterSnapshot {
        let mut snapshot = WriterSnapshot::default();
        for &(bucket, n) in buckets {
            snapshot.waits[bucket] = n;
        }
        snapshot
    }

    #[test]
    fn wait_quantiles_are_the_upper_edge_of_their_bucket() {
        // 90 plays answered within 100 µs, 9 within 1.2 ms, 1 within 3 ms.
        let snapshot = waits(&[(0, 90), (11, 9), (29, 1)]);
        for (q, within_micros) in [
            (0.5, 100),
            (0.9, 100),
            (0.91, 1200),
            (0.99, 1200),
            (1.0, 3000),
        ] {
            let expected = Some(Duration::from_micros(within_micros));
            assert_eq!(snapshot.wait_quantile(q), expected, "quantile {q}");
        }
        // Beyond the histogram's range there is no honest upper bound.
        assert_eq!(waits(&[(WAIT_BUCKETS - 1, 1)]).wait_quantile(0.5), None);
        assert_eq!(WriterSnapshot::default().wait_quantile(0.5), None);
        assert_eq!(WriterSnapshot::default().mean_batch(), None);
    }

    #[test]
    fn snapshots_subtract_and_add_up() {
        let mut earlier = waits(&[(0, 1), (3, 2)]);
        earlier.batches = 2;
        earlier.plays = 3;
        let mut later = waits(&[(0, 4), (3, 2), (5, 6)]);
        later.batches = 5;
        later.plays = 12;
        let between = later.since(&earlier);
        assert_eq!((between.batches, between.plays), (3, 9));
        assert_eq!(between.mean_batch(), Some(3.0));
        assert_eq!(between, {
            let mut expected = waits(&[(0, 3), (5, 6)]);
            (expected.batches, expected.plays) = (3, 9);
            expected
        });
        let mut total = WriterSnapshot::default();
        total.add(&earlier);
        total.add(&between);
        assert_eq!(total, later);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_writer_counts_every_batch_and_every_answered_play() {
        let store = SqliteStore::open(":memory:").unwrap();
        let machine = MachineId("m_stats".into());
        store
            .upsert_machine(&machine, "Stats", &[7; 32], &WebhookSecret::generate())
            .unwrap();
        let (user_id, device_id, _) = create_player(&store, "counted", Points(100), 1).unwrap();
        let queue = Arc::new(PlayQueue::start(Arc::new(store)).unwrap());
        let before = queue.stats();
        let plays = (0..40).map(|_| {
            let queue = queue.clone();
            let request = PlayRequest {
                transaction_id: TransactionId::new_random(),
                user_id,
                device_id,
                machine_id: machine.clone(),
                points: Points(1),
                issued_at: 1,
                rejection: None,
                now: 2,
            };
            tokio::spawn(async move { queue.play(request).await })
        });
        for play in plays.collect::<Vec<_>>() {
            assert_eq!(play.await.unwrap().unwrap(), PlayDecision::Accepted);
        }
        let run = queue.stats().since(&before);
        assert_eq!(run.plays, 40);
        assert!((1..=40).contains(&run.batches), "{run:?}");
        assert_eq!(run.waits.iter().sum::<u64>(), 40, "every answer is timed");
    }
}
