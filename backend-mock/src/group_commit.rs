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
use std::sync::{mpsc, Arc};
use tokio::sync::oneshot;

/// The most plays one transaction takes.
pub const MAX_BATCH: usize = 512;

struct Job {
    request: PlayRequest,
    reply: oneshot::Sender<ApiResult<PlayDecision>>,
}

pub struct PlayQueue {
    // Unbounded, but never long: each job belongs to a request awaiting its answer,
    // and requests are bounded by the server's connection and concurrency limits.
    jobs: mpsc::Sender<Job>,
}

impl PlayQueue {
    /// Starts the writer thread. It stops when the queue is dropped.
    pub fn start(store: Arc<dyn Store>) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("gashapay-play-writer".into())
            .spawn(move || write_batches(store.as_ref(), &queue))?;
        Ok(Self { jobs })
    }

    pub async fn play(&self, request: PlayRequest) -> ApiResult<PlayDecision> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { request, reply })
            .map_err(|_| ApiError::internal("the play writer has stopped"))?;
        answer
            .await
            .map_err(|_| ApiError::internal("the play writer dropped a play"))?
    }
}

fn write_batches(store: &dyn Store, queue: &mpsc::Receiver<Job>) {
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
