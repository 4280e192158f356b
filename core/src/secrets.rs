//! Where a device keeps its own secrets (refresh token, device secret): behind a small
//! trait, so the app and CLI use the OS keychain and tests use memory.

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

/// The OS keychain (macOS/iOS Keychain, Windows Credential Manager, Linux kernel
/// keyutils) through the `keyring` crate. `service` separates profiles, e.g. one per
/// server.
#[cfg(feature = "keyring")]
pub struct KeyringSecretStore {
    service: String,
}

#[cfg(feature = "keyring")]
impl KeyringSecretStore {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, SecretStoreError> {
        keyring::Entry::new(&self.service, key).map_err(map_keyring_error)
    }
}

/// Whether secrets stored in the OS keychain now are still there for the next run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeychainLifetime {
    /// Kept across runs (the platform's keychain, or a Linux session keyring).
    Lasting,
    /// Lost when this process exits.
    ThisProcessOnly,
}

#[cfg(feature = "keyring")]
impl KeyringSecretStore {
    /// On Linux the `keyring` crate keeps secrets in the kernel's session keyring. A
    /// process started outside a login session that set one up (a container's
    /// shell, cron, an ssh login without `pam_keyinit`) has none of its own: the
    /// kernel then shows it the user's shared fallback keyring, and the crate's first
    /// write creates a new session keyring that dies with the process.
    #[cfg(target_os = "linux")]
    pub fn lifetime(&self) -> KeychainLifetime {
        const KEYCTL_GET_KEYRING_ID: libc::c_long = 0;
        const KEY_SPEC_SESSION_KEYRING: libc::c_long = -3;
        const KEY_SPEC_USER_SESSION_KEYRING: libc::c_long = -5;
        #[allow(unsafe_code, reason = "the keyctl syscall has no safe wrapper")]
        let id_of = |special: libc::c_long| {
            // SAFETY: KEYCTL_GET_KEYRING_ID with create = 0 takes no pointers.
            unsafe { libc::syscall(libc::SYS_keyctl, KEYCTL_GET_KEYRING_ID, special, 0) }
        };
        // Asking for the session keyring of a thread that has none installs the
        // fallback as that thread's own, so ask from a thread that is then thrown
        // away: the caller's threads stay as they were.
        let ids = std::thread::spawn(move || {
            (
                id_of(KEY_SPEC_SESSION_KEYRING),
                id_of(KEY_SPEC_USER_SESSION_KEYRING),
            )
        })
        .join();
        match ids {
            Ok((session, user_session)) if session >= 0 && session != user_session => {
                KeychainLifetime::Lasting
            }
            _ => KeychainLifetime::ThisProcessOnly,
        }
    }

    /// The other platforms' keychains belong to the user's account.
    #[cfg(not(target_os = "linux"))]
    pub fn lifetime(&self) -> KeychainLifetime {
        KeychainLifetime::Lasting
    }
}

#[cfg(feature = "keyring")]
fn map_keyring_error(error: keyring::Error) -> SecretStoreError {
    match error {
        keyring::Error::NoStorageAccess(e) => SecretStoreError::Denied(e.to_string()),
        keyring::Error::PlatformFailure(e) => SecretStoreError::Unavailable(e.to_string()),
        other => SecretStoreError::Unavailable(other.to_string()),
    }
}

#[cfg(feature = "keyring")]
impl SecretStore for KeyringSecretStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError> {
        self.entry(key)?
            .set_password(value)
            .map_err(map_keyring_error)
    }
    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
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
