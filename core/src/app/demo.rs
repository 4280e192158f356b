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
pub const ARCADE_TITLE: &str = "Arcade cabinet";
pub const ARCADE_ABOUT: &str =
    "A game asks its reader for a coin; the code in the app is the coin.";
pub const PRESS_START: &str = "Press start";
pub const PAY_AT_READER: &str = "Pay at the reader";
pub const REWARD_STAND_TITLE: &str = "Reward stand";
pub const REWARD_STAND_ABOUT: &str =
    "Demo cafe gives 10 pts a visit (the code changes each minute) and 5 pts a minute between its start and end codes.";
pub const VISIT_CODE: &str = "Visit code";
pub const START_CODE: &str = "Start code";
pub const END_CODE: &str = "End code";
/// The demo cabinet's game and what one play costs on its reader.
pub const ARCADE_GAME: (&str, u64) = ("space_capsules", 100);

/// What the demo cabinet's screen says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CabinetShows {
    PressStart,
    /// Waiting for the first player's coin.
    InsertCoin {
        price: Points,
    },
    /// Players are in; more may join until the countdown ends.
    Countdown {
        players: usize,
        seconds_left: u64,
    },
    Playing {
        players: usize,
    },
}

impl CabinetShows {
    pub fn line(self) -> String {
        match self {
            // Not the button's words: a tester (and OCR) tells the screen from the button.
            CabinetShows::PressStart => "Ready: push start to play".into(),
            CabinetShows::InsertCoin { price } => {
                format!("Show your code at the reader: {price} pts")
            }
            CabinetShows::Countdown {
                players,
                seconds_left,
            } => format!(
                "{} in; starting in {seconds_left} s (press start to leave)",
                players_word(players)
            ),
            CabinetShows::Playing { players } => format!("Game on! {}", players_word(players)),
        }
    }
}

fn players_word(players: usize) -> String {
    match players {
        1 => "1 player".into(),
        n => format!("{n} players"),
    }
}

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
    /// The arcade reader: a game asks for a coin.
    ReaderAccepting {
        game_id: String,
    },
    ReaderReserved {
        points: Points,
    },
    ReaderRefused {
        message: String,
    },
    ReaderCommitted,
    ReaderReleased,
    ReaderStopped,
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
        DemoStep::ReaderAccepting { game_id } => format!("Reader: {game_id} asks for a coin"),
        DemoStep::ReaderReserved { points } => {
            format!("Reader: code accepted, {points} pts reserved")
        }
        DemoStep::ReaderRefused { message } => format!("Reader refused: {message}"),
        DemoStep::ReaderCommitted => "Reader: payment committed, the game starts".into(),
        DemoStep::ReaderReleased => "Reader: payment released and refunded".into(),
        DemoStep::ReaderStopped => "Reader: no game asks any more".into(),
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

    #[test]
    fn the_cabinet_says_what_to_do_next() {
        assert_eq!(
            CabinetShows::InsertCoin { price: Points(100) }.line(),
            "Show your code at the reader: 100 pts"
        );
        assert_eq!(
            CabinetShows::Countdown {
                players: 2,
                seconds_left: 4
            }
            .line(),
            "2 players in; starting in 4 s (press start to leave)"
        );
        assert_eq!(
            CabinetShows::Playing { players: 1 }.line(),
            "Game on! 1 player"
        );
    }
}
