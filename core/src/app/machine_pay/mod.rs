//! Paying at a machine that shows the code (PROTOCOL §10) as a state machine: a link
//! is opened (camera, another app, the desktop demo) → the machine's printed code
//! (choose points to load, confirm, a live session card with its purchases, "End
//! session", the refund) or an order's code (confirm "Pay 150 pts for Capsule A at Demo
//! machine?", then its status to dispensed or refunded). Events come in; effects (the
//! calls to make) go out as data for the shell to run.

use super::messages::UserMessage;
use super::text::texts;
use super::views::{play_status_label, Tone};
use crate::api::machine_pay::{
    MachineCodeInfo, OrderStatus, OrderView, SessionStatus, SessionView,
};
use crate::api::TransactionView;
use crate::ids::{Points, TransactionId};
use crate::links::AppLink;
use crate::order_code::OrderCode;
use chrono::FixedOffset;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MachinePayPhase {
    /// Nothing opened.
    Idle,
    /// Asking the server about the opened code (an order's, kept to pay it).
    Opening {
        order: Option<OrderCode>,
    },
    /// A printed code: how many points to load.
    ChooseLoad {
        info: MachineCodeInfo,
        points: Points,
    },
    /// An order: pay it?
    ConfirmOrder {
        order: OrderCode,
        view: OrderView,
    },
    /// The load or the payment is on its way (the session id is kept, so sending it
    /// again cannot open a second session).
    Sending {
        session_id: Option<Uuid>,
    },
    /// A pay-first session, live or ended.
    Session {
        session: SessionView,
    },
    /// A paid order, followed as a play.
    Order {
        view: OrderView,
        play: Option<TransactionView>,
    },
    Failed {
        message: UserMessage,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MachinePayEvent {
    /// A link was opened.
    Open(String),
    MachineCodeLoaded(MachineCodeInfo),
    OrderChecked(OrderView),
    ChooseLoad(Points),
    Confirm,
    SessionChanged(SessionView),
    /// A session the server says is still open (read again after a restart): kept and
    /// followed, shown on the home screen's card, without leaving the screen in view.
    Resume(SessionView),
    /// The home screen's card was tapped: its session on the machine screen.
    ShowOpenSession,
    OrderPaid(OrderView),
    PlayChanged(TransactionView),
    EndSession,
    /// A call failed.
    Failed(UserMessage),
    /// Back to nothing opened.
    Close,
}

/// Work for the shell; each answer comes back as an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MachinePayEffect {
    FetchMachineCode {
        code_id: String,
    },
    CheckOrder {
        order: OrderCode,
    },
    StartSession {
        session_id: Uuid,
        code_id: String,
        points: Points,
    },
    /// Long-poll the session until its version differs from `since`.
    WatchSession {
        session_id: Uuid,
        since: u64,
    },
    EndSession {
        session_id: Uuid,
    },
    PayOrder {
        order: OrderCode,
    },
    /// Follow the order's play to its outcome.
    WatchPlay {
        id: TransactionId,
        expires_at: u64,
    },
    RefreshBalance,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachinePayModel {
    pub phase: MachinePayPhase,
    /// The player's open session, followed whichever screen shows (the home screen's
    /// card while the machine screen is closed); gone once it ends.
    pub open: Option<SessionView>,
}

impl Default for MachinePayModel {
    fn default() -> Self {
        Self {
            phase: MachinePayPhase::Idle,
            open: None,
        }
    }
}

/// The home screen's card while a session is open on a machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineSessionCardView {
    /// "Session open at Demo capsule machine".
    pub title: String,
    /// "350 pts left".
    pub detail: String,
    /// The button that shows the session.
    pub show_text: String,
}

/// Everything the machine screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachinePayView {
    pub title: String,
    pub machine_name: Option<String>,
    /// The question or the state, e.g. "How many points to load?".
    pub prompt: Option<String>,
    /// Load amounts: points, label, chosen.
    pub choices: Vec<(Points, String, bool)>,
    /// The button that loads or pays, e.g. "Load 500 pts", "Confirm payment".
    pub confirm_text: Option<String>,
    /// "350 pts left".
    pub credit_text: Option<String>,
    /// "Capsule A · 150 pts", oldest first.
    pub purchases: Vec<String>,
    /// A note under the card (someone else is at the machine; when it ends by itself).
    pub note: Option<String>,
    pub status_text: Option<String>,
    pub tone: Tone,
    pub can_end_session: bool,
    /// The button that leaves the screen: "Cancel" before paying, "Done" after.
    pub close_text: String,
    /// Waiting for the server: buttons are disabled.
    pub waiting: bool,
    pub message: Option<UserMessage>,
}

impl MachinePayModel {
    pub fn update(&mut self, event: MachinePayEvent, now: u64) -> Vec<MachinePayEffect> {
        use MachinePayEffect as Effect;
        use MachinePayEvent as Event;
        use MachinePayPhase as Phase;
        match event {
            Event::Open(text) => match AppLink::parse(&text) {
                Ok(AppLink::MachineCode { code_id }) => {
                    self.phase = Phase::Opening { order: None };
                    vec![Effect::FetchMachineCode { code_id }]
                }
                Ok(AppLink::Order(order)) => {
                    self.phase = Phase::Opening {
                        order: Some(order.clone()),
                    };
                    vec![Effect::CheckOrder { order }]
                }
                // A reward link is not a machine's: the reward page opens those.
                Ok(AppLink::Reward { .. }) | Err(_) => {
                    self.phase = Phase::Failed {
                        message: UserMessage::unreadable_link(),
                    };
                    vec![]
                }
            },
            Event::MachineCodeLoaded(info) => {
                let points = info.load_choices.first().copied().unwrap_or(Points(100));
                self.phase = Phase::ChooseLoad { info, points };
                vec![]
            }
            Event::OrderChecked(view) => match view.transaction_id {
                // Paid already (by this customer): follow it.
                Some(id) => {
                    let expires_at = now + 30;
                    self.phase = Phase::Order { view, play: None };
                    vec![Effect::WatchPlay { id, expires_at }]
                }
                None => {
                    let Phase::Opening { order: Some(order) } = &self.phase else {
                        return vec![];
                    };
                    self.phase = Phase::ConfirmOrder {
                        order: order.clone(),
                        view,
                    };
                    vec![]
                }
            },
            Event::ChooseLoad(chosen) => {
                if let Phase::ChooseLoad { points, .. } = &mut self.phase {
                    *points = chosen;
                }
                vec![]
            }
            Event::Confirm => match std::mem::replace(&mut self.phase, Phase::Idle) {
                Phase::ChooseLoad { info, points } => {
                    let session_id = Uuid::now_v7();
                    self.phase = Phase::Sending {
                        session_id: Some(session_id),
                    };
                    vec![Effect::StartSession {
                        session_id,
                        code_id: info.code_id,
                        points,
                    }]
                }
                Phase::ConfirmOrder { order, .. } => {
                    self.phase = Phase::Sending { session_id: None };
                    vec![Effect::PayOrder { order }]
                }
                other => {
                    self.phase = other;
                    vec![]
                }
            },
            Event::SessionChanged(session) => {
                let id = session.session_id;
                let on_screen = match &self.phase {
                    Phase::Sending { session_id } => *session_id == Some(id),
                    Phase::Session { session: shown } => shown.session_id == id,
                    _ => false,
                };
                let opened = session.status == SessionStatus::Open
                    && self.open.as_ref().map(|open| open.session_id) != Some(id);
                let mut effects = self.keep_open(session.clone());
                if opened {
                    // The load was just taken from the balance.
                    effects.push(Effect::RefreshBalance);
                }
                if on_screen {
                    self.phase = Phase::Session { session };
                }
                effects
            }
            Event::Resume(session) => {
                // Followed already (this run opened it), or not open: nothing to add.
                if self.open.is_some() || session.status != SessionStatus::Open {
                    return vec![];
                }
                self.keep_open(session)
            }
            Event::ShowOpenSession => {
                if let Some(session) = self.open.clone() {
                    self.phase = Phase::Session { session };
                }
                vec![]
            }
            Event::OrderPaid(view) => {
                let mut effects = vec![Effect::RefreshBalance];
                if let Some(id) = view.transaction_id {
                    // The machine has the order timeout to report; follow a little longer.
                    effects.push(Effect::WatchPlay {
                        id,
                        expires_at: now + 60,
                    });
                }
                self.phase = Phase::Order { view, play: None };
                effects
            }
            Event::PlayChanged(play) => {
                let Phase::Order { view, play: shown } = &mut self.phase else {
                    return vec![];
                };
                if view.transaction_id != Some(play.transaction_id) {
                    return vec![];
                }
                view.status = OrderStatus::of_play(play.status);
                let finished = play.status.is_final();
                *shown = Some(play);
                if finished {
                    vec![Effect::RefreshBalance]
                } else {
                    vec![]
                }
            }
            Event::EndSession => match &self.phase {
                Phase::Session { session } if session.status == SessionStatus::Open => {
                    vec![Effect::EndSession {
                        session_id: session.session_id,
                    }]
                }
                _ => vec![],
            },
            Event::Failed(message) => {
                // A failed watch keeps the card (its last state is still true).
                if !matches!(self.phase, Phase::Session { .. } | Phase::Order { .. }) {
                    self.phase = Phase::Failed { message };
                }
                vec![]
            }
            Event::Close => {
                self.phase = Phase::Idle;
                vec![]
            }
        }
    }

    /// Keeps `session` as the open one while it is open and asks for what follows:
    /// watch it while it is open, the balance once it ended.
    fn keep_open(&mut self, session: SessionView) -> Vec<MachinePayEffect> {
        match session.status {
            SessionStatus::Open => {
                let effect = MachinePayEffect::WatchSession {
                    session_id: session.session_id,
                    since: session.version,
                };
                self.open = Some(session);
                vec![effect]
            }
            SessionStatus::Ended => {
                if self
                    .open
                    .as_ref()
                    .is_some_and(|open| open.session_id == session.session_id)
                {
                    self.open = None;
                }
                vec![MachinePayEffect::RefreshBalance]
            }
        }
    }

    /// The home screen's card, while a session is open.
    pub fn card(&self) -> Option<MachineSessionCardView> {
        let session = self.open.as_ref()?;
        let t = texts();
        Some(MachineSessionCardView {
            title: t.message("session_card_title", &[("machine", &session.machine_name)]),
            detail: t.message(
                "session_credit_left",
                &[("points", &t.points(session.remaining))],
            ),
            show_text: t.message("session_card_show", &[]),
        })
    }

    pub fn view(&self, zone: &FixedOffset) -> MachinePayView {
        let t = texts();
        let mut view = MachinePayView {
            title: t.message("machine_title", &[]),
            machine_name: None,
            prompt: None,
            choices: Vec::new(),
            confirm_text: None,
            credit_text: None,
            purchases: Vec::new(),
            note: None,
            status_text: None,
            tone: Tone::Waiting,
            can_end_session: false,
            close_text: t.message("machine_close", &[]),
            waiting: false,
            message: None,
        };
        match &self.phase {
            MachinePayPhase::Idle => {
                view.prompt = Some(t.message("machine_nothing_open", &[]));
            }
            MachinePayPhase::Opening { .. } | MachinePayPhase::Sending { .. } => {
                view.waiting = true;
                view.status_text = Some(t.message("machine_opening", &[]));
                view.tone = Tone::Working;
            }
            MachinePayPhase::ChooseLoad { info, points } => {
                view.machine_name = Some(info.machine_name.clone());
                view.prompt = Some(t.message("machine_load_prompt", &[]));
                view.choices = info
                    .load_choices
                    .iter()
                    .map(|&p| (p, t.points(p), p == *points))
                    .collect();
                view.confirm_text =
                    Some(t.message("machine_load_button", &[("points", &t.points(*points))]));
                if info.busy {
                    view.note = Some(t.message("machine_busy_note", &[]));
                }
                view.close_text = t.cancel.clone();
            }
            MachinePayPhase::ConfirmOrder { view: order, .. } => {
                let points = t.points(order.amount);
                view.machine_name = Some(order.machine_name.clone());
                view.prompt = Some(t.message(
                    "order_confirm",
                    &[
                        ("points", &points),
                        ("item", &order.item),
                        ("machine", &order.machine_name),
                    ],
                ));
                // The prompt above says what and how much; the button confirms it.
                view.confirm_text = Some(t.message("order_pay_button", &[]));
                view.close_text = t.cancel.clone();
            }
            MachinePayPhase::Session { session } => {
                view.machine_name = Some(session.machine_name.clone());
                // While it is open: what is left to spend (at the end, the refund says it).
                view.credit_text = (session.status == SessionStatus::Open).then(|| {
                    t.message(
                        "session_credit_left",
                        &[("points", &t.points(session.remaining))],
                    )
                });
                view.purchases = session
                    .purchases
                    .iter()
                    .map(|p| {
                        t.message(
                            "session_purchase",
                            &[("item", &p.item), ("points", &t.points(p.points))],
                        )
                    })
                    .collect();
                match session.status {
                    SessionStatus::Open => {
                        view.status_text = Some(t.message("session_open", &[]));
                        view.tone = Tone::Working;
                        view.can_end_session = true;
                        view.note = session.idle_deadline.map(|at| {
                            t.message("session_idle", &[("time", &t.date_time(at, zone))])
                        });
                    }
                    SessionStatus::Ended => {
                        let refunded = session.refunded.unwrap_or(Points(0));
                        view.status_text = Some(if refunded.0 > 0 {
                            t.message("session_ended_refund", &[("points", &t.points(refunded))])
                        } else {
                            t.message("session_ended_spent", &[])
                        });
                        view.tone = if refunded.0 > 0 {
                            Tone::Refunded
                        } else {
                            Tone::Success
                        };
                    }
                }
            }
            MachinePayPhase::Order { view: order, play } => {
                view.machine_name = Some(order.machine_name.clone());
                view.prompt = Some(t.message(
                    "session_purchase",
                    &[("item", &order.item), ("points", &t.points(order.amount))],
                ));
                let (text, tone) = match play {
                    Some(play) => play_status_label(play),
                    None => (t.message("order_paid_waiting", &[]), Tone::Working),
                };
                view.status_text = Some(text);
                view.tone = tone;
            }
            MachinePayPhase::Failed { message } => {
                view.message = Some(message.clone());
                view.tone = Tone::Failed;
            }
        }
        view
    }
}

#[cfg(test)]
mod tests;
