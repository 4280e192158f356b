//! What the store keeps of money outside plays: balances, the history read from the
//! ledger, grants and top-ups with their stored answers.

use super::{hash32, MachineKind, StoreError, StoreResult, UnixMillis};
use gashapay_core::api::HistoryKind;
use gashapay_core::ids::{MachineId, Points, TransactionId, UserId};
use gashapay_core::status::{RefundReason, TransactionStatus};
use gashapay_core::ErrorCode;

/// A stored answer to an idempotent top-up request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTopUp {
    pub request_hash: [u8; 32],
    pub answer: Result<TopUpRecord, Refusal>,
}

impl StoredTopUp {
    /// How an answer is stored beside its key: `{"ok": record}` or `{"err": refusal}`.
    pub fn answer_text(answer: &Result<TopUpRecord, Refusal>) -> String {
        match answer {
            Ok(record) => serde_json::json!({ "ok": record }),
            Err(refusal) => serde_json::json!({ "err": refusal }),
        }
        .to_string()
    }

    /// A stored answer read back: the request's hash and [`Self::answer_text`].
    pub fn from_stored(request_hash: Vec<u8>, answer: &str) -> StoreResult<Self> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Stored {
            Ok(TopUpRecord),
            Err(Refusal),
        }
        let stored: Stored = serde_json::from_str(answer)
            .map_err(|e| StoreError::Corrupt(format!("stored top-up answer: {e}")))?;
        Ok(Self {
            request_hash: hash32(request_hash)?,
            answer: match stored {
                Stored::Ok(record) => Ok(record),
                Stored::Err(refusal) => Err(refusal),
            },
        })
    }
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

/// Balances, history, grants and top-ups.
pub trait LedgerStore: Send + Sync {
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
