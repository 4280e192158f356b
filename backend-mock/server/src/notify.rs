//! Change notification for long-polling: a counter bumped on every status change.
//! Waiters subscribe before reading, so a change between their read and their wait is
//! never missed.

use tokio::sync::watch;

pub struct Changes {
    sender: watch::Sender<u64>,
}

impl Default for Changes {
    fn default() -> Self {
        Self {
            sender: watch::Sender::new(0),
        }
    }
}

impl Changes {
    pub fn notify(&self) {
        self.sender
            .send_modify(|version| *version = version.wrapping_add(1));
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.sender.subscribe()
    }
}
