//! Storage behind one trait, so that a PostgreSQL implementation can sit beside the
//! SQLite one. Methods are synchronous (callers run them on the blocking pool) and
//! each money-moving method is one atomic database transaction: it either happens
//! whole, or not at all.

pub mod cached;
pub mod machine_pay;
mod records_cache;
pub mod rewards;
pub mod sqlite;

pub use machine_pay::*;
pub use rewards::*;

use gashapay_core::api::HistoryKind;
pub use gashapay_core::api::MachineKind;
use gashapay_core::ids::{DeviceId, MachineId, Points, TransactionId, UserId};
use gashapay_core::qr::DeviceSecret;
use gashapay_core::status::{DispenseOutcome, RefundReason, TransactionStatus};
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::ErrorCode;

/// What a store call failed with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The engine's own error, kept whole as the source (shared: a group commit hands
    /// one failure to every play in the batch).
    #[error("database error: {0}")]
    Database(#[source] EngineError),
    /// The store cannot be used as it is: its file, its schema, or a store call that
    /// panicked.
    #[error("the store cannot be used: {0}")]
    Unavailable(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("{0} already exists")]
    Duplicate(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An engine's error, as a store error's source.
pub type EngineError = std::sync::Arc<dyn std::error::Error + Send + Sync>;

/// Milliseconds since the Unix epoch; every stored time uses it.
pub use gashapay_core::clock::UnixMillis;

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

/// A device as the operator sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSummary {
    pub id: DeviceId,
    pub name: String,
    pub revoked: bool,
    pub registered_at: UnixMillis,
}

#[derive(Debug, Clone)]
pub struct DeviceRecord {
    pub id: DeviceId,
    pub user_id: UserId,
    pub secret: DeviceSecret,
    pub revoked: bool,
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
pub struct SessionRecord {
    pub id: i64,
    pub user_id: UserId,
    pub device_id: DeviceId,
    pub tokens: TokenHashes,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub struct MachineRecord {
    pub id: MachineId,
    pub name: String,
    pub api_key_hash: [u8; 32],
    pub webhook_secret: WebhookSecret,
    /// The secret before the last rotation, and until when it is still accepted.
    pub previous_webhook_secret: Option<(WebhookSecret, UnixMillis)>,
    pub revoked: bool,
    /// Where it stands, for the operator.
    pub location: String,
    pub kind: MachineKind,
}

/// A machine an operator creates, with the hash of its API key.
#[derive(Debug, Clone)]
pub struct NewMachineRecord {
    pub id: MachineId,
    pub name: String,
    pub location: String,
    pub kind: MachineKind,
    pub api_key_hash: [u8; 32],
    pub webhook_secret: WebhookSecret,
}

/// One change an operator made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorAction {
    pub id: i64,
    pub at: UnixMillis,
    pub action: String,
    pub subject: String,
}

impl MachineRecord {
    /// The webhook secrets accepted at `now`: the current one, and the previous one
    /// during its grace window.
    pub fn webhook_secrets(&self, now: UnixMillis) -> Vec<WebhookSecret> {
        let mut secrets = vec![self.webhook_secret.clone()];
        if let Some((previous, until)) = &self.previous_webhook_secret {
            if now < *until {
                secrets.push(previous.clone());
            }
        }
        secrets
    }
}

#[derive(Debug, Clone)]
pub struct TransactionRecord {
    pub id: TransactionId,
    pub user_id: UserId,
    pub machine_id: MachineId,
    pub machine_name: String,
    pub machine_kind: MachineKind,
    pub points: Points,
    pub status: TransactionStatus,
    pub rejection: Option<ErrorCode>,
    pub refund_reason: Option<RefundReason>,
    pub updated_at: UnixMillis,
}

/// A verified code presented by a machine.
#[derive(Debug, Clone)]
pub struct PlayRequest {
    pub transaction_id: TransactionId,
    pub user_id: UserId,
    pub device_id: DeviceId,
    pub machine_id: MachineId,
    pub points: Points,
    pub issued_at: u64,
    /// Set when the code's signature is good but it is refused anyway (expired,
    /// from the future): the refusal is recorded so the app can show it.
    pub rejection: Option<ErrorCode>,
    pub now: UnixMillis,
}

/// What the store decided about a [`PlayRequest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayDecision {
    /// The points are deducted (now, or by this machine's earlier identical request).
    Accepted,
    /// Refused and recorded (now, or by this machine's earlier identical request).
    Rejected(ErrorCode),
    /// Another machine already presented this code.
    AlreadyUsed,
}

#[derive(Debug, Clone)]
pub struct OutcomeReport {
    pub machine_id: MachineId,
    pub event_id: String,
    pub transaction_id: TransactionId,
    pub outcome: DispenseOutcome,
    pub detail: Option<String>,
    pub now: UnixMillis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeDecision {
    /// The transaction now has (or already had, consistently) this final status.
    Settled(TransactionStatus),
    NotFound,
    /// The transaction was validated by another machine.
    NotYours,
    /// A different outcome was recorded first; nothing changed.
    Conflict(TransactionStatus),
    /// This machine already sent this event id with another transaction or
    /// outcome; nothing changed and nothing is recorded.
    EventIdReused,
}

/// A stored answer to an idempotent top-up request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTopUp {
    pub request_hash: [u8; 32],
    pub answer: Result<TopUpRecord, Refusal>,
}

/// A credited top-up, as stored with its idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TopUpRecord {
    pub top_up_id: String,
    pub amount: Points,
    pub balance: Points,
}

/// A refused request, as stored so that a retry gets the same refusal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refusal {
    pub error: ErrorCode,
    pub message: String,
}

/// One ledger entry with the play it belongs to, newest first in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRecord {
    pub id: i64,
    pub kind: HistoryKind,
    /// The label stored with the entry (grants and top-ups).
    pub label: Option<String>,
    pub delta: i64,
    pub balance_after: Points,
    pub at: UnixMillis,
    pub transaction_id: Option<TransactionId>,
    pub machine_id: Option<MachineId>,
    pub machine_name: Option<String>,
    pub machine_kind: Option<MachineKind>,
    pub outcome: Option<TransactionStatus>,
    pub refund_reason: Option<RefundReason>,
}

pub trait Store: MachinePayStore + RewardStore + Send + Sync + 'static {
    // Accounts and sessions.
    fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        now: UnixMillis,
    ) -> StoreResult<UserId>;
    fn user_by_name(&self, username: &str) -> StoreResult<Option<UserRecord>>;
    fn register_device(
        &self,
        user: UserId,
        name: &str,
        secret: &DeviceSecret,
        now: UnixMillis,
    ) -> StoreResult<DeviceId>;
    fn device(&self, id: DeviceId) -> StoreResult<Option<DeviceRecord>>;
    /// Revokes the device and ends its sessions. False if there is no such device.
    fn revoke_device(&self, id: DeviceId, now: UnixMillis) -> StoreResult<bool>;
    fn create_session(
        &self,
        user: UserId,
        device: DeviceId,
        tokens: &TokenHashes,
        now: UnixMillis,
    ) -> StoreResult<i64>;
    fn session(&self, id: i64) -> StoreResult<Option<SessionRecord>>;
    /// Replaces the session's tokens if its refresh hash is still `expected_refresh`
    /// (compare-and-swap, so one refresh token is spent at most once).
    fn rotate_session(
        &self,
        id: i64,
        expected_refresh: &[u8; 32],
        next: &TokenHashes,
    ) -> StoreResult<bool>;
    fn revoke_session(&self, id: i64, now: UnixMillis) -> StoreResult<()>;

    // Machines.
    fn upsert_machine(
        &self,
        id: &MachineId,
        name: &str,
        kind: MachineKind,
        api_key_hash: &[u8; 32],
        webhook_secret: &WebhookSecret,
    ) -> StoreResult<()>;
    fn machine(&self, id: &MachineId) -> StoreResult<Option<MachineRecord>>;
    /// Makes `next` the webhook secret; the old one stays valid until
    /// `previous_valid_until`. False if there is no such active machine.
    fn rotate_webhook_secret(
        &self,
        id: &MachineId,
        next: &WebhookSecret,
        previous_valid_until: UnixMillis,
    ) -> StoreResult<bool>;
    /// False if there is no such machine.
    fn revoke_machine(&self, id: &MachineId) -> StoreResult<bool>;
    /// A new machine; `Duplicate` if the id is taken.
    fn create_machine(&self, machine: &NewMachineRecord) -> StoreResult<()>;
    /// Every machine, by id.
    fn machines(&self) -> StoreResult<Vec<MachineRecord>>;
    /// Replaces the API key's hash; the old key stops at once. False if there is no
    /// such active machine.
    fn rotate_api_key(&self, id: &MachineId, api_key_hash: &[u8; 32]) -> StoreResult<bool>;

    /// Every user, by id, with their balance.
    fn users(&self) -> StoreResult<Vec<UserSummary>>;
    fn user(&self, id: UserId) -> StoreResult<Option<UserSummary>>;
    /// Bans (and ends every session of) or unbans a user. False if there is no such
    /// user.
    fn set_user_banned(&self, id: UserId, banned: bool, now: UnixMillis) -> StoreResult<bool>;
    /// A user's devices, by id.
    fn devices_of(&self, user: UserId) -> StoreResult<Vec<DeviceSummary>>;

    // Operators.
    fn operator_key_hash(&self) -> StoreResult<Option<[u8; 32]>>;
    fn set_operator_key_hash(&self, hash: &[u8; 32], now: UnixMillis) -> StoreResult<()>;
    fn record_operator_action(
        &self,
        action: &str,
        subject: &str,
        now: UnixMillis,
    ) -> StoreResult<()>;
    /// The newest `limit` actions, newest first.
    fn operator_actions(&self, limit: u32) -> StoreResult<Vec<OperatorAction>>;

    // Money.
    fn balance(&self, user: UserId) -> StoreResult<Points>;
    /// Newest first, entries with id < `before`.
    fn history(
        &self,
        user: UserId,
        limit: u32,
        before: Option<i64>,
    ) -> StoreResult<Vec<HistoryRecord>>;
    /// Credits points with a label (demo and welcome grants).
    fn grant(
        &self,
        user: UserId,
        amount: Points,
        label: &str,
        now: UnixMillis,
    ) -> StoreResult<Points>;
    /// Checks one-time use and the balance, and deducts, in one transaction.
    fn play(&self, request: &PlayRequest) -> StoreResult<PlayDecision>;
    /// Several plays in order, as the group-commit writer hands them over. An
    /// implementation that commits them together (SQLite does) makes them all or none;
    /// this default commits each play alone, so an error may leave earlier ones applied.
    fn play_batch(&self, requests: &[PlayRequest]) -> StoreResult<Vec<PlayDecision>> {
        requests.iter().map(|request| self.play(request)).collect()
    }
    /// Applies a machine's dispense outcome once per event id; a failure refunds.
    fn report_outcome(&self, report: &OutcomeReport) -> StoreResult<OutcomeDecision>;
    /// Refunds every play pending since before `cutoff`; returns the refunded ids.
    fn refund_stale(&self, cutoff: UnixMillis, now: UnixMillis) -> StoreResult<Vec<TransactionId>>;
    /// The transaction with this id: anyone's if it was written in the last minutes
    /// (the caller checks whose it is), else only one of `asked_by`'s.
    fn transaction(
        &self,
        id: TransactionId,
        asked_by: UserId,
    ) -> StoreResult<Option<TransactionRecord>>;
    fn top_up_answer(&self, user: UserId, key: &str) -> StoreResult<Option<StoredTopUp>>;
    /// Stores the answer under the key and, if it is a success, credits the points.
    /// Returns the answer actually stored (an earlier one if the key raced).
    fn record_top_up(
        &self,
        user: UserId,
        key: &str,
        request_hash: &[u8; 32],
        answer: Result<(String, Points), Refusal>,
        now: UnixMillis,
    ) -> StoreResult<StoredTopUp>;
}
