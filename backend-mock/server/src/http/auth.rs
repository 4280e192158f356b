//! Who is calling: a signed-in user (`Authorization: Bearer gpa.…`) or a machine
//! (`Bearer gpk.…`), as axum extractors that refuse with `unauthorized` or
//! `token_expired`.

use crate::credentials::{hash_secret, same_hash, split_token, ACCESS_PREFIX, MACHINE_KEY_PREFIX};
use crate::http::error::ApiError;
use crate::services::sign_ins;
use crate::state::AppState;
use crate::store::SignInRecord;
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

/// The live sign-in an access token names, expired or not.
async fn access_sign_in(parts: &Parts, state: &AppState) -> Result<SignInRecord, ApiError> {
    let unauthorized = || ApiError::of(ErrorCode::Unauthorized);
    let token = bearer(parts).ok_or_else(unauthorized)?;
    let (sign_in, presented) = sign_ins::sign_in_of_token(state, ACCESS_PREFIX, token).await?;
    if sign_in.revoked || !same_hash(&presented, &sign_in.tokens.access_hash) {
        return Err(unauthorized());
    }
    Ok(sign_in)
}

/// A signed-in user, from `Authorization: Bearer gpa.…`.
#[derive(Debug, Clone, Copy)]
pub struct UserAuth {
    pub user_id: UserId,
    pub device_id: DeviceId,
    pub sign_in_id: i64,
}

impl FromRequestParts<AppState> for UserAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let sign_in = access_sign_in(parts, state).await?;
        if state.clock.now_millis() >= sign_in.tokens.access_expires_at {
            return Err(ApiError::of(ErrorCode::TokenExpired));
        }
        Ok(Self {
            user_id: sign_in.user_id,
            device_id: sign_in.device_id,
            sign_in_id: sign_in.id,
        })
    }
}

/// The sign-in to end at sign-out: its access token may have run out, since ending a
/// sign-in should not need a refresh first; it must still be the sign-in's current
/// token, and the sign-in still live.
#[derive(Debug, Clone, Copy)]
pub struct SignInToEnd {
    pub user_id: UserId,
    pub sign_in_id: i64,
}

impl FromRequestParts<AppState> for SignInToEnd {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let sign_in = access_sign_in(parts, state).await?;
        Ok(Self {
            user_id: sign_in.user_id,
            sign_in_id: sign_in.id,
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
