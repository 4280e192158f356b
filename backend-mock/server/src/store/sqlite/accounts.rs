//! Users and their sign-ins (token hashes, rotation, revocation), kept in the
//! `sessions` table (its name from before machine sessions existed).

use super::*;
use rusqlite::{params, OptionalExtension};

impl AccountStore for SqliteStore {
    fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        now: UnixMillis,
    ) -> StoreResult<UserId> {
        self.write(|tx| {
            let exists: bool = tx
                .query_row(
                    "SELECT EXISTS(SELECT 1 FROM users WHERE username = ?1)",
                    [username],
                    |row| row.get(0),
                )
                .map_err(db)?;
            if exists {
                return Err(StoreError::Duplicate(format!("user {username}")));
            }
            tx.execute(
                "INSERT INTO users (username, password_hash, created_at) VALUES (?1, ?2, ?3)",
                params![username, password_hash, now],
            )
            .map_err(db)?;
            Ok(UserId(tx.last_insert_rowid() as u64))
        })
    }

    fn user_by_name(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT id, username, password_hash, banned FROM users WHERE username = ?1",
                [username],
                |row| {
                    Ok(UserRecord {
                        id: UserId(row.get::<_, i64>(0)? as u64),
                        username: row.get(1)?,
                        password_hash: row.get(2)?,
                        banned: row.get(3)?,
                    })
                },
            )
            .optional()
        })
    }

    /// A ban ends every sign-in of the user with it.
    fn set_banned(&self, id: UserId, banned: bool, now: UnixMillis) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE users SET banned = ?1 WHERE id = ?2",
                    params![banned, id.0 as i64],
                )
                .map_err(db)?;
            if banned {
                tx.execute(
                    "UPDATE sessions SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL",
                    params![now, id.0 as i64],
                )
                .map_err(db)?;
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
            tx.execute(
                "INSERT INTO sessions (user_id, device_id, access_hash, access_expires_at,
                 refresh_hash, refresh_expires_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    user.0 as i64,
                    device.0,
                    tokens.access_hash.as_slice(),
                    tokens.access_expires_at,
                    tokens.refresh_hash.as_slice(),
                    tokens.refresh_expires_at,
                    now
                ],
            )
            .map_err(db)?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn sign_in(&self, id: i64) -> StoreResult<Option<SignInRecord>> {
        let row = self.read(|conn| {
            conn.query_row(
                "SELECT user_id, device_id, access_hash, access_expires_at, refresh_hash,
                    refresh_expires_at, revoked_at IS NOT NULL
             FROM sessions WHERE id = ?1",
                [id],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, u32>(1)?,
                        row.get::<_, Vec<u8>>(2)?,
                        row.get::<_, i64>(3)?,
                        row.get::<_, Vec<u8>>(4)?,
                        row.get::<_, i64>(5)?,
                        row.get::<_, bool>(6)?,
                    ))
                },
            )
            .optional()
        })?;
        row.map(
            |(user, device, access, access_exp, refresh, refresh_exp, revoked)| {
                Ok(SignInRecord {
                    id,
                    user_id: UserId(user as u64),
                    device_id: DeviceId(device),
                    tokens: TokenHashes {
                        access_hash: hash32(access)?,
                        access_expires_at: access_exp,
                        refresh_hash: hash32(refresh)?,
                        refresh_expires_at: refresh_exp,
                    },
                    revoked,
                })
            },
        )
        .transpose()
    }

    fn rotate_sign_in(
        &self,
        id: i64,
        expected_refresh: &[u8; 32],
        next: &TokenHashes,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE sessions SET access_hash = ?1, access_expires_at = ?2,
                     refresh_hash = ?3, refresh_expires_at = ?4
                 WHERE id = ?5 AND refresh_hash = ?6 AND revoked_at IS NULL",
                    params![
                        next.access_hash.as_slice(),
                        next.access_expires_at,
                        next.refresh_hash.as_slice(),
                        next.refresh_expires_at,
                        id,
                        expected_refresh.as_slice()
                    ],
                )
                .map_err(db)?;
            Ok(changed == 1)
        })
    }

    fn revoke_sign_in(&self, id: i64, now: UnixMillis) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE sessions SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                params![now, id],
            )
            .map_err(db)?;
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

/// Every user (or the one with `only`'s id), by id.
fn users_where(store: &SqliteStore, only: Option<UserId>) -> StoreResult<Vec<UserSummary>> {
    let only = only.map(|id| id.0 as i64);
    store.read(|conn| {
        conn.prepare_cached(
            "SELECT id, username, banned, balance FROM users
             WHERE ?1 IS NULL OR id = ?1 ORDER BY id",
        )?
        .query_map([only], |row| {
            Ok(UserSummary {
                id: UserId(row.get::<_, i64>(0)? as u64),
                username: row.get(1)?,
                banned: row.get(2)?,
                balance: Points(row.get::<_, i64>(3)? as u64),
            })
        })?
        .collect()
    })
}
