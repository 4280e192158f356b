//! Identifiers and amounts. Newtypes so that a user id can never be passed where a
//! device id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// The application a QR code was made by (the payload's "App ID").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppId(pub u32);

/// A user account on the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserId(pub u64);

/// A signed-in device; it names the secret a QR code is signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceId(pub u32);

/// A point amount or balance. Points are whole numbers; there is no currency here.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Points(pub u64);

/// One play attempt. The app makes it when it makes the QR code, offline: a UUID v7,
/// whose time prefix makes the backend's index inserts land on the newest pages
/// instead of a random one each (random v4 ids cost group commit half its speed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransactionId(pub Uuid);

/// A machine registered with the backend, e.g. `m_demo`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MachineId(pub String);

impl TransactionId {
    pub fn new_random() -> Self {
        Self(Uuid::now_v7())
    }
}

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for TransactionId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

macro_rules! display_inner {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}
display_inner!(AppId, UserId, DeviceId, Points, MachineId);

impl Points {
    pub fn checked_sub(self, other: Points) -> Option<Points> {
        self.0.checked_sub(other.0).map(Points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_transaction_ids_sort_in_the_order_they_were_made() {
        // The backend stores ids as text; time-ordered text keeps its inserts local.
        let ids: Vec<String> = (0..50)
            .map(|_| {
                std::thread::sleep(std::time::Duration::from_millis(1));
                TransactionId::new_random().to_string()
            })
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert!(ids.iter().all(|id| id.as_bytes()[14] == b'7'), "{ids:?}");
    }
}
