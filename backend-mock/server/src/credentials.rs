//! Credentials: user sessions (access + rotating refresh tokens), machine API keys,
//! password hashing. Tokens are opaque `<kind>.<id>.<secret>` strings; only SHA-256
//! hashes of the secrets are stored, and every comparison is constant-time.

use crate::state::AppState;
use crate::store::{TokenHashes, UnixMillis};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use subtle::ConstantTimeEq;

pub const ACCESS_PREFIX: &str = "gpa";
pub const REFRESH_PREFIX: &str = "gpr";
pub const MACHINE_KEY_PREFIX: &str = "gpk";

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

pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
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
