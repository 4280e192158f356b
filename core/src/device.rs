//! The device's own credentials, kept in a [`SecretStore`], and making a signed code
//! from them with no network round trip.

use crate::ids::{AppId, DeviceId, Points, UserId};
use crate::qr::{DeviceSecret, QrError, QrPayload, SignedCode};
use crate::secrets::{keys, SecretStore, SecretStoreError};

/// Everything needed to sign a code offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCredentials {
    pub app_id: AppId,
    pub user_id: UserId,
    pub device_id: DeviceId,
    pub secret: DeviceSecret,
}

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("this device is not signed in; sign in first")]
    NotRegistered,
    #[error("the stored device credentials are damaged; sign in again")]
    Corrupt,
    #[error(transparent)]
    Storage(#[from] SecretStoreError),
    #[error(transparent)]
    Code(#[from] QrError),
}

impl DeviceCredentials {
    pub fn load(store: &dyn SecretStore) -> Result<Self, DeviceError> {
        let field = |key| store.get(key).map_err(DeviceError::from);
        let (Some(app), Some(user), Some(device), Some(secret)) = (
            field(keys::APP_ID)?,
            field(keys::USER_ID)?,
            field(keys::DEVICE_ID)?,
            field(keys::DEVICE_SECRET)?,
        ) else {
            return Err(DeviceError::NotRegistered);
        };
        Ok(Self {
            app_id: AppId(app.parse().map_err(|_| DeviceError::Corrupt)?),
            user_id: UserId(user.parse().map_err(|_| DeviceError::Corrupt)?),
            device_id: DeviceId(device.parse().map_err(|_| DeviceError::Corrupt)?),
            secret: DeviceSecret::from_base64(&secret).ok_or(DeviceError::Corrupt)?,
        })
    }

    pub fn save(&self, store: &dyn SecretStore) -> Result<(), DeviceError> {
        // The secret goes last, so a half-written set is "not registered", not corrupt.
        store.set(keys::APP_ID, &self.app_id.0.to_string())?;
        store.set(keys::USER_ID, &self.user_id.0.to_string())?;
        store.set(keys::DEVICE_ID, &self.device_id.0.to_string())?;
        store.set(keys::DEVICE_SECRET, &self.secret.to_base64())?;
        Ok(())
    }

    /// Signs a new one-time code for `points`, issued at `now` (Unix seconds).
    pub fn make_code(
        &self,
        points: Points,
        now: u64,
        ttl_seconds: u16,
    ) -> Result<SignedCode, DeviceError> {
        let payload = QrPayload::new_play(
            self.app_id,
            self.user_id,
            self.device_id,
            points,
            now,
            ttl_seconds,
        )?;
        Ok(payload.sign(&self.secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecretStore;

    #[test]
    fn credentials_round_trip_through_a_store_and_sign_verifiable_codes() {
        let store = MemorySecretStore::new();
        assert!(matches!(
            DeviceCredentials::load(&store),
            Err(DeviceError::NotRegistered)
        ));
        let creds = DeviceCredentials {
            app_id: AppId(1),
            user_id: UserId(9),
            device_id: DeviceId(4),
            secret: DeviceSecret::generate(),
        };
        creds.save(&store).unwrap();
        let loaded = DeviceCredentials::load(&store).unwrap();
        assert_eq!(loaded, creds);

        let code = loaded.make_code(Points(50), 1_000, 300).unwrap();
        let parsed = SignedCode::parse(&code.to_text()).unwrap();
        parsed.verify(&creds.secret).unwrap();
        assert_eq!(parsed.payload.user_id, UserId(9));
        assert_eq!(parsed.payload.points, Points(50));
    }

    #[test]
    fn damaged_credentials_are_reported_not_panicked_on() {
        let store = MemorySecretStore::new();
        for key in [keys::APP_ID, keys::USER_ID, keys::DEVICE_ID] {
            store.set(key, "1").unwrap();
        }
        store.set(keys::DEVICE_SECRET, "not base64!").unwrap();
        assert!(matches!(
            DeviceCredentials::load(&store),
            Err(DeviceError::Corrupt)
        ));
    }
}
