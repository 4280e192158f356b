//! View models: exactly what a screen shows, as text and flags.

use super::messages::UserMessage;
use super::text::{texts, Texts};
use crate::api::{HistoryEntry, HistoryKind, MachineKind, TransactionView};
use crate::status::{RefundReason, TransactionStatus};
use crate::{ErrorCode, Points};
use chrono::{DateTime, FixedOffset, Utc};

/// How a status should feel (the shell maps it to colour and icon).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Waiting,
    Working,
    Success,
    Refunded,
    Failed,
}

impl Tone {
    /// A CSS-friendly name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Waiting => "waiting",
            Tone::Working => "working",
            Tone::Success => "success",
            Tone::Refunded => "refunded",
            Tone::Failed => "failed",
        }
    }
}

/// The words for a play's status.
pub fn status_label(
    status: TransactionStatus,
    refund_reason: Option<RefundReason>,
    rejection: Option<ErrorCode>,
) -> (String, Tone) {
    let t = texts();
    let say = |id: &str| t.message(id, &[]);
    match status {
        TransactionStatus::AwaitingScan => (say("status_awaiting_scan"), Tone::Waiting),
        TransactionStatus::Pending => (say("status_pending"), Tone::Working),
        TransactionStatus::Completed => (say("status_completed"), Tone::Success),
        TransactionStatus::Refunded => match refund_reason {
            Some(RefundReason::NoOutcome) => (say("status_refunded_no_answer"), Tone::Refunded),
            Some(RefundReason::Cancelled) => (say("status_refunded_cancelled"), Tone::Refunded),
            _ => (say("status_refunded_failed"), Tone::Refunded),
        },
        TransactionStatus::Rejected => match rejection {
            Some(ErrorCode::CodeExpired) => (say("status_code_expired"), Tone::Failed),
            Some(code) => (
                t.message(
                    "status_refused_because",
                    &[("reason", &UserMessage::for_code(code).title)],
                ),
                Tone::Failed,
            ),
            None => (say("status_refused"), Tone::Failed),
        },
    }
}

/// The words for a play as its player follows it: a play at an arcade reader starts
/// a game, so it speaks of the game; a dispenser's speaks of the prize.
pub fn play_status_label(play: &TransactionView) -> (String, Tone) {
    let t = texts();
    let say = |id: &str| t.message(id, &[]);
    let game = play.machine_kind == Some(MachineKind::Arcade);
    match (game, play.status, play.refund_reason) {
        (true, TransactionStatus::Pending, _) => (say("status_pending_game"), Tone::Working),
        (true, TransactionStatus::Completed, _) => (say("status_completed_game"), Tone::Success),
        (true, TransactionStatus::Refunded, Some(RefundReason::Cancelled)) => {
            (say("status_refunded_left_game"), Tone::Refunded)
        }
        _ => status_label(
            play.status,
            play.refund_reason,
            play.error.as_ref().map(|e| e.error),
        ),
    }
}

/// The balance as last fetched; kept (and marked stale) when a refresh fails.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BalanceModel {
    pub balance: Option<Points>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub stale: bool,
    pub problem: Option<UserMessage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceView {
    /// "1,000 pts", or "—" before the first fetch.
    pub amount_text: String,
    /// "Updated 10:02:07", or "Not loaded yet".
    pub updated_text: String,
    pub stale: bool,
    /// "Offline: this balance may be out of date".
    pub stale_text: Option<String>,
    pub problem: Option<UserMessage>,
}

impl BalanceModel {
    pub fn loaded(&mut self, balance: Points, at: DateTime<Utc>) {
        self.balance = Some(balance);
        self.fetched_at = Some(at);
        self.stale = false;
        self.problem = None;
    }

    /// A balance saved by an earlier run: shown, and stale until a refresh succeeds.
    pub fn restored(&mut self, balance: Points, as_of: DateTime<Utc>) {
        self.balance = Some(balance);
        self.fetched_at = Some(as_of);
        self.stale = true;
    }

    /// A refresh failed: keep what we had, marked stale.
    pub fn failed(&mut self, problem: UserMessage) {
        self.stale = true;
        self.problem = Some(problem);
    }

    pub fn view(&self, zone: &FixedOffset) -> BalanceView {
        let t = texts();
        BalanceView {
            amount_text: self
                .balance
                .map(|points| t.points(points))
                .unwrap_or_else(|| t.balance_unknown.clone()),
            updated_text: match self.fetched_at {
                Some(at) => t.balance_updated(at, zone),
                None => t.balance_not_loaded.clone(),
            },
            stale: self.stale,
            stale_text: self.stale.then(|| t.balance_stale.clone()),
            problem: self.problem.clone(),
        }
    }
}

/// A play's or refund's title in the app's language, from its machine and reason; a
/// top-up keeps the label the server stored (an operator's grant is named by them).
fn history_title(t: &Texts, entry: &HistoryEntry) -> String {
    let machine = entry
        .machine_name
        .clone()
        .unwrap_or_else(|| t.message("history_a_machine", &[]));
    let machine = [("machine", machine.as_str())];
    match entry.kind {
        HistoryKind::Play => t.message("history_play_at", &machine),
        HistoryKind::Refund => match entry.refund_reason {
            Some(RefundReason::NoOutcome) => t.message("history_refund_no_answer", &machine),
            Some(RefundReason::Cancelled) => t.message("history_refund_cancelled", &machine),
            _ => t.message("history_refund_failed", &machine),
        },
        HistoryKind::TopUp if entry.label.is_empty() => t.message("history_top_up", &[]),
        HistoryKind::TopUp => entry.label.clone(),
        HistoryKind::MachineCredit => t.message("history_machine_credit", &machine),
        HistoryKind::MachineRefund => t.message("history_machine_refund", &machine),
        HistoryKind::Reward => t.message(
            "history_reward_from",
            &[("partner", entry.partner_name.as_deref().unwrap_or_default())],
        ),
        // The item is the machine's own word for it, shown as the server stored it.
        HistoryKind::Purchase => t.message(
            "history_purchase_at",
            &[
                ("item", entry.item.as_deref().unwrap_or_default()),
                machine[0],
            ],
        ),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRowView {
    pub date_text: String,
    pub title: String,
    pub delta_text: String,
    pub credit: bool,
    pub outcome_text: Option<String>,
    pub tone: Tone,
}

pub fn history_row(entry: &HistoryEntry, zone: &FixedOffset) -> HistoryRowView {
    let t = texts();
    let game = entry.machine_kind == Some(MachineKind::Arcade);
    let (outcome_text, tone) = match (entry.kind, entry.outcome) {
        (HistoryKind::TopUp, _) => (None, Tone::Success),
        (HistoryKind::Refund | HistoryKind::MachineRefund, _) => {
            (Some(t.message("history_refunded", &[])), Tone::Refunded)
        }
        (HistoryKind::MachineCredit | HistoryKind::Reward, _) => (None, Tone::Success),
        (HistoryKind::Play | HistoryKind::Purchase, Some(status)) => {
            let (text, tone) = match status {
                // The play row of a refunded play says what happened to the play.
                TransactionStatus::Refunded if game => {
                    (t.message("history_not_played", &[]), Tone::Failed)
                }
                TransactionStatus::Refunded => {
                    (t.message("history_not_dispensed", &[]), Tone::Failed)
                }
                TransactionStatus::Completed if game => {
                    (t.message("history_played", &[]), Tone::Success)
                }
                TransactionStatus::Completed => {
                    (t.message("history_dispensed", &[]), Tone::Success)
                }
                other => status_label(other, entry.refund_reason, None),
            };
            (Some(text), tone)
        }
        (HistoryKind::Play | HistoryKind::Purchase, None) => (None, Tone::Working),
    };
    HistoryRowView {
        date_text: t.date_time(entry.at, zone),
        title: history_title(t, entry),
        delta_text: t.delta(entry.delta),
        credit: entry.delta > 0,
        outcome_text,
        tone,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc() -> FixedOffset {
        FixedOffset::east_opt(0).unwrap()
    }

    #[test]
    fn a_failed_refresh_keeps_the_balance_and_marks_it_stale() {
        let mut model = BalanceModel::default();
        assert_eq!(model.view(&utc()).amount_text, "—");
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 2, 7).unwrap();
        model.loaded(Points(900), at);
        let fresh = model.view(&utc());
        assert_eq!(
            (
                fresh.amount_text.as_str(),
                fresh.updated_text.as_str(),
                fresh.stale
            ),
            ("900 pts", "Updated 10:02:07", false)
        );
        model.failed(UserMessage::offline());
        let stale = model.view(&utc());
        assert_eq!(stale.amount_text, "900 pts");
        assert!(stale.stale);
        assert_eq!(
            stale.stale_text.as_deref(),
            Some("Offline: this balance may be out of date")
        );
        model.loaded(Points(800), at);
        assert!(!model.view(&utc()).stale);
    }

    #[test]
    fn history_rows_label_plays_refunds_and_top_ups() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 2, 7).unwrap();
        let entry = |kind, delta, outcome| HistoryEntry {
            id: 1,
            kind,
            label: "label".into(),
            delta,
            balance_after: Points(0),
            at,
            transaction_id: None,
            machine_id: None,
            machine_name: None,
            machine_kind: None,
            item: Some("Capsule A".into()),
            outcome,
            refund_reason: None,
            partner_name: Some("Cafe Seoul".into()),
        };
        let play = history_row(
            &entry(HistoryKind::Play, -100, Some(TransactionStatus::Refunded)),
            &utc(),
        );
        assert_eq!(play.delta_text, "\u{2212}100");
        assert_eq!(play.outcome_text.as_deref(), Some("Not dispensed"));
        assert_eq!(play.title, "Play at a machine");
        assert!(!play.credit);
        let refund = history_row(&entry(HistoryKind::Refund, 100, None), &utc());
        assert_eq!((refund.delta_text.as_str(), refund.credit), ("+100", true));
        let reward = history_row(&entry(HistoryKind::Reward, 30, None), &utc());
        assert_eq!(reward.title, "Reward from Cafe Seoul");
        assert_eq!((reward.delta_text.as_str(), reward.credit), ("+30", true));
        let top_up = history_row(&entry(HistoryKind::TopUp, 500, None), &utc());
        assert_eq!(top_up.outcome_text, None);
        assert_eq!(top_up.title, "label");
        assert_eq!(top_up.date_text, "23 Nov 10:02");
        let bought = history_row(
            &entry(
                HistoryKind::Purchase,
                -150,
                Some(TransactionStatus::Completed),
            ),
            &utc(),
        );
        assert_eq!(bought.title, "Capsule A at a machine");
        assert_eq!(bought.outcome_text.as_deref(), Some("Dispensed"));
        let loaded = history_row(&entry(HistoryKind::MachineCredit, -500, None), &utc());
        assert_eq!(loaded.title, "Points loaded into a machine");
        let back = history_row(&entry(HistoryKind::MachineRefund, 200, None), &utc());
        assert_eq!(back.title, "Unused points back from a machine");
        assert_eq!(
            (back.credit, back.outcome_text.as_deref()),
            (true, Some("Refunded"))
        );
    }

    #[test]
    fn every_status_has_words() {
        let (text, tone) = status_label(
            TransactionStatus::Refunded,
            Some(RefundReason::NoOutcome),
            None,
        );
        assert_eq!(text, "The machine did not answer: points refunded");
        assert_eq!(tone, Tone::Refunded);
        let (text, _) = status_label(
            TransactionStatus::Rejected,
            None,
            Some(ErrorCode::InsufficientPoints),
        );
        assert_eq!(text, "Refused: Not enough points");
        assert_eq!(
            status_label(TransactionStatus::Completed, None, None).1,
            Tone::Success
        );
    }

    #[test]
    fn a_play_at_an_arcade_reader_speaks_of_the_game_not_a_prize() {
        let play = |kind, status, refund_reason| TransactionView {
            transaction_id: crate::TransactionId::new_random(),
            status,
            points: Some(Points(100)),
            machine_id: None,
            machine_name: Some("Demo arcade cabinet".into()),
            machine_kind: Some(kind),
            refund_reason,
            error: None,
            balance: Points(900),
            updated_at: None,
        };
        use MachineKind::{Arcade, Dispenser};
        use TransactionStatus::{Completed, Pending, Refunded};
        let words = |kind, status, reason| play_status_label(&play(kind, status, reason)).0;
        assert_eq!(words(Arcade, Completed, None), "Game on! Have fun.");
        assert_eq!(
            words(Arcade, Pending, None),
            "Paid at the reader: the game starts soon"
        );
        assert_eq!(
            words(Arcade, Refunded, Some(RefundReason::Cancelled)),
            "You left the game: points refunded"
        );
        assert_eq!(
            words(Arcade, Refunded, Some(RefundReason::NoOutcome)),
            "The machine did not answer: points refunded"
        );
        assert_eq!(
            words(Dispenser, Completed, None),
            "Dispensed! Enjoy your prize."
        );

        let mut entry = HistoryEntry {
            id: 1,
            kind: HistoryKind::Play,
            label: String::new(),
            delta: -100,
            balance_after: Points(900),
            at: Utc.with_ymd_and_hms(2026, 11, 23, 10, 2, 7).unwrap(),
            transaction_id: None,
            machine_id: None,
            machine_name: Some("Demo arcade cabinet".into()),
            machine_kind: Some(Arcade),
            item: None,
            outcome: Some(Completed),
            refund_reason: None,
            partner_name: None,
        };
        assert_eq!(
            history_row(&entry, &utc()).outcome_text.as_deref(),
            Some("Played")
        );
        entry.outcome = Some(Refunded);
        assert_eq!(
            history_row(&entry, &utc()).outcome_text.as_deref(),
            Some("Not played")
        );
    }
}
