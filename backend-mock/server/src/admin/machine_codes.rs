//! Printed machine codes as the operator manages them (PROTOCOL §10.1): create, move
//! to another machine, switch off and on. Each change is in the audit trail.

use super::operator::record;
use super::{AdminError, AdminResult};
use crate::state::AppState;
use crate::store::{CodeChange, MachineCodeRecord};
use gashapay_core::ids::MachineId;
use gashapay_core::links::MACHINE_CODE_PREFIX;
use rand::RngCore;

/// `prefix` (`mc_` for printed codes, `rc_` for reward codes) and 20 characters of
/// `a-z 2-7`: 100 random bits.
pub fn new_code_id(prefix: &str) -> String {
    let mut bytes = [0u8; 13];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let text = data_encoding::BASE32_NOPAD
        .encode(&bytes)
        .to_ascii_lowercase();
    format!("{prefix}{}", &text[..20])
}

fn done(change: CodeChange, machine: &MachineId, code: &str) -> AdminResult<MachineCodeRecord> {
    match change {
        CodeChange::Done(record) => Ok(record),
        CodeChange::NoSuchCode => Err(AdminError::NoSuchCode(code.to_owned())),
        CodeChange::NoSuchMachine => Err(AdminError::NoSuchMachine(machine.clone())),
        CodeChange::MachineRevoked => Err(AdminError::InvalidField(
            "the machine is revoked: it cannot take a code",
        )),
    }
}

pub async fn create(state: &AppState, machine: MachineId) -> AdminResult<MachineCodeRecord> {
    let (id, now) = (new_code_id(MACHINE_CODE_PREFIX), state.clock.now_millis());
    let (code, target) = (id.clone(), machine.clone());
    let change = state
        .db(move |store| store.machine_codes().create(&code, &target, now))
        .await?;
    let created = done(change, &machine, &id)?;
    record(
        state,
        "create_machine_code",
        &format!("{id} → {}", machine.0),
    )
    .await?;
    Ok(created)
}

pub async fn move_to(
    state: &AppState,
    code: String,
    machine: MachineId,
) -> AdminResult<MachineCodeRecord> {
    let now = state.clock.now_millis();
    let (id, target) = (code.clone(), machine.clone());
    let change = state
        .db(move |store| store.machine_codes().move_to(&id, &target, now))
        .await?;
    let moved = done(change, &machine, &code)?;
    record(
        state,
        "modify_machine_code",
        &format!("{code} → {}", machine.0),
    )
    .await?;
    Ok(moved)
}

pub async fn set_active(
    state: &AppState,
    code: String,
    active: bool,
) -> AdminResult<MachineCodeRecord> {
    let now = state.clock.now_millis();
    let id = code.clone();
    let change = state
        .db(move |store| store.machine_codes().set_active(&id, active, now))
        .await?;
    let changed = done(change, &MachineId(String::new()), &code)?;
    let action = if active {
        "enable_machine_code"
    } else {
        "disable_machine_code"
    };
    record(state, action, &code).await?;
    Ok(changed)
}

pub async fn list(state: &AppState) -> AdminResult<Vec<MachineCodeRecord>> {
    Ok(state.db(|store| store.machine_codes().all()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_code_ids_are_what_links_accept_and_never_repeat() {
        let ids: std::collections::HashSet<String> = (0..1000)
            .map(|_| new_code_id(MACHINE_CODE_PREFIX))
            .collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids
            .iter()
            .all(|id| gashapay_core::links::is_machine_code_id(id)));
    }
}
