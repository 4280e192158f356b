//! What the store keeps of players: their accounts and their sign-ins (the token
//! hashes of each, rotated and revoked).

use super::{StoreResult, UnixMillis};
use gashapay_core::ids::{DeviceId, Points, UserId};

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub username: String,
    /// PHC string (argon2id).
    pub password_hash: String,
    /// An operator banned the user: no sign-in.
    pub banned: bool,
}

/// A user as the operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: UserId,
    pub username: String,
    pub banned: bool,
    pub balance: Points,
}

/// The hashes and lifetimes of one access/refresh token pair.
#[derive(Debug, Clone)]
pub struct TokenHashes {
    pub access_hash: [u8; 32],
    pub access_expires_at: UnixMillis,
    pub refresh_hash: [u8; 32],
    pub refresh_expires_at: UnixMillis,
}

#[derive(Debug, Clone)]
pub struct SignInRecord {
    pub id: i64,
    pub user_id: UserId,
    pub device_id: DeviceId,
    pub tokens: TokenHashes,
    pub revoked: bool,
}

/// Players and their sign-ins.
pub trait AccountStore: Send + Sync {
    /// `Duplicate` if the name is taken.
    fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        now: UnixMillis,
    ) -> StoreResult<UserId>;
    fn user_by_name(&self, username: &str) -> StoreResult<Option<UserRecord>>;
    /// Every user, by id, with their balance.
    fn users(&self) -> StoreResult<Vec<UserSummary>>;
    fn user(&self, id: UserId) -> StoreResult<Option<UserSummary>>;
    /// Bans (and ends every sign-in of) or unbans a user. False if there is no such
    /// user.
    fn set_banned(&self, id: UserId, banned: bool, now: UnixMillis) -> StoreResult<bool>;
    fn create_sign_in(
        &self,
        user: UserId,
        device: DeviceId,
        tokens: &TokenHashes,
        now: UnixMillis,
    ) -> StoreResult<i64>;
    fn sign_in(&self, id: i64) -> StoreResult<Option<SignInRecord>>;
    /// Replaces the sign-in's tokens if its refresh hash is still `expected_refresh`
    /// (compare-and-swap, so one refresh token is spent at most once).
    fn rotate_sign_in(
        &self,
        id: i64,
        expected_refresh: &[u8; 32],
        next: &TokenHashes,
    ) -> StoreResult<bool>;
    fn revoke_sign_in(&self, id: i64, now: UnixMillis) -> StoreResult<()>;
}
