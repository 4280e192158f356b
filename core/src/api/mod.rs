//! The JSON bodies of every endpoint, shared by the backend and its clients so that
//! neither can drift from the other. Paths are constants here too.

use crate::ids::{AppId, DeviceId, MachineId, Points, TransactionId, UserId};
use crate::status::{DispenseOutcome, RefundReason, TransactionStatus};
use crate::{ErrorCode, Redacted};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod paths {
    pub const HEALTH: &str = "/health";
    pub const LOGIN: &str = "/api/v1/auth/login";
    pub const SIGNUP: &str = "/api/v1/auth/signup";
    pub const REFRESH: &str = "/api/v1/auth/refresh";
    pub const LOGOUT: &str = "/api/v1/auth/logout";
    pub const BALANCE: &str = "/api/v1/account/balance";
    pub const HISTORY: &str = "/api/v1/account/history";
    pub const TOP_UP: &str = "/api/v1/account/topup";
    /// What the player has running: open pay-first sessions and timed rewards.
    pub const RUNNING: &str = "/api/v1/account/running";
    pub const VALIDATE: &str = "/api/v1/gashapon/validate";
    pub const WEBHOOK: &str = "/api/v1/gashapon/webhook";
    /// Followed by `/{transaction_id}`.
    pub const TRANSACTION: &str = "/api/v1/gashapon/transaction";
    /// [`TRANSACTION`] with its parameter, as routers and the OpenAPI document write it.
    pub const TRANSACTION_BY_ID: &str = "/api/v1/gashapon/transaction/{transaction_id}";
    /// The OpenAPI document of every endpoint above.
    pub const OPENAPI: &str = "/api/v1/openapi.json";

    /// The operator's endpoints (`Authorization: Bearer <operator key>`).
    pub const ADMIN_MACHINES: &str = "/api/v1/admin/machines";
    pub const ADMIN_MACHINE: &str = "/api/v1/admin/machines/{machine_id}";
    pub const ADMIN_MACHINE_API_KEY: &str = "/api/v1/admin/machines/{machine_id}/api-key";
    pub const ADMIN_MACHINE_WEBHOOK_SECRET: &str =
        "/api/v1/admin/machines/{machine_id}/webhook-secret";
    pub const ADMIN_MACHINE_REVOKE: &str = "/api/v1/admin/machines/{machine_id}/revoke";
    pub const ADMIN_DEVICE_REVOKE: &str = "/api/v1/admin/devices/{device_id}/revoke";
    pub const ADMIN_AUDIT: &str = "/api/v1/admin/audit";
    pub const ADMIN_USERS: &str = "/api/v1/admin/users";
    pub const ADMIN_USER: &str = "/api/v1/admin/users/{user_id}";
    pub const ADMIN_USER_BAN: &str = "/api/v1/admin/users/{user_id}/ban";
    pub const ADMIN_USER_UNBAN: &str = "/api/v1/admin/users/{user_id}/unban";
    pub const ADMIN_USER_GRANTS: &str = "/api/v1/admin/users/{user_id}/grants";
    pub const ADMIN_USER_DEVICES: &str = "/api/v1/admin/users/{user_id}/devices";
    pub const ADMIN_MACHINE_SALES: &str = "/api/v1/admin/machines/{machine_id}/sales";
    pub const ADMIN_MACHINE_CODES: &str = "/api/v1/admin/machine-codes";
    pub const ADMIN_MACHINE_CODE_MODIFY: &str = "/api/v1/admin/machine-codes/{code_id}/modify";
    pub const ADMIN_MACHINE_CODE_STATUS: &str = "/api/v1/admin/machine-codes/{code_id}/status";

    /// The machine-shown codes (PROTOCOL §10), for the app.
    pub const MACHINE_CODE: &str = "/api/v1/machine-codes/{code_id}";
    pub const SESSIONS: &str = "/api/v1/machine-sessions";
    pub const SESSION: &str = "/api/v1/machine-sessions/{session_id}";
    pub const SESSION_END: &str = "/api/v1/machine-sessions/{session_id}/end";
    pub const ORDER_CHECK: &str = "/api/v1/orders/check";
    pub const ORDER_PAY: &str = "/api/v1/orders/pay";
    /// … and for the machine.
    pub const MACHINE_CURRENT_SESSION: &str = "/api/v1/machine/session";
    pub const MACHINE_SESSION_PURCHASES: &str = "/api/v1/machine/sessions/{session_id}/purchases";
    pub const MACHINE_SESSION_END: &str = "/api/v1/machine/sessions/{session_id}/end";
    pub const MACHINE_ORDER: &str = "/api/v1/machine/orders/{order_id}";
    // Rewards (PROTOCOL §12): the partner's calls, the codes' images, the player's.
    pub const REWARD_REQUEST: &str = "/api/v1/rewards/request";
    pub const REWARD_END: &str = "/api/v1/rewards/end";
    pub const REWARD_CODE: &str = "/api/v1/rewards/codes/{code_id}";
    pub const REWARD_CODE_PNG: &str = "/api/v1/rewards/codes/{code_id}/qr.png";
    pub const REWARD_CODE_SVG: &str = "/api/v1/rewards/codes/{code_id}/qr.svg";
    pub const REWARD_CLAIM: &str = "/api/v1/rewards/codes/{code_id}/claim";
    pub const REWARD_SESSION: &str = "/api/v1/rewards/sessions/{session_id}";
    pub const ADMIN_PARTNERS: &str = "/api/v1/admin/partners";
    pub const ADMIN_PARTNER_SECRET: &str = "/api/v1/admin/partners/{app_id}/secret";
    pub const ADMIN_PARTNER_REVOKE: &str = "/api/v1/admin/partners/{app_id}/revoke";

    /// The pages a printed code or an order link opens in a browser, and the files
    /// phones fetch to hand the backend's links to the app.
    pub const LINK_MACHINE_CODE: &str = "/l/m/{code_id}";
    pub const LINK_ORDER: &str = "/l/o/{machine_id}/{order_id}";
    pub const LINK_REWARD: &str = "/l/r/{code_id}";
    pub const APPLE_APP_SITE_ASSOCIATION: &str = "/.well-known/apple-app-site-association";
    pub const ANDROID_ASSET_LINKS: &str = "/.well-known/assetlinks.json";

    /// `template` with its one `{name}` parameter replaced by `value`.
    pub fn with_param(template: &str, value: &str) -> String {
        match (template.find('{'), template.find('}')) {
            (Some(open), Some(close)) if open < close => {
                format!("{}{value}{}", &template[..open], &template[close + 1..])
            }
            _ => template.to_owned(),
        }
    }
}

pub mod admin;
pub mod machine_pay;
pub mod rewards;

/// The header that makes a top-up idempotent.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// Longest `wait` a status request may ask for.
pub const MAX_LONG_POLL_SECONDS: u64 = 30;

/// Every error response: `{ "error": code, "message": text }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
}

impl ErrorBody {
    pub fn new(error: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub password: Redacted,
    pub device: DeviceLogin,
}

/// The device signing in. Without an id (first sign-in on this device, or its secret
/// was lost) the backend registers a new device and returns its QR secret once.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceLogin {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<DeviceId>,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenPair {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub access_token: Redacted,
    /// Seconds until the access token expires.
    pub access_expires_in: u64,
    /// Single use: each refresh returns a new one and retires this one.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub refresh_token: Redacted,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    pub user_id: UserId,
    pub app_id: AppId,
    pub device_id: DeviceId,
    /// Base64 of the 32-byte device secret; present only when the device was just
    /// registered. The app stores it in the keychain and never sends it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub device_secret: Option<Redacted>,
    /// Longest time to live the backend accepts on a code.
    pub max_code_ttl_seconds: u16,
    #[serde(flatten)]
    pub tokens: TokenPair,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub refresh_token: Redacted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceResponse {
    pub balance: Points,
    pub as_of: DateTime<Utc>,
}

wire_enum! {
    /// What a machine gives for a play, so the app speaks of a prize or of a game.
    #[derive(Default)]
    pub enum MachineKind {
        /// A capsule-toy or vending machine: a play dispenses something.
        #[default]
        Dispenser,
        /// An arcade cabinet's reader (PROTOCOL §11): a play starts a game.
        Arcade,
    }
}

/// What the signed-in player has running now, so an app that restarted shows it
/// again: each pay-first session still open and each timed reward still earning,
/// newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunningView {
    pub machine_sessions: Vec<machine_pay::SessionView>,
    pub reward_sessions: Vec<rewards::RewardSessionView>,
}

wire_enum! {
    pub enum HistoryKind {
        Play,
        Refund,
        TopUp,
        /// Points loaded into a pay-first session on a machine.
        MachineCredit,
        /// A session's unused points, given back at its end.
        MachineRefund,
        /// A buy-first order paid (its refund, if any, is a `refund`).
        Purchase,
        /// Points a partner (a store or service) gave for a visit or for time spent.
        Reward,
    }
}

/// One line of the ledger as the account holder sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// Ledger entry id; pages go backwards from it.
    pub id: i64,
    pub kind: HistoryKind,
    /// A label to show as is, e.g. "Play at Demo capsule machine".
    pub label: String,
    /// Negative for a play, positive for a refund or top-up.
    pub delta: i64,
    pub balance_after: Points,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<TransactionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_id: Option<MachineId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_kind: Option<MachineKind>,
    /// For purchases: the item, as the machine named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// For plays and refunds: the transaction's current status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<TransactionStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_reason: Option<RefundReason>,
    /// For rewards: the partner that gave them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_name: Option<String>,
}

/// Entries on a history page when the request does not say.
pub const DEFAULT_HISTORY_PAGE: u32 = 20;
/// Most entries a history page may ask for.
pub const MAX_HISTORY_PAGE: u32 = 100;

/// The query of [`paths::HISTORY`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct HistoryQuery {
    /// Entries per page, 1 to 100 (default 20).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// A `next_before` from the previous page: entries older than it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
}

impl HistoryQuery {
    /// The page size asked for, or `None` when it is outside 1 to [`MAX_HISTORY_PAGE`].
    pub fn page_size(&self) -> Option<u32> {
        let limit = self.limit.unwrap_or(DEFAULT_HISTORY_PAGE);
        (1..=MAX_HISTORY_PAGE).contains(&limit).then_some(limit)
    }
}

/// The query of [`paths::TRANSACTION_BY_ID`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct StatusQuery {
    /// Seconds to hold the request waiting for a change (at most 30; more is cut to 30).
    #[cfg_attr(feature = "openapi", param(maximum = 30))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<u64>,
    /// The status the caller already knows; return as soon as it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<TransactionStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopUpRequest {
    pub amount: Points,
    /// A token from the payment provider's SDK; the test provider knows
    /// `tok_test_success` and `tok_test_decline`.
    pub payment_token: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopUpResponse {
    pub top_up_id: String,
    pub amount: Points,
    pub balance: Points,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidateRequest {
    /// The text the machine read from the QR symbol.
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidateResponse {
    pub transaction_id: TransactionId,
    pub points: Points,
    /// Always `pending`: dispense, then report the outcome by webhook.
    pub status: TransactionStatus,
}

/// What the app sees of one play.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransactionView {
    pub transaction_id: TransactionId,
    pub status: TransactionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Points>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_id: Option<MachineId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_kind: Option<MachineKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_reason: Option<RefundReason>,
    /// Why the code was rejected, for `rejected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    /// The account balance now.
    pub balance: Points,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// The webhook body a machine posts after dispensing (or failing to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DispenseReport {
    pub machine_id: MachineId,
    pub transaction_id: TransactionId,
    pub outcome: DispenseOutcome,
    /// Free text from the machine, e.g. "jam in chute 2". Stored, not shown verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookAck {
    pub transaction_id: TransactionId,
    pub status: TransactionStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
}
