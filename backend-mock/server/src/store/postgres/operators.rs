//! The operator credential's hash and the trail of what operators changed.

use super::*;

impl OperatorStore for PostgresStore {
    fn key_hash(&self) -> StoreResult<Option<[u8; 32]>> {
        let row = self.read(|client| {
            client.query_opt("SELECT key_hash FROM operator_keys WHERE id = 1", &[])
        })?;
        row.map(|row| hash32(row.get(0))).transpose()
    }

    fn set_key_hash(&self, hash: &[u8; 32], now: UnixMillis) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO operator_keys (id, key_hash, created_at) VALUES (1, $1, $2)
                 ON CONFLICT (id) DO UPDATE SET key_hash = excluded.key_hash,
                     created_at = excluded.created_at",
                &[&hash.as_slice(), &now],
            )?;
            Ok(())
        })
    }

    fn record_action(&self, action: &str, subject: &str, now: UnixMillis) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO operator_audit (at, action, subject) VALUES ($1, $2, $3)",
                &[&now, &action, &subject],
            )?;
            Ok(())
        })
    }

    fn actions(&self, limit: u32) -> StoreResult<Vec<OperatorAction>> {
        let rows = self.read(|client| {
            client.query(
                "SELECT id, at, action, subject FROM operator_audit ORDER BY id DESC LIMIT $1",
                &[&i64::from(limit)],
            )
        })?;
        Ok(rows
            .iter()
            .map(|row| OperatorAction {
                id: row.get(0),
                at: row.get(1),
                action: row.get(2),
                subject: row.get(3),
            })
            .collect())
    }
}
