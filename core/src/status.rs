//! The life of one play, as the app and the machine see it.
//!
//! There is no plain "failed": it would not say whether the points came back, and that
//! is what a user needs to know.
//! Every final state says where the points are:
//! - `completed`: dispensed; the points are spent.
//! - `refunded`: deducted, then given back (the machine failed, or never answered).
//! - `rejected`: the backend refused the code; nothing was ever deducted.

use crate::ErrorCode;

wire_enum! {
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
}

impl TransactionStatus {
    /// Whether the status can still change.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Refunded | Self::Rejected)
    }
}

wire_enum! {
    /// Why points were refunded.
    pub enum RefundReason {
        /// The machine reported a failed dispense.
        DispenseFailed,
        /// The machine never reported an outcome before the timeout.
        NoOutcome,
        /// The player cancelled before anything was given (an arcade game's released
        /// payment).
        Cancelled,
    }
}

wire_enum! {
    /// A dispense outcome that a machine reports.
    pub enum DispenseOutcome {
        Dispensed,
        Failed,
        /// Nothing was given because the player cancelled (an arcade reader's
        /// released payment): refunded like a failure, and said so.
        Cancelled,
    }
}

wire_enum! {
    /// What a machine does after a validation: the emulated machine's `--outcome` and the
    /// desktop demo's choice.
    pub enum DispensePlan {
        /// Dispense and report `dispensed`.
        Ok,
        /// Jam and report `failed` (the backend refunds).
        Fail,
        /// Never report (the backend refunds after its time-out).
        None,
    }
}

impl DispensePlan {
    /// The outcome the machine reports, if it reports one.
    pub fn report(self) -> Option<DispenseOutcome> {
        match self {
            Self::Ok => Some(DispenseOutcome::Dispensed),
            Self::Fail => Some(DispenseOutcome::Failed),
            Self::None => None,
        }
    }
}

/// What a rejected transaction was rejected for, in the same codes as the API errors.
pub type RejectionCode = ErrorCode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_completed_refunded_and_rejected_are_final() {
        assert!(!TransactionStatus::AwaitingScan.is_final());
        assert!(!TransactionStatus::Pending.is_final());
        assert!(TransactionStatus::Completed.is_final());
        assert!(TransactionStatus::Refunded.is_final());
        assert!(TransactionStatus::Rejected.is_final());
    }
}
