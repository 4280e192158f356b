//! The operator credential's hash and the trail of what operators changed.

use super::*;
use rusqlite::{params, OptionalExtension};

impl OperatorStore for SqliteStore {
    fn key_hash(&self) -> StoreResult<Option<[u8; 32]>> {
        let hash = self.read(|conn| {
            conn.query_row(
                "SELECT key_hash FROM operator_keys WHERE id = 1",
                [],
                |row| row.get::<_, Vec<u8>>(0),
            )
            .optional()
        })?;
        hash.map(hash32).transpose()
    }

    fn set_key_hash(&self, hash: &[u8; 32], now: UnixMillis) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO operator_keys (id, key_hash, created_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET key_hash = excluded.key_hash,
                 created_at = excluded.created_at",
                params![hash.as_slice(), now],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn record_action(&self, action: &str, subject: &str, now: UnixMillis) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO operator_audit (at, action, subject) VALUES (?1, ?2, ?3)",
                params![now, action, subject],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn actions(&self, limit: u32) -> StoreResult<Vec<OperatorAction>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT id, at, action, subject FROM operator_audit ORDER BY id DESC LIMIT ?1",
            )?
            .query_map([limit], |row| {
                Ok(OperatorAction {
                    id: row.get(0)?,
                    at: row.get(1)?,
                    action: row.get(2)?,
                    subject: row.get(3)?,
                })
            })?
            .collect()
        })
    }
}
