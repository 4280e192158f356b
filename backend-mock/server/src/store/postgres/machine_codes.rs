//! Printed machine codes: which machine each opens, and whether it is switched on.

use super::*;
use ::postgres::Row;

const CODE_COLUMNS: &str = "c.id, c.machine_id, m.name, c.active, m.revoked
    FROM machine_codes c JOIN machines m ON m.id = c.machine_id";

fn code_record(row: &Row) -> MachineCodeRecord {
    MachineCodeRecord {
        id: row.get(0),
        machine_id: MachineId(row.get(1)),
        machine_name: row.get(2),
        active: row.get(3),
        machine_revoked: row.get(4),
    }
}

fn code_in(tx: &mut Transaction<'_>, id: &str) -> WriteResult<Option<MachineCodeRecord>> {
    let row = tx.query_opt(&format!("SELECT {CODE_COLUMNS} WHERE c.id = $1"), &[&id])?;
    Ok(row.as_ref().map(code_record))
}

/// `Some(change)` when the machine cannot take a code (unknown or revoked).
fn machine_refusal(
    tx: &mut Transaction<'_>,
    machine: &MachineId,
) -> WriteResult<Option<CodeChange>> {
    let revoked: Option<bool> = tx
        .query_opt("SELECT revoked FROM machines WHERE id = $1", &[&machine.0])?
        .map(|row| row.get(0));
    Ok(match revoked {
        None => Some(CodeChange::NoSuchMachine),
        Some(true) => Some(CodeChange::MachineRevoked),
        Some(false) => None,
    })
}

impl MachineCodeStore for PostgresStore {
    fn create(&self, id: &str, machine: &MachineId, now: UnixMillis) -> StoreResult<CodeChange> {
        self.write(|tx| {
            if let Some(refusal) = machine_refusal(tx, machine)? {
                return Ok(refusal);
            }
            tx.execute(
                "INSERT INTO machine_codes (id, machine_id, active, created_at, updated_at)
                 VALUES ($1, $2, TRUE, $3, $3)",
                &[&id, &machine.0, &now],
            )?;
            let code = code_in(tx, id)?.ok_or_else(|| StoreError::Corrupt(format!("code {id}")))?;
            Ok(CodeChange::Done(code))
        })
    }

    fn get(&self, id: &str) -> StoreResult<Option<MachineCodeRecord>> {
        let row = self.read(|client| {
            client.query_opt(&format!("SELECT {CODE_COLUMNS} WHERE c.id = $1"), &[&id])
        })?;
        Ok(row.as_ref().map(code_record))
    }

    fn all(&self) -> StoreResult<Vec<MachineCodeRecord>> {
        let rows =
            self.read(|client| client.query(&format!("SELECT {CODE_COLUMNS} ORDER BY c.id"), &[]))?;
        Ok(rows.iter().map(code_record).collect())
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
                "UPDATE machine_codes SET machine_id = $1, updated_at = $2 WHERE id = $3",
                &[&machine.0, &now, &id],
            )?;
            Ok(code_in(tx, id)?.map_or(CodeChange::NoSuchCode, CodeChange::Done))
        })
    }

    fn set_active(&self, id: &str, active: bool, now: UnixMillis) -> StoreResult<CodeChange> {
        self.write(|tx| {
            tx.execute(
                "UPDATE machine_codes SET active = $1, updated_at = $2 WHERE id = $3",
                &[&active, &now, &id],
            )?;
            Ok(code_in(tx, id)?.map_or(CodeChange::NoSuchCode, CodeChange::Done))
        })
    }
}
