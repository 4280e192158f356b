//! The JSON bodies of the operator's endpoints (`paths::ADMIN_*`).

use super::MachineKind;
use crate::ids::{DeviceId, MachineId, Points, UserId};
use crate::Redacted;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest grace window a rotated webhook secret may keep working: a week.
pub const MAX_WEBHOOK_GRACE_SECONDS: u64 = 7 * 24 * 3600;
/// Longest machine name or location.
pub const MAX_MACHINE_TEXT: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewMachine {
    /// 1–64 characters of `a-z`, `0-9`, `_` and `-`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[a-z0-9_-]{1,64}$"))]
    pub machine_id: MachineId,
    /// Shown to players in their history; 1–200 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    /// Where it stands, for the operator; up to 200 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub location: String,
    /// `dispenser` (the default) or `arcade`: whether the app speaks of a prize or a
    /// game.
    #[serde(default)]
    pub kind: MachineKind,
}

/// A machine as the operator sees it (never its secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MachineView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub machine_id: MachineId,
    pub name: String,
    pub location: String,
    pub kind: MachineKind,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MachineList {
    pub machines: Vec<MachineView>,
}

/// A new machine and its credentials, given once: only the API key's hash is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewMachineAnswer {
    pub machine: MachineView,
    /// `Authorization: Bearer <api_key>` on validate.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub api_key: Redacted,
    /// `whsec_<base64>`: signs the machine's webhooks.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub webhook_secret: Redacted,
}

/// A machine's new API key; the previous one stops working at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyAnswer {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub api_key: Redacted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotateWebhookSecret {
    /// How long the previous secret keeps working, 0 to 604,800 seconds.
    #[cfg_attr(feature = "openapi", schema(maximum = 604800))]
    pub grace_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookSecretAnswer {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub webhook_secret: Redacted,
    /// Until when the previous secret is still accepted.
    pub previous_valid_until: DateTime<Utc>,
}

/// One change an operator made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// E.g. `machine.create`, `machine.revoke`, `device.revoke`.
    pub action: String,
    /// What it was done to: a machine id, `device:<id>`.
    pub subject: String,
}

/// The newest changes first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditList {
    pub entries: Vec<AuditEntry>,
}

/// A user an operator creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUser {
    /// 3–32 characters of `a-z`, `0-9`, `_`, `.` and `-`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9_.-]{3,32}$"))]
    pub username: String,
    /// 8 to 256 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, min_length = 8, max_length = 256))]
    pub password: Redacted,
    /// Welcome points, 0 to 100,000, credited as a `top_up` entry labelled "Welcome
    /// points".
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = u64, maximum = 100000))]
    pub points: Points,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub user_id: UserId,
    pub username: String,
    pub banned: bool,
    pub balance: Points,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserList {
    pub users: Vec<UserView>,
}

/// Points an operator gives, with the label the user sees in their history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    /// 1 to 100,000.
    #[cfg_attr(feature = "openapi", schema(value_type = u64, minimum = 1, maximum = 100000))]
    pub points: Points,
    /// 1–100 characters, e.g. "Apology for the jam at Shibuya".
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantAnswer {
    pub balance: Points,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceView {
    pub device_id: DeviceId,
    pub name: String,
    pub revoked: bool,
    pub registered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceList {
    pub devices: Vec<DeviceView>,
}

/// Most points one grant may give.
pub const MAX_GRANT: u64 = 100_000;
/// Longest grant label.
pub const MAX_GRANT_LABEL: usize = 100;
