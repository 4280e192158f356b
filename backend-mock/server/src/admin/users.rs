//! Users as the operator manages them: create, list, ban and unban (a ban ends every
//! session), grant points, list devices. Every change is in the audit trail.

use super::operator::record;
use super::{create_user, AdminError, AdminResult};
use crate::state::AppState;
use crate::store::{DeviceSummary, StoreError, UserSummary};
use gashapay_core::accounts::{check_password, check_username};
use gashapay_core::api::admin::{NewUser, MAX_GRANT, MAX_GRANT_LABEL};
use gashapay_core::ids::{Points, UserId};

fn subject(id: UserId) -> String {
    format!("user:{id}")
}

pub async fn create(state: &AppState, new: NewUser) -> AdminResult<UserSummary> {
    let username = new.username.trim().to_owned();
    check_username(&username)?;
    check_password(new.password.expose())?;
    if new.points.0 > MAX_GRANT {
        return Err(AdminError::InvalidField("points must be 0 to 100000"));
    }
    let id = create_user(state, &username, new.password.expose(), new.points)
        .await
        .map_err(|error| match error {
            AdminError::Store(StoreError::Duplicate(_)) => AdminError::UserExists(username),
            other => other,
        })?;
    record(state, "user.create", &subject(id)).await?;
    user(state, id).await
}

pub async fn list(state: &AppState) -> AdminResult<Vec<UserSummary>> {
    Ok(state.db(|store| store.accounts().users()).await?)
}

pub async fn user(state: &AppState, id: UserId) -> AdminResult<UserSummary> {
    state
        .db(move |store| store.accounts().user(id))
        .await?
        .ok_or(AdminError::NoSuchUser(id))
}

/// A banned user cannot sign in, and every session they had ends at once.
pub async fn set_banned(state: &AppState, id: UserId, banned: bool) -> AdminResult<()> {
    let now = state.clock.now_millis();
    if !state
        .db(move |store| store.accounts().set_banned(id, banned, now))
        .await?
    {
        return Err(AdminError::NoSuchUser(id));
    }
    let action = if banned { "user.ban" } else { "user.unban" };
    record(state, action, &subject(id)).await
}

/// Credits `points` as a `top_up` entry with `label`; answers the new balance.
pub async fn grant(
    state: &AppState,
    id: UserId,
    points: Points,
    label: &str,
) -> AdminResult<Points> {
    if !(1..=MAX_GRANT).contains(&points.0) {
        return Err(AdminError::InvalidField("points must be 1 to 100000"));
    }
    let label = label.trim().to_owned();
    if label.is_empty() || label.chars().count() > MAX_GRANT_LABEL {
        return Err(AdminError::InvalidField(
            "label must be 1 to 100 characters",
        ));
    }
    user(state, id).await?;
    let now = state.clock.now_millis();
    let balance = state
        .db(move |store| store.ledger().grant(id, points, &label, now))
        .await?;
    record(state, "user.grant", &subject(id)).await?;
    Ok(balance)
}

pub async fn devices(state: &AppState, id: UserId) -> AdminResult<Vec<DeviceSummary>> {
    user(state, id).await?;
    Ok(state
        .db(move |store| store.devices().devices_of(id))
        .await?)
}
