//! The app's state: signals provided as context at the root and read through
//! `use_app_state()`. The models themselves (and their rules) live in the core.

use dioxus::prelude::*;
use gashapay_core::api::HistoryEntry;
use gashapay_core::app::messages::UserMessage;
use gashapay_core::app::play::PlayModel;
use gashapay_core::app::views::BalanceModel;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    /// Checking the stored session at start.
    Starting,
    SignedOut {
        message: Option<UserMessage>,
    },
    SignedIn,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryModel {
    pub entries: Vec<HistoryEntry>,
    pub next_before: Option<i64>,
    pub loading: bool,
    pub problem: Option<UserMessage>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopUpModel {
    pub busy: bool,
    pub result: Option<String>,
    pub problem: Option<UserMessage>,
    /// Kept while a top-up has not been answered, so "Try again" charges once.
    pub pending_key: Option<String>,
}

/// Every signal the screens read.
#[derive(Clone, Copy)]
pub struct AppState {
    pub session: Signal<Session>,
    pub balance: Signal<BalanceModel>,
    pub history: Signal<HistoryModel>,
    pub play: Signal<PlayModel>,
    pub top_up: Signal<TopUpModel>,
    /// Unix seconds, ticking once a second (countdowns).
    pub now: Signal<u64>,
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

impl AppState {
    /// Fresh signals; call inside a Dioxus runtime (at the root, as a context).
    pub fn new() -> Self {
        Self {
            session: Signal::new(Session::Starting),
            balance: Signal::new(BalanceModel::default()),
            history: Signal::new(HistoryModel::default()),
            play: Signal::new(PlayModel::default()),
            top_up: Signal::new(TopUpModel::default()),
            now: Signal::new(gashapay_core::device::unix_now()),
        }
    }
}

pub fn use_app_state() -> AppState {
    use_context::<AppState>()
}
