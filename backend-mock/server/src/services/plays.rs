//! The play loop (PROTOCOL §3.7–3.9): a machine presents a scanned code and the points
//! are taken once; the machine reports what it dispensed; the app reads the play.

use super::{ServiceError, ServiceResult};
use crate::state::AppState;
use crate::store::{OutcomeDecision, OutcomeReport, PlayDecision, PlayRequest};
use gashapay_core::api::{
    DispenseReport, ErrorBody, TransactionView, ValidateResponse, WebhookAck,
};
use gashapay_core::qr::{SignedCode, MAX_TEXT_LEN};
use gashapay_core::status::TransactionStatus;
use gashapay_core::{ErrorCode, MachineId, TransactionId, UserId};

/// Longest detail of a dispense report that is kept.
const DETAIL_CHARS: usize = 500;

/// A machine presents a scanned code: checked (format, app, lifetime, device,
/// signature, time), then one-time use and the balance, and the points taken.
pub async fn validate(
    state: &AppState,
    machine: &MachineId,
    code_text: &str,
) -> ServiceResult<ValidateResponse> {
    if code_text.len() > MAX_TEXT_LEN {
        return Err(ServiceError::refused(ErrorCode::MalformedCode));
    }
    let refusal =
        |e: gashapay_core::qr::QrError| ServiceError::refused_because(e.code(), e.to_string());
    let code = SignedCode::parse(code_text).map_err(refusal)?;
    let payload = code.payload;
    let settings = &state.settings;
    if payload.app_id != settings.app_id {
        return Err(ServiceError::refused(ErrorCode::UnknownApp));
    }
    if payload.ttl_seconds > settings.max_code_ttl_secs {
        return Err(ServiceError::refused_because(
            ErrorCode::MalformedCode,
            format!(
                "the code's time to live exceeds {} seconds",
                settings.max_code_ttl_secs
            ),
        ));
    }
    let device_id = payload.device_id;
    let device = state
        .device(device_id)
        .await?
        .filter(|d| !d.revoked && d.user_id == payload.user_id)
        .ok_or_else(|| ServiceError::refused(ErrorCode::UnknownDevice))?;
    code.verify(&device.secret).map_err(refusal)?;

    // From here the code is authentic: even a refusal is recorded against it, so the
    // app can show why, and the code cannot be tried again.
    let time_rejection = payload
        .check_time(state.clock.now_secs(), settings.clock_skew_secs)
        .err()
        .map(|e| e.code());
    let play = PlayRequest {
        transaction_id: payload.transaction_id,
        user_id: payload.user_id,
        device_id,
        machine_id: machine.clone(),
        points: payload.points,
        issued_at: payload.issued_at,
        rejection: time_rejection,
        now: state.clock.now_millis(),
    };
    let decision = state.play(play).await?;
    state.changes.notify();
    let txn = payload.transaction_id;
    match decision {
        PlayDecision::Accepted => {
            // Routine, so `debug` (see `logging`): refusals and replays stay at
            // `info` and `warn`.
            tracing::debug!(transaction = %txn, %machine, points = %payload.points, "play accepted");
            Ok(ValidateResponse {
                transaction_id: txn,
                points: payload.points,
                status: TransactionStatus::Pending,
            })
        }
        PlayDecision::Rejected(code) => {
            tracing::info!(transaction = %txn, %machine, %code, "play rejected");
            Err(ServiceError::refused(code))
        }
        PlayDecision::AlreadyUsed => {
            tracing::warn!(transaction = %txn, %machine, "code presented again by another machine");
            Err(ServiceError::refused(ErrorCode::AlreadyUsed))
        }
    }
}

/// The play as its player sees it: `awaiting_scan` until a machine presents the code.
pub async fn transaction_view(
    state: &AppState,
    user: UserId,
    id: TransactionId,
) -> ServiceResult<TransactionView> {
    let (record, balance) = state
        .db(move |store| {
            Ok((
                store.transactions().transaction(id, user)?,
                store.ledger().balance(user)?,
            ))
        })
        .await?;
    let Some(record) = record else {
        return Ok(TransactionView {
            transaction_id: id,
            status: TransactionStatus::AwaitingScan,
            points: None,
            machine_id: None,
            machine_name: None,
            machine_kind: None,
            refund_reason: None,
            error: None,
            balance,
            updated_at: None,
        });
    };
    if record.user_id != user {
        // Someone else's play is not shown. (Its existence is: but ids carry 74
        // random bits, so nobody finds another's play by guessing.)
        return Err(ServiceError::refused(ErrorCode::NotFound));
    }
    Ok(TransactionView {
        transaction_id: id,
        status: record.status,
        points: Some(record.points),
        machine_id: Some(record.machine_id),
        machine_name: Some(record.machine_name),
        machine_kind: Some(record.machine_kind),
        refund_reason: record.refund_reason,
        error: record
            .rejection
            .map(|code| ErrorBody::new(code, code.default_message())),
        balance,
        updated_at: chrono::DateTime::from_timestamp_millis(record.updated_at),
    })
}

/// A machine's verified dispense report, applied once per event id: a failure or a
/// cancel refunds.
pub async fn report_outcome(
    state: &AppState,
    report: DispenseReport,
    event_id: String,
) -> ServiceResult<WebhookAck> {
    let detail = report
        .detail
        .as_deref()
        .map(|d| d.chars().take(DETAIL_CHARS).collect::<String>());
    let outcome = OutcomeReport {
        machine_id: report.machine_id.clone(),
        event_id,
        transaction_id: report.transaction_id,
        outcome: report.outcome,
        detail,
        now: state.clock.now_millis(),
    };
    let decision = state
        .db(move |store| store.transactions().report_outcome(&outcome))
        .await?;
    let (txn, machine) = (report.transaction_id, &report.machine_id);
    match decision {
        OutcomeDecision::Settled(status) => {
            state.changes.notify();
            // A dispensed play is routine; a refund (the machine failed) is news.
            match status {
                TransactionStatus::Refunded => {
                    tracing::info!(transaction = %txn, %machine, "outcome recorded: refunded")
                }
                _ => {
                    tracing::debug!(transaction = %txn, %machine, status = status.as_str(), "outcome recorded")
                }
            }
            Ok(WebhookAck {
                transaction_id: txn,
                status,
            })
        }
        OutcomeDecision::NotFound => Err(ServiceError::refused_because(
            ErrorCode::NotFound,
            "no transaction with this id was validated",
        )),
        OutcomeDecision::NotYours => Err(ServiceError::refused_because(
            ErrorCode::Forbidden,
            "this transaction was validated by another machine",
        )),
        OutcomeDecision::Conflict(status) => Err(ServiceError::refused_because(
            ErrorCode::OutcomeConflict,
            format!("the transaction is already {}", status.as_str()),
        )),
        OutcomeDecision::EventIdReused => {
            tracing::warn!(transaction = %txn, %machine, "webhook id reused for another report");
            Err(ServiceError::refused_because(
                ErrorCode::IdempotencyKeyReused,
                "this webhook-id was already sent with another transaction or outcome; \
                 send each event under an id of its own",
            ))
        }
    }
}
