//! Users and their sign-ins (token hashes, rotation, revocation).

use super::*;
use ::postgres::Row;

impl AccountStore for PostgresStore {
    fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        now: UnixMillis,
    ) -> StoreResult<UserId> {
        self.write(|tx| {
            let id: Option<i64> = tx
                .query_opt(
                    "INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3)
                     ON CONFLICT (username) DO NOTHING RETURNING id",
                    &[&username, &password_hash, &now],
                )?
                .map(|row| row.get(0));
            let id = id.ok_or_else(|| StoreError::Duplicate(format!("user {username}")))?;
            Ok(UserId(unsigned(id, "a user id")?))
        })
    }

    fn user_by_name(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        let row = self.read(|client| {
            client.query_opt(
                "SELECT id, username, password_hash, banned FROM users WHERE username = $1",
                &[&username],
            )
        })?;
        row.map(|row| {
            Ok(UserRecord {
                id: UserId(unsigned(row.get(0), "a user id")?),
                username: row.get(1),
                password_hash: row.get(2),
                banned: row.get(3),
            })
        })
        .transpose()
    }

    /// A ban ends every sign-in of the user with it.
    fn set_banned(&self, id: UserId, banned: bool, now: UnixMillis) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE users SET banned = $1 WHERE id = $2",
                &[&banned, &(id.0 as i64)],
            )?;
            if banned {
                tx.execute(
                    "UPDATE sign_ins SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                    &[&now, &(id.0 as i64)],
                )?;
            }
            Ok(changed == 1)
        })
    }

    fn create_sign_in(
        &self,
        user: UserId,
        device: DeviceId,
        tokens: &TokenHashes,
        now: UnixMillis,
    ) -> StoreResult<i64> {
        self.write(|tx| {
            let row = tx.query_one(
                "INSERT INTO sign_ins (user_id, device_id, access_hash, access_expires_at,
                     refresh_hash, refresh_expires_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[
                    &(user.0 as i64),
                    &(device.0 as i32),
                    &tokens.access_hash.as_slice(),
                    &tokens.access_expires_at,
                    &tokens.refresh_hash.as_slice(),
                    &tokens.refresh_expires_at,
                    &now,
                ],
            )?;
            Ok(row.get(0))
        })
    }

    fn sign_in(&self, id: i64) -> StoreResult<Option<SignInRecord>> {
        let row = self.read(|client| {
            client.query_opt(
                "SELECT user_id, device_id, access_hash, access_expires_at, refresh_hash,
                     refresh_expires_at, revoked_at IS NOT NULL
                 FROM sign_ins WHERE id = $1",
                &[&id],
            )
        })?;
        row.map(|row| sign_in_record(id, &row)).transpose()
    }

    fn rotate_sign_in(
        &self,
        id: i64,
        expected_refresh: &[u8; 32],
        next: &TokenHashes,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE sign_ins SET access_hash = $1, access_expires_at = $2,
                     refresh_hash = $3, refresh_expires_at = $4
                 WHERE id = $5 AND refresh_hash = $6 AND revoked_at IS NULL",
                &[
                    &next.access_hash.as_slice(),
                    &next.access_expires_at,
                    &next.refresh_hash.as_slice(),
                    &next.refresh_expires_at,
                    &id,
                    &expected_refresh.as_slice(),
                ],
            )?;
            Ok(changed == 1)
        })
    }

    fn revoke_sign_in(&self, id: i64, now: UnixMillis) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE sign_ins SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                &[&now, &id],
            )?;
            Ok(())
        })
    }

    fn users(&self) -> StoreResult<Vec<UserSummary>> {
        users_where(self, None)
    }

    fn user(&self, id: UserId) -> StoreResult<Option<UserSummary>> {
        Ok(users_where(self, Some(id))?.pop())
    }
}

fn sign_in_record(id: i64, row: &Row) -> StoreResult<SignInRecord> {
    Ok(SignInRecord {
        id,
        user_id: UserId(unsigned(row.get(0), "a user id")?),
        device_id: super::devices::device_id(row.get(1))?,
        tokens: TokenHashes {
            access_hash: hash32(row.get(2))?,
            access_expires_at: row.get(3),
            refresh_hash: hash32(row.get(4))?,
            refresh_expires_at: row.get(5),
        },
        revoked: row.get(6),
    })
}

/// Every user (or the one with `only`'s id), by id.
fn users_where(store: &PostgresStore, only: Option<UserId>) -> StoreResult<Vec<UserSummary>> {
    let only = only.map(|id| id.0 as i64);
    let rows = store.read(|client| {
        client.query(
            "SELECT id, username, banned, balance FROM users
             WHERE $1::BIGINT IS NULL OR id = $1 ORDER BY id",
            &[&only],
        )
    })?;
    rows.iter()
        .map(|row| {
            Ok(UserSummary {
                id: UserId(unsigned(row.get(0), "a user id")?),
                username: row.get(1),
                banned: row.get(2),
                balance: Points(unsigned(row.get(3), "a balance")?),
            })
        })
        .collect()
}
