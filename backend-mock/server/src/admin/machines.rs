//! Machines and devices as the operator manages them. Every change is recorded in the
//! operator audit trail and takes effect on the next request: the store forgets what
//! it kept of the machine or device.

use super::operator::record;
use super::{AdminError, AdminResult};
use crate::credentials::{hash_secret, random_secret, MACHINE_KEY_PREFIX};
use crate::state::AppState;
use crate::store::{MachineRecord, NewMachineRecord};
use gashapay_core::api::admin::{NewMachine, MAX_MACHINE_TEXT, MAX_WEBHOOK_GRACE_SECONDS};
use gashapay_core::ids::{DeviceId, MachineId};
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::Redacted;
use std::time::Duration;

/// 1–64 characters of `a-z`, `0-9`, `_` and `-`.
pub fn valid_machine_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A new API key `gpk.<machine id>.<secret>` and the hash of its secret.
pub fn new_api_key(id: &str) -> (Redacted, [u8; 32]) {
    let secret = random_secret();
    let hash = hash_secret(&secret);
    (
        Redacted::new(format!("{MACHINE_KEY_PREFIX}.{id}.{secret}")),
        hash,
    )
}

/// A machine and its first credentials.
pub struct CreatedMachine {
    pub record: MachineRecord,
    pub api_key: Redacted,
}

pub async fn create_machine(state: &AppState, new: NewMachine) -> AdminResult<CreatedMachine> {
    if !valid_machine_id(&new.machine_id.0) {
        return Err(AdminError::InvalidMachineId);
    }
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_MACHINE_TEXT {
        return Err(AdminError::InvalidField("name must be 1 to 200 characters"));
    }
    let location = new.location.trim().to_owned();
    if location.chars().count() > MAX_MACHINE_TEXT {
        return Err(AdminError::InvalidField(
            "location must be at most 200 characters",
        ));
    }
    let (api_key, api_key_hash) = new_api_key(&new.machine_id.0);
    let machine = NewMachineRecord {
        id: new.machine_id.clone(),
        name,
        location,
        kind: new.kind,
        api_key_hash,
        webhook_secret: WebhookSecret::generate(),
    };
    let stored = machine.clone();
    state
        .db(move |store| store.machines().create_machine(&stored))
        .await
        .map_err(|error| match error {
            crate::store::StoreError::Duplicate(_) => AdminError::MachineExists(new.machine_id),
            other => other.into(),
        })?;
    record(state, "machine.create", &machine.id.0).await?;
    Ok(CreatedMachine {
        record: MachineRecord {
            id: machine.id,
            name: machine.name,
            api_key_hash,
            webhook_secret: machine.webhook_secret,
            previous_webhook_secret: None,
            revoked: false,
            location: machine.location,
            kind: machine.kind,
        },
        api_key,
    })
}

pub async fn list_machines(state: &AppState) -> AdminResult<Vec<MachineRecord>> {
    Ok(state.db(|store| store.machines().all()).await?)
}

pub async fn machine(state: &AppState, id: &MachineId) -> AdminResult<MachineRecord> {
    let wanted = id.clone();
    state
        .db(move |store| store.machines().machine(&wanted))
        .await?
        .ok_or_else(|| AdminError::NoSuchMachine(id.clone()))
}

/// A new API key; the previous one is refused from the next request on.
pub async fn rotate_api_key(state: &AppState, id: &MachineId) -> AdminResult<Redacted> {
    let (api_key, hash) = new_api_key(&id.0);
    let wanted = id.clone();
    let rotated = state
        .db(move |store| store.machines().rotate_api_key(&wanted, &hash))
        .await?;
    if !rotated {
        return Err(AdminError::NoSuchMachine(id.clone()));
    }
    record(state, "machine.rotate_api_key", &id.0).await?;
    Ok(api_key)
}

/// Issues a new webhook secret to a machine. The old one keeps working for `grace`
/// (at most a week), so the operator can switch the machine over without losing
/// reports. Returns the secret and until when the old one works.
pub async fn rotate_webhook_secret(
    state: &AppState,
    id: &MachineId,
    grace: Duration,
) -> AdminResult<(WebhookSecret, crate::store::UnixMillis)> {
    if grace > Duration::from_secs(MAX_WEBHOOK_GRACE_SECONDS) {
        return Err(AdminError::InvalidField(
            "grace_seconds must be at most 604800 (a week)",
        ));
    }
    let next = WebhookSecret::generate();
    let (wanted, stored) = (id.clone(), next.clone());
    let until = state.clock.now_millis() + grace.as_millis() as i64;
    let rotated = state
        .db(move |store| {
            store
                .machines()
                .rotate_webhook_secret(&wanted, &stored, until)
        })
        .await?;
    if !rotated {
        return Err(AdminError::NoSuchMachine(id.clone()));
    }
    record(state, "machine.rotate_webhook_secret", &id.0).await?;
    Ok((next, until))
}

/// Revokes a machine: its API key and webhook secret are refused from the next
/// request on.
pub async fn revoke_machine(state: &AppState, id: &MachineId) -> AdminResult<()> {
    let wanted = id.clone();
    if !state
        .db(move |store| store.machines().revoke_machine(&wanted))
        .await?
    {
        return Err(AdminError::NoSuchMachine(id.clone()));
    }
    record(state, "machine.revoke", &id.0).await
}

/// Revokes a device: its sessions end, codes it signed are refused
/// (`unknown_device`), and its next sign-in registers a new device with a new secret.
pub async fn revoke_device(state: &AppState, id: DeviceId) -> AdminResult<()> {
    let now = state.clock.now_millis();
    if !state
        .db(move |store| store.devices().revoke_device(id, now))
        .await?
    {
        return Err(AdminError::NoSuchDevice(id));
    }
    record(state, "device.revoke", &format!("device:{id}")).await
}
