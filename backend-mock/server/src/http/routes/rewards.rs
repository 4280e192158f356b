//! Rewards (PROTOCOL §12): a partner requests codes and ends kind-3 sessions (signed
//! with its secret, answered in the seed's shape); anyone fetches a code's QR image;
//! a player reads a code, claims it, and follows a timed session.

use crate::http::answers;
use crate::http::auth::UserAuth;
use crate::http::error::{ApiError, ApiResult};
use crate::http::long_poll::until_news;
use crate::http::public_base;
use crate::state::AppState;
use crate::store::{
    ClaimDecision, ClaimRequest, NewCodesDecision, NewRewardCodes, PartnerRecord, RewardCodeRecord,
    RewardSessionRecord, TokenEndDecision,
};
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gashapay_core::api::machine_pay::SessionQuery;
use gashapay_core::api::rewards::{
    RewardClaim, RewardCodeAnswer, RewardCodeInfo, RewardEndAnswer, RewardKind, RewardRole,
    RewardSessionStatus, RewardSessionView, ShownCode,
};
use gashapay_core::api::{paths, ErrorBody};
use gashapay_core::ids::Points;
use gashapay_core::links::{AppLink, REWARD_CODE_PREFIX};
use gashapay_core::reward_request::{
    RewardCodeRequest, RewardEndRequest, MAX_APP_ID_LEN, MAX_MINUTES, MAX_REWARD_POINTS,
    MAX_TOKEN_LEN, TIME_TOLERANCE_SECONDS,
};
use gashapay_core::ErrorCode;
use utoipa_axum::{router::OpenApiRouter, routes};

fn time(millis: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

fn seconds(secs: u64) -> chrono::DateTime<chrono::Utc> {
    time((secs as i64).saturating_mul(1000))
}

/// A refusal in the seed's shape, with the code's HTTP status.
struct Refused(ErrorCode, String);

impl Refused {
    fn of(code: ErrorCode) -> Self {
        Self(code, code.default_message().to_owned())
    }
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        Self(error.code, error.message)
    }
}

fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The partner (not revoked) and whether `signature` over `base` is made with one of
/// its secrets, the request's `time` inside the clock window.
async fn check_partner(
    state: &AppState,
    appid: &str,
    request_time: u64,
    base: &str,
    signature: &str,
) -> Result<PartnerRecord, Refused> {
    if appid.is_empty() || appid.len() > MAX_APP_ID_LEN {
        return Err(Refused::of(ErrorCode::UnknownPartner));
    }
    let id = appid.to_owned();
    let partner = state
        .db(move |store| store.partners().get(&id))
        .await
        .map_err(ApiError::from)?
        .filter(|p| !p.revoked)
        .ok_or_else(|| Refused::of(ErrorCode::UnknownPartner))?;
    let now = state.clock.now_millis();
    if !partner
        .secrets_at(now)
        .iter()
        .any(|secret| secret.verifies(base, signature))
    {
        return Err(Refused::of(ErrorCode::InvalidPartnerSignature));
    }
    let now_secs = now.max(0) as u64 / 1000;
    if now_secs.abs_diff(request_time) > TIME_TOLERANCE_SECONDS {
        return Err(Refused::of(ErrorCode::StaleRequest));
    }
    Ok(partner)
}

fn shown(code: &RewardCodeRecord, base: &str) -> ShownCode {
    let api = |path: &str| format!("{base}{}", path.replace("{code_id}", &code.id));
    ShownCode {
        quickid: code.quickid,
        message: AppLink::Reward {
            code_id: code.id.clone(),
        }
        .https_link(base),
        qrcode: api(paths::REWARD_CODE_PNG),
        qrcode_svg: api(paths::REWARD_CODE_SVG),
    }
}

/// The fields' own rules, before the signature is checked.
fn check_fields(request: &RewardCodeRequest) -> Result<RewardKind, Refused> {
    let bad = |why: &str| Refused(ErrorCode::BadRequest, why.to_owned());
    let kind = RewardKind::from_point_type(request.point_type)
        .ok_or_else(|| bad("point_type must be 1, 2 or 3"))?;
    if !(1..=MAX_REWARD_POINTS).contains(&request.point) {
        return Err(bad("point must be 1 to 10000"));
    }
    if !(1..=MAX_MINUTES).contains(&request.interval_time) {
        return Err(bad("interval_time must be 1 to 1440 minutes"));
    }
    if request
        .failure_time
        .is_some_and(|m| !(1..=MAX_MINUTES).contains(&m))
    {
        return Err(bad("failure_time must be 1 to 1440 minutes"));
    }
    let token_ok =
        |t: &str| (1..=MAX_TOKEN_LEN).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_graphic());
    match (&request.token, kind) {
        (None, RewardKind::TimedByPartner) => return Err(bad("point_type 3 needs a token")),
        (Some(token), _) if !token_ok(token) => {
            return Err(bad("token must be 1 to 128 printable ASCII characters"))
        }
        _ => {}
    }
    Ok(kind)
}

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
    match make_codes(&state, &headers, &body).await {
        Ok(answer) => Json(answer).into_response(),
        Err(Refused(code, detail)) => (
            status_of(code),
            Json(RewardCodeAnswer::failure(code, detail)),
        )
            .into_response(),
    }
}

async fn make_codes(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<RewardCodeAnswer, Refused> {
    let request: RewardCodeRequest = serde_json::from_slice(body).map_err(|e| {
        Refused(
            ErrorCode::BadRequest,
            format!("the body is not a code request: {e}"),
        )
    })?;
    let kind = check_fields(&request)?;
    let partner = check_partner(
        state,
        &request.appid,
        request.time,
        &request.base_string(),
        &request.signature,
    )
    .await?;
    let now = state.clock.now_millis();
    let now_secs = now.max(0) as u64 / 1000;
    let interval_secs = u64::from(request.interval_time) * 60;
    let validity = request.failure_time.map(|m| u64::from(m) * 60);
    // A visit code belongs to the interval it was made in and dies with it.
    let (window_start, expires_at) = match kind {
        RewardKind::Visit => {
            let start = now_secs - now_secs % interval_secs;
            let end = start + interval_secs;
            (Some(start), validity.map_or(end, |v| end.min(now_secs + v)))
        }
        _ => (
            None,
            now_secs + validity.unwrap_or(u64::from(MAX_MINUTES) * 60),
        ),
    };
    let new_id = || crate::admin::machine_codes::new_code_id(REWARD_CODE_PREFIX);
    let codes = match kind {
        RewardKind::Visit => vec![(new_id(), RewardRole::Visit)],
        RewardKind::TimedByPlayer => {
            vec![(new_id(), RewardRole::Start), (new_id(), RewardRole::End)]
        }
        RewardKind::TimedByPartner => vec![(new_id(), RewardRole::Start)],
    };
    let new = NewRewardCodes {
        app_id: partner.app_id.clone(),
        kind,
        point: Points(request.point),
        interval_minutes: request.interval_time,
        window_start,
        expires_at,
        token: request.token.clone(),
        request_time: request.time,
        codes,
        now,
    };
    let decision = state
        .db(move |store| store.rewards().create_codes(&new))
        .await
        .map_err(ApiError::from)?;
    let NewCodesDecision::Created(created) = decision else {
        return Err(Refused::of(ErrorCode::ReplayedRequest));
    };
    let base = public_base(state, headers);
    let first = shown(&created[0], &base);
    tracing::info!(partner = %partner.app_id, quickid = first.quickid, kind = ?kind, "reward code made");
    Ok(RewardCodeAnswer {
        code: 0,
        quickid: Some(first.quickid),
        message: first.message,
        qrcode: Some(first.qrcode),
        qrcode_svg: Some(first.qrcode_svg),
        token: request.token,
        expires_at: Some(seconds(expires_at)),
        end: created.get(1).map(|end| shown(end, &base)),
        error: None,
        detail: None,
    })
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
    match end_session(&state, &body).await {
        Ok(answer) => Json(answer).into_response(),
        Err(Refused(code, detail)) => (
            status_of(code),
            Json(RewardEndAnswer {
                code: 1,
                message: code.as_str().to_owned(),
                earned: None,
                minutes: None,
                error: Some(code),
                detail: Some(detail),
            }),
        )
            .into_response(),
    }
}

async fn end_session(state: &AppState, body: &[u8]) -> Result<RewardEndAnswer, Refused> {
    let request: RewardEndRequest = serde_json::from_slice(body).map_err(|e| {
        Refused(
            ErrorCode::BadRequest,
            format!("the body is not an end request: {e}"),
        )
    })?;
    if request.token.is_empty() || request.token.len() > MAX_TOKEN_LEN {
        return Err(Refused::of(ErrorCode::UnknownToken));
    }
    let partner = check_partner(
        state,
        &request.appid,
        request.time,
        &request.base_string(),
        &request.signature,
    )
    .await?;
    let now = state.clock.now_millis();
    let (app_id, token) = (partner.app_id, request.token);
    let decision = state
        .db(move |store| store.rewards().end_by_token(&app_id, &token, now))
        .await
        .map_err(ApiError::from)?;
    match decision {
        TokenEndDecision::Ended(session) => {
            state.changes.notify();
            let minutes = session
                .ended_at
                .map_or(0, |end| ((end - session.started_at).max(0) / 60_000) as u64);
            Ok(RewardEndAnswer {
                code: 0,
                message: "ended".to_owned(),
                earned: session.earned,
                minutes: Some(minutes),
                error: None,
                detail: None,
            })
        }
        TokenEndDecision::UnknownToken => Err(Refused::of(ErrorCode::UnknownToken)),
        TokenEndDecision::AlreadyEnded => Err(Refused::of(ErrorCode::RewardSessionEnded)),
        TokenEndDecision::NotStarted => Err(Refused::of(ErrorCode::RewardNotStarted)),
    }
}

fn now_secs(state: &AppState) -> u64 {
    state.clock.now_millis().max(0) as u64 / 1000
}

/// The code; one never made is `not_found`, one that opens nothing any more
/// `reward_code_expired`.
async fn live_code(state: &AppState, code_id: String) -> ApiResult<RewardCodeRecord> {
    let code = state
        .db(move |store| store.rewards().get_code(&code_id))
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "No such reward code."))?;
    if !code.open_at(now_secs(state)) {
        return Err(ApiError::of(ErrorCode::RewardCodeExpired));
    }
    Ok(code)
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
    let code = live_code(state, code_id).await?;
    let link = shown(&code, &public_base(state, headers)).message;
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
    let code = live_code(&state, code_id).await?;
    Ok(Json(RewardCodeInfo {
        code_id: code.id,
        partner_name: code.partner_name,
        kind: code.kind,
        role: code.role,
        point: code.point,
        interval_minutes: code.interval_minutes,
        expires_at: seconds(code.expires_at),
    }))
}

pub(crate) fn session_view(record: RewardSessionRecord) -> RewardSessionView {
    RewardSessionView {
        session_id: record.id,
        partner_name: record.partner_name,
        kind: record.kind,
        point: record.point,
        interval_minutes: record.interval_minutes,
        status: record.status,
        started_at: time(record.started_at),
        ended_at: record.ended_at.map(time),
        earned: record.earned,
        version: record.version,
    }
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
    let request = ClaimRequest {
        code_id,
        user_id: auth.user_id,
        now: state.clock.now_millis(),
    };
    let decision = state
        .db(move |store| store.rewards().claim(&request))
        .await?;
    let claim = match decision {
        ClaimDecision::Earned {
            partner_name,
            points,
            balance,
        } => RewardClaim::Earned {
            partner_name,
            points,
            balance,
        },
        ClaimDecision::Started(session) => RewardClaim::Started {
            session: session_view(session),
        },
        ClaimDecision::Ended { session, balance } => RewardClaim::Ended {
            session: session_view(session),
            balance,
        },
        ClaimDecision::UnknownCode => return Err(ApiError::of(ErrorCode::NotFound)),
        ClaimDecision::Expired => return Err(ApiError::of(ErrorCode::RewardCodeExpired)),
        ClaimDecision::AlreadyClaimed => return Err(ApiError::of(ErrorCode::AlreadyClaimed)),
        ClaimDecision::TakenByOther => return Err(ApiError::of(ErrorCode::AlreadyUsed)),
        ClaimDecision::SessionOpen => return Err(ApiError::of(ErrorCode::RewardSessionOpen)),
        ClaimDecision::NoSession => return Err(ApiError::of(ErrorCode::NoRewardSession)),
        ClaimDecision::DailyCapReached => return Err(ApiError::of(ErrorCode::DailyCapReached)),
        ClaimDecision::BudgetExhausted => return Err(ApiError::of(ErrorCode::BudgetExhausted)),
    };
    state.changes.notify();
    Ok(Json(claim))
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
            async move {
                state
                    .db(move |store| store.rewards().get_session(id))
                    .await?
                    .filter(|s| s.user_id == user)
                    .map(session_view)
                    .ok_or_else(|| ApiError::of(ErrorCode::NotFound))
            }
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
