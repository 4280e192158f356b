//! The life of one play, as the app and the machine see it.
//!
//! Why these states rather than seed 000's "pending / complete / failed": "failed" does
//! not say whether the points came back, and that is what a user needs to know.
//! Every final state says where the points are:
//! - `completed`: dispensed; the points are spent.
//! - `refunded`: deducted, then given back (the machine failed, or never answered).
//! - `rejected`: the backend refused the code; nothing was ever deducted.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TransactionStatus {
    /// No machine has presented this code yet (the backend has no record of it).
    AwaitingScan,
    /// Validated and deducted; waiting for the machine to report the dispense.
    Pending,
    /// The machine dispensed.
    Completed,
    /// The points were given back; see [`RefundReason`].
    Refunded,
    /// The backend refused the code (expired, insufficient points...); nothing deducted.
    Rejected,
}

impl TransactionStatus {
    /// Whether the status can still change.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Refunded | Self::Rejected)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingScan => "awaiting_scan",
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Refunded => "refunded",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::AwaitingScan,
            Self::Pending,
            Self::Completed,
            Self::Refunded,
            Self::Rejected,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
    }
}

/// Why points were refunded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RefundReason {
    /// The machine reported a failed dispense.
    DispenseFailed,
    /// The machine never reported an outcome before the timeout.
    NoOutcome,
}

impl RefundReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DispenseFailed => "dispense_failed",
            Self::NoOutcome => "no_outcome",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "dispense_failed" => Some(Self::DispenseFailed),
            "no_outcome" => Some(Self::NoOutcome),
            _ => None,
        }
    }
}

/// A dispense outcome that a machine reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DispenseOutcome {
    Dispensed,
    Failed,
}

/// What a rejected transaction was rejected for, in the same codes as the API errors.
pub type RejectionCode = ErrorCode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_strings_round_trip_and_match_serde() {
        for status in [
            TransactionStatus::AwaitingScan,
            TransactionStatus::Pending,
            TransactionStatus::Completed,
            TransactionStatus::Refunded,
            TransactionStatus::Rejected,
        ] {
            assert_eq!(TransactionStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(TransactionStatus::parse("complete"), None);
    }

    #[test]
    fn only_completed_refunded_and_rejected_are_final() {
        assert!(!TransactionStatus::AwaitingScan.is_final());
        assert!(!TransactionStatus::Pending.is_final());
        assert!(TransactionStatus::Completed.is_final());
        assert!(TransactionStatus::Refunded.is_final());
        assert!(TransactionStatus::Rejected.is_final());
    }
}
