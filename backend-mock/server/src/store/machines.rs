//! What the store keeps of machines: the API key's hash, the webhook secret and its
//! rotation, revocation.

use super::{StoreResult, UnixMillis};
pub use gashapay_core::api::MachineKind;
use gashapay_core::ids::MachineId;
use gashapay_core::webhook::WebhookSecret;

#[derive(Debug, Clone)]
pub struct MachineRecord {
    pub id: MachineId,
    pub name: String,
    pub api_key_hash: [u8; 32],
    pub webhook_secret: WebhookSecret,
    /// The secret before the last rotation, and until when it is still accepted.
    pub previous_webhook_secret: Option<(WebhookSecret, UnixMillis)>,
    pub revoked: bool,
    /// Where it stands, for the operator.
    pub location: String,
    pub kind: MachineKind,
}

/// A machine an operator creates, with the hash of its API key.
#[derive(Debug, Clone)]
pub struct NewMachineRecord {
    pub id: MachineId,
    pub name: String,
    pub location: String,
    pub kind: MachineKind,
    pub api_key_hash: [u8; 32],
    pub webhook_secret: WebhookSecret,
}

impl MachineRecord {
    /// The webhook secrets accepted at `now`: the current one, and the previous one
    /// during its grace window.
    pub fn webhook_secrets(&self, now: UnixMillis) -> Vec<WebhookSecret> {
        let mut secrets = vec![self.webhook_secret.clone()];
        if let Some((previous, until)) = &self.previous_webhook_secret {
            if now < *until {
                secrets.push(previous.clone());
            }
        }
        secrets
    }
}

/// Machines and their credentials.
pub trait MachineStore: Send + Sync {
    /// Creates or replaces a machine (the demo's and the tests' way in).
    fn upsert_machine(
        &self,
        id: &MachineId,
        name: &str,
        kind: MachineKind,
        api_key_hash: &[u8; 32],
        webhook_secret: &WebhookSecret,
    ) -> StoreResult<()>;
    fn machine(&self, id: &MachineId) -> StoreResult<Option<MachineRecord>>;
    /// Every machine, by id.
    fn all(&self) -> StoreResult<Vec<MachineRecord>>;
    /// A new machine; `Duplicate` if the id is taken.
    fn create_machine(&self, machine: &NewMachineRecord) -> StoreResult<()>;
    /// Replaces the API key's hash; the old key stops at once. False if there is no
    /// such active machine.
    fn rotate_api_key(&self, id: &MachineId, api_key_hash: &[u8; 32]) -> StoreResult<bool>;
    /// Makes `next` the webhook secret; the old one stays valid until
    /// `previous_valid_until`. False if there is no such active machine.
    fn rotate_webhook_secret(
        &self,
        id: &MachineId,
        next: &WebhookSecret,
        previous_valid_until: UnixMillis,
    ) -> StoreResult<bool>;
    /// False if there is no such machine.
    fn revoke_machine(&self, id: &MachineId) -> StoreResult<bool>;
}
