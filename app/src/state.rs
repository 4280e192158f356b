//! The app's state: signals provided as context at the root and read through
//! `use_app_state()`. The models themselves (and their rules) live in the core.

use dioxus::prelude::*;
use gashapay_core::app::history::HistoryModel;
use gashapay_core::app::language::Language;
use gashapay_core::app::machine_pay::MachinePayModel;
use gashapay_core::app::play::PlayModel;
use gashapay_core::app::reward::RewardModel;
use gashapay_core::app::server::ServerModel;
use gashapay_core::app::session::Session;
use gashapay_core::app::top_up::TopUpModel;
use gashapay_core::app::views::BalanceModel;

/// Every signal the screens read.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The language the app speaks; the shell redraws every screen when it changes.
    pub language: Signal<Language>,
    pub server: Signal<ServerModel>,
    pub session: Signal<Session>,
    pub balance: Signal<BalanceModel>,
    pub history: Signal<HistoryModel>,
    pub play: Signal<PlayModel>,
    pub top_up: Signal<TopUpModel>,
    /// Paying at a machine that shows the code (opened by a link).
    pub machine_pay: Signal<MachinePayModel>,
    /// Earning a partner's reward (opened by a link), and the running timed session.
    pub reward: Signal<RewardModel>,
    /// Unix seconds when the play screen was last brought up to date: at each play
    /// event, and when a shown code's minutes left change or it is renewed.
    pub now: Signal<u64>,
}

impl AppState {
    /// Fresh signals; call inside a Dioxus runtime (at the root, as a context).
    pub fn new(server: ServerModel) -> Self {
        Self {
            language: Signal::new(gashapay_core::app::i18n::current_language()),
            server: Signal::new(server),
            session: Signal::new(Session::Starting),
            balance: Signal::new(BalanceModel::default()),
            history: Signal::new(HistoryModel::default()),
            play: Signal::new(PlayModel::default()),
            top_up: Signal::new(TopUpModel::default()),
            machine_pay: Signal::new(MachinePayModel::default()),
            reward: Signal::new(RewardModel::default()),
            now: Signal::new(gashapay_core::clock::unix_now()),
        }
    }
}

pub fn use_app_state() -> AppState {
    use_context::<AppState>()
}
