//! Runs what the core's models ask for: each event goes to its model, and each effect
//! the model returns becomes a call through the core's client whose answer comes back
//! as the next event.

use crate::connection::{check_server, connect, Connection};
use crate::state::AppState;
use dioxus::prelude::*;
use gashapay_core::app::failure::CallFailure;
use gashapay_core::app::history::HistoryEvent;
use gashapay_core::app::language::Language;
use gashapay_core::app::messages::UserMessage;
use gashapay_core::app::play::{PlayEffect, PlayEvent, PlayModel};
use gashapay_core::app::saved::{SavedAccount, SavedStateStore};
use gashapay_core::app::scanner_screen::ScreenForCodes;
use gashapay_core::app::server::{ServerEffect, ServerEvent};
use gashapay_core::app::session::{SessionEffect, SessionEvent};
use gashapay_core::app::settings::Keychain;
use gashapay_core::app::top_up::{TopUpEffect, TopUpEvent};
use gashapay_core::client::{watch_transaction, ApiClient, ClientError, PollConfig, PollEnd};
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
    /// Cancels the status watches of the signed-in user; replaced at each sign-out so
    /// the next user's watches start uncancelled.
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

    fn replace_connection(&self, connection: Connection) {
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

    fn cancel_watches(&self) {
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

/// A call failed: the session model hears of it (a lost session signs out), and the
/// caller gets what to show.
pub(crate) fn failed(state: AppState, services: &Services, error: &ClientError) -> CallFailure {
    let failure = CallFailure::from(error);
    session_event(
        state,
        services.clone(),
        SessionEvent::CallFailed(failure.clone()),
    );
    failure
}

/// Writes the saved state; a write that fails is logged, and the app goes on with
/// the state in memory.
fn save(services: &Services, change: impl FnOnce(&mut gashapay_core::app::saved::SavedState)) {
    if let Err(error) = services.saved.update(change) {
        dioxus::logger::tracing::warn!("the app's state was not saved: {error}");
    }
}

/// Keeps the account as shown now (balance, first page of history) for the next run.
fn save_account(state: AppState, services: &Services) {
    let Some(Ok(device)) = services.client().map(|c| c.device_credentials()) else {
        return;
    };
    let account = SavedAccount::capture(
        device.user_id,
        device.device_id,
        &state.balance.peek(),
        &state.history.peek(),
    );
    save(services, |saved| saved.account = Some(account));
}

/// At launch: a stored session is used, showing what the last run saved until the
/// server answers; the demo signs its user in.
pub fn start(state: AppState, services: Services) {
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
    let stored_session = client.has_session().unwrap_or(false);
    if stored_session {
        let (mut balance, mut history) = (state.balance, state.history);
        if let (Some(account), Ok(device)) =
            (services.saved.get().account, client.device_credentials())
        {
            account.restore_into(device.user_id, &mut balance.write(), &mut history.write());
        }
    }
    session_event(
        state,
        services,
        SessionEvent::Started {
            stored_session,
            demo_account,
        },
    );
}

pub fn session_event(state: AppState, services: Services, event: SessionEvent) {
    let mut session = state.session;
    let effects = session.write().update(event);
    for effect in effects {
        run_session_effect(state, services.clone(), effect);
    }
}

fn run_session_effect(state: AppState, services: Services, effect: SessionEffect) {
    let Some(client) = services.client() else {
        return;
    };
    match effect {
        SessionEffect::SignIn { username, password } => {
            spawn(async move {
                let answer = client.login(&username, password.expose()).await;
                signed_in(state, services, answer);
            });
        }
        SessionEffect::SignUp { username, password } => {
            spawn(async move {
                let answer = client.signup(&username, password.expose()).await;
                signed_in(state, services, answer);
            });
        }
        SessionEffect::LoadAccount => load_account(state, services),
        SessionEffect::Logout => {
            spawn(async move {
                // Signed out here whatever the server says.
                let _ = client.logout().await;
            });
        }
        SessionEffect::ClearAccount => {
            services.cancel_watches();
            let (mut balance, mut play) = (state.balance, state.play);
            balance.set(Default::default());
            play.set(PlayModel::default());
            history_event(state, services.clone(), HistoryEvent::Clear);
            save(&services, |saved| saved.account = None);
            top_up_event(state, services, TopUpEvent::Clear);
        }
    }
}

/// A sign-in's or sign-up's answer, back to the session model.
fn signed_in<T>(state: AppState, services: Services, answer: Result<T, ClientError>) {
    let event = match answer {
        Ok(_) => SessionEvent::SignedIn,
        Err(error) => SessionEvent::SignInFailed(UserMessage::for_client_error(&error)),
    };
    session_event(state, services, event);
}

/// The balance and the newest page of history, fetched again.
pub fn load_account(state: AppState, services: Services) {
    spawn(refresh_balance(state, services.clone()));
    history_event(state, services, HistoryEvent::Refresh);
}

pub async fn refresh_balance(state: AppState, services: Services) {
    let mut balance = state.balance;
    let Some(client) = services.client() else {
        return;
    };
    match client.balance().await {
        Ok(answer) => {
            balance.write().loaded(answer.balance, answer.as_of);
            save_account(state, &services);
        }
        Err(error) => {
            let failure = failed(state, &services, &error);
            balance.write().failed(failure.message);
        }
    }
}

pub fn history_event(state: AppState, services: Services, event: HistoryEvent) {
    let mut history = state.history;
    let Some(fetch) = history.write().update(event) else {
        return;
    };
    let Some(client) = services.client() else {
        return;
    };
    spawn(async move {
        let event = match client.history(fetch.limit, fetch.before).await {
            Ok(page) => HistoryEvent::Loaded {
                page,
                appended: fetch.appended,
            },
            Err(error) => HistoryEvent::Failed(failed(state, &services, &error).message),
        };
        let newest_page = matches!(
            event,
            HistoryEvent::Loaded {
                appended: false,
                ..
            }
        );
        history_event(state, services.clone(), event);
        if newest_page {
            save_account(state, &services);
        }
    });
}

pub fn top_up_event(state: AppState, services: Services, event: TopUpEvent) {
    let mut top_up = state.top_up;
    let effects = top_up.write().update(event);
    for effect in effects {
        let services = services.clone();
        match effect {
            TopUpEffect::Charge {
                amount,
                payment_token,
                idempotency_key,
            } => {
                spawn(async move {
                    let Some(client) = services.client() else {
                        return;
                    };
                    let event = match client
                        .top_up(amount, &payment_token, &idempotency_key)
                        .await
                    {
                        Ok(answer) => TopUpEvent::Paid(answer),
                        Err(error) => TopUpEvent::Failed(failed(state, &services, &error)),
                    };
                    top_up_event(state, services, event);
                });
            }
            TopUpEffect::RefreshAccount => load_account(state, services),
        }
    }
}

/// Feeds an event to the play state machine and runs the effects it asks for.
pub fn play_event(state: AppState, services: Services, event: PlayEvent) {
    let mut play = state.play;
    let now = unix_now();
    // The keystore is read only when a code is made, not at every tick.
    let credentials = play
        .peek()
        .makes_a_code(&event, now)
        .then(|| services.client()?.device_credentials().ok())
        .flatten();
    let effects = play.write().update(event, credentials.as_ref(), now);
    // The play screen is drawn as of the last event (see the clock in `pages`).
    let mut shown_at = state.now;
    shown_at.set(now);
    for effect in effects {
        run_play_effect(state, services.clone(), effect);
    }
}

fn run_play_effect(state: AppState, services: Services, effect: PlayEffect) {
    match effect {
        PlayEffect::Watch { id, expires_at } => {
            let Some(client) = services.client() else {
                return;
            };
            spawn(async move {
                let cancel = services.watch_token();
                let result =
                    watch_transaction(&client, id, expires_at, &services.poll, &cancel, |view| {
                        play_event(
                            state,
                            services.clone(),
                            PlayEvent::StatusChanged(view.clone()),
                        )
                    })
                    .await;
                match result {
                    Ok(PollEnd::Final(_) | PollEnd::NeverScanned | PollEnd::Cancelled) => {}
                    Err(error) => {
                        let message = failed(state, &services, &error).message;
                        play_event(state, services, PlayEvent::WatchFailed { id, message });
                    }
                }
            });
        }
        PlayEffect::RefreshBalance => load_account(state, services),
    }
}

/// Feeds an event to the server form and runs what it asks for: a health check,
/// then the switch (saved, a new connection, and a fresh start on that server).
pub fn server_event(state: AppState, services: Services, event: ServerEvent) {
    let mut server = state.server;
    let effects = server.write().update(event);
    for effect in effects {
        let services = services.clone();
        match effect {
            ServerEffect::Check(address) => {
                spawn(async move {
                    let answer = check_server(&address).await;
                    server_event(state, services, ServerEvent::Checked { address, answer });
                });
            }
            ServerEffect::Switch(address) => switch_server(state, services, address),
        }
    }
}

fn switch_server(state: AppState, services: Services, address: String) {
    match connect(&address) {
        Ok(connection) => {
            // What was shown belongs to the other server's account.
            services.cancel_watches();
            let (mut balance, mut play, mut session) = (state.balance, state.play, state.session);
            balance.set(Default::default());
            play.set(PlayModel::default());
            history_event(state, services.clone(), HistoryEvent::Clear);
            top_up_event(state, services.clone(), TopUpEvent::Clear);
            save(&services, |saved| {
                saved.server = Some(address);
                saved.account = None;
            });
            services.replace_connection(connection);
            session.set(Default::default());
            start(state, services);
        }
        // Only a client that cannot be built at all (no TLS) fails here.
        Err(error) => dioxus::logger::tracing::error!("cannot connect to {address}: {error}"),
    }
}

/// Speaks `language` from now on, and next time the app starts.
pub fn choose_language(state: AppState, services: Services, language: Language) {
    gashapay_core::app::i18n::set_language(language);
    save(&services, |saved| saved.language = Some(language));
    let mut chosen = state.language;
    chosen.set(language);
}
