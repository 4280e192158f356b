//! Earning a partner's reward (PROTOCOL §12) as a state machine: a reward link is
//! opened (camera, another app, the desktop demo) → the code is read and claimed at
//! once (scanning is the player's consent) → a visit's points, or a timed session that
//! runs (the home screen's timer card) until the player scans the end code or the
//! partner's server ends it → the points earned. Events in, effects (calls) out.

use super::messages::UserMessage;
use super::text::{texts, Texts};
use super::views::Tone;
use crate::api::rewards::{
    RewardClaim, RewardCodeInfo, RewardKind, RewardSessionStatus, RewardSessionView,
};
use crate::ids::Points;
use crate::links::AppLink;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RewardPhase {
    Idle,
    /// Reading the code, then claiming it.
    Opening,
    Claiming {
        info: RewardCodeInfo,
    },
    /// A visit paid.
    Earned {
        partner_name: String,
        points: Points,
    },
    /// A timed session started or ended by this scan (the running one is also kept in
    /// [`RewardModel::running`]).
    Session {
        session: RewardSessionView,
    },
    Failed {
        message: UserMessage,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RewardEvent {
    /// A reward link was opened.
    Open(String),
    CodeLoaded(RewardCodeInfo),
    Claimed(RewardClaim),
    /// The running session as the server has it now.
    SessionChanged(RewardSessionView),
    /// A session the server says is still running (read again after a restart):
    /// followed on the home screen's card, unless one is followed already.
    Resume(RewardSessionView),
    Failed(UserMessage),
    /// Back to nothing opened.
    Close,
    /// The ended session's card is put away.
    DismissCard,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RewardEffect {
    FetchCode {
        code_id: String,
    },
    Claim {
        code_id: String,
    },
    /// Long-poll the session until its version differs from `since`.
    WatchSession {
        session_id: u64,
        since: u64,
    },
    RefreshBalance,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardModel {
    pub phase: RewardPhase,
    /// The timed session the home screen's card follows: running, or just ended.
    pub running: Option<RewardSessionView>,
}

impl Default for RewardModel {
    fn default() -> Self {
        Self {
            phase: RewardPhase::Idle,
            running: None,
        }
    }
}

/// The reward screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardView {
    pub title: String,
    pub partner_name: Option<String>,
    /// What the code gives: "10 pts for this visit", "5 pts for every 10 min".
    pub gives: Option<String>,
    pub status_text: Option<String>,
    pub tone: Tone,
    pub close_text: String,
    pub waiting: bool,
    pub message: Option<UserMessage>,
}

/// The home screen's card while time is earning (and once, after it ended).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardCardView {
    pub title: String,
    /// "5 pts for every 10 min · 12 min so far".
    pub detail: String,
    /// How it ends: "Scan the end code when you leave", or the points earned.
    pub note: String,
    pub tone: Tone,
    /// Put away (once it ended).
    pub dismiss_text: Option<String>,
}

fn gives(t: &Texts, kind: RewardKind, point: Points, interval_minutes: u32) -> String {
    let points = t.points(point);
    match kind {
        RewardKind::Visit => t.message("reward_visit_gives", &[("points", &points)]),
        _ => t.message(
            "reward_timed_gives",
            &[
                ("points", &points),
                ("minutes", &interval_minutes.to_string()),
            ],
        ),
    }
}

fn minutes_between(from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>) -> i64 {
    (to - from).num_minutes().max(0)
}

impl RewardModel {
    pub fn update(&mut self, event: RewardEvent) -> Vec<RewardEffect> {
        use RewardEffect as Effect;
        use RewardEvent as Event;
        use RewardPhase as Phase;
        match event {
            Event::Open(link) => match AppLink::parse(&link) {
                Ok(AppLink::Reward { code_id }) => {
                    self.phase = Phase::Opening;
                    vec![Effect::FetchCode { code_id }]
                }
                _ => {
                    self.phase = Phase::Failed {
                        message: UserMessage::unreadable_link(),
                    };
                    vec![]
                }
            },
            Event::CodeLoaded(info) => {
                let code_id = info.code_id.clone();
                self.phase = Phase::Claiming { info };
                vec![Effect::Claim { code_id }]
            }
            Event::Claimed(RewardClaim::Earned {
                partner_name,
                points,
                ..
            }) => {
                self.phase = Phase::Earned {
                    partner_name,
                    points,
                };
                vec![Effect::RefreshBalance]
            }
            Event::Claimed(RewardClaim::Started { session })
            | Event::Claimed(RewardClaim::Ended { session, .. }) => {
                self.phase = Phase::Session {
                    session: session.clone(),
                };
                self.follow(session)
            }
            Event::SessionChanged(session) => {
                if let Phase::Session { session: shown } = &mut self.phase {
                    if shown.session_id == session.session_id {
                        *shown = session.clone();
                    }
                }
                self.follow(session)
            }
            Event::Resume(session) => {
                if self.running.is_some() || session.status != RewardSessionStatus::Open {
                    return vec![];
                }
                self.follow(session)
            }
            Event::Failed(message) => {
                // A failed watch keeps the card and the screen: their last state is true.
                if matches!(self.phase, Phase::Opening | Phase::Claiming { .. }) {
                    self.phase = Phase::Failed { message };
                }
                vec![]
            }
            Event::Close => {
                self.phase = Phase::Idle;
                vec![]
            }
            Event::DismissCard => {
                if self
                    .running
                    .as_ref()
                    .is_some_and(|s| s.status == RewardSessionStatus::Ended)
                {
                    self.running = None;
                }
                vec![]
            }
        }
    }

    /// Keeps the card's session and asks for what follows: watch it while it runs,
    /// the balance once it ended.
    fn follow(&mut self, session: RewardSessionView) -> Vec<RewardEffect> {
        let effects = match session.status {
            RewardSessionStatus::Open => vec![RewardEffect::WatchSession {
                session_id: session.session_id,
                since: session.version,
            }],
            RewardSessionStatus::Ended => vec![RewardEffect::RefreshBalance],
        };
        self.running = Some(session);
        effects
    }

    pub fn view(&self) -> RewardView {
        let t = texts();
        let mut view = RewardView {
            title: t.message("reward_title", &[]),
            partner_name: None,
            gives: None,
            status_text: None,
            tone: Tone::Waiting,
            close_text: t.message("machine_close", &[]),
            waiting: false,
            message: None,
        };
        match &self.phase {
            RewardPhase::Idle => {
                view.status_text = Some(t.message("machine_nothing_open", &[]));
            }
            RewardPhase::Opening => {
                view.waiting = true;
                view.status_text = Some(t.message("reward_opening", &[]));
                view.tone = Tone::Working;
            }
            RewardPhase::Claiming { info } => {
                view.waiting = true;
                view.partner_name = Some(info.partner_name.clone());
                view.gives = Some(gives(t, info.kind, info.point, info.interval_minutes));
                view.status_text = Some(t.message("reward_opening", &[]));
                view.tone = Tone::Working;
            }
            RewardPhase::Earned {
                partner_name,
                points,
            } => {
                view.partner_name = Some(partner_name.clone());
                view.status_text = Some(t.message(
                    "reward_earned",
                    &[("points", &t.points(*points)), ("partner", partner_name)],
                ));
                view.tone = Tone::Success;
            }
            RewardPhase::Session { session } => {
                view.partner_name = Some(session.partner_name.clone());
                view.gives = Some(gives(
                    t,
                    session.kind,
                    session.point,
                    session.interval_minutes,
                ));
                let (text, tone) = session_status(t, session);
                view.status_text = Some(text);
                view.tone = tone;
            }
            RewardPhase::Failed { message } => {
                view.message = Some(message.clone());
                view.tone = Tone::Failed;
            }
        }
        view
    }

    /// The home screen's card, if time is earning or has just ended; `now` for the
    /// minutes so far.
    pub fn card(&self, now: chrono::DateTime<chrono::Utc>) -> Option<RewardCardView> {
        let session = self.running.as_ref()?;
        let t = texts();
        let every = gives(t, session.kind, session.point, session.interval_minutes);
        Some(match session.status {
            RewardSessionStatus::Open => {
                let minutes = minutes_between(session.started_at, now);
                RewardCardView {
                    title: t.message("reward_card_title", &[("partner", &session.partner_name)]),
                    detail: t.message(
                        "reward_card_so_far",
                        &[("every", &every), ("minutes", &minutes.to_string())],
                    ),
                    note: t.message(
                        match session.kind {
                            RewardKind::TimedByPartner => "reward_card_partner_ends",
                            _ => "reward_card_scan_end",
                        },
                        &[],
                    ),
                    tone: Tone::Working,
                    dismiss_text: None,
                }
            }
            RewardSessionStatus::Ended => {
                let (note, tone) = session_status(t, session);
                RewardCardView {
                    title: t.message("reward_card_done", &[("partner", &session.partner_name)]),
                    detail: every,
                    note,
                    tone,
                    dismiss_text: Some(t.message("reward_card_dismiss", &[])),
                }
            }
        })
    }
}

/// "Time started at Cafe Seoul" or "14 pts earned at Cafe Seoul for 25 min".
fn session_status(t: &Texts, session: &RewardSessionView) -> (String, Tone) {
    match (session.status, session.ended_at) {
        (RewardSessionStatus::Ended, Some(ended_at)) => {
            let earned = session.earned.unwrap_or(Points(0));
            let minutes = minutes_between(session.started_at, ended_at).to_string();
            (
                t.message(
                    "reward_ended",
                    &[
                        ("points", &t.points(earned)),
                        ("partner", &session.partner_name),
                        ("minutes", &minutes),
                    ],
                ),
                Tone::Success,
            )
        }
        _ => (
            t.message("reward_started", &[("partner", &session.partner_name)]),
            Tone::Working,
        ),
    }
}

#[cfg(test)]
mod tests;
