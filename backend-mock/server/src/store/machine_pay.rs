//! What the store keeps for the machine-shown codes (PROTOCOL §10): printed codes,
//! pay-first sessions and their purchases, buy-first orders, and the sales they add up
//! to. Each money-moving call is one database transaction, as for plays.

use super::{StoreResult, UnixMillis};
use gashapay_core::api::machine_pay::{SessionEnd, SessionStatus};
use gashapay_core::ids::{DeviceId, MachineId, Points, TransactionId, UserId};
use gashapay_core::order_code::OrderCode;
use gashapay_core::status::TransactionStatus;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineCodeRecord {
    pub id: String,
    pub machine_id: MachineId,
    pub machine_name: String,
    pub active: bool,
    /// Its machine was revoked: the code opens nothing.
    pub machine_revoked: bool,
}

/// What an operator's change to a printed code came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeChange {
    Done(MachineCodeRecord),
    NoSuchCode,
    NoSuchMachine,
    MachineRevoked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRecord {
    pub item: String,
    pub points: Points,
    pub at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineSessionRecord {
    pub id: Uuid,
    pub user_id: UserId,
    pub machine_id: MachineId,
    pub machine_name: String,
    pub code_id: String,
    pub loaded: Points,
    pub spent: Points,
    pub status: SessionStatus,
    pub ended_by: Option<SessionEnd>,
    pub refunded: Option<Points>,
    pub version: u64,
    pub last_activity_at: UnixMillis,
    /// The newest purchases (at most `MAX_PURCHASES_SHOWN`), oldest first.
    pub purchases: Vec<PurchaseRecord>,
}

impl MachineSessionRecord {
    pub fn remaining(&self) -> Points {
        Points(self.loaded.0.saturating_sub(self.spent.0))
    }
}

/// A customer asks to load points into a session.
#[derive(Debug, Clone)]
pub struct OpenSessionRequest {
    pub session_id: Uuid,
    pub user_id: UserId,
    pub code_id: String,
    pub points: Points,
    pub now: UnixMillis,
}

impl OpenSessionRequest {
    /// The answer when a session with this request's id exists: the same customer
    /// sending the same request again gets it as it stands; anything else is a reused id.
    pub fn answer_existing(&self, existing: MachineSessionRecord) -> OpenSessionDecision {
        let same = existing.user_id == self.user_id
            && existing.code_id == self.code_id
            && existing.loaded == self.points;
        match same {
            true => OpenSessionDecision::Existing(existing),
            false => OpenSessionDecision::IdReused,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenSessionDecision {
    /// Opened now, the points deducted.
    Opened(MachineSessionRecord),
    /// This customer opened it before with the same request: as it stands now.
    Existing(MachineSessionRecord),
    /// The id was used with another request (or by someone else).
    IdReused,
    UnknownCode,
    CodeDisabled,
    MachineBusy,
    InsufficientPoints,
}

/// A machine reports a purchase against a session.
#[derive(Debug, Clone)]
pub struct PurchaseRequest {
    pub machine_id: MachineId,
    pub session_id: Uuid,
    /// The `webhook-id`: one purchase per id, per machine.
    pub event_id: String,
    pub item: String,
    pub points: Points,
    pub now: UnixMillis,
}

impl PurchaseRequest {
    /// Whether this repeats the purchase stored under its event id as (session, item,
    /// points): the machine sending its report again.
    pub fn repeats(&self, session: &str, item: &str, points: u64) -> bool {
        session == self.session_id.to_string() && item == self.item && points == self.points.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PurchaseDecision {
    /// Recorded now, or before under the same event id and body.
    Recorded(MachineSessionRecord),
    EventIdReused,
    /// No such session on this machine.
    NotFound,
    Ended,
    InsufficientCredit,
}

/// Who asks to end a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnder {
    Customer(UserId),
    Machine(MachineId),
}

impl SessionEnder {
    /// How `session` ends if this one asks: only its customer or its machine may end
    /// it; anyone else is told there is no such session.
    pub fn ends(&self, session: &MachineSessionRecord) -> Option<SessionEnd> {
        match self {
            Self::Customer(user) if *user == session.user_id => Some(SessionEnd::Customer),
            Self::Machine(machine) if *machine == session.machine_id => Some(SessionEnd::Machine),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PayOrderRequest {
    /// Verified by the caller (signature, expiry).
    pub order: OrderCode,
    pub user_id: UserId,
    pub device_id: DeviceId,
    /// The play the payment becomes.
    pub transaction_id: TransactionId,
    pub now: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub machine_id: MachineId,
    pub order_id: String,
    pub item: String,
    pub amount: Points,
    pub expires: u64,
    pub user_id: UserId,
    pub transaction_id: TransactionId,
    pub status: TransactionStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayOrderDecision {
    /// Paid now, or by this customer before: as it stands.
    Paid(OrderRecord),
    /// Another customer paid it.
    TakenByOther,
    InsufficientPoints,
    UnknownMachine,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesRecord {
    pub sessions: u64,
    pub orders: u64,
    pub points_taken: Points,
    pub points_refunded: Points,
    /// (item, count, points), most sold first, at most five.
    pub top_items: Vec<(String, u64, Points)>,
}

/// The codes printed on machines (PROTOCOL §10.1).
pub trait MachineCodeStore: Send + Sync {
    /// A new active code for a machine.
    fn create(&self, id: &str, machine: &MachineId, now: UnixMillis) -> StoreResult<CodeChange>;
    fn get(&self, id: &str) -> StoreResult<Option<MachineCodeRecord>>;
    /// Every code, by id.
    fn all(&self) -> StoreResult<Vec<MachineCodeRecord>>;
    /// Puts the code on another machine.
    fn move_to(&self, id: &str, machine: &MachineId, now: UnixMillis) -> StoreResult<CodeChange>;
    fn set_active(&self, id: &str, active: bool, now: UnixMillis) -> StoreResult<CodeChange>;
}

/// Pay-first machine sessions: points loaded into a machine, purchases against them,
/// the refund of what is left.
pub trait MachineSessionStore: Send + Sync {
    fn open(&self, request: &OpenSessionRequest) -> StoreResult<OpenSessionDecision>;
    fn get(&self, id: Uuid) -> StoreResult<Option<MachineSessionRecord>>;
    /// The machine's open session, or else its newest.
    fn current(&self, machine: &MachineId) -> StoreResult<Option<MachineSessionRecord>>;
    /// The player's open sessions, newest first.
    fn open_of(&self, user: UserId) -> StoreResult<Vec<MachineSessionRecord>>;
    fn purchase(&self, request: &PurchaseRequest) -> StoreResult<PurchaseDecision>;
    /// Ends an open session and refunds what is left, once; an ended one is answered
    /// as it is. `None` when there is no such session for `ender`.
    fn end(
        &self,
        id: Uuid,
        ender: &SessionEnder,
        now: UnixMillis,
    ) -> StoreResult<Option<MachineSessionRecord>>;
    /// Ends every open session with no activity since before `cutoff`.
    fn end_idle(&self, cutoff: UnixMillis, now: UnixMillis) -> StoreResult<Vec<Uuid>>;
}

/// Buy-first orders, and the sales of a machine.
pub trait OrderStore: Send + Sync {
    fn pay(&self, request: &PayOrderRequest) -> StoreResult<PayOrderDecision>;
    fn get(&self, machine: &MachineId, order_id: &str) -> StoreResult<Option<OrderRecord>>;
    /// Refunds every order paid in `(after, cutoff]` and still pending. (Older pending
    /// ones are the plays' sweep's: `after` is its cutoff.)
    fn refund_stale(
        &self,
        after: UnixMillis,
        cutoff: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<Vec<TransactionId>>;
    /// One machine's sessions and orders opened in `[from, to)`.
    fn sales(
        &self,
        machine: &MachineId,
        from: UnixMillis,
        to: UnixMillis,
    ) -> StoreResult<SalesRecord>;
}
