//! What the app talks to (the server's client, the saved state, the screen), and the
//! one way in to the core's app model: every event is dispatched here and the effects
//! it returns go to the runner.

use crate::connection::Connection;
use crate::state::AppState;
use dioxus::prelude::*;
use gashapay_core::app::model::{AppEvent, Effect, Epoch};
use gashapay_core::app::saved::SavedStateStore;
use gashapay_core::app::scanner_screen::ScreenForCodes;
use gashapay_core::app::settings::Keychain;
use gashapay_core::client::{ApiClient, PollConfig};
use gashapay_core::clock::unix_now;
use std::sync::{Arc, Mutex, RwLock};
use tokio_util::sync::CancellationToken;

/// Everything the app talks to, provided as context at launch.
#[derive(Clone)]
pub struct Services {
    /// The server in use; none until one is chosen.
    pub connection: Arc<RwLock<Option<Connection>>>,
    pub poll: PollConfig,
    /// What the app keeps between runs (never a secret).
    pub saved: Arc<SavedStateStore>,
    /// Cancels every call made for the account shown (watches and long-polls
    /// included) when the model stops watching; replaced then, so the next account's
    /// calls start uncancelled.
    pub watches: Arc<Mutex<CancellationToken>>,
    /// Full brightness and no sleep while a code shows.
    pub screen: Arc<ScreenForCodes>,
    #[cfg(feature = "demo")]
    pub demo: Option<Arc<crate::demo::DemoEnv>>,
}

impl Services {
    /// The client of the server in use.
    pub fn client(&self) -> Option<Arc<ApiClient>> {
        self.read_connection().as_ref().map(|c| c.client.clone())
    }

    /// Where this server's secrets are kept.
    pub fn keychain(&self) -> Option<Keychain> {
        self.read_connection().as_ref().map(|c| c.keychain.clone())
    }

    fn read_connection(&self) -> std::sync::RwLockReadGuard<'_, Option<Connection>> {
        self.connection
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn replace_connection(&self, connection: Connection) {
        *self
            .connection
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(connection);
    }

    #[cfg(feature = "demo")]
    pub fn is_demo(&self) -> bool {
        self.demo.is_some()
    }
    #[cfg(not(feature = "demo"))]
    pub fn is_demo(&self) -> bool {
        false
    }

    pub(crate) fn watch_token(&self) -> CancellationToken {
        lock(&self.watches).child_token()
    }

    pub(crate) fn cancel_watches(&self) {
        std::mem::take(&mut *lock(&self.watches)).cancel();
    }
}

fn lock(watches: &Mutex<CancellationToken>) -> std::sync::MutexGuard<'_, CancellationToken> {
    watches
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn use_services() -> Services {
    use_context::<Services>()
}

/// Writes the saved state; a write that fails is logged, and the app goes on with
/// the state in memory.
pub(crate) fn save(
    services: &Services,
    change: impl FnOnce(&mut gashapay_core::app::saved::SavedState),
) {
    if let Err(error) = services.saved.update(change) {
        dioxus::logger::tracing::warn!("the app's state was not saved: {error}");
    }
}

/// At launch: what the keychain and the last run know, to the model (a stored
/// session shows what the last run saved until the server answers; the demo signs
/// its user in).
pub fn start(state: AppState, services: &Services) {
    #[cfg(feature = "demo")]
    let demo_account = services
        .demo
        .as_ref()
        .map(|demo| (demo.username.clone(), demo.password.clone().into()));
    #[cfg(not(feature = "demo"))]
    let demo_account = None;
    let Some(client) = services.client() else {
        // No server yet: the server screen asks for one, then starts again.
        return;
    };
    let stored_sign_in = client.has_sign_in().unwrap_or(false);
    let signed_in_user = client.device_credentials().ok().map(|d| d.user_id);
    let event = AppEvent::Started {
        stored_sign_in,
        signed_in_user,
        saved: services.saved.get().account,
        demo_account,
    };
    dispatch(state, services, event);
}

/// Feeds an event to the app model and runs the effects it returns.
pub fn dispatch(state: AppState, services: &Services, event: AppEvent) {
    let mut model = state.model;
    let now = unix_now();
    // The keystore is read only when a code is made, not at every tick.
    let credentials = model
        .peek()
        .needs_credentials(&event, now)
        .then(|| services.client()?.device_credentials().ok())
        .flatten();
    let effects = model.write().update(event, now, credentials.as_ref());
    after_update(state, services, effects);
}

/// The answer to an effect run for `epoch`: dropped (before the model is touched)
/// when the account it was for is gone.
pub(crate) fn answer(state: AppState, services: &Services, epoch: Epoch, event: AppEvent) {
    let mut model = state.model;
    if model.peek().epoch() != epoch {
        return;
    }
    let effects = model.write().answer(epoch, event, unix_now(), None);
    after_update(state, services, effects);
}

fn after_update(state: AppState, services: &Services, effects: Vec<Effect>) {
    let epoch = state.model.peek().epoch();
    for effect in effects {
        crate::runner::run(state, services.clone(), epoch, effect);
    }
}
