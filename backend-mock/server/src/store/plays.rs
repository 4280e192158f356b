//! What the store keeps of plays: one-time use and the deduction of each code a
//! machine presents, then the machine's report, the sweeper's refunds and a
//! transaction's status.

use super::{MachineKind, StoreError, StoreResult, UnixMillis};
use gashapay_core::ids::{DeviceId, MachineId, Points, TransactionId, UserId};
use gashapay_core::status::{DispenseOutcome, RefundReason, TransactionStatus};
use gashapay_core::ErrorCode;

// The bounds of one-time use that every engine keeps: a code presented more than
// `CODE_FUTURE` before its issue time is refused without a row, one presented more
// than `CODE_PAST` after it is expired.

/// How long after its issue time a code may still be presented and get a row: longer
/// than the longest code lifetime plus the clock skew allowed (`config.rs` checks).
pub const CODE_PAST: UnixMillis = 10 * 60 * 1000;
/// How long before its issue time (a phone's clock ahead of ours) a code gets a row.
pub const CODE_FUTURE: UnixMillis = 60 * 1000;
/// How long a transaction is found by its id after it is written: machines report
/// outcomes within this (the outcome timeout and the order dispense time are shorter;
/// `config.rs` checks), and older plays are found along their player's chain.
pub const REMEMBERED: UnixMillis = CODE_PAST + CODE_FUTURE;

/// Where a presentation falls against its code's issue time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bounds {
    /// In time: the code gets a row (or is answered by its earlier one).
    Within,
    /// Too late: expired (an earlier presentation still answers it).
    Past,
    /// Too early: refused as from the future, without a row.
    Future,
}

/// Where a code issued at `issued_at` (Unix seconds) and presented at `now` falls.
pub fn code_bounds(issued_at: u64, now: UnixMillis) -> Bounds {
    let issued = i64::try_from(issued_at)
        .ok()
        .and_then(|s| s.checked_mul(1000))
        .unwrap_or(i64::MAX);
    if issued > now.saturating_add(CODE_FUTURE) {
        Bounds::Future
    } else if issued < now.saturating_sub(CODE_PAST) {
        Bounds::Past
    } else {
        Bounds::Within
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

impl PlayRequest {
    /// Whether this repeats the play stored as (machine, user, points): a machine
    /// asking again for the answer it lost.
    pub fn repeats(&self, machine: &str, user: u64, points: u64) -> bool {
        machine == self.machine_id.0 && user == self.user_id.0 && points == self.points.0
    }

    /// The answer for a code already presented as (machine, user, points) and answered
    /// with `rejection` (none: accepted): the same machine asking again hears the same
    /// answer; anyone else hears "already used".
    pub fn answer_again(
        &self,
        (machine, user, points): (&str, u64, u64),
        rejection: Option<ErrorCode>,
    ) -> PlayDecision {
        match (self.repeats(machine, user, points), rejection) {
            (false, _) => PlayDecision::AlreadyUsed,
            (true, Some(code)) => PlayDecision::Rejected(code),
            (true, None) => PlayDecision::Accepted,
        }
    }
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

impl OutcomeDecision {
    /// How the decision is stored with its report's event id (a repeat of the report
    /// is answered from it).
    pub fn stored_text(self) -> String {
        match self {
            Self::Settled(status) => format!("settled:{}", status.as_str()),
            Self::Conflict(status) => format!("conflict:{}", status.as_str()),
            Self::NotFound => "not_found".into(),
            Self::NotYours => "not_yours".into(),
            // Never stored: a reused id records nothing.
            Self::EventIdReused => "event_id_reused".into(),
        }
    }

    /// A decision read back from [`Self::stored_text`].
    pub fn from_stored(text: &str) -> StoreResult<Self> {
        let status = |s: &str| {
            TransactionStatus::parse(s)
                .ok_or_else(|| StoreError::Corrupt(format!("bad decision {text}")))
        };
        match text.split_once(':') {
            Some(("settled", s)) => Ok(Self::Settled(status(s)?)),
            Some(("conflict", s)) => Ok(Self::Conflict(status(s)?)),
            _ if text == "not_found" => Ok(Self::NotFound),
            _ if text == "not_yours" => Ok(Self::NotYours),
            _ => Err(StoreError::Corrupt(format!("bad decision {text}"))),
        }
    }
}

/// What a machine's report does to its play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// Pending and dispensed: the play is completed.
    Complete,
    /// Pending and failed or cancelled: the points go back, for this reason.
    Refund(RefundReason),
    /// Already final: nothing changes, and this is the answer.
    Answer(OutcomeDecision),
}

/// What `outcome` does to a play in `status`: a pending play settles once; a final
/// one answers a consistent report as settled and a contrary one as a conflict.
pub fn settlement(status: TransactionStatus, outcome: DispenseOutcome) -> Settlement {
    use DispenseOutcome::*;
    use TransactionStatus::*;
    match (status, outcome) {
        (Pending, Dispensed) => Settlement::Complete,
        (Pending, Cancelled) => Settlement::Refund(RefundReason::Cancelled),
        (Pending, Failed) => Settlement::Refund(RefundReason::DispenseFailed),
        (Completed, Dispensed) => Settlement::Answer(OutcomeDecision::Settled(Completed)),
        (Refunded, Failed | Cancelled) => Settlement::Answer(OutcomeDecision::Settled(Refunded)),
        (other, _) => Settlement::Answer(OutcomeDecision::Conflict(other)),
    }
}

/// The play path: a verified code checked for one-time use and the balance, and the
/// points deducted, in one transaction.
pub trait PlayStore: Send + Sync {
    fn play(&self, request: &PlayRequest) -> StoreResult<PlayDecision>;
    /// Several plays in order, as the group-commit writer hands them over. An
    /// implementation that commits them together (SQLite does) makes them all or none;
    /// this default commits each play alone, so an error may leave earlier ones applied.
    fn play_batch(&self, requests: &[PlayRequest]) -> StoreResult<Vec<PlayDecision>> {
        requests.iter().map(|request| self.play(request)).collect()
    }
}

/// What becomes of a play after it is accepted.
pub trait TransactionStore: Send + Sync {
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
}
