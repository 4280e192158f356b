//! Sign-up, sign-in, refresh, sign-out; the rules are `services::sign_ins`.

use crate::http::answers;
use crate::http::auth::SignInToEnd;
use crate::http::error::{ApiJson, ApiResult};
use crate::http::rate_limit::ClientAddress;
use crate::services::sign_ins::{self, Credentials};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use gashapay_core::api::{
    paths, ErrorBody, LoginRequest, LoginResponse, RefreshRequest, TokenPair,
};
use utoipa_axum::{router::OpenApiRouter, routes};

/// Spends the caller's sign-in budget (before anything else, and above all before a
/// password is hashed) and takes the request apart.
fn admit(
    state: &AppState,
    client: &ClientAddress,
    request: LoginRequest,
) -> ApiResult<Credentials> {
    if let Some(address) = client.0 {
        state.limits.sign_in.check(&address)?;
    }
    Ok(Credentials {
        username: request.username,
        password: request.password.into_inner(),
        device_name: request.device.name,
        device_id: request.device.device_id,
    })
}

/// Signs in; registers the device on its first sign-in and returns its QR secret once.
#[utoipa::path(post, path = paths::LOGIN, tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        answers::BadRequest,
        (status = 401, description = "`invalid_credentials`: wrong username or password", body = ErrorBody),
        (status = 403, description = "`account_banned`: the right password for an account an operator banned", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
        (status = 429, description = "`rate_limited`: this address's sign-in budget is spent", body = ErrorBody,
            headers(("retry-after" = u64, description = "Seconds to wait"))),
    ))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let credentials = admit(&state, &client, request)?;
    Ok(Json(sign_ins::login(&state, credentials).await?))
}

/// Creates an account and signs it in, as `login` would: the same answer.
#[utoipa::path(post, path = paths::SIGNUP, tag = "auth", request_body = LoginRequest,
    responses(
        (status = 201, description = "Created and signed in", body = LoginResponse),
        answers::BadRequest,
        (status = 409, description = "`already_exists`: the username is taken", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
        (status = 429, description = "`rate_limited`: this address's sign-in budget is spent", body = ErrorBody,
            headers(("retry-after" = u64, description = "Seconds to wait"))),
    ))]
pub async fn signup(
    State(state): State<AppState>,
    client: ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<(StatusCode, Json<LoginResponse>)> {
    let credentials = admit(&state, &client, request)?;
    let answer = sign_ins::sign_up(&state, credentials).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Trades a refresh token (single use) for a new token pair.
#[utoipa::path(post, path = paths::REFRESH, tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair; the presented refresh token is retired", body = TokenPair),
        answers::BadRequest,
        (status = 401, description = "`unauthorized`: the refresh token is unknown, spent or expired (a spent one ends the session)", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenPair>> {
    let token = request.refresh_token.into_inner();
    Ok(Json(sign_ins::refresh(&state, &token).await?))
}

/// Ends the sign-in: its access and refresh tokens stop working. An access token past
/// its lifetime is accepted here.
#[utoipa::path(post, path = paths::LOGOUT, tag = "auth", security(("user_token" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "`unauthorized`: no live session's access token", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn logout(State(state): State<AppState>, auth: SignInToEnd) -> ApiResult<StatusCode> {
    sign_ins::sign_out(&state, auth.user_id, auth.sign_in_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The app's sign-in endpoints.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(signup))
        .routes(routes!(refresh))
        .routes(routes!(logout))
}
