//! What the store keeps of the devices a player signs in from, with the secret each
//! signs its codes with.

use super::{StoreResult, UnixMillis};
use gashapay_core::ids::{DeviceId, UserId};
use gashapay_core::qr::DeviceSecret;

/// A device as the operator sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSummary {
    pub id: DeviceId,
    pub name: String,
    pub revoked: bool,
    pub registered_at: UnixMillis,
}

#[derive(Debug, Clone)]
pub struct DeviceRecord {
    pub id: DeviceId,
    pub user_id: UserId,
    pub secret: DeviceSecret,
    pub revoked: bool,
}

/// The devices players sign in from.
pub trait DeviceStore: Send + Sync {
    fn register_device(
        &self,
        user: UserId,
        name: &str,
        secret: &DeviceSecret,
        now: UnixMillis,
    ) -> StoreResult<DeviceId>;
    fn device(&self, id: DeviceId) -> StoreResult<Option<DeviceRecord>>;
    /// A user's devices, by id.
    fn devices_of(&self, user: UserId) -> StoreResult<Vec<DeviceSummary>>;
    /// Revokes the device and ends its sign-ins. False if there is no such device.
    fn revoke_device(&self, id: DeviceId, now: UnixMillis) -> StoreResult<bool>;
}
