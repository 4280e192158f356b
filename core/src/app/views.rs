//! View models: exactly what a screen shows, as text and flags.

use super::format;
use super::messages::UserMessage;
use super::text::{fill, texts};
use crate::api::{HistoryEntry, HistoryKind};
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
    let (text, tone) = match status {
        TransactionStatus::AwaitingScan => ("Waiting for scan".to_owned(), Tone::Waiting),
        TransactionStatus::Pending => ("Processing…".to_owned(), Tone::Working),
        TransactionStatus::Completed => ("Dispensed! Enjoy your prize.".to_owned(), Tone::Success),
        TransactionStatus::Refunded => match refund_reason {
            Some(RefundReason::NoOutcome) => (
                "The machine did not answer: points refunded".to_owned(),
                Tone::Refunded,
            ),
            _ => (
                "The machine failed: points refunded".to_owned(),
                Tone::Refunded,
            ),
        },
        TransactionStatus::Rejected => match rejection {
            Some(ErrorCode::CodeExpired) => ("Code expired".to_owned(), Tone::Failed),
            Some(code) => (
                format!("Refused: {}", UserMessage::for_code(code).title),
                Tone::Failed,
            ),
            None => ("Refused".to_owned(), Tone::Failed),
        },
    };
    (text, tone)
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
                .map(format::points)
                .unwrap_or_else(|| t.balance_unknown.into()),
            updated_text: match self.fetched_at {
                Some(at) => fill(
                    t.balance_updated,
                    &[("time", &format::time_of_day(at, zone))],
                ),
                None => t.balance_not_loaded.into(),
            },
            stale: self.stale,
            stale_text: self.stale.then(|| t.balance_stale.to_owned()),
            problem: self.problem.clone(),
        }
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
    let (outcome_text, tone) = match (entry.kind, entry.outcome) {
        (HistoryKind::TopUp, _) => (None, Tone::Success),
        (HistoryKind::Refund, _) => (Some("Refunded".to_owned()), Tone::Refunded),
        (HistoryKind::Play, Some(status)) => {
            let (text, tone) = match status {
                // The play row of a refunded play says what happened to the play.
                TransactionStatus::Refunded => ("Not dispensed".to_owned(), Tone::Failed),
                TransactionStatus::Completed => ("Dispensed".to_owned(), Tone::Success),
                other => status_label(other, entry.refund_reason, None),
            };
            (Some(text), tone)
        }
        (HistoryKind::Play, None) => (None, Tone::Working),
    };
    HistoryRowView {
        date_text: format::date_time(entry.at, zone),
        title: entry.label.clone(),
        delta_text: format::delta(entry.delta),
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
            outcome,
            refund_reason: None,
        };
        let play = history_row(
            &entry(HistoryKind::Play, -100, Some(TransactionStatus::Refunded)),
            &utc(),
        );
        assert_eq!(play.delta_text, "\u{2212}100");
        assert_eq!(play.outcome_text.as_deref(), Some("Not dispensed"));
        assert!(!play.credit);
        let refund = history_row(&entry(HistoryKind::Refund, 100, None), &utc());
        assert_eq!((refund.delta_text.as_str(), refund.credit), ("+100", true));
        let top_up = history_row(&entry(HistoryKind::TopUp, 500, None), &utc());
        assert_eq!(top_up.outcome_text, None);
        assert_eq!(top_up.date_text, "23 Nov 10:02");
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
}
