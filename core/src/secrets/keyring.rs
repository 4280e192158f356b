//! The platform's keystore through the keyring family: `keyring-core` with one store
//! crate per platform, chosen when the store is opened.
//!
//! | target  | store                                                   |
//! |---------|---------------------------------------------------------|
//! | iOS     | Apple's protected data store (needs a signed app)       |
//! | macOS   | the login keychain                                      |
//! | Android | the Android keystore (a key that encrypts the secrets)  |
//! | Windows | the Credential Manager                                  |
//! | Linux   | the kernel's keyutils (no daemon needed)                |

use super::{KeychainLifetime, SecretStore, SecretStoreError};
use keyring_core::api::CredentialPersistence;
use keyring_core::{CredentialStore, Entry, Error};
use std::sync::Arc;

/// Secrets under one `service` name (the app and the CLI keep one per server) in a
/// keyring store.
pub struct KeyringSecretStore {
    store: Arc<CredentialStore>,
    service: String,
}

impl std::fmt::Debug for KeyringSecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyringSecretStore")
            .field("vendor", &self.store.vendor())
            .field("service", &self.service)
            .finish()
    }
}

impl KeyringSecretStore {
    /// The platform's keystore, checked by writing, reading back and deleting a
    /// value: a store that opens but cannot keep a value is no store.
    pub fn open(service: impl Into<String>) -> Result<Self, SecretStoreError> {
        let store = Self::platform(service)?;
        store.probe()?;
        Ok(store)
    }

    /// The platform's keystore, unchecked: its first use tells whether it works.
    pub fn platform(service: impl Into<String>) -> Result<Self, SecretStoreError> {
        Ok(Self::in_store(platform_store()?, service))
    }

    /// Secrets in a given keyring store (tests pass `keyring_core::mock::Store`).
    pub fn in_store(store: Arc<CredentialStore>, service: impl Into<String>) -> Self {
        Self {
            store,
            service: service.into(),
        }
    }

    fn probe(&self) -> Result<(), SecretStoreError> {
        const PROBE: &str = "probe";
        self.set(PROBE, "ok")?;
        let read = self.get(PROBE)?;
        self.delete(PROBE)?;
        match read.as_deref() {
            Some("ok") => Ok(()),
            _ => Err(SecretStoreError::Unavailable(
                "the keystore did not keep a value".into(),
            )),
        }
    }

    fn entry(&self, key: &str) -> Result<Entry, SecretStoreError> {
        Entry::new_in_store(&self.store, &self.service, key).map_err(map_keyring_error)
    }

    /// On Linux the kernel keyring belongs to the login session. A process started
    /// outside a login session that set one up (a container's shell, cron, an ssh
    /// login without `pam_keyinit`) has none of its own: the kernel then shows it the
    /// user's shared fallback keyring, and the store's first write creates a new
    /// session keyring that dies with the process.
    #[cfg(target_os = "linux")]
    pub fn lifetime(&self) -> KeychainLifetime {
        match self.store.persistence() {
            CredentialPersistence::EntryOnly | CredentialPersistence::ProcessOnly => {
                KeychainLifetime::ThisProcessOnly
            }
            _ if linux_session_keyring_is_own() => KeychainLifetime::Lasting,
            _ => KeychainLifetime::ThisProcessOnly,
        }
    }

    /// The other platforms' stores belong to the user's account or the app.
    #[cfg(not(target_os = "linux"))]
    pub fn lifetime(&self) -> KeychainLifetime {
        match self.store.persistence() {
            CredentialPersistence::EntryOnly | CredentialPersistence::ProcessOnly => {
                KeychainLifetime::ThisProcessOnly
            }
            _ => KeychainLifetime::Lasting,
        }
    }
}

/// The store of the platform this build runs on.
fn platform_store() -> Result<Arc<CredentialStore>, SecretStoreError> {
    #[cfg(target_os = "ios")]
    let store = apple_native_keyring_store::protected::Store::new();
    #[cfg(target_os = "macos")]
    let store = apple_native_keyring_store::keychain::Store::new();
    #[cfg(target_os = "android")]
    let store = android_native_keyring_store::Store::new();
    #[cfg(target_os = "windows")]
    let store = windows_native_keyring_store::Store::new();
    #[cfg(target_os = "linux")]
    let store = linux_keyutils_keyring_store::Store::new();
    #[cfg(not(any(
        target_os = "ios",
        target_os = "macos",
        target_os = "android",
        target_os = "windows",
        target_os = "linux"
    )))]
    let store: Result<Arc<CredentialStore>, Error> = Err(Error::NotSupportedByStore(
        "no keystore is known for this platform".into(),
    ));
    match store {
        Ok(store) => Ok(store),
        Err(error) => Err(map_keyring_error(error)),
    }
}

#[cfg(target_os = "linux")]
fn linux_session_keyring_is_own() -> bool {
    const KEYCTL_GET_KEYRING_ID: libc::c_long = 0;
    const KEY_SPEC_SESSION_KEYRING: libc::c_long = -3;
    const KEY_SPEC_USER_SESSION_KEYRING: libc::c_long = -5;
    #[allow(unsafe_code, reason = "the keyctl syscall has no safe wrapper")]
    let id_of = |special: libc::c_long| {
        // SAFETY: KEYCTL_GET_KEYRING_ID with create = 0 takes no pointers.
        unsafe { libc::syscall(libc::SYS_keyctl, KEYCTL_GET_KEYRING_ID, special, 0) }
    };
    // Asking for the session keyring of a thread that has none installs the
    // fallback as that thread's own, so ask from a thread that is then thrown away:
    // the caller's threads stay as they were.
    let ids = std::thread::spawn(move || {
        (
            id_of(KEY_SPEC_SESSION_KEYRING),
            id_of(KEY_SPEC_USER_SESSION_KEYRING),
        )
    })
    .join();
    matches!(ids, Ok((session, user_session)) if session >= 0 && session != user_session)
}

fn map_keyring_error(error: Error) -> SecretStoreError {
    match error {
        Error::NoStorageAccess(e) => SecretStoreError::Denied(e.to_string()),
        Error::PlatformFailure(e) => SecretStoreError::Unavailable(e.to_string()),
        other => SecretStoreError::Unavailable(other.to_string()),
    }
}

impl SecretStore for KeyringSecretStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(Error::NoEntry) => Ok(None),
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
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::keys;
    use keyring_core::mock;

    fn mock_store() -> (Arc<mock::Store>, KeyringSecretStore) {
        let mock = mock::Store::new().expect("the mock store opens");
        let store = KeyringSecretStore::in_store(mock.clone(), "gashapay-test");
        (mock, store)
    }

    #[test]
    fn secrets_are_set_read_replaced_and_deleted_per_service() {
        let (mock, store) = mock_store();
        assert_eq!(store.get(keys::REFRESH_TOKEN).unwrap(), None);
        store.set(keys::REFRESH_TOKEN, "r1").unwrap();
        store.set(keys::REFRESH_TOKEN, "r2").unwrap();
        assert_eq!(
            store.get(keys::REFRESH_TOKEN).unwrap().as_deref(),
            Some("r2")
        );
        // Another server's profile in the same keystore sees none of it.
        let other = KeyringSecretStore::in_store(mock, "gashapay-other");
        assert_eq!(other.get(keys::REFRESH_TOKEN).unwrap(), None);
        store.delete(keys::REFRESH_TOKEN).unwrap();
        store.delete(keys::REFRESH_TOKEN).unwrap();
        assert_eq!(store.get(keys::REFRESH_TOKEN).unwrap(), None);
    }

    #[test]
    fn a_second_opening_of_the_same_store_reads_what_the_first_wrote() {
        let (mock, first) = mock_store();
        first.set(keys::DEVICE_SECRET, "s3cret").unwrap();
        drop(first);
        let again = KeyringSecretStore::in_store(mock, "gashapay-test");
        assert_eq!(
            again.get(keys::DEVICE_SECRET).unwrap().as_deref(),
            Some("s3cret")
        );
    }

    #[test]
    fn a_keystore_that_refuses_access_is_reported_as_denied_and_keeps_its_value() {
        let (_mock, store) = mock_store();
        store.set(keys::DEVICE_SECRET, "kept").unwrap();
        let entry = store.entry(keys::DEVICE_SECRET).unwrap();
        let cred: &mock::Cred = entry.as_any().downcast_ref().expect("a mock credential");
        cred.set_error(Error::NoStorageAccess("locked".into()));
        assert!(matches!(
            store.get(keys::DEVICE_SECRET),
            Err(SecretStoreError::Denied(_))
        ));
        assert_eq!(
            store.get(keys::DEVICE_SECRET).unwrap().as_deref(),
            Some("kept")
        );
    }

    #[test]
    fn the_probe_passes_on_a_working_store_and_leaves_nothing_behind() {
        let (_mock, store) = mock_store();
        store.probe().unwrap();
        assert_eq!(store.get("probe").unwrap(), None);
    }
}
