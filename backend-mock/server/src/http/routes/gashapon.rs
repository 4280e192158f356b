//! The machine-facing endpoints (validate, webhook) and the app's status endpoint;
//! the rules are `services::plays`.

use crate::http::answers;
use crate::http::auth::{MachineAuth, UserAuth};
use crate::http::error::{ApiError, ApiResult};
use crate::services::plays;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use gashapay_core::api::{
    paths, DispenseReport, ErrorBody, StatusQuery, TransactionView, ValidateRequest,
    ValidateResponse, WebhookAck,
};
use gashapay_core::TransactionId;
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
    let answer = plays::validate(&state, &machine.machine_id, &request.code).await?;
    Ok(Json(answer))
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
        || async {
            let view = plays::transaction_view(&state, auth.user_id, id).await?;
            Ok(view)
        },
        |view: &TransactionView| {
            let baseline = *baseline.get_or_insert(view.status);
            view.status != baseline || view.status.is_final()
        },
    )
    .await?;
    Ok(Json(view))
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
    Ok(Json(plays::report_outcome(&state, report, id).await?))
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
