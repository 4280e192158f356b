//! Credentials: user sessions (access + rotating refresh tokens), machine API keys,
//! password hashing. Tokens are opaque `<kind>.<id>.<secret>` strings; only SHA-256
//! hashes of the secrets are stored, and every comparison is constant-time.

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{SessionRecord, TokenHashes, UnixMillis};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use gashapay_core::ids::{DeviceId, MachineId, UserId};
use gashapay_core::ErrorCode;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use subtle::ConstantTimeEq;

pub const ACCESS_PREFIX: &str = "gpa";
pub const REFRESH_PREFIX: &str = "gpr";
pub const MACHINE_KEY_PREFIX: &str = "gpk";

pub fn now_millis() -> UnixMillis {
    chrono::Utc::now().timestamp_millis()
}

pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_secret(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

pub fn same_hash(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.ct_eq(b).into()
}

/// Splits `<prefix>.<id>.<secret>`. The id may not contain dots; the secret may not
/// be empty.
pub fn split_token<'a>(prefix: &str, token: &'a str) -> Option<(&'a str, &'a str)> {
    let rest = token.strip_prefix(prefix)?.strip_prefix('.')?;
    let (id, secret) = rest.split_once('.')?;
    (!id.is_empty() && !secret.is_empty() && token.len() <= 512).then_some((id, secret))
}

/// The secrets of a fresh token pair and the hashes to store.
pub struct NewTokens {
    pub access_secret: String,
    pub refresh_secret: String,
    pub hashes: TokenHashes,
}

pub fn new_tokens(state: &AppState, now: UnixMillis) -> NewTokens {
    let access_secret = random_secret();
    let refresh_secret = random_secret();
    let settings = &state.settings;
    NewTokens {
        hashes: TokenHashes {
            access_hash: hash_secret(&access_secret),
            access_expires_at: now + settings.access_token_ttl.as_millis() as i64,
            refresh_hash: hash_secret(&refresh_secret),
            refresh_expires_at: now + settings.refresh_token_ttl.as_millis() as i64,
        },
        access_secret,
        refresh_secret,
    }
}

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(ApiError::internal)
}

/// Checks a password against a stored PHC hash. With no stored hash (unknown user) a
/// dummy hash is checked instead, so the answer takes as long either way.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("dummy password").unwrap_or_default());
    let Ok(hash) = PasswordHash::new(stored.unwrap_or(dummy)) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok()
        && stored.is_some()
}

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
        .db(move |store| store.session(session_id))
        .await?
        .ok_or_else(unauthorized)?;
    Ok((session, presented))
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
        let unauthorized = || ApiError::of(ErrorCode::Unauthorized);
        let token = bearer(parts).ok_or_else(unauthorized)?;
        let (session, presented) = session_of_token(state, ACCESS_PREFIX, token).await?;
        if session.revoked || !same_hash(&presented, &session.tokens.access_hash) {
            return Err(unauthorized());
        }
        if now_millis() >= session.tokens.access_expires_at {
            return Err(ApiError::of(ErrorCode::TokenExpired));
        }
        Ok(Self {
            user_id: session.user_id,
            device_id: session.device_id,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_only_with_the_right_prefix_and_shape() {
        assert_eq!(split_token("gpa", "gpa.12.abc"), Some(("12", "abc")));
        assert_eq!(split_token("gpa", "gpr.12.abc"), None);
        assert_eq!(split_token("gpa", "gpa..abc"), None);
        assert_eq!(split_token("gpa", "gpa.12."), None);
        assert_eq!(split_token("gpa", "gpa12.abc"), None);
        assert_eq!(
            split_token("gpk", "gpk.m_demo.s.e.c"),
            Some(("m_demo", "s.e.c"))
        );
    }

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", Some(&hash)));
        assert!(!verify_password("wrong horse", Some(&hash)));
        assert!(!verify_password("dummy password", None));
    }
}
