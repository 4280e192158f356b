//! The machine-facing endpoints (validate, webhook) and the app's status endpoint.

use crate::http::answers;
use crate::http::auth::{MachineAuth, UserAuth};
use crate::http::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{OutcomeDecision, OutcomeReport, PlayDecision, PlayRequest};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use gashapay_core::api::{
    paths, DispenseReport, ErrorBody, StatusQuery, TransactionView, ValidateRequest,
    ValidateResponse, WebhookAck,
};
use gashapay_core::qr::{SignedCode, MAX_TEXT_LEN};
use gashapay_core::status::TransactionStatus;
use gashapay_core::{ErrorCode, TransactionId};
use utoipa_axum::{router::OpenApiRouter, routes};

/// A machine presents a scanned code: the backend checks it and takes the points.
/// Retrying the same code from the same machine returns the first answer.
#[utoipa::path(post, path = paths::VALIDATE, tag = "machine", security(("machine_key" = [])),
    request_body = ValidateRequest,
    responses(
        (status = 200, description = "Points taken; dispense, then report by webhook", body = ValidateResponse),
        answers::BadRequest,
        (status = 401, description = "`unauthorized`: no valid machine key", body = ErrorBody),
        (status = 402, description = "`insufficient_points`", body = ErrorBody),
        answers::Timeout,
        (status = 409, description = "`already_used`: another machine presented this code", body = ErrorBody),
        answers::TooLarge,
        (status = 422, description = "`malformed_code`, `unsupported_code_version`, `unknown_app`, `unknown_device`, `invalid_signature`, `code_expired` or `code_from_future`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: this machine's validate budget is spent; the code is not spent", body = ErrorBody,
            headers(("retry-after" = u64, description = "Seconds to wait"))),
    ))]
pub async fn validate(
    State(state): State<AppState>,
    machine: MachineAuth,
    crate::http::error::ApiJson(request): crate::http::error::ApiJson<ValidateRequest>,
) -> ApiResult<Json<ValidateResponse>> {
    state.limits.validate.check(&machine.machine_id)?;
    if request.code.len() > MAX_TEXT_LEN {
        return Err(ApiError::of(ErrorCode::MalformedCode));
    }
    let code =
        SignedCode::parse(&request.code).map_err(|e| ApiError::new(e.code(), e.to_string()))?;
    let payload = code.payload;
    let settings = &state.settings;
    if payload.app_id != settings.app_id {
        return Err(ApiError::of(ErrorCode::UnknownApp));
    }
    if payload.ttl_seconds > settings.max_code_ttl_secs {
        return Err(ApiError::new(
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
        .ok_or_else(|| ApiError::of(ErrorCode::UnknownDevice))?;
    code.verify(&device.secret)
        .map_err(|e| ApiError::new(e.code(), e.to_string()))?;

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
        machine_id: machine.machine_id.clone(),
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
            tracing::debug!(transaction = %txn, machine = %machine.machine_id, points = %payload.points, "play accepted");
            Ok(Json(ValidateResponse {
                transaction_id: txn,
                points: payload.points,
                status: TransactionStatus::Pending,
            }))
        }
        PlayDecision::Rejected(code) => {
            tracing::info!(transaction = %txn, machine = %machine.machine_id, %code, "play rejected");
            Err(ApiError::of(code))
        }
        PlayDecision::AlreadyUsed => {
            tracing::warn!(transaction = %txn, machine = %machine.machine_id, "code presented again by another machine");
            Err(ApiError::of(ErrorCode::AlreadyUsed))
        }
    }
}

/// The app follows its play: long-polls until the status differs from `since`.
#[utoipa::path(get, path = paths::TRANSACTION_BY_ID, tag = "account", security(("user_token" = [])),
    params(("transaction_id" = TransactionId, Path, description = "The id from the QR code"), StatusQuery),
    responses(
        (status = 200, description = "The play as it stands", body = TransactionView),
        (status = 400, description = "`bad_request`: the id is not a UUID, or a parameter is not valid", body = ErrorBody),
        answers::NoSession,
        (status = 404, description = "`not_found`: the play is another user's (and was recorded in the last 11 minutes; later, another user's play reads as `awaiting_scan`). An id no machine has presented yet is `awaiting_scan`, not an error", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn transaction_status(
    State(state): State<AppState>,
    auth: UserAuth,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<StatusQuery>, QueryRejection>,
) -> ApiResult<Json<TransactionView>> {
    let Path(id) = id?;
    let Query(query) = query?;
    let id: TransactionId = id
        .parse()
        .map_err(|_| ApiError::bad_request("the transaction id is not a UUID"))?;
    let mut baseline = query.since;
    let view = crate::http::long_poll::until_news(
        &state,
        query.wait,
        || transaction_view(&state, auth, id),
        |view: &TransactionView| {
            let baseline = *baseline.get_or_insert(view.status);
            view.status != baseline || view.status.is_final()
        },
    )
    .await?;
    Ok(Json(view))
}

async fn transaction_view(
    state: &AppState,
    auth: UserAuth,
    id: TransactionId,
) -> ApiResult<TransactionView> {
    let user = auth.user_id;
    let (record, balance) = state
        .db(move |store| {
            Ok((
                store.transactions().transaction(id, user)?,
                store.ledger().balance(user)?,
            ))
        })
        .await?;
    let Some(record) = record else {
        // No machine has presented the code yet.
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
        return Err(ApiError::of(ErrorCode::NotFound));
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

/// A machine reports the dispense outcome, signed with its webhook secret. One event
/// id has one effect however often it is sent.
#[utoipa::path(post, path = paths::WEBHOOK, tag = "machine",
    params(
        ("webhook-id" = String, Header, description = "Unique per event; the idempotency key"),
        ("webhook-timestamp" = u64, Header, description = "Unix seconds; within 5 minutes of the server's clock"),
        ("webhook-signature" = String, Header, description = "`v1,<base64 HMAC-SHA256>` entries, space separated"),
    ),
    request_body = DispenseReport,
    responses(
        (status = 200, description = "Recorded (or recorded before under this event id)", body = WebhookAck),
        answers::BadRequest,
        (status = 401, description = "`invalid_webhook_signature` or `webhook_timestamp_out_of_range`", body = ErrorBody),
        (status = 403, description = "`forbidden`: another machine validated this play", body = ErrorBody),
        (status = 404, description = "`not_found`: no play with this id was validated in the last 11 minutes", body = ErrorBody),
        answers::Timeout,
        (status = 409, description = "`outcome_conflict`: a different outcome was recorded first", body = ErrorBody),
        answers::TooLarge,
        (status = 422, description = "`idempotency_key_reused`: this machine sent this webhook-id before with another transaction or outcome; nothing changed", body = ErrorBody),
    ))]
pub async fn webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<WebhookAck>> {
    let (report, id) = crate::http::signed::read_signed_report(
        &state,
        &headers,
        body,
        "a dispense report",
        |r: &DispenseReport| &r.machine_id,
    )
    .await?;
    let now = state.clock.now_millis();

    let detail = report
        .detail
        .as_deref()
        .map(|d| d.chars().take(500).collect::<String>());
    let outcome = OutcomeReport {
        machine_id: report.machine_id.clone(),
        event_id: id,
        transaction_id: report.transaction_id,
        outcome: report.outcome,
        detail,
        now,
    };
    let decision = state
        .db(move |store| store.transactions().report_outcome(&outcome))
        .await?;
    let txn = report.transaction_id;
    match decision {
        OutcomeDecision::Settled(status) => {
            state.changes.notify();
            // A dispensed play is routine; a refund (the machine failed) is news.
            match status {
                TransactionStatus::Refunded => {
                    tracing::info!(transaction = %txn, machine = %report.machine_id, "outcome recorded: refunded")
                }
                _ => {
                    tracing::debug!(transaction = %txn, machine = %report.machine_id, status = status.as_str(), "outcome recorded")
                }
            }
            Ok(Json(WebhookAck {
                transaction_id: txn,
                status,
            }))
        }
        OutcomeDecision::NotFound => Err(ApiError::new(
            ErrorCode::NotFound,
            "no transaction with this id was validated",
        )),
        OutcomeDecision::NotYours => Err(ApiError::new(
            ErrorCode::Forbidden,
            "this transaction was validated by another machine",
        )),
        OutcomeDecision::Conflict(status) => Err(ApiError::new(
            ErrorCode::OutcomeConflict,
            format!("the transaction is already {}", status.as_str()),
        )),
        OutcomeDecision::EventIdReused => {
            tracing::warn!(transaction = %txn, machine = %report.machine_id, "webhook id reused for another report");
            Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "this webhook-id was already sent with another transaction or outcome; \
                 send each event under an id of its own",
            ))
        }
    }
}

/// The play loop's endpoints: a machine validates and reports; the app follows the status.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(validate))
        .routes(routes!(webhook))
}

/// The status endpoints, which may wait for news (the long-poll limits).
pub fn long_polls() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(transaction_status))
}
