//! Machines: API key hash, webhook secret and its rotation, revocation.

use super::*;
use rusqlite::{params, OptionalExtension};

pub(super) fn upsert_machine(
    store: &SqliteStore,
    id: &MachineId,
    name: &str,
    api_key_hash: &[u8; 32],
    webhook_secret: &WebhookSecret,
) -> StoreResult<()> {
    store.write(|tx| {
        tx.execute(
            "INSERT INTO machines (id, name, api_key_hash, webhook_secret) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                 api_key_hash = excluded.api_key_hash,
                 webhook_secret = excluded.webhook_secret, revoked = 0,
                 previous_webhook_secret = NULL, previous_valid_until = NULL",
            params![
                id.0,
                name,
                api_key_hash.as_slice(),
                webhook_secret.to_text()
            ],
        )
        .map_err(db)?;
        Ok(())
    })
}

pub(super) fn machine(store: &SqliteStore, id: &MachineId) -> StoreResult<Option<MachineRecord>> {
    let row = store.read(|conn| {
        conn.prepare_cached(
            "SELECT name, api_key_hash, webhook_secret, revoked, previous_webhook_secret,
                    previous_valid_until
             FROM machines WHERE id = ?1",
        )?
        .query_row([&id.0], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Vec<u8>>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, bool>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Option<i64>>(5)?,
            ))
        })
        .optional()
    })?;
    row.map(|(name, key_hash, secret, revoked, previous, valid_until)| {
        let previous_webhook_secret = match (previous, valid_until) {
            (Some(text), Some(until)) => Some((
                WebhookSecret::parse(&text)
                    .ok_or_else(|| StoreError::Corrupt("bad previous webhook secret".into()))?,
                until,
            )),
            _ => None,
        };
        Ok(MachineRecord {
            previous_webhook_secret,
            id: id.clone(),
            name,
            api_key_hash: hash32(key_hash)?,
            webhook_secret: WebhookSecret::parse(&secret)
                .ok_or_else(|| StoreError::Corrupt("bad webhook secret".into()))?,
            revoked,
        })
    })
    .transpose()
}

pub(super) fn rotate_webhook_secret(
    store: &SqliteStore,
    id: &MachineId,
    next: &WebhookSecret,
    previous_valid_until: UnixMillis,
) -> StoreResult<bool> {
    store.write(|tx| {
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

pub(super) fn revoke_machine(store: &SqliteStore, id: &MachineId) -> StoreResult<()> {
    store.write(|tx| {
        tx.execute("UPDATE machines SET revoked = 1 WHERE id = ?1", [&id.0])
            .map_err(db)?;
        Ok(())
    })
}
