//! Balance, history and top-up for the signed-in user.

use crate::http::answers;
use crate::http::auth::UserAuth;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::payments::PaymentError;
use crate::state::AppState;
use crate::store::{HistoryRecord, Refusal};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::TimeZone;
use gashapay_core::api::HistoryKind;
use gashapay_core::api::{
    paths, BalanceResponse, ErrorBody, HistoryEntry, HistoryPage, HistoryQuery, RunningView,
    TopUpRequest, TopUpResponse, IDEMPOTENCY_KEY_HEADER, MAX_HISTORY_PAGE,
};
use gashapay_core::history::entry_label;
use gashapay_core::ErrorCode;
use sha2::{Digest, Sha256};
use utoipa_axum::{router::OpenApiRouter, routes};

pub const MAX_TOP_UP: u64 = 100_000;

/// The signed-in user's balance.
#[utoipa::path(get, path = paths::BALANCE, tag = "account", security(("user_token" = [])),
    responses(
        (status = 200, description = "The balance now", body = BalanceResponse),
        answers::NoSession,
        answers::Timeout,
    ))]
pub async fn balance(
    State(state): State<AppState>,
    auth: UserAuth,
) -> ApiResult<Json<BalanceResponse>> {
    let balance = state
        .db(move |store| store.ledger().balance(auth.user_id))
        .await?;
    Ok(Json(BalanceResponse {
        balance,
        as_of: state.clock.now_utc(),
    }))
}

/// What the player has running: each open pay-first session (with the balance) and
/// each timed reward still earning, newest first; an app that restarted shows them
/// again from this.
#[utoipa::path(get, path = paths::RUNNING, tag = "account", security(("user_token" = [])),
    responses(
        (status = 200, description = "Open machine sessions and running timed rewards", body = RunningView),
        answers::NoSession,
        answers::Timeout,
    ))]
pub async fn running(
    State(state): State<AppState>,
    auth: UserAuth,
) -> ApiResult<Json<RunningView>> {
    let user = auth.user_id;
    let (sessions, rewards, balance) = state
        .db(move |store| {
            Ok((
                store.machine_sessions().open_of(user)?,
                store.rewards().open_sessions_of(user)?,
                store.ledger().balance(user)?,
            ))
        })
        .await?;
    Ok(Json(RunningView {
        machine_sessions: sessions
            .into_iter()
            .map(|record| super::sessions::view(&state, record, Some(balance)))
            .collect(),
        reward_sessions: rewards
            .into_iter()
            .map(crate::services::rewards::session_view)
            .collect(),
    }))
}

/// The ledger, newest first, a page at a time.
#[utoipa::path(get, path = paths::HISTORY, tag = "account", security(("user_token" = [])),
    params(HistoryQuery),
    responses(
        (status = 200, description = "One page of history", body = HistoryPage),
        answers::BadRequest,
        answers::NoSession,
        answers::Timeout,
    ))]
pub async fn history(
    State(state): State<AppState>,
    auth: UserAuth,
    query: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<HistoryPage>> {
    let Query(query) = query?;
    let limit = query.page_size().ok_or_else(|| {
        ApiError::bad_request(format!("limit must be between 1 and {MAX_HISTORY_PAGE}"))
    })?;
    let entries = state
        .db(move |store| store.ledger().history(auth.user_id, limit, query.before))
        .await?;
    let next_before = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(Json(HistoryPage {
        entries: entries.into_iter().map(history_entry).collect(),
        next_before,
    }))
}

fn history_entry(record: HistoryRecord) -> HistoryEntry {
    HistoryEntry {
        id: record.id,
        kind: record.kind,
        label: entry_label(
            record.kind,
            record.label.as_deref(),
            record.machine_name.as_deref(),
            record.refund_reason,
        ),
        delta: record.delta,
        balance_after: record.balance_after,
        at: chrono::Utc
            .timestamp_millis_opt(record.at)
            .single()
            .unwrap_or_default(),
        transaction_id: record.transaction_id,
        machine_id: record.machine_id,
        machine_name: record.machine_name,
        machine_kind: record.machine_kind,
        item: (record.kind == HistoryKind::Purchase)
            .then(|| record.label.clone())
            .flatten(),
        partner_name: (record.kind == HistoryKind::Reward)
            .then_some(record.label)
            .flatten(),
        outcome: record.outcome,
        refund_reason: record.refund_reason,
    }
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<String> {
    let key = headers
        .get(IDEMPOTENCY_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    let valid = !key.is_empty()
        && key.len() <= 128
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        return Err(ApiError::bad_request(
            "an Idempotency-Key header of 1-128 characters (A-Z a-z 0-9 - _) is required",
        ));
    }
    Ok(key.to_owned())
}

/// Buys points. The idempotency key makes retries safe: the same key and body get the
/// first answer (success or refusal) and charge once.
#[utoipa::path(post, path = paths::TOP_UP, tag = "account", security(("user_token" = [])),
    params(("idempotency-key" = String, Header, description = "1-128 characters of A-Z a-z 0-9 - _, one per top-up", pattern = "^[A-Za-z0-9_-]{1,128}$")),
    request_body = TopUpRequest,
    responses(
        (status = 200, description = "Charged and credited", body = TopUpResponse),
        (status = 400, description = "`bad_request`: the body, the amount (1 to 100000) or the idempotency key is not valid", body = ErrorBody),
        answers::NoSession,
        (status = 402, description = "`payment_declined`: nothing was charged or credited", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
        (status = 422, description = "`invalid_payment_token` or `idempotency_key_reused`", body = ErrorBody),
    ))]
pub async fn top_up(
    State(state): State<AppState>,
    auth: UserAuth,
    headers: HeaderMap,
    ApiJson(request): ApiJson<TopUpRequest>,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    if request.amount.0 == 0 || request.amount.0 > MAX_TOP_UP {
        return Err(ApiError::bad_request(format!(
            "amount must be between 1 and {MAX_TOP_UP}"
        )));
    }
    let request_hash: [u8; 32] =
        Sha256::digest(serde_json::to_vec(&request).map_err(ApiError::internal)?).into();

    // One top-up per user at a time: the check for an earlier answer, the charge and
    // the record of the answer must not interleave with a retry of the same key.
    let _guard = state.top_up_locks.lock(auth.user_id.0).await;
    let lookup_key = key.clone();
    let earlier = state
        .db(move |store| store.ledger().top_up_answer(auth.user_id, &lookup_key))
        .await?;
    let stored = match earlier {
        Some(stored) => stored,
        None => {
            let reference = format!("{}:{key}", auth.user_id);
            let charge = state
                .payments
                .charge(request.amount, &request.payment_token, &reference);
            let refused = |code: ErrorCode| Refusal {
                error: code,
                message: code.default_message().to_owned(),
            };
            let answer = match charge {
                Ok(charge_id) => Ok((charge_id, request.amount)),
                Err(PaymentError::Declined) => Err(refused(ErrorCode::PaymentDeclined)),
                Err(PaymentError::InvalidToken) => Err(refused(ErrorCode::InvalidPaymentToken)),
            };
            tracing::info!(user = %auth.user_id, amount = %request.amount, ok = answer.is_ok(), "top-up");
            let now = state.clock.now_millis();
            state
                .db(move |store| {
                    store
                        .ledger()
                        .record_top_up(auth.user_id, &key, &request_hash, answer, now)
                })
                .await?
        }
    };
    if stored.request_hash != request_hash {
        return Err(ApiError::of(ErrorCode::IdempotencyKeyReused));
    }
    Ok(match stored.answer {
        Ok(credited) => {
            let response = TopUpResponse {
                top_up_id: credited.top_up_id,
                amount: credited.amount,
                balance: credited.balance,
            };
            (StatusCode::OK, Json(response)).into_response()
        }
        Err(refusal) => ApiError::new(refusal.error, refusal.message).into_response(),
    })
}

/// The signed-in player's endpoints.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(balance))
        .routes(routes!(running))
        .routes(routes!(history))
        .routes(routes!(top_up))
}
