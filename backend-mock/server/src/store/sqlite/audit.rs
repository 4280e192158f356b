//! Every way the money data could be wrong, as sentences: the check tests and the bench
//! run after they are done.

use super::*;

impl SqliteStore {
    /// `PRAGMA integrity_check` says "ok".
    pub fn integrity_ok(&self) -> StoreResult<bool> {
        let conn = connection(&self.conn);
        let result: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(db)?;
        Ok(result == "ok")
    }

    /// Every way the money data could be wrong, as sentences; empty when sound.
    /// Checks SQLite's integrity, that each balance is the sum of its ledger, that
    /// each play (or paid order) was debited once and refunded at most once, as its
    /// status says, and that each pay-first session was debited once and gave back
    /// exactly what was left when it ended, that each reward payout was credited
    /// once, within its partner's daily budget, that each player's history chain
    /// holds all their entries in order, and their chain of transactions all their
    /// transactions, each id once.
    pub fn audit(&self) -> StoreResult<Vec<String>> {
        let mut problems = Vec::new();
        if !self.integrity_ok()? {
            problems.push("PRAGMA integrity_check failed".to_owned());
        }
        let queries: &[(&str, &str)] = &[
            (
                "SELECT u.id FROM users u LEFT JOIN ledger l ON l.user_id = u.id
                 GROUP BY u.id HAVING u.balance != COALESCE(SUM(l.delta), 0)",
                "balance differs from the sum of its ledger",
            ),
            // Status, reports and one-time use find a transaction by its id among the
            // remembered ids or along its player's chain: one row per id for each.
            (
                "SELECT id FROM transactions GROUP BY user_id, id HAVING COUNT(*) > 1",
                "transaction id written twice for one player",
            ),
            // The ledger has no index on transaction_seq (the play path would pay for
            // it), so the checks count entries per transaction once, in one pass.
            (
                "SELECT t.id FROM transactions t
                 LEFT JOIN (SELECT transaction_seq, COUNT(*) AS n FROM ledger
                            WHERE kind = 'play' OR kind = 'purchase'
                            GROUP BY transaction_seq) d
                   ON d.transaction_seq = t.seq
                 WHERE t.status != 'rejected' AND COALESCE(d.n, 0) != 1",
                "accepted play not debited exactly once",
            ),
            (
                "SELECT t.id FROM transactions t
                 LEFT JOIN (SELECT transaction_seq, COUNT(*) AS n FROM ledger
                            WHERE kind = 'refund' GROUP BY transaction_seq) r
                   ON r.transaction_seq = t.seq
                 WHERE COALESCE(r.n, 0) != (t.status = 'refunded')",
                "refund entries do not match the status",
            ),
            (
                "SELECT DISTINCT t.id FROM ledger l JOIN transactions t ON t.seq = l.transaction_seq
                 WHERE t.status = 'rejected'",
                "rejected play has ledger entries",
            ),
            (
                "SELECT s.id FROM machine_sessions s
                 LEFT JOIN (SELECT session_id, COUNT(*) AS n, SUM(delta) AS d FROM ledger
                            WHERE kind = 'machine_credit' GROUP BY session_id) c
                   ON c.session_id = s.id
                 WHERE COALESCE(c.n, 0) != 1 OR c.d != -s.loaded",
                "session not debited exactly once by its loaded points",
            ),
            (
                "SELECT s.id FROM machine_sessions s
                 LEFT JOIN (SELECT session_id, COUNT(*) AS n, SUM(delta) AS d FROM ledger
                            WHERE kind = 'machine_refund' GROUP BY session_id) r
                   ON r.session_id = s.id
                 WHERE (s.status = 'open' AND (COALESCE(r.n, 0) != 0 OR s.refunded IS NOT NULL))
                    OR (s.status = 'ended' AND (s.refunded IS NULL
                        OR s.refunded != s.loaded - s.spent
                        OR COALESCE(r.d, 0) != s.refunded
                        OR COALESCE(r.n, 0) != (s.refunded > 0)))",
                "session refund does not match what was left",
            ),
            (
                "SELECT s.id FROM machine_sessions s
                 LEFT JOIN (SELECT session_id, SUM(points) AS p FROM session_purchases
                            GROUP BY session_id) b
                   ON b.session_id = s.id
                 WHERE s.spent != COALESCE(b.p, 0)",
                "session spent differs from its purchases",
            ),
            (
                "SELECT p.id FROM reward_payouts p
                 LEFT JOIN (SELECT payout_id, COUNT(*) AS n, SUM(delta) AS d FROM ledger
                            WHERE kind = 'reward' GROUP BY payout_id) c
                   ON c.payout_id = p.id
                 WHERE COALESCE(c.n, 0) != 1 OR c.d != p.points",
                "reward payout not credited exactly once",
            ),
            (
                "SELECT s.id FROM reward_sessions s
                 LEFT JOIN reward_payouts p ON p.session_id = s.id
                 WHERE (s.status = 'open' AND (p.id IS NOT NULL OR s.earned IS NOT NULL))
                    OR (s.status = 'ended' AND COALESCE(p.points, 0) != s.earned)",
                "reward session paid otherwise than it earned",
            ),
            (
                "SELECT app_id || ' ' || day FROM reward_payouts p
                 GROUP BY app_id, day
                 HAVING SUM(points) > (SELECT daily_budget FROM partners WHERE app_id = p.app_id)",
                "partner gave more than its daily budget",
            ),
        ];
        let chains = PLAYER_CHAINS.iter().flat_map(PlayerChain::checks);
        let checks = queries
            .iter()
            .map(|&(sql, problem)| (sql.to_owned(), problem.to_owned()))
            .chain(chains);
        let conn = connection(&self.conn);
        for (sql, problem) in checks {
            let mut statement = conn.prepare(&sql).map_err(db)?;
            let ids = statement
                .query_map([], |row| row.get::<_, rusqlite::types::Value>(0))
                .map_err(db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db)?;
            for id in ids {
                problems.push(format!("{problem}: {id:?}"));
            }
        }
        Ok(problems)
    }
}

/// A chain through one player's rows of `table`: each row's `previous` names the same
/// player's row before it (by `key`), and the player's row names the newest (`head`).
/// History is read along the ledger's, an older transaction found along the
/// transactions'.
struct PlayerChain {
    table: &'static str,
    key: &'static str,
    previous: &'static str,
    head: &'static str,
    row: &'static str,
}

const PLAYER_CHAINS: [PlayerChain; 2] = [
    PlayerChain {
        table: "ledger",
        key: "id",
        previous: "previous_id",
        head: "last_ledger_id",
        row: "ledger entry",
    },
    PlayerChain {
        table: "transactions",
        key: "seq",
        previous: "user_previous",
        head: "last_transaction",
        row: "transaction",
    },
];

impl PlayerChain {
    /// Every row links to its player's previous one; every player names their newest.
    fn checks(&self) -> [(String, String); 2] {
        let Self {
            table,
            key,
            previous,
            head,
            row,
        } = self;
        [
            (
                format!(
                    "SELECT {key} FROM (SELECT {key}, {previous},
                         LAG({key}) OVER (PARTITION BY user_id ORDER BY {key}) AS expected
                         FROM {table})
                     WHERE {previous} IS NOT expected"
                ),
                format!("{row} not linked to its player's previous one"),
            ),
            (
                format!(
                    "SELECT u.id FROM users u
                     LEFT JOIN (SELECT user_id, MAX({key}) AS newest FROM {table}
                                GROUP BY user_id) n
                       ON n.user_id = u.id
                     WHERE u.{head} IS NOT n.newest"
                ),
                format!("player's newest {row} not named by their row"),
            ),
        ]
    }
}
