//! Rewards (PROTOCOL §12): a partner requests codes and ends kind-3 sessions (signed
//! with its secret, answered in the seed's shape); anyone fetches a code's QR image;
//! a player reads a code, claims it, and follows a timed session. The rules are
//! `services::rewards`; the partner's answers keep the seed's shape.

use crate::http::answers;
use crate::http::auth::UserAuth;
use crate::http::error::{ApiError, ApiResult};
use crate::http::long_poll::until_news;
use crate::http::public_base;
use crate::services::{rewards, ServiceError};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gashapay_core::api::machine_pay::SessionQuery;
use gashapay_core::api::rewards::{
    RewardClaim, RewardCodeAnswer, RewardCodeInfo, RewardEndAnswer, RewardSessionStatus,
    RewardSessionView,
};
use gashapay_core::api::{paths, ErrorBody};
use gashapay_core::reward_request::{RewardCodeRequest, RewardEndRequest};
use gashapay_core::ErrorCode;
use utoipa_axum::{router::OpenApiRouter, routes};

/// A partner asks for a reward code (the seed's "request a reward QR").
#[utoipa::path(post, path = paths::REWARD_REQUEST, tag = "partner",
    request_body = RewardCodeRequest,
    responses(
        (status = 200, description = "`code` 0: the code to show (and for kind 2 its end code)", body = RewardCodeAnswer),
        (status = 400, description = "`code` 1, `bad_request`: a field breaks its rule, or the body is not JSON", body = RewardCodeAnswer),
        (status = 401, description = "`code` 1: `unknown_partner`, `invalid_partner_signature` or `stale_request`", body = RewardCodeAnswer),
        (status = 409, description = "`code` 1, `replayed_request`: this time and token were requested before", body = RewardCodeAnswer),
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn request_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = match serde_json::from_slice::<RewardCodeRequest>(&body) {
        Ok(request) => {
            rewards::request_codes(&state, request, &public_base(&state, &headers)).await
        }
        Err(e) => Err(not_json("a code request", e)),
    };
    match answer.map_err(ApiError::from) {
        Ok(answer) => Json(answer).into_response(),
        Err(error) => error.answer_as(RewardCodeAnswer::failure),
    }
}

/// The partner's server ends a kind-3 session (the seed's `pointEnd`, signed).
#[utoipa::path(post, path = paths::REWARD_END, tag = "partner",
    request_body = RewardEndRequest,
    responses(
        (status = 200, description = "`code` 0: ended; what the player earned", body = RewardEndAnswer),
        (status = 400, description = "`code` 1, `bad_request`", body = RewardEndAnswer),
        (status = 401, description = "`code` 1: `unknown_partner`, `invalid_partner_signature` or `stale_request`", body = RewardEndAnswer),
        (status = 404, description = "`code` 1, `unknown_token`", body = RewardEndAnswer),
        (status = 409, description = "`code` 1: `reward_session_ended`, or `reward_not_started` (the code is closed now)", body = RewardEndAnswer),
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn end_by_partner(State(state): State<AppState>, body: Bytes) -> Response {
    let answer = match serde_json::from_slice::<RewardEndRequest>(&body) {
        Ok(request) => rewards::end_by_partner(&state, request).await,
        Err(e) => Err(not_json("an end request", e)),
    };
    match answer.map_err(ApiError::from) {
        Ok(answer) => Json(answer).into_response(),
        Err(error) => error.answer_as(|code, detail| RewardEndAnswer {
            code: 1,
            message: code.as_str().to_owned(),
            earned: None,
            minutes: None,
            error: Some(code),
            detail: Some(detail),
        }),
    }
}

/// A partner's body that is not the request it should be, refused in the seed's shape.
fn not_json(what: &str, error: serde_json::Error) -> ServiceError {
    ServiceError::refused_because(
        ErrorCode::BadRequest,
        format!("the body is not {what}: {error}"),
    )
}

/// The code's QR image, PNG (for screens and printers).
#[utoipa::path(get, path = paths::REWARD_CODE_PNG, tag = "partner",
    params(("code_id" = String, Path, description = "From the code's link")),
    responses(
        (status = 200, description = "The QR code of the code's link", content_type = "image/png", body = Vec<u8>),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 410, description = "`reward_code_expired`: the code opens nothing any more", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn code_png(
    State(state): State<AppState>,
    headers: HeaderMap,
    code_id: Result<Path<String>, PathRejection>,
) -> ApiResult<Response> {
    code_image(&state, &headers, code_id, "image/png", |link| {
        gashapay_core::qr::render::png(link, 8)
    })
    .await
}

/// The code's QR image, SVG.
#[utoipa::path(get, path = paths::REWARD_CODE_SVG, tag = "partner",
    params(("code_id" = String, Path, description = "From the code's link")),
    responses(
        (status = 200, description = "The QR code of the code's link", content_type = "image/svg+xml", body = String),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 410, description = "`reward_code_expired`: the code opens nothing any more", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn code_svg(
    State(state): State<AppState>,
    headers: HeaderMap,
    code_id: Result<Path<String>, PathRejection>,
) -> ApiResult<Response> {
    code_image(&state, &headers, code_id, "image/svg+xml", |link| {
        gashapay_core::qr::render::svg(link).map(String::into_bytes)
    })
    .await
}

/// The code's link, drawn by `draw`, served as `content_type`.
async fn code_image(
    state: &AppState,
    headers: &HeaderMap,
    code_id: Result<Path<String>, PathRejection>,
    content_type: &'static str,
    draw: impl Fn(&str) -> Result<Vec<u8>, gashapay_core::qr::render::RenderError>,
) -> ApiResult<Response> {
    let Path(code_id) = code_id?;
    let link = rewards::code_link(state, code_id, &public_base(state, headers)).await?;
    let image = draw(&link).map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, content_type)], image).into_response())
}

/// What a reward code gives, before the player claims it.
#[utoipa::path(get, path = paths::REWARD_CODE, tag = "account", security(("user_token" = [])),
    params(("code_id" = String, Path, description = "From the code's link")),
    responses(
        (status = 200, description = "The partner and what the code gives", body = RewardCodeInfo),
        answers::NoSession,
        (status = 404, description = "`not_found`: no such code", body = ErrorBody),
        answers::Timeout,
        (status = 410, description = "`reward_code_expired`", body = ErrorBody),
    ))]
pub async fn code_info(
    State(state): State<AppState>,
    _auth: UserAuth,
    code_id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<RewardCodeInfo>> {
    let Path(code_id) = code_id?;
    Ok(Json(rewards::code_info(&state, code_id).await?))
}

/// The player claims a code: a visit pays now, a start code starts the clock, an end
/// code stops it and pays.
#[utoipa::path(post, path = paths::REWARD_CLAIM, tag = "account", security(("user_token" = [])),
    params(("code_id" = String, Path, description = "From the code's link")),
    responses(
        (status = 200, description = "Earned, started or ended", body = RewardClaim),
        answers::NoSession,
        (status = 404, description = "`not_found`: no such code", body = ErrorBody),
        (status = 409, description = "`already_claimed`, `already_used`, `reward_session_open`, `no_reward_session`, `daily_cap_reached` or `budget_exhausted`", body = ErrorBody),
        (status = 410, description = "`reward_code_expired`", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn claim(
    State(state): State<AppState>,
    auth: UserAuth,
    code_id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<RewardClaim>> {
    let Path(code_id) = code_id?;
    Ok(Json(rewards::claim(&state, auth.user_id, code_id).await?))
}

/// The player follows a timed session (the timer card): long-polls until its version
/// differs from `since` or it has ended.
#[utoipa::path(get, path = paths::REWARD_SESSION, tag = "account", security(("user_token" = [])),
    params(("session_id" = u64, Path, description = "From the claim's answer")),
    responses(
        (status = 200, description = "The session as it stands", body = RewardSessionView),
        answers::BadRequest,
        answers::NoSession,
        (status = 404, description = "`not_found`: no such session of this player", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn session_status(
    State(state): State<AppState>,
    auth: UserAuth,
    id: Result<Path<u64>, PathRejection>,
    query: Result<Query<SessionQuery>, QueryRejection>,
) -> ApiResult<Json<RewardSessionView>> {
    let Path(id) = id?;
    let Query(query) = query?;
    let user = auth.user_id;
    let mut since = query.since;
    let view = until_news(
        &state,
        query.wait,
        || {
            let state = state.clone();
            async move { Ok(rewards::session(&state, user, id).await?) }
        },
        |view: &RewardSessionView| {
            let since = *since.get_or_insert(view.version);
            view.version != since || view.status == RewardSessionStatus::Ended
        },
    )
    .await?;
    Ok(Json(view))
}

/// Rewards: the partner's, the code images' and the player's endpoints.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request_code))
        .routes(routes!(end_by_partner))
        .routes(routes!(code_info))
        .routes(routes!(code_png))
        .routes(routes!(code_svg))
        .routes(routes!(claim))
}

/// The status endpoints, which may wait for news (the long-poll limits).
pub fn long_polls() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(session_status))
}
