//! Who is calling: a signed-in user (`Authorization: Bearer gpa.…`) or a machine
//! (`Bearer gpk.…`), as axum extractors that refuse with `unauthorized` or
//! `token_expired`.

use crate::credentials::{hash_secret, same_hash, split_token, ACCESS_PREFIX, MACHINE_KEY_PREFIX};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::store::SessionRecord;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use gashapay_core::ids::{DeviceId, MachineId, UserId};
use gashapay_core::ErrorCode;

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(axum::http::header::AUTHORIZATION)?;
    let value = value.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The session a `gpa.…` or `gpr.…` token names, with the hash of the secret it
/// presented (for the caller to compare, in constant time, with the right stored
/// hash). Any malformed or unknown token is `unauthorized`.
pub async fn session_of_token(
    state: &AppState,
    prefix: &str,
    token: &str,
) -> Result<(SessionRecord, [u8; 32]), ApiError> {
    let unauthorized = || ApiError::of(ErrorCode::Unauthorized);
    let (id, secret) = split_token(prefix, token).ok_or_else(unauthorized)?;
    let session_id: i64 = id.parse().map_err(|_| unauthorized())?;
    let presented = hash_secret(secret);
    let session = state
        .db(move |store| store.accounts().session(session_id))
        .await?
        .ok_or_else(unauthorized)?;
    Ok((session, presented))
}

/// The operator, from `Authorization: Bearer <operator key>`.
#[derive(Debug, Clone, Copy)]
pub struct OperatorAuth;

impl FromRequestParts<AppState> for OperatorAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthorized = || ApiError::of(ErrorCode::Unauthorized);
        let token = bearer(parts).ok_or_else(unauthorized)?;
        match crate::admin::operator::is_operator_key(state, token).await? {
            true => Ok(OperatorAuth),
            false => Err(unauthorized()),
        }
    }
}

/// The live session an access token names, expired or not.
async fn access_session(parts: &Parts, state: &AppState) -> Result<SessionRecord, ApiError> {
    let unauthorized = || ApiError::of(ErrorCode::Unauthorized);
    let token = bearer(parts).ok_or_else(unauthorized)?;
    let (session, presented) = session_of_token(state, ACCESS_PREFIX, token).await?;
    if session.revoked || !same_hash(&presented, &session.tokens.access_hash) {
        return Err(unauthorized());
    }
    Ok(session)
}

/// A signed-in user, from `Authorization: Bearer gpa.…`.
#[derive(Debug, Clone, Copy)]
pub struct UserAuth {
    pub user_id: UserId,
    pub device_id: DeviceId,
    pub session_id: i64,
}

impl FromRequestParts<AppState> for UserAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let session = access_session(parts, state).await?;
        if state.clock.now_millis() >= session.tokens.access_expires_at {
            return Err(ApiError::of(ErrorCode::TokenExpired));
        }
        Ok(Self {
            user_id: session.user_id,
            device_id: session.device_id,
            session_id: session.id,
        })
    }
}

/// The session to end at sign-out: its access token may have run out, since ending a
/// session should not need a refresh first; it must still be the session's current
/// token, and the session still live.
#[derive(Debug, Clone, Copy)]
pub struct SessionToEnd {
    pub user_id: UserId,
    pub session_id: i64,
}

impl FromRequestParts<AppState> for SessionToEnd {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let session = access_session(parts, state).await?;
        Ok(Self {
            user_id: session.user_id,
            session_id: session.id,
        })
    }
}

/// A machine, from `Authorization: Bearer gpk.<machine id>.<secret>`.
#[derive(Debug, Clone)]
pub struct MachineAuth {
    pub machine_id: MachineId,
    pub name: String,
}

impl FromRequestParts<AppState> for MachineAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthorized = || ApiError::of(ErrorCode::Unauthorized);
        let token = bearer(parts).ok_or_else(unauthorized)?;
        let (id, secret) = split_token(MACHINE_KEY_PREFIX, token).ok_or_else(unauthorized)?;
        let machine_id = MachineId(id.to_owned());
        let presented = hash_secret(secret);
        let machine = state.machine(&machine_id).await?.ok_or_else(unauthorized)?;
        if machine.revoked || !same_hash(&presented, &machine.api_key_hash) {
            return Err(unauthorized());
        }
        Ok(Self {
            machine_id,
            name: machine.name.clone(),
        })
    }
}
