//! Follows one play from "shown" to a final status using the server's long-poll, so a
//! typical play costs two requests: one that returns when the machine scans (pending),
//! one that returns when it reports (completed / refunded).

use super::{ApiClient, ClientError};
use crate::api::TransactionView;
use crate::clock::unix_now;
use crate::ids::TransactionId;
use crate::retry::Backoff;
use crate::status::TransactionStatus;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
pub struct PollConfig {
    /// The longest single long-poll (the server caps it at 30 s).
    pub long_poll: Duration,
    /// The waits between failed requests.
    pub backoff: Backoff,
    /// How long past the code's expiry to keep asking before calling it unscanned:
    /// the server accepts codes within its clock-skew allowance.
    pub expiry_grace: Duration,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self {
            long_poll: Duration::from_secs(25),
            backoff: Backoff::new(Duration::from_millis(500), Duration::from_secs(8)),
            expiry_grace: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollEnd {
    /// The play reached `completed`, `refunded` or `rejected`.
    Final(TransactionView),
    /// No machine scanned the code before it expired; nothing was charged.
    NeverScanned,
    Cancelled,
}

/// Watches `id` (a code just shown, so `awaiting_scan`) until a final status, the code's expiry (`expires_at`, Unix seconds)
/// passes unscanned, or `cancel` fires. `on_update` sees every change from `awaiting_scan` on.
/// Transient failures (network, timeouts, 5xx) are retried with backoff; anything
/// else ends the watch with the error.
pub async fn watch_transaction(
    client: &ApiClient,
    id: TransactionId,
    expires_at: u64,
    config: &PollConfig,
    cancel: &CancellationToken,
    mut on_update: impl FnMut(&TransactionView),
) -> Result<PollEnd, ClientError> {
    let give_up_at = expires_at.saturating_add(config.expiry_grace.as_secs());
    // A code that was just shown is awaiting its scan: start from there, so the first
    // long-poll returns at the scan and a whole play costs two requests.
    let mut last_status = TransactionStatus::AwaitingScan;
    let mut answered = false;
    let mut failures = 0;
    loop {
        let now = unix_now();
        let awaiting = last_status == TransactionStatus::AwaitingScan;
        if awaiting && answered && now >= give_up_at {
            return Ok(PollEnd::NeverScanned);
        }
        // While unscanned, do not hold a request past the point of giving up.
        let wait = if awaiting {
            config
                .long_poll
                .min(Duration::from_secs(give_up_at.saturating_sub(now).max(1)))
        } else {
            config.long_poll
        };
        let request = client.transaction(id, Some(wait), Some(last_status));
        let result = tokio::select! {
            _ = cancel.cancelled() => return Ok(PollEnd::Cancelled),
            result = request => result,
        };
        match result {
            Ok(view) => {
                failures = 0;
                answered = true;
                if last_status != view.status {
                    last_status = view.status;
                    on_update(&view);
                }
                if view.status.is_final() {
                    return Ok(PollEnd::Final(view));
                }
            }
            Err(error) if error.is_transient() => {
                tokio::select! {
                    _ = cancel.cancelled() => return Ok(PollEnd::Cancelled),
                    _ = tokio::time::sleep(config.backoff.delay(failures)) => {}
                }
                failures += 1;
            }
            Err(error) => return Err(error),
        }
    }
}
