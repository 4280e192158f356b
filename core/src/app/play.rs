//! The play screen as a state machine: choose points → a code on screen (renewed
//! before it expires, no network needed) → processing → dispensed / refunded /
//! refused. Events come in; effects (watch a transaction, refresh the balance) go out
//! as data for the shell to run.

use super::format;
use super::messages::UserMessage;
use super::text::texts;
use super::views::{play_status_label, status_label, Tone};
use crate::api::TransactionView;
use crate::device::DeviceCredentials;
use crate::qr::{SignedCode, DEFAULT_TTL_SECONDS};
use crate::status::TransactionStatus;
use crate::{Points, TransactionId};

/// A new code replaces the one on screen this many seconds before it would expire, so
/// a machine never reads a code in its last moments.
pub const RENEW_BEFORE_EXPIRY_SECS: u64 = 20;
/// The amounts offered on the play screen.
pub const POINT_CHOICES: [u64; 4] = [50, 100, 200, 500];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlayPhase {
    /// Picking how many points to play.
    Choosing,
    /// A code is on screen, waiting for a machine.
    Showing { code: SignedCode },
    /// A machine took the code; waiting for its outcome.
    Processing { transaction: TransactionView },
    /// Dispensed, refunded or refused.
    Finished { transaction: TransactionView },
    /// No code can be made (not signed in on this device).
    Unavailable { message: UserMessage },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlayEvent {
    Choose(u64),
    /// Show a code for the chosen points.
    Start,
    /// A second passed (drives the minutes left and renewal).
    Tick,
    /// A watched transaction changed.
    StatusChanged(TransactionView),
    /// Watching failed for good (e.g. signed out).
    WatchFailed {
        id: TransactionId,
        message: UserMessage,
    },
    /// Back to choosing.
    Reset,
}

/// Work for the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlayEffect {
    /// Follow this transaction until it is final or `expires_at` passes unscanned,
    /// sending `StatusChanged` events.
    Watch {
        id: TransactionId,
        expires_at: u64,
    },
    RefreshBalance,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayModel {
    pub phase: PlayPhase,
    pub points: u64,
    /// Codes shown and still valid. A replaced code stays watched until it expires,
    /// so a machine that read it just before the swap is still followed.
    live: Vec<TransactionId>,
    notice: Option<UserMessage>,
}

impl Default for PlayModel {
    fn default() -> Self {
        Self {
            phase: PlayPhase::Choosing,
            points: POINT_CHOICES[1],
            live: Vec::new(),
            notice: None,
        }
    }
}

/// Everything the play screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayView {
    pub points_text: String,
    pub choices: Vec<(u64, bool)>,
    pub can_start: bool,
    /// The text to draw as a QR symbol.
    pub code_text: Option<String>,
    /// The code in blocks of four, under the symbol.
    pub code_blocks: Option<String>,
    /// "Renews automatically · expires in 5 min": whole minutes, so the text changes
    /// once a minute, not every second.
    pub renew_text: Option<String>,
    /// What the button that shows a code says.
    pub start_text: String,
    /// What a screen reader says of the code on screen.
    pub code_label: String,
    pub minutes_left: Option<u64>,
    pub status_text: String,
    pub tone: Tone,
    /// E.g. "New balance: 900 pts".
    pub result_text: Option<String>,
    pub message: Option<UserMessage>,
    /// The screen should be at full brightness (a code is on it).
    pub wants_full_brightness: bool,
    pub can_play_again: bool,
}

impl PlayModel {
    pub fn update(
        &mut self,
        event: PlayEvent,
        credentials: Option<&DeviceCredentials>,
        now: u64,
    ) -> Vec<PlayEffect> {
        match event {
            PlayEvent::Choose(points) => {
                if matches!(self.phase, PlayPhase::Choosing) && points > 0 {
                    self.points = points;
                }
                vec![]
            }
            PlayEvent::Start => self.show_new_code(credentials, now),
            PlayEvent::Tick if self.renewal_due(now) => self.show_new_code(credentials, now),
            PlayEvent::Tick => vec![],
            PlayEvent::StatusChanged(view) => self.status_changed(view),
            PlayEvent::WatchFailed { id, message } => {
                if self.is_current(id) {
                    self.notice = Some(message);
                }
                vec![]
            }
            PlayEvent::Reset => {
                *self = Self {
                    points: self.points,
                    ..Self::default()
                };
                vec![]
            }
        }
    }

    fn show_new_code(
        &mut self,
        credentials: Option<&DeviceCredentials>,
        now: u64,
    ) -> Vec<PlayEffect> {
        let Some(credentials) = credentials else {
            self.phase = PlayPhase::Unavailable {
                message: UserMessage::for_code(crate::ErrorCode::Unauthorized),
            };
            return vec![];
        };
        match credentials.make_code(Points(self.points), now, DEFAULT_TTL_SECONDS) {
            Ok(code) => {
                let id = code.payload.transaction_id;
                let expires_at = code.payload.expires_at();
                self.live.push(id);
                self.phase = PlayPhase::Showing { code };
                self.notice = None;
                vec![PlayEffect::Watch { id, expires_at }]
            }
            Err(error) => {
                self.phase = PlayPhase::Unavailable {
                    message: UserMessage::cannot_make_code(error.to_string()),
                };
                vec![]
            }
        }
    }

    fn is_current(&self, id: TransactionId) -> bool {
        match &self.phase {
            PlayPhase::Showing { .. } => self.live.contains(&id),
            PlayPhase::Processing { transaction } | PlayPhase::Finished { transaction } => {
                transaction.transaction_id == id
            }
            _ => false,
        }
    }

    fn status_changed(&mut self, view: TransactionView) -> Vec<PlayEffect> {
        if !self.is_current(view.transaction_id) || view.status == TransactionStatus::AwaitingScan {
            return vec![];
        }
        let finished = view.status.is_final();
        self.live.clear();
        self.notice = None;
        self.phase = if finished {
            PlayPhase::Finished { transaction: view }
        } else {
            PlayPhase::Processing { transaction: view }
        };
        if finished {
            vec![PlayEffect::RefreshBalance]
        } else {
            vec![]
        }
    }

    /// Back to choosing if the play is over (finished, or no code could be made): a
    /// result is not shown again when the screen comes back later.
    pub fn put_away_finished(&mut self) {
        if matches!(
            self.phase,
            PlayPhase::Finished { .. } | PlayPhase::Unavailable { .. }
        ) {
            self.phase = PlayPhase::Choosing;
            self.notice = None;
        }
    }

    /// The balance the server gave with the play's final status, and when.
    pub fn final_balance(&self) -> Option<(Points, chrono::DateTime<chrono::Utc>)> {
        match &self.phase {
            PlayPhase::Finished { transaction } => {
                Some((transaction.balance, transaction.updated_at?))
            }
            _ => None,
        }
    }

    /// Whether `event` at `now` makes a code, so the shell reads the device's
    /// credentials from the keystore only then (not at every second's tick).
    pub fn makes_a_code(&self, event: &PlayEvent, now: u64) -> bool {
        match event {
            PlayEvent::Start => true,
            PlayEvent::Tick => self.renewal_due(now),
            _ => false,
        }
    }

    /// When the screen next changes by itself, after `now`: the minutes left tick
    /// down, or the code is renewed. The shell wakes the model then, and redraws, not
    /// every second. `None` when nothing changes without an event.
    pub fn next_change_at(&self, now: u64) -> Option<u64> {
        let PlayPhase::Showing { code } = &self.phase else {
            return None;
        };
        let expires_at = code.payload.expires_at();
        let minutes = format::minutes_left(expires_at.saturating_sub(now));
        let fewer_minutes_at = expires_at.saturating_sub(60 * minutes.saturating_sub(1));
        let renew_at = expires_at.saturating_sub(RENEW_BEFORE_EXPIRY_SECS);
        Some(fewer_minutes_at.min(renew_at).max(now + 1))
    }

    fn renewal_due(&self, now: u64) -> bool {
        matches!(&self.phase, PlayPhase::Showing { code }
            if seconds_left(code, now) <= RENEW_BEFORE_EXPIRY_SECS)
    }

    pub fn view(&self, now: u64) -> PlayView {
        let t = texts();
        let choosing = matches!(self.phase, PlayPhase::Choosing);
        let mut view = PlayView {
            points_text: t.points(Points(self.points)),
            choices: POINT_CHOICES
                .iter()
                .map(|&p| (p, p == self.points))
                .collect(),
            can_start: choosing,
            code_text: None,
            code_blocks: None,
            renew_text: None,
            start_text: String::new(),
            code_label: String::new(),
            minutes_left: None,
            status_text: t.choose_points_to_play.clone(),
            tone: Tone::Waiting,
            result_text: None,
            message: self.notice.clone(),
            wants_full_brightness: false,
            can_play_again: false,
        };
        match &self.phase {
            PlayPhase::Choosing => {}
            PlayPhase::Showing { code } => {
                let text = code.to_text();
                let left = seconds_left(code, now);
                view.code_blocks = Some(format::code_blocks(&text));
                view.code_text = Some(text);
                let minutes = format::minutes_left(left);
                view.renew_text = Some(t.code_renews(&minutes.to_string()));
                view.minutes_left = Some(minutes);
                (view.status_text, view.tone) =
                    status_label(TransactionStatus::AwaitingScan, None, None);
                view.wants_full_brightness = true;
            }
            PlayPhase::Processing { transaction } | PlayPhase::Finished { transaction } => {
                (view.status_text, view.tone) = play_status_label(transaction);
                if let Some(points) = transaction.points {
                    view.points_text = t.points(points);
                }
                if transaction.status.is_final() {
                    view.result_text = Some(t.new_balance(transaction.balance));
                    view.can_play_again = true;
                    if let Some(error) = &transaction.error {
                        view.message = Some(UserMessage::for_code(error.error));
                    }
                }
            }
            PlayPhase::Unavailable { message } => {
                view.status_text = message.title.clone();
                view.tone = Tone::Failed;
                view.message = Some(message.clone());
                view.can_play_again = true;
            }
        }
        view.start_text = t.show_code_for(&view.points_text);
        view.code_label = t.code_label(&view.points_text);
        view
    }
}

fn seconds_left(code: &SignedCode, now: u64) -> u64 {
    code.payload.expires_at().saturating_sub(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorBody;
    use crate::ids::{AppId, DeviceId, UserId};
    use crate::qr::DeviceSecret;
    use crate::status::RefundReason;
    use crate::ErrorCode;

    const T0: u64 = 1_800_000_000;

    fn creds() -> DeviceCredentials {
        DeviceCredentials {
            app_id: AppId(1),
            user_id: UserId(5),
            device_id: DeviceId(2),
            secret: DeviceSecret::generate(),
        }
    }

    fn view_of(id: TransactionId, status: TransactionStatus, balance: u64) -> TransactionView {
        TransactionView {
            transaction_id: id,
            status,
            points: Some(Points(100)),
            machine_id: None,
            machine_name: None,
            machine_kind: None,
            refund_reason: None,
            error: None,
            balance: Points(balance),
            updated_at: None,
        }
    }

    fn showing(model: &PlayModel) -> SignedCode {
        match &model.phase {
            PlayPhase::Showing { code } => *code,
            other => panic!("not showing a code: {other:?}"),
        }
    }

    #[test]
    fn start_shows_a_signed_code_offline_and_asks_to_watch_it() {
        let creds = creds();
        let mut model = PlayModel::default();
        model.update(PlayEvent::Choose(200), Some(&creds), T0);
        let effects = model.update(PlayEvent::Start, Some(&creds), T0);
        let code = showing(&model);
        code.verify(&creds.secret).unwrap();
        assert_eq!(code.payload.points, Points(200));
        assert_eq!(
            effects,
            [PlayEffect::Watch {
                id: code.payload.transaction_id,
                expires_at: T0 + 300
            }]
        );
        let view = model.view(T0 + 5);
        assert_eq!(view.minutes_left, Some(5));
        assert_eq!(
            view.renew_text.as_deref(),
            Some("Renews automatically · expires in 5\u{a0}min")
        );
        // The text changes once a minute, not every second.
        assert_eq!(model.view(T0 + 59).renew_text, view.renew_text);
        assert_eq!(model.view(T0 + 60).minutes_left, Some(4));
        assert_eq!(view.status_text, "Waiting for scan");
        assert!(view.wants_full_brightness);
        assert!(view.code_blocks.unwrap().starts_with("GP1: "));
    }

    #[test]
    fn the_code_is_renewed_before_it_expires_and_the_old_one_is_still_followed() {
        let creds = creds();
        let mut model = PlayModel::default();
        model.update(PlayEvent::Start, Some(&creds), T0);
        let first = showing(&model);
        // Credentials are asked for only when a code is made.
        assert!(!model.makes_a_code(&PlayEvent::Tick, T0 + 279));
        assert!(model
            .update(PlayEvent::Tick, Some(&creds), T0 + 279)
            .is_empty());
        assert!(model.makes_a_code(&PlayEvent::Tick, T0 + 280));
        // Woken once a minute, then for the renewal: not every second.
        assert_eq!(model.next_change_at(T0), Some(T0 + 60));
        assert_eq!(model.next_change_at(T0 + 59), Some(T0 + 60));
        assert_eq!(model.next_change_at(T0 + 240), Some(T0 + 280));
        let effects = model.update(PlayEvent::Tick, Some(&creds), T0 + 280);
        let second = showing(&model);
        assert_ne!(first.payload.transaction_id, second.payload.transaction_id);
        assert_eq!(
            effects,
            [PlayEffect::Watch {
                id: second.payload.transaction_id,
                expires_at: T0 + 580
            }]
        );
        // A machine read the old code just before the swap: the screen follows it.
        let pending = view_of(
            first.payload.transaction_id,
            TransactionStatus::Pending,
            900,
        );
        model.update(PlayEvent::StatusChanged(pending), Some(&creds), T0 + 281);
        assert!(matches!(model.phase, PlayPhase::Processing { .. }));
        assert_eq!(model.view(T0 + 281).status_text, "Processing…");
    }

    #[test]
    fn statuses_move_from_processing_to_the_final_outcome_and_refresh_the_balance() {
        let creds = creds();
        let mut model = PlayModel::default();
        model.update(PlayEvent::Start, Some(&creds), T0);
        let id = showing(&model).payload.transaction_id;
        let noise = model.update(
            PlayEvent::StatusChanged(view_of(id, TransactionStatus::AwaitingScan, 1000)),
            Some(&creds),
            T0,
        );
        assert!(noise.is_empty());
        assert!(matches!(model.phase, PlayPhase::Showing { .. }));
        model.update(
            PlayEvent::StatusChanged(view_of(id, TransactionStatus::Pending, 900)),
            Some(&creds),
            T0 + 1,
        );
        let mut refunded = view_of(id, TransactionStatus::Refunded, 1000);
        refunded.refund_reason = Some(RefundReason::DispenseFailed);
        let effects = model.update(PlayEvent::StatusChanged(refunded), Some(&creds), T0 + 2);
        assert_eq!(effects, [PlayEffect::RefreshBalance]);
        let view = model.view(T0 + 2);
        assert_eq!(view.status_text, "The machine failed: points refunded");
        assert_eq!(view.result_text.as_deref(), Some("New balance: 1,000 pts"));
        assert!(view.can_play_again);
        // Finished plays do not renew.
        assert!(model
            .update(PlayEvent::Tick, Some(&creds), T0 + 290)
            .is_empty());
    }

    #[test]
    fn a_refused_code_explains_why_and_what_to_do() {
        let creds = creds();
        let mut model = PlayModel::default();
        model.update(PlayEvent::Start, Some(&creds), T0);
        let id = showing(&model).payload.transaction_id;
        let mut rejected = view_of(id, TransactionStatus::Rejected, 50);
        rejected.error = Some(ErrorBody::new(ErrorCode::InsufficientPoints, "x"));
        model.update(PlayEvent::StatusChanged(rejected), Some(&creds), T0 + 3);
        let view = model.view(T0 + 3);
        assert_eq!(view.status_text, "Refused: Not enough points");
        assert_eq!(
            view.message.map(|m| m.next_step),
            Some(super::super::messages::NextStep::TopUp)
        );
    }

    #[test]
    fn without_credentials_no_code_is_made_and_the_user_is_told_to_sign_in() {
        let mut model = PlayModel::default();
        let effects = model.update(PlayEvent::Start, None, T0);
        assert!(effects.is_empty());
        let view = model.view(T0);
        assert_eq!(view.tone, Tone::Failed);
        assert_eq!(view.status_text, "Please sign in again");
    }

    #[test]
    fn events_about_unrelated_transactions_are_ignored() {
        let creds = creds();
        let mut model = PlayModel::default();
        model.update(PlayEvent::Start, Some(&creds), T0);
        let stranger = view_of(TransactionId::new_random(), TransactionStatus::Completed, 1);
        assert!(model
            .update(PlayEvent::StatusChanged(stranger), Some(&creds), T0)
            .is_empty());
        assert!(matches!(model.phase, PlayPhase::Showing { .. }));
        model.update(PlayEvent::Reset, Some(&creds), T0);
        assert_eq!(model.phase, PlayPhase::Choosing);
        assert!(model.view(T0).can_start);
    }
}
