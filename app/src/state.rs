//! The app's state: the core's one app model, in one signal provided as context at the
//! root and read through `use_app_state()`. The rules live in the model, in the core.

use dioxus::prelude::*;
use gashapay_core::app::model::AppModel;
use gashapay_core::app::server::ServerModel;

#[derive(Clone, Copy)]
pub struct AppState {
    pub model: Signal<AppModel>,
}

impl AppState {
    /// The model at launch, in a signal; call inside a Dioxus runtime (at the root,
    /// as a context).
    pub fn new(server: ServerModel) -> Self {
        let language = gashapay_core::app::i18n::current_language();
        let now = gashapay_core::clock::unix_now();
        Self {
            model: Signal::new(AppModel::new(language, server, now)),
        }
    }
}

pub fn use_app_state() -> AppState {
    use_context::<AppState>()
}
