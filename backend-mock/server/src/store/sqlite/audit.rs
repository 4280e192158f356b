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
    /// Checks SQLite's integrity, that each balance is the sum of its ledger, and
    /// that each play was debited once and refunded at most once, as its status says.
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
            // The ledger has no index on transaction_id (the play path would pay for
            // it), so the checks count entries per transaction once, in one pass.
            (
                "SELECT t.id FROM transactions t
                 LEFT JOIN (SELECT transaction_id, COUNT(*) AS n FROM ledger
                            WHERE kind = 'play' GROUP BY transaction_id) d
                   ON d.transaction_id = t.id
                 WHERE t.status != 'rejected' AND COALESCE(d.n, 0) != 1",
                "accepted play not debited exactly once",
            ),
            (
                "SELECT t.id FROM transactions t
                 LEFT JOIN (SELECT transaction_id, COUNT(*) AS n FROM ledger
                            WHERE kind = 'refund' GROUP BY transaction_id) r
                   ON r.transaction_id = t.id
                 WHERE COALESCE(r.n, 0) != (t.status = 'refunded')",
                "refund entries do not match the status",
            ),
            (
                "SELECT DISTINCT t.id FROM ledger l JOIN transactions t ON t.id = l.transaction_id
                 WHERE t.status = 'rejected'",
                "rejected play has ledger entries",
            ),
        ];
        let conn = connection(&self.conn);
        for (sql, problem) in queries {
            let mut statement = conn.prepare(sql).map_err(db)?;
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
