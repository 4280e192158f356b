//! Printed machine codes: which machine each opens, and whether it is switched on.

use super::*;
use crate::store::machine_pay::{CodeChange, MachineCodeRecord};
use rusqlite::{params, OptionalExtension};

const CODE_COLUMNS: &str = "c.id, c.machine_id, m.name, c.active, m.revoked
    FROM machine_codes c JOIN machines m ON m.id = c.machine_id";

fn code_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<MachineCodeRecord> {
    Ok(MachineCodeRecord {
        id: row.get(0)?,
        machine_id: MachineId(row.get(1)?),
        machine_name: row.get(2)?,
        active: row.get(3)?,
        machine_revoked: row.get(4)?,
    })
}

fn code_in(tx: &rusqlite::Transaction<'_>, id: &str) -> StoreResult<Option<MachineCodeRecord>> {
    tx.query_row(
        &format!("SELECT {CODE_COLUMNS} WHERE c.id = ?1"),
        [id],
        code_row,
    )
    .optional()
    .map_err(db)
}

/// `Some(change)` when the machine cannot take a code (unknown or revoked).
fn machine_refusal(
    tx: &rusqlite::Transaction<'_>,
    machine: &MachineId,
) -> StoreResult<Option<CodeChange>> {
    let revoked: Option<bool> = tx
        .query_row(
            "SELECT revoked FROM machines WHERE id = ?1",
            [&machine.0],
            |row| row.get(0),
        )
        .optional()
        .map_err(db)?;
    Ok(match revoked {
        None => Some(CodeChange::NoSuchMachine),
        Some(true) => Some(CodeChange::MachineRevoked),
        Some(false) => None,
    })
}

impl MachineCodeStore for SqliteStore {
    fn create(&self, id: &str, machine: &MachineId, now: UnixMillis) -> StoreResult<CodeChange> {
        self.write(|tx| {
            if let Some(refusal) = machine_refusal(tx, machine)? {
                return Ok(refusal);
            }
            tx.execute(
                "INSERT INTO machine_codes (id, machine_id, active, created_at, updated_at)
             VALUES (?1, ?2, 1, ?3, ?3)",
                params![id, machine.0, now],
            )
            .map_err(db)?;
            let code = code_in(tx, id)?.ok_or_else(|| StoreError::Corrupt(format!("code {id}")))?;
            Ok(CodeChange::Done(code))
        })
    }

    fn get(&self, id: &str) -> StoreResult<Option<MachineCodeRecord>> {
        self.read(|conn| {
            conn.query_row(
                &format!("SELECT {CODE_COLUMNS} WHERE c.id = ?1"),
                [id],
                code_row,
            )
            .optional()
        })
    }

    fn all(&self) -> StoreResult<Vec<MachineCodeRecord>> {
        self.read(|conn| {
            let mut statement = conn.prepare(&format!("SELECT {CODE_COLUMNS} ORDER BY c.id"))?;
            let rows = statement.query_map([], code_row)?;
            rows.collect()
        })
    }

    fn move_to(&self, id: &str, machine: &MachineId, now: UnixMillis) -> StoreResult<CodeChange> {
        self.write(|tx| {
            if code_in(tx, id)?.is_none() {
                return Ok(CodeChange::NoSuchCode);
            }
            if let Some(refusal) = machine_refusal(tx, machine)? {
                return Ok(refusal);
            }
            tx.execute(
                "UPDATE machine_codes SET machine_id = ?1, updated_at = ?2 WHERE id = ?3",
                params![machine.0, now, id],
            )
            .map_err(db)?;
            Ok(code_in(tx, id)?.map_or(CodeChange::NoSuchCode, CodeChange::Done))
        })
    }

    fn set_active(&self, id: &str, active: bool, now: UnixMillis) -> StoreResult<CodeChange> {
        self.write(|tx| {
            tx.execute(
                "UPDATE machine_codes SET active = ?1, updated_at = ?2 WHERE id = ?3",
                params![active, now, id],
            )
            .map_err(db)?;
            Ok(code_in(tx, id)?.map_or(CodeChange::NoSuchCode, CodeChange::Done))
        })
    }
}
