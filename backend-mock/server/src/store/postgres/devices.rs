//! The devices a user signs in from, with the secret each signs its codes with.

use super::*;

/// A device id as stored (PostgreSQL's INTEGER is signed).
pub(super) fn device_id(stored: i32) -> StoreResult<DeviceId> {
    u32::try_from(stored)
        .map(DeviceId)
        .map_err(|_| StoreError::Corrupt(format!("device id {stored}")))
}

impl DeviceStore for PostgresStore {
    fn register_device(
        &self,
        user: UserId,
        name: &str,
        secret: &DeviceSecret,
        now: UnixMillis,
    ) -> StoreResult<DeviceId> {
        self.write(|tx| {
            let row = tx.query_one(
                "INSERT INTO devices (user_id, name, secret, created_at) VALUES ($1, $2, $3, $4)
                 RETURNING id",
                &[&(user.0 as i64), &name, &secret.as_bytes().as_slice(), &now],
            )?;
            Ok(device_id(row.get(0))?)
        })
    }

    fn device(&self, id: DeviceId) -> StoreResult<Option<DeviceRecord>> {
        let Ok(stored) = i32::try_from(id.0) else {
            return Ok(None);
        };
        let row = self.read(|client| {
            client.query_opt(
                "SELECT user_id, secret, revoked FROM devices WHERE id = $1",
                &[&stored],
            )
        })?;
        row.map(|row| {
            Ok(DeviceRecord {
                id,
                user_id: UserId(unsigned(row.get(0), "a user id")?),
                secret: DeviceSecret::from_bytes(hash32(row.get(1))?),
                revoked: row.get(2),
            })
        })
        .transpose()
    }

    fn devices_of(&self, user: UserId) -> StoreResult<Vec<DeviceSummary>> {
        let rows = self.read(|client| {
            client.query(
                "SELECT id, name, revoked, created_at FROM devices WHERE user_id = $1 ORDER BY id",
                &[&(user.0 as i64)],
            )
        })?;
        rows.iter()
            .map(|row| {
                Ok(DeviceSummary {
                    id: device_id(row.get(0))?,
                    name: row.get(1),
                    revoked: row.get(2),
                    registered_at: row.get(3),
                })
            })
            .collect()
    }

    /// The device is revoked and its sign-ins end, together.
    fn revoke_device(&self, id: DeviceId, now: UnixMillis) -> StoreResult<bool> {
        let Ok(stored) = i32::try_from(id.0) else {
            return Ok(false);
        };
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE devices SET revoked = TRUE WHERE id = $1",
                &[&stored],
            )?;
            tx.execute(
                "UPDATE sign_ins SET revoked_at = $1 WHERE device_id = $2 AND revoked_at IS NULL",
                &[&now, &stored],
            )?;
            Ok(changed == 1)
        })
    }
}
