//! Partners (stores and services that give rewards, PROTOCOL §12) as the operator
//! provisions them: create (the secret shown once), list, rotate the secret with a
//! grace window, revoke. Each change is in the audit trail.

use super::machines::valid_machine_id;
use super::operator::record;
use super::{AdminError, AdminResult};
use crate::state::AppState;
use crate::store::PartnerRecord;
use gashapay_core::api::admin::{MAX_MACHINE_TEXT, MAX_WEBHOOK_GRACE_SECONDS};
use gashapay_core::api::rewards::NewPartner;
use gashapay_core::reward_request::PartnerSecret;

/// The most a partner may give in a day, and a player earn from one in a day.
pub const MAX_DAILY_POINTS: u64 = 10_000_000;

/// Creates a partner with a new secret (in the returned record, to show once).
pub async fn create(state: &AppState, new: NewPartner) -> AdminResult<PartnerRecord> {
    // Partner app ids follow the machine ids' rule: they go in logs and URLs.
    if !valid_machine_id(&new.app_id) {
        return Err(AdminError::InvalidField(
            "app_id must be 1-64 characters of a-z, 0-9, _ and -",
        ));
    }
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_MACHINE_TEXT {
        return Err(AdminError::InvalidField("name must be 1 to 200 characters"));
    }
    if new.daily_budget.0 > MAX_DAILY_POINTS || new.player_daily_cap.0 > MAX_DAILY_POINTS {
        return Err(AdminError::InvalidField(
            "daily_budget and player_daily_cap must be at most 10,000,000",
        ));
    }
    let partner = PartnerRecord {
        app_id: new.app_id.clone(),
        name,
        secret: PartnerSecret::generate(),
        previous_secret: None,
        daily_budget: new.daily_budget,
        player_daily_cap: new.player_daily_cap,
        revoked: false,
    };
    let (stored, now) = (partner.clone(), state.clock.now_millis());
    let created = state
        .db(move |store| store.partners().create(&stored, now))
        .await?;
    if !created {
        return Err(AdminError::PartnerExists(new.app_id));
    }
    record(state, "partner.create", &partner.app_id).await?;
    Ok(partner)
}

pub async fn list(state: &AppState) -> AdminResult<Vec<PartnerRecord>> {
    Ok(state.db(|store| store.partners().all()).await?)
}

/// Points the partner gave today (UTC).
pub async fn given_today(state: &AppState, app_id: &str) -> AdminResult<gashapay_core::Points> {
    let day = state.clock.now_millis().max(0) as u64 / 1000 / 86_400;
    let app_id = app_id.to_owned();
    Ok(state
        .db(move |store| store.partners().given_on(&app_id, day))
        .await?)
}

/// A new secret; the previous one still verifies for `grace_seconds`.
pub async fn rotate_secret(
    state: &AppState,
    app_id: &str,
    grace_seconds: u64,
) -> AdminResult<PartnerRecord> {
    if grace_seconds > MAX_WEBHOOK_GRACE_SECONDS {
        return Err(AdminError::InvalidField(
            "grace_seconds must be at most 604800 (a week)",
        ));
    }
    let secret = PartnerSecret::generate();
    let until = state.clock.now_millis() + (grace_seconds as i64) * 1000;
    let (id, new_secret) = (app_id.to_owned(), secret.clone());
    let rotated = state
        .db(move |store| store.partners().rotate_secret(&id, &new_secret, until))
        .await?;
    if !rotated {
        return Err(AdminError::NoSuchPartner(app_id.to_owned()));
    }
    record(state, "partner.rotate_secret", app_id).await?;
    let id = app_id.to_owned();
    state
        .db(move |store| store.partners().get(&id))
        .await?
        .ok_or_else(|| AdminError::NoSuchPartner(app_id.to_owned()))
}

/// From the next request on, the partner's requests and codes open nothing.
pub async fn revoke(state: &AppState, app_id: &str) -> AdminResult<()> {
    let id = app_id.to_owned();
    if !state.db(move |store| store.partners().revoke(&id)).await? {
        return Err(AdminError::NoSuchPartner(app_id.to_owned()));
    }
    record(state, "partner.revoke", app_id).await
}
