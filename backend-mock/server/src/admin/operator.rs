//! The operator credential and the audit trail of what operators changed.
//!
//! One credential: given at start (`--admin-key`), which replaces any stored one, or
//! generated on the first start and handed back once for the operator's terminal.
//! Only its SHA-256 hash is stored; comparisons are constant-time.

use super::AdminResult;
use crate::credentials::{hash_secret, random_secret, same_hash};
use crate::state::AppState;
use crate::store::{OperatorAction, Store, StoreResult, UnixMillis};
use gashapay_core::Redacted;

/// Operator keys start so, to be recognisable in a secret scanner.
pub const OPERATOR_KEY_PREFIX: &str = "gpo_";
/// The shortest operator key accepted from the command line.
pub const MIN_OPERATOR_KEY_LEN: usize = 24;

/// Makes `given` the operator key, or, with none given and none stored, generates
/// one and returns it (to be shown once). With none given, a stored one stays.
pub fn resolve_key(
    store: &dyn Store,
    given: Option<&Redacted>,
    now: UnixMillis,
) -> StoreResult<Option<Redacted>> {
    if let Some(key) = given {
        store
            .operators()
            .set_key_hash(&hash_secret(key.expose()), now)?;
        return Ok(None);
    }
    if store.operators().key_hash()?.is_some() {
        return Ok(None);
    }
    let key = Redacted::new(format!("{OPERATOR_KEY_PREFIX}{}", random_secret()));
    store
        .operators()
        .set_key_hash(&hash_secret(key.expose()), now)?;
    Ok(Some(key))
}

/// Whether `presented` is the operator key.
pub async fn is_operator_key(state: &AppState, presented: &str) -> AdminResult<bool> {
    let presented = hash_secret(presented);
    let stored = state.db(|store| store.operators().key_hash()).await?;
    Ok(stored.is_some_and(|stored| same_hash(&presented, &stored)))
}

/// Adds a line to the audit trail.
pub async fn record(state: &AppState, action: &'static str, subject: &str) -> AdminResult<()> {
    let (subject, now) = (subject.to_owned(), state.clock.now_millis());
    state
        .db(move |store| store.operators().record_action(action, &subject, now))
        .await?;
    Ok(())
}

/// The newest `limit` changes, newest first.
pub async fn audit(state: &AppState, limit: u32) -> AdminResult<Vec<OperatorAction>> {
    Ok(state
        .db(move |store| store.operators().actions(limit))
        .await?)
}
