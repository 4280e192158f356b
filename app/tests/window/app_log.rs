//! Everything an app under test writes (its log goes to stdout, WebKit's and a
//! panic's words to stderr), read to the end by threads of its own: a pipe nobody
//! reads would fill and stop the app, and a test that fails shows the log's end.

use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// How many of the log's last lines a failing wait shows.
const TAIL_LINES: usize = 40;

#[derive(Clone, Default)]
pub struct AppLog {
    lines: Arc<Mutex<Vec<String>>>,
    readers: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl AppLog {
    /// Reads `stream` line by line into the log until it ends.
    pub fn collect(&self, stream: impl Read + Send + 'static) {
        let lines = Arc::clone(&self.lines);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                lines
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(line);
            }
        });
        self.readers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(reader);
    }

    /// Adds a line the test itself read off the app's output.
    pub fn push(&self, line: String) {
        self.lines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(line);
    }

    /// The whole log, once the app has exited: waits for its streams to end.
    pub fn whole_after_exit(&self) -> String {
        let readers = std::mem::take(
            &mut *self
                .readers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for reader in readers {
            let _ = reader.join();
        }
        self.text(None)
    }

    /// The log's last lines so far, for a failure's message.
    pub fn tail(&self) -> String {
        self.text(Some(TAIL_LINES))
    }

    /// The last `last` lines, or all of them.
    fn text(&self, last: Option<usize>) -> String {
        let lines = self
            .lines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let skip = last.map_or(0, |last| lines.len().saturating_sub(last));
        lines[skip..].join("\n")
    }
}
