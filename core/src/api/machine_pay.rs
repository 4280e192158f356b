//! The JSON bodies of the machine-shown codes (PROTOCOL §10): printed codes and their
//! operator calls, pay-first sessions, buy-first orders, and the sales report.

use crate::ids::{MachineId, Points, TransactionId};
use crate::order_code::OrderCode;
use crate::status::TransactionStatus;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The amounts the app offers to load into a session.
pub const LOAD_CHOICES: [u64; 4] = [100, 200, 500, 1000];
/// Most points one session may hold.
pub const MAX_SESSION_POINTS: u64 = 100_000;
/// Most purchases a [`SessionView`] lists (the newest).
pub const MAX_PURCHASES_SHOWN: usize = 50;

/// A printed code as the operator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MachineCodeView {
    /// `mc_` and 20 characters of `a-z 2-7`.
    pub code_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub machine_id: MachineId,
    pub active: bool,
    /// The https form to print, on this server.
    pub link: String,
    /// The `gashapay://` form.
    pub app_link: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MachineCodeList {
    pub codes: Vec<MachineCodeView>,
}

/// Create a printed code, or move one to another machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MachineCodeTarget {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub machine_id: MachineId,
}

/// Switch a printed code off or on again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MachineCodeStatus {
    pub active: bool,
}

/// What the app learns from a printed code before the customer pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MachineCodeInfo {
    pub code_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub machine_id: MachineId,
    pub machine_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<u64>))]
    pub load_choices: Vec<Points>,
    /// Another customer's session is open on the machine.
    pub busy: bool,
}

/// Load points into a session on the machine a printed code names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartSession {
    /// Made by the app; the idempotency key of this request.
    pub session_id: Uuid,
    pub code_id: String,
    /// 1 to 100,000.
    #[cfg_attr(feature = "openapi", schema(value_type = u64, minimum = 1, maximum = 100000))]
    pub points: Points,
}

wire_enum! {
    pub enum SessionStatus {
        Open,
        Ended,
    }
}

wire_enum! {
    /// Who ended a session.
    pub enum SessionEnd {
        Customer,
        Machine,
        /// Nothing was bought for the idle timeout.
        Timeout,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseView {
    pub item: String,
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub points: Points,
    pub at: DateTime<Utc>,
}

/// A pay-first session as the customer and the machine see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    pub session_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub machine_id: MachineId,
    pub machine_name: String,
    pub status: SessionStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub loaded: Points,
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub spent: Points,
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub remaining: Points,
    /// Oldest first; the newest 50 when there are more.
    pub purchases: Vec<PurchaseView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_by: Option<SessionEnd>,
    /// The points given back at the end (0 when all were spent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u64>))]
    pub refunded: Option<Points>,
    /// When the session ends by itself unless something is bought first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_deadline: Option<DateTime<Utc>>,
    /// Grows at every change; long-polls wait for it to differ from `since`.
    pub version: u64,
    /// The customer's balance now (to the machine: absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u64>))]
    pub balance: Option<Points>,
}

/// The query of the session long-polls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SessionQuery {
    /// Seconds to hold the request waiting for a change (at most 30).
    #[cfg_attr(feature = "openapi", param(maximum = 30))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<u64>,
    /// The version the caller already has; return as soon as it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<u64>,
}

/// The machine's current (or last) session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MachineSession {
    pub session: Option<SessionView>,
}

/// A purchase the machine reports against a session (signed as a webhook).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseReport {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub machine_id: MachineId,
    /// 1–64 characters.
    pub item: String,
    #[cfg_attr(feature = "openapi", schema(value_type = u64, minimum = 1))]
    pub points: Points,
}

/// The machine ends a session (signed as a webhook).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionEndReport {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub machine_id: MachineId,
}

/// An order's code, to check or to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderRequest {
    pub order: OrderCode,
}

wire_enum! {
    pub enum OrderStatus {
        /// Nobody has paid yet.
        Unpaid,
        /// Paid; the machine is dispensing.
        Pending,
        Completed,
        Refunded,
    }
}

impl OrderStatus {
    /// The order's status from its play's.
    pub fn of_play(status: TransactionStatus) -> Self {
        match status {
            TransactionStatus::Completed => OrderStatus::Completed,
            TransactionStatus::Refunded => OrderStatus::Refunded,
            _ => OrderStatus::Pending,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub machine_id: MachineId,
    pub machine_name: String,
    pub order_id: String,
    pub item: String,
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub amount: Points,
    pub expires: u64,
    pub status: OrderStatus,
    /// The play the payment became, once paid: follow it like any play.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub transaction_id: Option<TransactionId>,
}

/// The query of [`crate::api::paths::ADMIN_MACHINE_SALES`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SalesQuery {
    /// The day (UTC), `YYYY-MM-DD`; today when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, format = Date))]
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopItem {
    pub item: String,
    pub count: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub points: Points,
}

/// One machine's day of pay-first sessions and buy-first orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalesReport {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub machine_id: MachineId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub date: NaiveDate,
    pub sessions: u64,
    pub orders: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub points_taken: Points,
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub points_refunded: Points,
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub points_kept: Points,
    /// The five items sold most, by count.
    pub top_items: Vec<TopItem>,
}
