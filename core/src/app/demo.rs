//! The desktop demo's emulated-machine panel: its words, and one line in its log for
//! each step the machine takes.

use crate::status::{DispensePlan, TransactionStatus};
use crate::Points;

pub const PANEL_TITLE: &str = "Emulated machine";
pub const PANEL_ABOUT: &str = "Demo capsule machine (m_demo) on the built-in server.";
pub const PLAN_LEGEND: &str = "When it scans a code";
pub const SCAN: &str = "Scan the QR on screen";
pub const SCAN_NEEDS_CODE: &str = "Show a QR code in the app first.";
pub const OWN_CODE_TITLE: &str = "The machine's own code";
pub const OWN_CODE_ABOUT: &str = "Printed on the machine: load points, then buy here.";
pub const SCAN_WITH_PHONE: &str = "Scan with the phone";
pub const ORDER_TITLE: &str = "Buy first";
/// The items the demo machine sells, and their prices.
pub const DEMO_ITEMS: [(&str, u64); 3] =
    [("Capsule A", 100), ("Capsule B", 150), ("Big prize", 500)];

/// The choice as the panel offers it.
pub fn plan_label(plan: DispensePlan) -> &'static str {
    match plan {
        DispensePlan::Ok => "Dispense",
        DispensePlan::Fail => "Jam → refund",
        DispensePlan::None => "No answer → refund by timeout",
    }
}

/// One step of the machine, as a log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoStep {
    Scanned {
        points: Option<Points>,
    },
    Accepted {
        points: Points,
    },
    Refused {
        message: String,
    },
    Dispensing {
        plan: DispensePlan,
    },
    ReportRetry {
        attempt: u32,
    },
    Reported {
        status: TransactionStatus,
    },
    Silent {
        refund_after_secs: u64,
    },
    Failed {
        error: String,
    },
    SessionOpened {
        credit: Points,
    },
    Sold {
        item: String,
        points: Points,
        remaining: Points,
    },
    SessionEnded {
        refunded: Option<Points>,
    },
    OrderShown {
        order_id: String,
    },
    OrderPaid,
}

pub fn log_line(step: &DemoStep) -> String {
    match step {
        DemoStep::Scanned {
            points: Some(points),
        } => format!("Scanned a code for {points} pts"),
        DemoStep::Scanned { points: None } => {
            "Scanned something that is not a GashaPay code".into()
        }
        DemoStep::Accepted { points } => format!("Backend accepted: {points} pts taken"),
        DemoStep::Refused { message } => format!("Backend refused: {message}"),
        DemoStep::Dispensing { plan } => match plan {
            DispensePlan::Ok => "Dispensing…".into(),
            DispensePlan::Fail => "Dispensing… jammed!".into(),
            DispensePlan::None => "Dispensing… (will never report)".into(),
        },
        DemoStep::ReportRetry { attempt } => format!("Report failed, retrying ({attempt})"),
        DemoStep::Reported { status } => format!("Reported; the play is {}", status.as_str()),
        DemoStep::Silent { refund_after_secs } => {
            format!("Staying silent; the backend refunds after {refund_after_secs} s")
        }
        DemoStep::Failed { error } => format!("Error: {error}"),
        DemoStep::SessionOpened { credit } => format!("A customer loaded {credit} pts"),
        DemoStep::Sold {
            item,
            points,
            remaining,
        } => format!("Sold {item} for {points} pts; {remaining} pts left"),
        DemoStep::SessionEnded {
            refunded: Some(points),
        } if points.0 > 0 => format!("Session ended; {points} pts go back"),
        DemoStep::SessionEnded { .. } => "Session ended; nothing left to give back".into(),
        DemoStep::OrderShown { order_id } => format!("Showing the code of order {order_id}"),
        DemoStep::OrderPaid => "The order is paid".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plan_has_a_label_and_every_step_a_line() {
        for &plan in DispensePlan::ALL {
            assert!(!plan_label(plan).is_empty());
        }
        assert_eq!(
            log_line(&DemoStep::Accepted {
                points: Points(100)
            }),
            "Backend accepted: 100 pts taken"
        );
        assert_eq!(
            log_line(&DemoStep::Silent {
                refund_after_secs: 10
            }),
            "Staying silent; the backend refunds after 10 s"
        );
    }
}
