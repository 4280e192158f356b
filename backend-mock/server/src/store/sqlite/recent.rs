//! The transactions of the last minutes, found by their code's id. Nothing on disk is
//! keyed by the id (a tree keyed by random ids costs every play a page of its own), so
//! this is how the writer keeps each code to one use, and how a machine's report or a
//! status request finds its play.
//!
//! The rule that makes it enough: a code presented within [`CODE_PAST`] after its
//! issue time and at most [`CODE_FUTURE`] before it is looked up here only. Two such
//! presentations of one id are at most [`REMEMBERED`] apart, and every row stays here
//! that long, so the second always finds the first. A code presented later than that
//! (long expired, and rare) is looked up along its player's chain of transactions
//! ([`along_chain`]): every earlier presentation was that player's too, since the
//! player's device signed it. A code presented earlier than that gets no row: it is
//! from the future whatever happened to it before.
//!
//! The rows are on disk before the answer and this is rebuilt from the table's end when
//! the store opens, so a restart forgets nothing that is still needed.

use gashapay_core::ids::{TransactionId, UserId};
use rusqlite::{Connection, OptionalExtension};
use std::collections::{HashMap, VecDeque};

type UnixMillis = i64;

use crate::store::{code_bounds, Bounds};
pub use crate::store::{CODE_FUTURE, CODE_PAST, REMEMBERED};

/// The clock may step back a little between two writes; rows this much older than the
/// newest are still loaded at open.
const LOAD_SLACK: UnixMillis = 60 * 1000;

/// A row written by the writer, remembered once its transaction has committed.
#[derive(Debug, Clone, Copy)]
pub struct Written {
    pub id: TransactionId,
    pub seq: i64,
    pub at: UnixMillis,
}

/// The row of the player's transaction with this id, walking their chain from the
/// newest: how a transaction older than the remembered minutes is found.
pub fn along_chain(
    conn: &Connection,
    id: TransactionId,
    player: UserId,
) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "WITH RECURSIVE chain(seq) AS (
             SELECT last_transaction FROM users WHERE id = ?1
             UNION ALL
             SELECT t.user_previous FROM chain JOIN transactions t ON t.seq = chain.seq
             WHERE t.id != ?2 AND t.user_previous IS NOT NULL
         )
         SELECT chain.seq FROM chain JOIN transactions t ON t.seq = chain.seq
         WHERE t.id = ?2",
    )?
    .query_row(rusqlite::params![player.0 as i64, id.to_string()], |row| {
        row.get(0)
    })
    .optional()
}

#[derive(Debug, Default)]
pub struct RecentTransactions {
    by_id: HashMap<TransactionId, i64>,
    /// In the order written, with the moment each was written.
    order: VecDeque<(UnixMillis, TransactionId)>,
    /// The latest moment seen: the clock as this store knows it, never stepping back.
    latest: UnixMillis,
}

impl RecentTransactions {
    /// The transactions written in the last [`REMEMBERED`] before the newest row.
    pub fn load(conn: &Connection) -> rusqlite::Result<Self> {
        let mut statement =
            conn.prepare("SELECT seq, id, created_at FROM transactions ORDER BY seq DESC")?;
        let mut rows = statement.query([])?;
        let mut newest: Option<UnixMillis> = None;
        let mut written = Vec::new();
        while let Some(row) = rows.next()? {
            let (seq, id, at): (i64, String, UnixMillis) = (row.get(0)?, row.get(1)?, row.get(2)?);
            let newest = *newest.get_or_insert(at);
            if at < newest - REMEMBERED - LOAD_SLACK {
                break;
            }
            let id = id.parse().map_err(|_| {
                rusqlite::Error::FromSqlConversionFailure(
                    1,
                    rusqlite::types::Type::Text,
                    format!("transaction id {id}").into(),
                )
            })?;
            written.push(Written { id, seq, at });
        }
        let mut recent = Self::default();
        recent.remember(written.into_iter().rev());
        Ok(recent)
    }

    /// The row number of the transaction with this id, if it was written recently.
    pub fn seq(&self, id: &TransactionId) -> Option<i64> {
        self.by_id.get(id).copied()
    }

    /// Where a code issued at `issued_at` (Unix seconds) and presented at `now` falls,
    /// measured from the latest moment seen, so a clock stepping back never makes a
    /// remembered code look new.
    pub fn bounds(&self, issued_at: u64, now: UnixMillis) -> Bounds {
        code_bounds(issued_at, now.max(self.latest))
    }

    /// Remembers committed rows, and forgets those older than [`REMEMBERED`].
    pub fn remember(&mut self, written: impl IntoIterator<Item = Written>) {
        for row in written {
            // A row is kept from the latest moment seen, so a clock stepping back
            // never makes one be forgotten early.
            self.latest = self.latest.max(row.at);
            self.by_id.insert(row.id, row.seq);
            self.order.push_back((self.latest, row.id));
        }
        while let Some(&(at, id)) = self.order.front() {
            if at >= self.latest - REMEMBERED {
                break;
            }
            self.order.pop_front();
            self.by_id.remove(&id);
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_id.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(seq: i64, at: UnixMillis) -> (TransactionId, Written) {
        let id = TransactionId::new_random();
        (id, Written { id, seq, at })
    }

    #[test]
    fn a_transaction_is_found_for_exactly_the_remembered_time() {
        let mut recent = RecentTransactions::default();
        let (first, row) = written(1, 1_000);
        recent.remember([row]);
        let (_, later) = written(2, 1_000 + REMEMBERED);
        recent.remember([later]);
        assert_eq!(recent.seq(&first), Some(1));
        let (_, last) = written(3, 1_001 + REMEMBERED);
        recent.remember([last]);
        assert_eq!(recent.seq(&first), None);
        assert_eq!(recent.len(), 2);
    }

    #[test]
    fn a_clock_stepping_back_forgets_nothing_early() {
        let mut recent = RecentTransactions::default();
        let (_, ahead) = written(1, 50_000);
        recent.remember([ahead]);
        let (behind, row) = written(2, 10_000);
        recent.remember([row]);
        let (_, later) = written(3, 50_000 + REMEMBERED);
        recent.remember([later]);
        assert_eq!(recent.seq(&behind), Some(2));
    }

    #[test]
    fn presentations_fall_within_their_bounds_or_on_either_side() {
        let mut recent = RecentTransactions::default();
        let now: UnixMillis = 1_000_000_000;
        let secs = |ms: UnixMillis| (ms / 1000) as u64;
        assert_eq!(recent.bounds(secs(now - CODE_PAST), now), Bounds::Within);
        assert_eq!(recent.bounds(secs(now + CODE_FUTURE), now), Bounds::Within);
        assert_eq!(
            recent.bounds(secs(now - CODE_PAST - 1000), now),
            Bounds::Past
        );
        assert_eq!(
            recent.bounds(secs(now + CODE_FUTURE + 1000), now),
            Bounds::Future
        );
        assert_eq!(recent.bounds(u64::MAX, now), Bounds::Future);
        // The latest moment seen counts, not a clock that stepped back.
        let (_, row) = written(1, now + CODE_PAST);
        recent.remember([row]);
        assert_eq!(recent.bounds(secs(now - 1000), now), Bounds::Past);
    }
}
