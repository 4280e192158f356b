//! Machines: API key hash, webhook secret and its rotation, revocation.

use super::*;
use rusqlite::{params, OptionalExtension};

impl MachineStore for SqliteStore {
    fn upsert_machine(
        &self,
        id: &MachineId,
        name: &str,
        kind: MachineKind,
        api_key_hash: &[u8; 32],
        webhook_secret: &WebhookSecret,
    ) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO machines (id, name, api_key_hash, webhook_secret, kind)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                 api_key_hash = excluded.api_key_hash,
                 webhook_secret = excluded.webhook_secret, revoked = 0,
                 previous_webhook_secret = NULL, previous_valid_until = NULL",
                params![
                    id.0,
                    name,
                    api_key_hash.as_slice(),
                    webhook_secret.to_text(),
                    kind.as_str()
                ],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn machine(&self, id: &MachineId) -> StoreResult<Option<MachineRecord>> {
        let row = self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {MACHINE_COLUMNS} FROM machines WHERE id = ?1"
            ))?
            .query_row([&id.0], machine_row)
            .optional()
        })?;
        row.map(machine_record).transpose()
    }

    fn all(&self) -> StoreResult<Vec<MachineRecord>> {
        let rows = self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {MACHINE_COLUMNS} FROM machines ORDER BY id"
            ))?
            .query_map([], machine_row)?
            .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.into_iter().map(machine_record).collect()
    }

    fn create_machine(&self, machine: &NewMachineRecord) -> StoreResult<()> {
        self.write(|tx| {
            let inserted = tx
                .execute(
                    "INSERT INTO machines (id, name, api_key_hash, webhook_secret, location, kind)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
                    params![
                        machine.id.0,
                        machine.name,
                        machine.api_key_hash.as_slice(),
                        machine.webhook_secret.to_text(),
                        machine.location,
                        machine.kind.as_str()
                    ],
                )
                .map_err(db)?;
            match inserted {
                1 => Ok(()),
                _ => Err(StoreError::Duplicate(format!("machine {}", machine.id))),
            }
        })
    }

    fn rotate_api_key(&self, id: &MachineId, api_key_hash: &[u8; 32]) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE machines SET api_key_hash = ?1 WHERE id = ?2 AND revoked = 0",
                    params![api_key_hash.as_slice(), id.0],
                )
                .map_err(db)?;
            Ok(changed == 1)
        })
    }

    fn rotate_webhook_secret(
        &self,
        id: &MachineId,
        next: &WebhookSecret,
        previous_valid_until: UnixMillis,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE machines SET previous_webhook_secret = webhook_secret,
                     previous_valid_until = ?1, webhook_secret = ?2
                 WHERE id = ?3 AND revoked = 0",
                    params![previous_valid_until, next.to_text(), id.0],
                )
                .map_err(db)?;
            Ok(changed == 1)
        })
    }

    fn revoke_machine(&self, id: &MachineId) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx
                .execute("UPDATE machines SET revoked = 1 WHERE id = ?1", [&id.0])
                .map_err(db)?;
            Ok(changed == 1)
        })
    }
}

const MACHINE_COLUMNS: &str = "id, name, api_key_hash, webhook_secret, revoked,
    previous_webhook_secret, previous_valid_until, location, kind";

/// A machine row as stored, before its secrets are parsed.
struct MachineRow {
    id: String,
    name: String,
    key_hash: Vec<u8>,
    secret: String,
    revoked: bool,
    previous: Option<String>,
    valid_until: Option<i64>,
    location: String,
    kind: String,
}

fn machine_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<MachineRow> {
    Ok(MachineRow {
        id: row.get(0)?,
        name: row.get(1)?,
        key_hash: row.get(2)?,
        secret: row.get(3)?,
        revoked: row.get(4)?,
        previous: row.get(5)?,
        valid_until: row.get(6)?,
        location: row.get(7)?,
        kind: row.get(8)?,
    })
}

fn machine_record(row: MachineRow) -> StoreResult<MachineRecord> {
    let previous_webhook_secret = match (row.previous, row.valid_until) {
        (Some(text), Some(until)) => Some((
            WebhookSecret::parse(&text)
                .ok_or_else(|| StoreError::Corrupt("bad previous webhook secret".into()))?,
            until,
        )),
        _ => None,
    };
    Ok(MachineRecord {
        previous_webhook_secret,
        id: MachineId(row.id),
        name: row.name,
        api_key_hash: hash32(row.key_hash)?,
        webhook_secret: WebhookSecret::parse(&row.secret)
            .ok_or_else(|| StoreError::Corrupt("bad webhook secret".into()))?,
        revoked: row.revoked,
        location: row.location,
        kind: MachineKind::parse(&row.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("machine kind {}", row.kind)))?,
    })
}
