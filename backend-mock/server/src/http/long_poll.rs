//! Long-polling: read, and while the answer is not news yet, wait for any change
//! (`notify::Changes`) or the deadline, then read again. Changes made by another
//! instance on a shared database are not announced here, so there the wait also
//! ends every [`RECHECK`].

use crate::http::error::ApiResult;
use crate::state::AppState;
use std::future::Future;
use std::time::Duration;

/// How often a waiting long poll reads again when other instances write to the
/// database: the longest another instance's change goes unseen.
pub const RECHECK: Duration = Duration::from_secs(1);

/// Reads with `read` until `is_news` says the answer is worth returning, or `wait`
/// seconds (cut to the long-poll cap) have passed; then answers the last read.
pub async fn until_news<T, F, Fut>(
    state: &AppState,
    wait: Option<u64>,
    mut read: F,
    mut is_news: impl FnMut(&T) -> bool,
) -> ApiResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    let wait = Duration::from_secs(wait.unwrap_or(0)).min(state.settings.long_poll_cap);
    let deadline = tokio::time::Instant::now() + wait;
    // Subscribe before the first read so a change in between still wakes us.
    let mut changes = state.changes.subscribe();
    let shared = crate::store::Store::shared_with_other_instances(state.store.as_ref());
    let recheck = shared.then_some(RECHECK);
    loop {
        let answer = read().await?;
        let now = tokio::time::Instant::now();
        if is_news(&answer) || now >= deadline {
            return Ok(answer);
        }
        let wake = recheck.map_or(deadline, |every| deadline.min(now + every));
        tokio::select! {
            result = changes.changed() => {
                if result.is_err() {
                    return Ok(answer);
                }
            }
            _ = tokio::time::sleep_until(wake) => {}
        }
    }
}
