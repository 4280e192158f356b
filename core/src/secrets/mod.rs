//! Where a device keeps its own secrets (refresh token, device secret): behind a small
//! trait, so the app and CLI use the platform's keystore and tests use memory or the
//! keyring family's mock store.

use std::collections::HashMap;
use std::sync::Mutex;

/// The names under which the core stores secrets.
pub mod keys {
    pub const REFRESH_TOKEN: &str = "refresh_token";
    pub const DEVICE_SECRET: &str = "device_secret";
    /// Not secret, but kept beside the device secret it belongs to.
    pub const DEVICE_ID: &str = "device_id";
    pub const USER_ID: &str = "user_id";
    pub const APP_ID: &str = "app_id";
}

#[derive(Debug, thiserror::Error)]
pub enum SecretStoreError {
    #[error("no secure storage is available on this system: {0}")]
    Unavailable(String),
    #[error("secure storage refused access: {0}")]
    Denied(String),
}

pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError>;
    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError>;
    /// Deleting a missing key is not an error.
    fn delete(&self, key: &str) -> Result<(), SecretStoreError>;
}

/// Secrets in process memory: for tests, and for runs that must leave nothing behind.
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    entries: Mutex<HashMap<String, String>>,
}

impl MemorySecretStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl MemorySecretStore {
    fn entries(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, String>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SecretStore for MemorySecretStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError> {
        Ok(self.entries().get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        self.entries().remove(key);
        Ok(())
    }
}

#[cfg(feature = "keyring")]
mod keyring;
#[cfg(feature = "keyring")]
pub use keyring::KeyringSecretStore;

/// Whether secrets stored in the OS keychain now are still there for the next run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeychainLifetime {
    /// Kept across runs (the platform's keychain, or a Linux session keyring).
    Lasting,
    /// Lost when this process exits.
    ThisProcessOnly,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_sets_gets_and_deletes() {
        let store = MemorySecretStore::new();
        assert_eq!(store.get(keys::REFRESH_TOKEN).unwrap(), None);
        store.set(keys::REFRESH_TOKEN, "r1").unwrap();
        store.set(keys::REFRESH_TOKEN, "r2").unwrap();
        assert_eq!(
            store.get(keys::REFRESH_TOKEN).unwrap().as_deref(),
            Some("r2")
        );
        store.delete(keys::REFRESH_TOKEN).unwrap();
        store.delete(keys::REFRESH_TOKEN).unwrap();
        assert_eq!(store.get(keys::REFRESH_TOKEN).unwrap(), None);
    }
}
