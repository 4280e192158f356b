//! Sign-ins (PROTOCOL §3.1–3.3, §3.11): an account signs in from a device and gets an
//! access and a refresh token; a refresh token is spent once (a spent one coming back
//! ends the sign-in); signing out ends it. The device is registered on its first
//! sign-in and its QR secret handed out then, once.
//!
//! "Sign-in" is this concept throughout the backend; a "machine session" is the
//! pay-first one (`machine_sessions`).

use super::{ServiceError, ServiceResult};
use crate::credentials::{
    hash_secret, new_tokens, same_hash, split_token, verify_password, NewTokens, ACCESS_PREFIX,
    REFRESH_PREFIX,
};
use crate::state::AppState;
use crate::store::{SignInRecord, StoreError};
use gashapay_core::accounts::{check_password, check_username};
use gashapay_core::api::{LoginResponse, TokenPair};
use gashapay_core::ids::{DeviceId, UserId};
use gashapay_core::qr::DeviceSecret;
use gashapay_core::{ErrorCode, Redacted};

const MAX_FIELD_LEN: usize = 256;

/// A sign-in or sign-up request's fields.
pub struct Credentials {
    pub username: String,
    pub password: String,
    pub device_name: String,
    /// The device this app signed in from before, if any.
    pub device_id: Option<DeviceId>,
}

fn bad(why: impl Into<String>) -> ServiceError {
    ServiceError::refused_because(ErrorCode::BadRequest, why)
}

fn token_pair(sign_in: i64, tokens: &NewTokens, state: &AppState) -> TokenPair {
    TokenPair {
        access_token: Redacted::new(format!(
            "{ACCESS_PREFIX}.{sign_in}.{}",
            tokens.access_secret
        )),
        access_expires_in: state.settings.access_token_ttl.as_secs(),
        refresh_token: Redacted::new(format!(
            "{REFRESH_PREFIX}.{sign_in}.{}",
            tokens.refresh_secret
        )),
    }
}

/// The sign-in a `gpa.…` or `gpr.…` token names, with the hash of the secret it
/// presented (for the caller to compare, in constant time, with the right stored
/// hash). Any malformed or unknown token is `unauthorized`.
pub async fn sign_in_of_token(
    state: &AppState,
    prefix: &str,
    token: &str,
) -> ServiceResult<(SignInRecord, [u8; 32])> {
    let unauthorized = || ServiceError::refused(ErrorCode::Unauthorized);
    let (id, secret) = split_token(prefix, token).ok_or_else(unauthorized)?;
    let id: i64 = id.parse().map_err(|_| unauthorized())?;
    let presented = hash_secret(secret);
    let sign_in = state
        .db(move |store| store.accounts().sign_in(id))
        .await?
        .ok_or_else(unauthorized)?;
    Ok((sign_in, presented))
}

/// Signs an account in with its password.
pub async fn login(state: &AppState, credentials: Credentials) -> ServiceResult<LoginResponse> {
    let Credentials {
        username,
        password,
        device_name,
        device_id,
    } = credentials;
    let (username, device_name) = (username.trim().to_owned(), device_name.trim().to_owned());
    if username.is_empty() || password.is_empty() {
        return Err(bad("username and password are required"));
    }
    if username.len() > MAX_FIELD_LEN
        || password.len() > MAX_FIELD_LEN
        || device_name.len() > MAX_FIELD_LEN
    {
        return Err(bad("a field is longer than 256 bytes"));
    }
    let user = state
        .db(move |store| store.accounts().user_by_name(&username))
        .await?;
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    // A hash is checked even for an unknown name, so the answer's time tells nothing.
    let password_ok =
        tokio::task::spawn_blocking(move || verify_password(&password, stored_hash.as_deref()))
            .await
            .map_err(|e| ServiceError::Internal(format!("the password check panicked: {e}")))?;
    let Some(user) = user.filter(|_| password_ok) else {
        tracing::info!("sign-in refused");
        return Err(ServiceError::refused(ErrorCode::InvalidCredentials));
    };
    if user.banned {
        tracing::info!(user = %user.id, "sign-in refused: banned");
        return Err(ServiceError::refused(ErrorCode::AccountBanned));
    }
    open(state, user.id, device_id, device_name).await
}

/// Creates an account (with the welcome points) and signs it in, as `login` would.
pub async fn sign_up(state: &AppState, credentials: Credentials) -> ServiceResult<LoginResponse> {
    // A new account has no device yet: whatever id the request names is not its.
    let username = credentials.username.trim();
    let device_name = credentials.device_name.trim().to_owned();
    check_username(username).map_err(|e| bad(e.to_string()))?;
    check_password(&credentials.password).map_err(|e| bad(e.to_string()))?;
    if device_name.len() > MAX_FIELD_LEN {
        return Err(bad("a field is longer than 256 bytes"));
    }
    let welcome = state.settings.welcome_points;
    let user =
        match crate::admin::create_user(state, username, &credentials.password, welcome).await {
            Ok(user) => user,
            Err(crate::admin::AdminError::Store(StoreError::Duplicate(_))) => {
                return Err(ServiceError::refused_because(
                    ErrorCode::AlreadyExists,
                    "this username is taken",
                ))
            }
            Err(other) => return Err(other.into()),
        };
    tracing::info!(%user, "signed up");
    open(state, user, None, device_name).await
}

/// Reuses the device if it is this user's and still active, or registers a new one
/// (its secret handed out, once); then opens a sign-in on it.
async fn open(
    state: &AppState,
    user: UserId,
    device: Option<DeviceId>,
    device_name: String,
) -> ServiceResult<LoginResponse> {
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
    let sign_in = state
        .db(move |store| {
            store
                .accounts()
                .create_sign_in(user, device_id, &hashes, now)
        })
        .await?;
    tracing::info!(%user, device = %device_id, "signed in");
    Ok(LoginResponse {
        user_id: user,
        app_id: state.settings.app_id,
        device_id,
        device_secret,
        max_code_ttl_seconds: state.settings.max_code_ttl_secs,
        tokens: token_pair(sign_in, &tokens, state),
    })
}

/// Trades a refresh token (single use) for a new token pair.
pub async fn refresh(state: &AppState, token: &str) -> ServiceResult<TokenPair> {
    let unauthorized = || ServiceError::refused(ErrorCode::Unauthorized);
    let (sign_in, presented) = sign_in_of_token(state, REFRESH_PREFIX, token).await?;
    let id = sign_in.id;
    let now = state.clock.now_millis();
    if sign_in.revoked || now >= sign_in.tokens.refresh_expires_at {
        return Err(unauthorized());
    }
    if !same_hash(&presented, &sign_in.tokens.refresh_hash) {
        // A spent refresh token came back: someone holds a copy. End the sign-in.
        tracing::warn!(sign_in = id, "refresh token reuse; sign-in revoked");
        state
            .db(move |store| store.accounts().revoke_sign_in(id, now))
            .await?;
        return Err(unauthorized());
    }
    let tokens = new_tokens(state, now);
    let hashes = tokens.hashes.clone();
    let rotated = state
        .db(move |store| store.accounts().rotate_sign_in(id, &presented, &hashes))
        .await?;
    if !rotated {
        return Err(unauthorized());
    }
    Ok(token_pair(id, &tokens, state))
}

/// Ends a sign-in: its access and refresh tokens stop working.
pub async fn sign_out(state: &AppState, user: UserId, sign_in: i64) -> ServiceResult<()> {
    let now = state.clock.now_millis();
    state
        .db(move |store| store.accounts().revoke_sign_in(sign_in, now))
        .await?;
    tracing::info!(%user, "signed out");
    Ok(())
}
