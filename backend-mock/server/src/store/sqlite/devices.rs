//! The devices a user signs in from, with the secret each signs its codes with.

use super::*;
use rusqlite::{params, OptionalExtension};

impl DeviceStore for SqliteStore {
    fn register_device(
        &self,
        user: UserId,
        name: &str,
        secret: &DeviceSecret,
        now: UnixMillis,
    ) -> StoreResult<DeviceId> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO devices (user_id, name, secret, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![user.0 as i64, name, secret.as_bytes().as_slice(), now],
            )
            .map_err(db)?;
            let id = u32::try_from(tx.last_insert_rowid())
                .map_err(|_| StoreError::Corrupt("device ids exhausted".into()))?;
            Ok(DeviceId(id))
        })
    }

    fn device(&self, id: DeviceId) -> StoreResult<Option<DeviceRecord>> {
        let row = self.read(|conn| {
            conn.prepare_cached("SELECT user_id, secret, revoked FROM devices WHERE id = ?1")?
                .query_row([id.0], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, Vec<u8>>(1)?,
                        row.get::<_, bool>(2)?,
                    ))
                })
                .optional()
        })?;
        row.map(|(user, secret, revoked)| {
            let secret: [u8; 32] = hash32(secret)?;
            Ok(DeviceRecord {
                id,
                user_id: UserId(user as u64),
                secret: DeviceSecret::from_bytes(secret),
                revoked,
            })
        })
        .transpose()
    }

    fn devices_of(&self, user: UserId) -> StoreResult<Vec<DeviceSummary>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT id, name, revoked, created_at FROM devices WHERE user_id = ?1 ORDER BY id",
            )?
            .query_map([user.0 as i64], |row| {
                Ok(DeviceSummary {
                    id: DeviceId(row.get(0)?),
                    name: row.get(1)?,
                    revoked: row.get(2)?,
                    registered_at: row.get(3)?,
                })
            })?
            .collect()
        })
    }

    /// The device is revoked and its sign-ins end, together.
    fn revoke_device(&self, id: DeviceId, now: UnixMillis) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx
                .execute("UPDATE devices SET revoked = 1 WHERE id = ?1", [id.0])
                .map_err(db)?;
            tx.execute(
                "UPDATE sessions SET revoked_at = ?1 WHERE device_id = ?2 AND revoked_at IS NULL",
                params![now, id.0],
            )
            .map_err(db)?;
            Ok(changed == 1)
        })
    }
}
