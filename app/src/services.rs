//! Runs what screens ask for: calls through the core's client, effects of the play
//! state machine, and folding the answers back into the signals.

use crate::state::{AppState, Session};
use dioxus::prelude::*;
use gashapay_core::app::messages::UserMessage;
use gashapay_core::app::play::{PlayEffect, PlayEvent};
use gashapay_core::client::{watch_transaction, ApiClient, ClientError, PollConfig, PollEnd};
use gashapay_core::device::unix_now;
use gashapay_core::Points;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Where the app keeps its secrets, for the settings screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keychain {
    System,
    /// No system keychain answered; the session lasts until the app quits.
    MemoryOnly {
        reason: String,
    },
}

/// Everything the app talks to, provided as context at launch.
#[derive(Clone)]
pub struct Services {
    pub client: Arc<ApiClient>,
    pub server_url: String,
    pub keychain: Keychain,
    pub poll: PollConfig,
    /// Cancels every status watch (sign-out).
    pub watches: CancellationToken,
    #[cfg(feature = "demo")]
    pub demo: Option<Arc<crate::demo::DemoEnv>>,
}

impl Services {
    #[cfg(feature = "demo")]
    pub fn is_demo(&self) -> bool {
        self.demo.is_some()
    }
    #[cfg(not(feature = "demo"))]
    pub fn is_demo(&self) -> bool {
        false
    }
}

pub fn use_services() -> Services {
    use_context::<Services>()
}

/// A call failed: a lost session signs the user out; anything else is returned as a
/// message for the screen.
fn handle(state: AppState, error: &ClientError) -> UserMessage {
    let message = UserMessage::for_client_error(error);
    let session_over = matches!(error, ClientError::NotSignedIn)
        || matches!(error.code(), Some(gashapay_core::ErrorCode::Unauthorized));
    if session_over {
        let mut session = state.session;
        session.set(Session::SignedOut {
            message: Some(message.clone()),
        });
    }
    message
}

/// At launch: a stored session is tried; the demo signs its user in.
pub async fn start(state: AppState, services: Services) {
    let mut session = state.session;
    #[cfg(feature = "demo")]
    if let Some(demo) = &services.demo {
        if !services.client.has_session().unwrap_or(false) {
            sign_in(
                state,
                services.clone(),
                demo.username.clone(),
                demo.password.clone(),
            )
            .await;
            return;
        }
    }
    if services.client.has_session().unwrap_or(false) {
        session.set(Session::SignedIn);
        refresh_balance(state, services.clone()).await;
        load_history(state, services, false).await;
    } else {
        session.set(Session::SignedOut { message: None });
    }
}

pub async fn sign_in(state: AppState, services: Services, username: String, password: String) {
    let mut session = state.session;
    match services.client.login(&username, &password).await {
        Ok(_) => {
            session.set(Session::SignedIn);
            refresh_balance(state, services.clone()).await;
            load_history(state, services, false).await;
        }
        Err(error) => {
            let message = UserMessage::for_client_error(&error);
            session.set(Session::SignedOut {
                message: Some(message),
            });
        }
    }
}

pub async fn sign_out(state: AppState, services: Services) {
    services.watches.cancel();
    let _ = services.client.logout().await;
    let (mut session, mut balance, mut history, mut play) =
        (state.session, state.balance, state.history, state.play);
    balance.set(Default::default());
    history.set(Default::default());
    play.set(Default::default());
    session.set(Session::SignedOut { message: None });
}

pub async fn refresh_balance(state: AppState, services: Services) {
    let mut balance = state.balance;
    match services.client.balance().await {
        Ok(answer) => balance.write().loaded(answer.balance, answer.as_of),
        Err(error) => {
            let message = handle(state, &error);
            balance.write().failed(message);
        }
    }
}

pub const HISTORY_PAGE: u32 = 20;

pub async fn load_history(state: AppState, services: Services, more: bool) {
    let mut history = state.history;
    let before = if more {
        history.read().next_before
    } else {
        None
    };
    if more && before.is_none() {
        return;
    }
    history.write().loading = true;
    match services.client.history(HISTORY_PAGE, before).await {
        Ok(page) => {
            let mut model = history.write();
            if more {
                model.entries.extend(page.entries);
            } else {
                model.entries = page.entries;
            }
            model.next_before = page.next_before;
            model.loading = false;
            model.problem = None;
        }
        Err(error) => {
            let message = handle(state, &error);
            let mut model = history.write();
            model.loading = false;
            model.problem = Some(message);
        }
    }
}

/// Top-up with the test payment token. A failed attempt keeps its idempotency key,
/// so "Try again" can never charge twice.
pub async fn top_up(state: AppState, services: Services, amount: u64, payment_token: String) {
    let mut model = state.top_up;
    let key = model
        .read()
        .pending_key
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    {
        let mut m = model.write();
        m.busy = true;
        m.pending_key = Some(key.clone());
        m.problem = None;
        m.result = None;
    }
    let result = services
        .client
        .top_up(Points(amount), &payment_token, &key)
        .await;
    let mut m = model.write();
    m.busy = false;
    match result {
        Ok(answer) => {
            m.pending_key = None;
            m.result = Some(format!(
                "Added {}. New balance: {}",
                gashapay_core::app::format::points(answer.amount),
                gashapay_core::app::format::points(answer.balance)
            ));
            drop(m);
            refresh_balance(state, services.clone()).await;
            load_history(state, services, false).await;
        }
        Err(error) => {
            // Only a lost answer is retried with the same key; a refusal is final.
            if !error.is_transient() {
                m.pending_key = None;
            }
            drop(m);
            let message = handle(state, &error);
            model.write().problem = Some(message);
        }
    }
}

/// Feeds an event to the play state machine and runs the effects it asks for.
pub fn play_event(state: AppState, services: Services, event: PlayEvent) {
    let mut play = state.play;
    // Only starting or renewing makes a code; don't read the keychain for the rest.
    let credentials = matches!(event, PlayEvent::Start | PlayEvent::Tick)
        .then(|| services.client.device_credentials().ok())
        .flatten();
    let effects = play.write().update(event, credentials.as_ref(), unix_now());
    for effect in effects {
        run_play_effect(state, services.clone(), effect);
    }
}

fn run_play_effect(state: AppState, services: Services, effect: PlayEffect) {
    match effect {
        PlayEffect::Watch { id, expires_at } => {
            spawn(async move {
                let cancel = services.watches.child_token();
                let result = watch_transaction(
                    &services.client,
                    id,
                    expires_at,
                    &services.poll,
                    &cancel,
                    |view| {
                        play_event(
                            state,
                            services.clone(),
                            PlayEvent::StatusChanged(view.clone()),
                        )
                    },
                )
                .await;
                match result {
                    Ok(PollEnd::Final(_) | PollEnd::NeverScanned | PollEnd::Cancelled) => {}
                    Err(error) => {
                        let message = handle(state, &error);
                        play_event(state, services, PlayEvent::WatchFailed { id, message });
                    }
                }
            });
        }
        PlayEffect::RefreshBalance => {
            spawn(async move {
                refresh_balance(state, services.clone()).await;
                load_history(state, services, false).await;
            });
        }
    }
}
