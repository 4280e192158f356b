//! What the store keeps for operators: their credential's hash and the trail of what
//! they changed.

use super::{StoreResult, UnixMillis};

/// One change an operator made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorAction {
    pub id: i64,
    pub at: UnixMillis,
    pub action: String,
    pub subject: String,
}

/// The operator credential and the audit of operators' changes.
pub trait OperatorStore: Send + Sync {
    fn key_hash(&self) -> StoreResult<Option<[u8; 32]>>;
    fn set_key_hash(&self, hash: &[u8; 32], now: UnixMillis) -> StoreResult<()>;
    fn record_action(&self, action: &str, subject: &str, now: UnixMillis) -> StoreResult<()>;
    /// The newest `limit` actions, newest first.
    fn actions(&self, limit: u32) -> StoreResult<Vec<OperatorAction>>;
}
