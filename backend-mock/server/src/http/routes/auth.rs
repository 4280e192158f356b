//! Sign-up, sign-in, refresh, sign-out.

use crate::credentials::{new_tokens, same_hash, verify_password, ACCESS_PREFIX, REFRESH_PREFIX};
use crate::http::answers;
use crate::http::auth::{session_of_token, SessionToEnd};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::http::rate_limit::ClientAddress;
use crate::state::AppState;
use crate::store::StoreError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use gashapay_core::accounts::{check_password, check_username};
use gashapay_core::api::{
    paths, ErrorBody, LoginRequest, LoginResponse, RefreshRequest, TokenPair,
};
use gashapay_core::ids::{DeviceId, UserId};
use gashapay_core::qr::DeviceSecret;
use gashapay_core::{ErrorCode, Redacted};
use utoipa_axum::{router::OpenApiRouter, routes};

const MAX_FIELD_LEN: usize = 256;

fn token_pair(
    session_id: i64,
    tokens: &crate::credentials::NewTokens,
    state: &AppState,
) -> TokenPair {
    TokenPair {
        access_token: Redacted::new(format!(
            "{ACCESS_PREFIX}.{session_id}.{}",
            tokens.access_secret
        )),
        access_expires_in: state.settings.access_token_ttl.as_secs(),
        refresh_token: Redacted::new(format!(
            "{REFRESH_PREFIX}.{session_id}.{}",
            tokens.refresh_secret
        )),
    }
}

/// A sign-in or sign-up request's fields, the username and device name trimmed.
struct SignIn {
    username: String,
    password: String,
    device_name: String,
    device_id: Option<DeviceId>,
}

/// Spends the caller's sign-in budget (before anything else, and above all before a
/// password is hashed) and takes the request apart.
fn admit(state: &AppState, client: &ClientAddress, request: LoginRequest) -> ApiResult<SignIn> {
    if let Some(address) = client.0 {
        state.limits.sign_in.check(&address)?;
    }
    Ok(SignIn {
        username: request.username.trim().to_owned(),
        password: request.password.into_inner(),
        device_name: request.device.name.trim().to_owned(),
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
    let SignIn {
        username,
        password,
        device_name,
        device_id,
    } = admit(&state, &client, request)?;
    if username.is_empty() || password.is_empty() {
        return Err(ApiError::bad_request("username and password are required"));
    }
    if username.len() > MAX_FIELD_LEN
        || password.len() > MAX_FIELD_LEN
        || device_name.len() > MAX_FIELD_LEN
    {
        return Err(ApiError::bad_request("a field is longer than 256 bytes"));
    }
    let lookup = username.clone();
    let user = state
        .db(move |store| store.accounts().user_by_name(&lookup))
        .await?;
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    let password_ok =
        tokio::task::spawn_blocking(move || verify_password(&password, stored_hash.as_deref()))
            .await
            .map_err(ApiError::internal)?;
    let Some(user) = user.filter(|_| password_ok) else {
        tracing::info!("sign-in refused");
        return Err(ApiError::of(ErrorCode::InvalidCredentials));
    };
    if user.banned {
        tracing::info!(user = %user.id, "sign-in refused: banned");
        return Err(ApiError::of(ErrorCode::AccountBanned));
    }

    open_session(&state, user.id, device_id, device_name).await
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
    // A new account has no device yet: whatever id the request names is not its.
    let SignIn {
        username,
        password,
        device_name,
        ..
    } = admit(&state, &client, request)?;
    check_username(&username).map_err(|e| ApiError::bad_request(e.to_string()))?;
    check_password(&password).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if device_name.len() > MAX_FIELD_LEN {
        return Err(ApiError::bad_request("a field is longer than 256 bytes"));
    }
    let welcome = state.settings.welcome_points;
    let user = match crate::admin::create_user(&state, &username, &password, welcome).await {
        Ok(user) => user,
        Err(crate::admin::AdminError::Store(StoreError::Duplicate(_))) => {
            return Err(ApiError::new(
                ErrorCode::AlreadyExists,
                "this username is taken",
            ))
        }
        Err(other) => return Err(other.into()),
    };
    tracing::info!(user = %user, "signed up");
    let answer = open_session(&state, user, None, device_name).await?;
    Ok((StatusCode::CREATED, answer))
}

/// Reuses the device if it is this user's and still active, or registers a new one
/// (its secret handed out, once); then opens a session on it.
async fn open_session(
    state: &AppState,
    user: UserId,
    device: Option<DeviceId>,
    device_name: String,
) -> ApiResult<Json<LoginResponse>> {
    let now = state.clock.now_millis();
    let known = match device {
        Some(id) => state
            .db(move |store| store.devices().device(id))
            .await?
            .filter(|d| d.user_id == user && !d.revoked),
        None => None,
    };
    let (device_id, device_secret) = match known {
        Some(device) => (device.id, None),
        None => {
            let secret = DeviceSecret::generate();
            let stored = secret.clone();
            let name = if device_name.is_empty() {
                "Unnamed device".to_owned()
            } else {
                device_name
            };
            let id = state
                .db(move |store| store.devices().register_device(user, &name, &stored, now))
                .await?;
            (id, Some(Redacted::new(secret.to_base64())))
        }
    };

    let tokens = new_tokens(state, now);
    let hashes = tokens.hashes.clone();
    let session_id = state
        .db(move |store| {
            store
                .accounts()
                .create_session(user, device_id, &hashes, now)
        })
        .await?;
    tracing::info!(user = %user, device = %device_id, "signed in");
    Ok(Json(LoginResponse {
        user_id: user,
        app_id: state.settings.app_id,
        device_id,
        device_secret,
        max_code_ttl_seconds: state.settings.max_code_ttl_secs,
        tokens: token_pair(session_id, &tokens, state),
    }))
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
    let unauthorized = || ApiError::of(ErrorCode::Unauthorized);
    let token = request.refresh_token.into_inner();
    let (session, presented) = session_of_token(&state, REFRESH_PREFIX, &token).await?;
    let session_id = session.id;
    let now = state.clock.now_millis();
    if session.revoked || now >= session.tokens.refresh_expires_at {
        return Err(unauthorized());
    }
    if !same_hash(&presented, &session.tokens.refresh_hash) {
        // A spent refresh token came back: someone holds a copy. End the session.
        tracing::warn!(session = session_id, "refresh token reuse; session revoked");
        state
            .db(move |store| store.accounts().revoke_session(session_id, now))
            .await?;
        return Err(unauthorized());
    }
    let tokens = new_tokens(&state, now);
    let hashes = tokens.hashes.clone();
    let rotated = state
        .db(move |store| {
            store
                .accounts()
                .rotate_session(session_id, &presented, &hashes)
        })
        .await?;
    if !rotated {
        return Err(unauthorized());
    }
    Ok(Json(token_pair(session_id, &tokens, &state)))
}

/// Ends the session: its access and refresh tokens stop working. An access token past
/// its lifetime is accepted here.
#[utoipa::path(post, path = paths::LOGOUT, tag = "auth", security(("user_token" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "`unauthorized`: no live session's access token", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn logout(State(state): State<AppState>, auth: SessionToEnd) -> ApiResult<StatusCode> {
    let (session, now) = (auth.session_id, state.clock.now_millis());
    state
        .db(move |store| store.accounts().revoke_session(session, now))
        .await?;
    tracing::info!(user = %auth.user_id, "signed out");
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
