//! Group commit for validations. With `synchronous=FULL` every commit waits for an
//! fsync, and a single writer can only do so many of those a second. So one writer
//! thread takes every validation queued while the previous batch was on disk, applies
//! them in order in one transaction, commits once, and only then answers each one:
//! every "yes" a machine hears is still on disk, but many share one fsync.
//!
//! The writer is a plain OS thread, not a tokio task handing each batch to
//! `spawn_blocking`: on two cores, every extra hop between threads is a wake-up the
//! next batch waits for.

use crate::store::{PlayDecision, PlayRequest, Store, StoreError};
use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Arc};
use std::time::Instant;
use tokio::sync::oneshot;

/// Why the writer gave no decision for a play. In every case nothing was deducted:
/// a failed batch rolls back as a whole.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriterError {
    #[error("the play writer has stopped")]
    Stopped,
    #[error("the play writer panicked")]
    Panicked,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The most plays one transaction takes.
pub const MAX_BATCH: usize = 512;

/// The writer thread's name (a profiler or the bench finds it by it; Linux shows
/// its first 15 bytes).
mod stats;

use stats::WriterStats;
pub use stats::{WaitHistogram, WriterSnapshot};

pub const WRITER_THREAD_NAME: &str = "gashapay-play-writer";

struct Job {
    request: PlayRequest,
    reply: oneshot::Sender<Answer>,
}

/// The writer's answer to one play, and when it gave it (after the commit).
struct Answer {
    decision: Result<PlayDecision, WriterError>,
    given_at: Instant,
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

    pub async fn play(&self, request: PlayRequest) -> Result<PlayDecision, WriterError> {
        let queued = Instant::now();
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { request, reply })
            .map_err(|_| WriterError::Stopped)?;
        let answer = answer.await.map_err(|_| WriterError::Stopped)?;
        self.stats.record(queued, answer.given_at, Instant::now());
        answer.decision
    }

    /// What the writer has done so far.
    pub fn stats(&self) -> WriterSnapshot {
        self.stats.snapshot()
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
        let outcome =
            std::panic::catch_unwind(AssertUnwindSafe(|| store.plays().play_batch(&requests)));
        stats.record_batch(requests.len());
        requests.clear();
        let given_at = Instant::now();
        match outcome {
            Ok(Ok(decisions)) => {
                for (reply, decision) in replies.drain(..).zip(decisions) {
                    let _ = reply.send(Answer {
                        decision: Ok(decision),
                        given_at,
                    });
                }
            }
            // The batch rolled back as a whole: nothing was deducted for anyone.
            failed => {
                let error = match failed {
                    Ok(Err(error)) => WriterError::Store(error),
                    _ => WriterError::Panicked,
                };
                for reply in replies.drain(..) {
                    let _ = reply.send(Answer {
                        decision: Err(error.clone()),
                        given_at,
                    });
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_writer_counts_every_batch_and_every_answered_play() {
        let store = SqliteStore::open(":memory:").unwrap();
        let machine = MachineId("m_stats".into());
        store
            .machines()
            .upsert_machine(
                &machine,
                "Stats",
                gashapay_core::api::MachineKind::Dispenser,
                &[7; 32],
                &WebhookSecret::generate(),
            )
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
        for timed in [&run.answered, &run.resumed] {
            assert_eq!(timed.count(), 40, "every answer is timed");
        }
    }
}
