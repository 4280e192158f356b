//! Copies committed pages from the WAL into the database file on a thread of its own.

use super::{db, StoreError, StoreResult};
use rusqlite::Connection;

/// A thread that checkpoints the WAL every 20 ms (PASSIVE: it never waits
/// for, or blocks, the writer). The writer's own automatic checkpoint still runs
/// when the WAL reaches 1,000 pages, because only it can restart the WAL from the
/// beginning; but it then finds most pages already copied and synced, so the
/// commit that runs it stalls for a moment instead of copying hundreds of pages
/// while every queued play waits. Stops when dropped.
pub(super) struct Checkpointer {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    const INTERVAL: std::time::Duration = std::time::Duration::from_millis(20);

    pub(super) fn start(path: &str) -> StoreResult<Self> {
        let conn = Connection::open(path).map_err(db)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("gashapay-checkpointer".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(Self::INTERVAL)
                {
                    if let Err(error) =
                        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!(%error, "background checkpoint failed");
                    }
                }
            })
            .map_err(|e| StoreError::Unavailable(format!("no checkpoint thread: {e}")))?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
