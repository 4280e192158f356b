//! Group commit for validations. With `synchronous=FULL` every commit waits for an
//! fsync, and a single writer can only do so many of those a second. So one writer
//! task takes every validation queued while the previous batch was on disk, applies
//! them in order in one transaction, commits once, and only then answers each one:
//! every "yes" a machine hears is still on disk, but many share one fsync.

use crate::error::{ApiError, ApiResult};
use crate::store::{PlayDecision, PlayRequest, Store};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The most plays one transaction takes.
pub const MAX_BATCH: usize = 512;

struct Job {
    request: PlayRequest,
    reply: oneshot::Sender<ApiResult<PlayDecision>>,
}

pub struct PlayQueue {
    jobs: mpsc::Sender<Job>,
}

impl PlayQueue {
    /// Starts the writer task (on the current tokio runtime).
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (jobs, queue) = mpsc::channel(8 * MAX_BATCH);
        tokio::spawn(write_batches(store, queue));
        Self { jobs }
    }

    pub async fn play(&self, request: PlayRequest) -> ApiResult<PlayDecision> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { request, reply })
            .await
            .map_err(|_| ApiError::internal("the play writer has stopped"))?;
        answer
            .await
            .map_err(|_| ApiError::internal("the play writer dropped a play"))?
    }
}

async fn write_batches(store: Arc<dyn Store>, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let requests: Vec<PlayRequest> = jobs.iter().map(|job| job.request.clone()).collect();
        let store = store.clone();
        let outcome = tokio::task::spawn_blocking(move || store.play_batch(&requests)).await;
        let decisions: Result<Vec<PlayDecision>, ApiError> = match outcome {
            Ok(Ok(decisions)) => Ok(decisions),
            Ok(Err(error)) => Err(ApiError::from(error)),
            Err(join) => Err(ApiError::internal(join)),
        };
        match decisions {
            Ok(decisions) => {
                for (job, decision) in jobs.drain(..).zip(decisions) {
                    let _ = job.reply.send(Ok(decision));
                }
            }
            // The batch rolled back as a whole: nothing was deducted for anyone.
            Err(error) => {
                for job in jobs.drain(..) {
                    let _ = job.reply.send(Err(error.clone()));
                }
            }
        }
    }
}
