//! Machines: API key hash, webhook secret and its rotation, revocation.

use super::*;
use ::postgres::Row;

impl MachineStore for PostgresStore {
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
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                     api_key_hash = excluded.api_key_hash,
                     webhook_secret = excluded.webhook_secret, revoked = FALSE,
                     previous_webhook_secret = NULL, previous_valid_until = NULL",
                &[
                    &id.0,
                    &name,
                    &api_key_hash.as_slice(),
                    &webhook_secret.to_text(),
                    &kind.as_str(),
                ],
            )?;
            Ok(())
        })
    }

    fn machine(&self, id: &MachineId) -> StoreResult<Option<MachineRecord>> {
        let row = self.read(|client| {
            client.query_opt(
                &format!("SELECT {MACHINE_COLUMNS} FROM machines WHERE id = $1"),
                &[&id.0],
            )
        })?;
        row.as_ref().map(machine_record).transpose()
    }

    fn all(&self) -> StoreResult<Vec<MachineRecord>> {
        let rows = self.read(|client| {
            client.query(
                &format!("SELECT {MACHINE_COLUMNS} FROM machines ORDER BY id"),
                &[],
            )
        })?;
        rows.iter().map(machine_record).collect()
    }

    fn create_machine(&self, machine: &NewMachineRecord) -> StoreResult<()> {
        self.write(|tx| {
            let inserted = tx.execute(
                "INSERT INTO machines (id, name, api_key_hash, webhook_secret, location, kind)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
                &[
                    &machine.id.0,
                    &machine.name,
                    &machine.api_key_hash.as_slice(),
                    &machine.webhook_secret.to_text(),
                    &machine.location,
                    &machine.kind.as_str(),
                ],
            )?;
            match inserted {
                1 => Ok(()),
                _ => Err(StoreError::Duplicate(format!("machine {}", machine.id)).into()),
            }
        })
    }

    fn rotate_api_key(&self, id: &MachineId, api_key_hash: &[u8; 32]) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE machines SET api_key_hash = $1 WHERE id = $2 AND NOT revoked",
                &[&api_key_hash.as_slice(), &id.0],
            )?;
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
            let changed = tx.execute(
                "UPDATE machines SET previous_webhook_secret = webhook_secret,
                     previous_valid_until = $1, webhook_secret = $2
                 WHERE id = $3 AND NOT revoked",
                &[&previous_valid_until, &next.to_text(), &id.0],
            )?;
            Ok(changed == 1)
        })
    }

    fn revoke_machine(&self, id: &MachineId) -> StoreResult<bool> {
        self.write(|tx| {
            let changed =
                tx.execute("UPDATE machines SET revoked = TRUE WHERE id = $1", &[&id.0])?;
            Ok(changed == 1)
        })
    }
}

const MACHINE_COLUMNS: &str = "id, name, api_key_hash, webhook_secret, revoked,
    previous_webhook_secret, previous_valid_until, location, kind";

fn machine_record(row: &Row) -> StoreResult<MachineRecord> {
    let previous: Option<String> = row.get(5);
    let valid_until: Option<i64> = row.get(6);
    let previous_webhook_secret = match (previous, valid_until) {
        (Some(text), Some(until)) => Some((
            WebhookSecret::parse(&text)
                .ok_or_else(|| StoreError::Corrupt("bad previous webhook secret".into()))?,
            until,
        )),
        _ => None,
    };
    let secret: String = row.get(3);
    let kind: String = row.get(8);
    Ok(MachineRecord {
        previous_webhook_secret,
        id: MachineId(row.get(0)),
        name: row.get(1),
        api_key_hash: hash32(row.get(2))?,
        webhook_secret: WebhookSecret::parse(&secret)
            .ok_or_else(|| StoreError::Corrupt("bad webhook secret".into()))?,
        revoked: row.get(4),
        location: row.get(7),
        kind: MachineKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("machine kind {kind}")))?,
    })
}
