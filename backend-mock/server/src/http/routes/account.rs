//! Balance, history and top-up for the signed-in user; the rules are
//! `services::accounts`.

use crate::http::answers;
use crate::http::auth::UserAuth;
use crate::http::error::{ApiJson, ApiResult};
use crate::services::accounts;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use gashapay_core::api::{
    paths, BalanceResponse, ErrorBody, HistoryPage, HistoryQuery, RunningView, TopUpRequest,
    TopUpResponse, IDEMPOTENCY_KEY_HEADER,
};
use utoipa_axum::{router::OpenApiRouter, routes};

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
    Ok(Json(accounts::balance(&state, auth.user_id).await?))
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
    Ok(Json(accounts::running(&state, auth.user_id).await?))
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
    Ok(Json(accounts::history(&state, auth.user_id, query).await?))
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
) -> ApiResult<Json<TopUpResponse>> {
    // A missing or unreadable header is an empty key, which the rules refuse.
    let key = headers
        .get(IDEMPOTENCY_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Ok(Json(
        accounts::top_up(&state, auth.user_id, key, request).await?,
    ))
}

/// The signed-in player's endpoints.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(balance))
        .routes(routes!(running))
        .routes(routes!(history))
        .routes(routes!(top_up))
}
