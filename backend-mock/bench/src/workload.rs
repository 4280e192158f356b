//! Whose codes the bench sends, and what the database already holds. The best case is
//! one player, time-ordered (v7) transaction ids and an empty database; a fleet is
//! many players, some apps sending random (v4) ids (the protocol accepts any UUID),
//! and millions of earlier plays.

use gashapay_core::clock::unix_now;
use gashapay_core::device::DeviceCredentials;
use gashapay_core::qr::QrPayload;
use gashapay_core::{Points, TransactionId};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    /// Players the codes are dealt to, in turn.
    pub users: u32,
    /// Share of codes (0 to 1) whose transaction id is a random (v4) UUID.
    pub v4_share: f64,
    /// Plays the database holds before the first round.
    pub prefill: u64,
}

impl Workload {
    /// The fleet goal's workload (`--fleet`): 10,000 players, half the ids random,
    /// 5 million plays already stored.
    pub const FLEET: Workload = Workload {
        users: 10_000,
        v4_share: 0.5,
        prefill: 5_000_000,
    };

    /// Whether the `n`-th code carries a random id. Spread evenly, so that any run of
    /// codes (a round, a batch) has the share.
    pub fn random_id(&self, n: u64) -> bool {
        let share = self.v4_share;
        ((n + 1) as f64 * share).floor() > (n as f64 * share).floor()
    }

    /// One line for the bench's header.
    pub fn describe(&self) -> String {
        format!(
            "{} player(s), {:.0}% random (v4) ids, {} plays already in the database",
            self.users,
            self.v4_share * 100.0,
            self.prefill
        )
    }
}

/// The `n`-th play's code, 1 point, issued now, from `player`'s device; its id random
/// when the workload says so.
pub fn code(workload: &Workload, player: &DeviceCredentials, n: u64) -> String {
    let mut payload = QrPayload::new_play(
        player.app_id,
        player.user_id,
        player.device_id,
        Points(1),
        unix_now(),
        300,
    )
    .expect("1 point and a 300 s ttl are a valid code");
    if workload.random_id(n) {
        payload.transaction_id = TransactionId(uuid::Uuid::new_v4());
    }
    payload.sign(&player.secret).to_text()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(v4_share: f64, codes: u64) -> u64 {
        let workload = Workload {
            users: 1,
            v4_share,
            prefill: 0,
        };
        (0..codes).filter(|&n| workload.random_id(n)).count() as u64
    }

    #[test]
    fn the_random_ids_are_the_asked_share_of_any_run_of_codes() {
        assert_eq!(share(0.0, 1000), 0);
        assert_eq!(share(1.0, 1000), 1000);
        assert_eq!(share(0.5, 1000), 500);
        assert_eq!(share(0.25, 20), 5);
        // Every other code, not the second half of the run.
        let half = Workload {
            users: 1,
            v4_share: 0.5,
            prefill: 0,
        };
        assert_ne!(half.random_id(0), half.random_id(1));
    }
}
