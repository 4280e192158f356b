//! The server's log: one subscriber, set up here so that the shipped binary and the
//! benchmark log alike (the bench measures what the log lines cost).
//!
//! Lines are formatted on the thread that logs them but written by a thread of their
//! own, a buffer at a time, so the cores the requests need never wait on a `write`
//! per line (the cost of each way is in docs/BENCHMARKS.md).

use std::io::{BufWriter, Write};
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// What is logged unless `RUST_LOG` says otherwise: our `info` lines and above
/// (start-up, sign-ins, refused plays, replays, refunds, errors), and tower_http's
/// only when something goes wrong. A routine play (accepted, then dispensed) logs at
/// `debug`: at full load its line costs a noticeable share of a validation's server
/// CPU (docs/BENCHMARKS.md), and the ledger records every play anyway.
/// `RUST_LOG=info,gashapay_backend_mock=debug` shows them.
pub const DEFAULT_FILTER: &str = "info,tower_http=warn";

/// Installs the process-wide subscriber, writing lines to `sink` from a thread of
/// its own; `colours` for a terminal. Call once, first thing in `main`, and keep the
/// guard until the end: dropping it writes out what is still queued.
///
/// If `sink` stalls (a terminal or pipe nobody reads) and 128,000 lines are waiting,
/// further lines are dropped rather than hold up a request: the log is for people,
/// and every play is recorded in the ledger either way.
#[must_use = "dropping the guard stops the log"]
pub fn init<W: Write + Send + 'static>(sink: W, colours: bool) -> WorkerGuard {
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .thread_name("gashapay-log")
        .finish(BufWriter::new(sink));
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| DEFAULT_FILTER.into()),
        )
        .with_ansi(colours)
        .with_writer(writer)
        .init();
    guard
}
