//! What the app model asks the shell to do, as data: one list of every call and
//! chore, so the shell has one runner. Each screen model's effects map into it here,
//! and "fetch the balance again" always means the balance and the newest history.

use crate::app::history::{FetchHistory, HistoryEvent, HistoryModel};
use crate::app::machine_pay::MachinePayEffect;
use crate::app::play::PlayEffect;
use crate::app::reward::RewardEffect;
use crate::app::sign_in::Credentials;
use crate::app::top_up::TopUpEffect;
use crate::ids::{Points, TransactionId};
use crate::order_code::OrderCode;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A call through the API client; its answer comes back as an event.
    Call(Call),
    /// Ask `/health` at this address, then answer `ServerEvent::Checked`.
    CheckServer(String),
    /// Talk to this server from now on (and next time), then answer
    /// `AppEvent::ServerSwitched`.
    SwitchServer(String),
    /// Speak this language from now on (every text the core gives) and next time.
    Speak(crate::app::language::Language),
    /// Stop every watch and long-poll under way: their account is gone.
    StopWatching,
    /// Keep the balance and the newest history as shown now for the next run.
    SaveAccount,
    /// The saved account is no longer this app's.
    ForgetSavedAccount,
}

/// The calls to the server, each answered by an event (or `AppEvent::CallFailed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    SignIn(Credentials),
    /// Create the account, then answer as a sign-in does.
    SignUp(Credentials),
    /// Tell the server the session is over (signed out here whatever it says).
    Logout,
    FetchBalance,
    FetchHistory(FetchHistory),
    /// What the player has running (open machine sessions, timed rewards).
    FetchRunning,
    /// Follow a play shown on the play screen until it is final or `expires_at`
    /// passes unscanned.
    WatchPlay {
        id: TransactionId,
        expires_at: u64,
    },
    TopUp {
        amount: Points,
        payment_token: String,
        idempotency_key: String,
    },
    FetchMachineCode {
        code_id: String,
    },
    CheckOrder {
        order: OrderCode,
    },
    StartMachineSession {
        session_id: Uuid,
        code_id: String,
        points: Points,
    },
    /// Long-poll the session until its version differs from `since`.
    WatchMachineSession {
        session_id: Uuid,
        since: u64,
    },
    EndMachineSession {
        session_id: Uuid,
    },
    PayOrder {
        order: OrderCode,
    },
    /// Follow an order's play to its outcome.
    WatchOrderPlay {
        id: TransactionId,
        expires_at: u64,
    },
    FetchRewardCode {
        code_id: String,
    },
    ClaimReward {
        code_id: String,
    },
    /// Long-poll the reward session until its version differs from `since`.
    WatchRewardSession {
        session_id: u64,
        since: u64,
    },
}

/// Which call failed, so its screen says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedCall {
    Balance,
    History,
    /// Following the play screen's transaction.
    PlayWatch(TransactionId),
    TopUp,
    MachinePay,
    Reward,
    Running,
}

/// The balance and the newest page of history, fetched again.
pub(super) fn load_account(history: &mut HistoryModel) -> Vec<Effect> {
    let mut effects = vec![Effect::Call(Call::FetchBalance)];
    effects.extend(
        history
            .update(HistoryEvent::Refresh)
            .map(|fetch| Effect::Call(Call::FetchHistory(fetch))),
    );
    effects
}

pub(super) fn of_play(effects: Vec<PlayEffect>, history: &mut HistoryModel) -> Vec<Effect> {
    let mut out = Vec::new();
    for effect in effects {
        match effect {
            PlayEffect::Watch { id, expires_at } => {
                out.push(Effect::Call(Call::WatchPlay { id, expires_at }))
            }
            PlayEffect::RefreshBalance => out.extend(load_account(history)),
        }
    }
    out
}

pub(super) fn of_top_up(effects: Vec<TopUpEffect>, history: &mut HistoryModel) -> Vec<Effect> {
    let mut out = Vec::new();
    for effect in effects {
        match effect {
            TopUpEffect::Charge {
                amount,
                payment_token,
                idempotency_key,
            } => out.push(Effect::Call(Call::TopUp {
                amount,
                payment_token,
                idempotency_key,
            })),
            TopUpEffect::RefreshAccount => out.extend(load_account(history)),
        }
    }
    out
}

pub(super) fn of_machine_pay(
    effects: Vec<MachinePayEffect>,
    history: &mut HistoryModel,
) -> Vec<Effect> {
    use MachinePayEffect as Pay;
    let mut out = Vec::new();
    for effect in effects {
        out.push(Effect::Call(match effect {
            Pay::FetchMachineCode { code_id } => Call::FetchMachineCode { code_id },
            Pay::CheckOrder { order } => Call::CheckOrder { order },
            Pay::StartSession {
                session_id,
                code_id,
                points,
            } => Call::StartMachineSession {
                session_id,
                code_id,
                points,
            },
            Pay::WatchSession { session_id, since } => {
                Call::WatchMachineSession { session_id, since }
            }
            Pay::EndSession { session_id } => Call::EndMachineSession { session_id },
            Pay::PayOrder { order } => Call::PayOrder { order },
            Pay::WatchPlay { id, expires_at } => Call::WatchOrderPlay { id, expires_at },
            Pay::RefreshBalance => {
                out.extend(load_account(history));
                continue;
            }
        }));
    }
    out
}

pub(super) fn of_reward(effects: Vec<RewardEffect>, history: &mut HistoryModel) -> Vec<Effect> {
    let mut out = Vec::new();
    for effect in effects {
        out.push(Effect::Call(match effect {
            RewardEffect::FetchCode { code_id } => Call::FetchRewardCode { code_id },
            RewardEffect::Claim { code_id } => Call::ClaimReward { code_id },
            RewardEffect::WatchSession { session_id, since } => {
                Call::WatchRewardSession { session_id, since }
            }
            RewardEffect::RefreshBalance => {
                out.extend(load_account(history));
                continue;
            }
        }));
    }
    out
}
