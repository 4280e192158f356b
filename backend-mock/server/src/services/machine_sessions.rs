//! Pay-first machine sessions (PROTOCOL §10.2): a printed code names a machine; the
//! customer loads points into a session there, the machine reports purchases against
//! it, and whoever ends it (or the idle sweep) gets what is left back to the customer.

use super::{ServiceError, ServiceResult};
use crate::state::AppState;
use crate::store::{
    MachineSessionRecord, OpenSessionDecision, OpenSessionRequest, PurchaseDecision,
    PurchaseRequest, SessionEnder,
};
use gashapay_core::api::machine_pay::{
    MachineCodeInfo, MachineSession, PurchaseReport, PurchaseView, SessionStatus, SessionView,
    StartSession, LOAD_CHOICES, MAX_SESSION_POINTS,
};
use gashapay_core::ids::{MachineId, Points, UserId};
use gashapay_core::order_code::MAX_ITEM_LEN;
use gashapay_core::ErrorCode;
use uuid::Uuid;

fn time(millis: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

/// The session as its customer (with their balance) or its machine (without) sees it.
pub fn view(
    state: &AppState,
    record: MachineSessionRecord,
    balance: Option<Points>,
) -> SessionView {
    let idle = state.settings.session_idle.as_millis() as i64;
    SessionView {
        session_id: record.id,
        remaining: record.remaining(),
        machine_id: record.machine_id,
        machine_name: record.machine_name,
        status: record.status,
        loaded: record.loaded,
        spent: record.spent,
        purchases: record
            .purchases
            .into_iter()
            .map(|p| PurchaseView {
                item: p.item,
                points: p.points,
                at: time(p.at),
            })
            .collect(),
        ended_by: record.ended_by,
        refunded: record.refunded,
        idle_deadline: (record.status == SessionStatus::Open)
            .then(|| time(record.last_activity_at + idle)),
        version: record.version,
        balance,
    }
}

/// The customer's view of a session record, with their balance of now.
async fn with_balance(
    state: &AppState,
    user: UserId,
    record: MachineSessionRecord,
) -> ServiceResult<SessionView> {
    let balance = state.db(move |store| store.ledger().balance(user)).await?;
    Ok(view(state, record, Some(balance)))
}

/// What a printed code opens: the machine, the amounts to load, whether it is busy.
pub async fn machine_code(state: &AppState, code: String) -> ServiceResult<MachineCodeInfo> {
    let record = state
        .db(move |store| store.machine_codes().get(&code))
        .await?
        .ok_or_else(|| ServiceError::refused(ErrorCode::NotFound))?;
    if !record.active || record.machine_revoked {
        return Err(ServiceError::refused(ErrorCode::CodeDisabled));
    }
    let machine = record.machine_id.clone();
    let busy = state
        .db(move |store| store.machine_sessions().current(&machine))
        .await?
        .is_some_and(|s| s.status == SessionStatus::Open);
    Ok(MachineCodeInfo {
        code_id: record.id,
        machine_id: record.machine_id,
        machine_name: record.machine_name,
        load_choices: LOAD_CHOICES.iter().map(|&p| Points(p)).collect(),
        busy,
    })
}

/// A session opened by this request: new now, or the same request's earlier one.
pub struct Started {
    pub new: bool,
    pub session: SessionView,
}

/// Loads points into a session on the machine a printed code names; the same
/// request again answers the session as it stands.
pub async fn start(state: &AppState, user: UserId, start: StartSession) -> ServiceResult<Started> {
    if !(1..=MAX_SESSION_POINTS).contains(&start.points.0) {
        return Err(ServiceError::refused_because(
            ErrorCode::BadRequest,
            "points must be 1 to 100000",
        ));
    }
    let request = OpenSessionRequest {
        session_id: start.session_id,
        user_id: user,
        code_id: start.code_id,
        points: start.points,
        now: state.clock.now_millis(),
    };
    let decision = state
        .db(move |store| store.machine_sessions().open(&request))
        .await?;
    let (new, record) = match decision {
        OpenSessionDecision::Opened(record) => {
            state.changes.notify();
            tracing::info!(session = %record.id, machine = %record.machine_id, points = %record.loaded, "session opened");
            (true, record)
        }
        OpenSessionDecision::Existing(record) => (false, record),
        OpenSessionDecision::IdReused => {
            return Err(ServiceError::refused_because(
                ErrorCode::IdempotencyKeyReused,
                "this session id was already used with another request",
            ))
        }
        OpenSessionDecision::UnknownCode => return Err(ErrorCode::NotFound.into()),
        OpenSessionDecision::CodeDisabled => return Err(ErrorCode::CodeDisabled.into()),
        OpenSessionDecision::MachineBusy => return Err(ErrorCode::MachineBusy.into()),
        OpenSessionDecision::InsufficientPoints => return Err(ErrorCode::InsufficientPoints.into()),
    };
    let session = with_balance(state, user, record).await?;
    Ok(Started { new, session })
}

/// The customer's own session, with their balance; someone else's is `not_found`.
pub async fn customer_session(
    state: &AppState,
    user: UserId,
    id: Uuid,
) -> ServiceResult<SessionView> {
    let (record, balance) = state
        .db(move |store| {
            Ok((
                store.machine_sessions().get(id)?,
                store.ledger().balance(user)?,
            ))
        })
        .await?;
    let record = record
        .filter(|r| r.user_id == user)
        .ok_or_else(|| ServiceError::refused(ErrorCode::NotFound))?;
    Ok(view(state, record, Some(balance)))
}

/// Ends the session for `ender` (once: an ended one is answered as it is); what is
/// left goes back to the customer.
async fn end(
    state: &AppState,
    id: Uuid,
    ender: SessionEnder,
) -> ServiceResult<MachineSessionRecord> {
    let now = state.clock.now_millis();
    let ended = state
        .db(move |store| store.machine_sessions().end(id, &ender, now))
        .await?
        .ok_or_else(|| ServiceError::refused(ErrorCode::NotFound))?;
    state.changes.notify();
    Ok(ended)
}

/// The customer ends their session.
pub async fn end_by_customer(
    state: &AppState,
    user: UserId,
    id: Uuid,
) -> ServiceResult<SessionView> {
    let ended = end(state, id, SessionEnder::Customer(user)).await?;
    with_balance(state, user, ended).await
}

/// The machine ends its session (its report verified).
pub async fn end_by_machine(
    state: &AppState,
    machine: MachineId,
    id: Uuid,
) -> ServiceResult<SessionView> {
    let ended = end(state, id, SessionEnder::Machine(machine)).await?;
    Ok(view(state, ended, None))
}

/// The machine's open session, or else its last.
pub async fn machine_session(
    state: &AppState,
    machine: MachineId,
) -> ServiceResult<MachineSession> {
    let record = state
        .db(move |store| store.machine_sessions().current(&machine))
        .await?;
    Ok(MachineSession {
        session: record.map(|record| view(state, record, None)),
    })
}

/// A machine's verified purchase against a session, recorded once per event id.
pub async fn purchase(
    state: &AppState,
    id: Uuid,
    report: PurchaseReport,
    event_id: String,
) -> ServiceResult<SessionView> {
    let bad = |why: &str| ServiceError::refused_because(ErrorCode::BadRequest, why);
    let item = report.item.trim().to_owned();
    if item.is_empty() || item.chars().count() > MAX_ITEM_LEN || item.chars().any(char::is_control)
    {
        return Err(bad(
            "item must be 1 to 64 characters without control characters",
        ));
    }
    if report.points.0 == 0 || report.points.0 > MAX_SESSION_POINTS {
        return Err(bad("points must be 1 to 100000"));
    }
    let request = PurchaseRequest {
        machine_id: report.machine_id,
        session_id: id,
        event_id,
        item,
        points: report.points,
        now: state.clock.now_millis(),
    };
    match state.db(move |store| store.machine_sessions().purchase(&request)).await? {
        PurchaseDecision::Recorded(record) => {
            state.changes.notify();
            Ok(view(state, record, None))
        }
        PurchaseDecision::EventIdReused => Err(ServiceError::refused_because(
            ErrorCode::IdempotencyKeyReused,
            "this webhook-id was already sent with another purchase; send each under an id of its own",
        )),
        PurchaseDecision::NotFound => Err(ErrorCode::NotFound.into()),
        PurchaseDecision::Ended => Err(ErrorCode::SessionEnded.into()),
        PurchaseDecision::InsufficientCredit => Err(ErrorCode::InsufficientCredit.into()),
    }
}
