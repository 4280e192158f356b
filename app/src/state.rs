//! The app's state: the core's one app model in one signal, the language the app
//! speaks, and the play screen's clock, provided as context at the root and read
//! through `use_app_state()`. The rules live in the model, in the core.

use dioxus::prelude::*;
use gashapay_core::app::language::Language;
use gashapay_core::app::model::AppModel;
use gashapay_core::app::server::ServerModel;

#[derive(Clone, Copy)]
pub struct AppState {
    pub model: Signal<AppModel>,
    /// The language the app speaks; the shell redraws every screen when it changes.
    pub language: Signal<Language>,
    /// Unix seconds when the play screen was last brought up to date: at each play
    /// event, and when a shown code's minutes left change or it is renewed.
    pub now: Signal<u64>,
}

impl AppState {
    /// Fresh signals; call inside a Dioxus runtime (at the root, as a context).
    pub fn new(server: ServerModel) -> Self {
        Self {
            model: Signal::new(AppModel::new(server)),
            language: Signal::new(gashapay_core::app::i18n::current_language()),
            now: Signal::new(gashapay_core::clock::unix_now()),
        }
    }
}

pub fn use_app_state() -> AppState {
    use_context::<AppState>()
}
