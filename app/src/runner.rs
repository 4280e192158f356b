//! The one effect runner: each effect the app model returns runs here. A call goes
//! through the core's client and its answer comes back to the model as the next
//! event, tagged with the account it was made for; a long-poll that loses its
//! connection is asked again after a pause; every call of an account stops when the
//! model says its account is gone.

use crate::connection::{check_server, connect};
use crate::services::{answer, dispatch, save, Services};
use crate::state::AppState;
use dioxus::prelude::*;
use gashapay_core::app::failure::CallFailure;
use gashapay_core::app::history::HistoryEvent;
use gashapay_core::app::machine_pay::MachinePayEvent;
use gashapay_core::app::messages::UserMessage;
use gashapay_core::app::model::{AppEvent, Call, Effect, Epoch, FailedCall};
use gashapay_core::app::play::PlayEvent;
use gashapay_core::app::reward::RewardEvent;
use gashapay_core::app::saved::SavedAccount;
use gashapay_core::app::server::ServerEvent;
use gashapay_core::app::top_up::TopUpEvent;
use gashapay_core::client::{watch_transaction, ApiClient, ClientError, PollEnd};
use std::future::Future;
use std::time::Duration;

/// A long-poll whose connection dropped is asked again after this pause (the card
/// keeps showing meanwhile).
const LONG_POLL_PAUSE: Duration = Duration::from_secs(2);

pub(crate) fn run(state: AppState, services: Services, epoch: Epoch, effect: Effect) {
    match effect {
        Effect::Call(call) => {
            spawn(run_call(state, services, epoch, call));
        }
        Effect::CheckServer(address) => {
            spawn(async move {
                let checked = check_server(&address).await;
                let event = AppEvent::Server(ServerEvent::Checked {
                    address,
                    answer: checked,
                });
                // The server form is no account's: its answer counts whoever is
                // signed in by then.
                dispatch(state, &services, event);
            });
        }
        Effect::SwitchServer(address) => switch_server(state, &services, address),
        Effect::Speak(language) => {
            gashapay_core::app::i18n::set_language(language);
            save(&services, |saved| saved.language = Some(language));
        }
        Effect::StopWatching => services.cancel_watches(),
        Effect::SaveAccount => save_account(state, &services),
        Effect::ForgetSavedAccount => save(&services, |saved| saved.account = None),
    }
}

/// Keeps the account as shown now (balance, first page of history) for the next run.
fn save_account(state: AppState, services: &Services) {
    let Some(Ok(device)) = services.client().map(|c| c.device_credentials()) else {
        return;
    };
    let model = state.model.peek();
    let account = SavedAccount::capture(
        device.user_id,
        device.device_id,
        &model.account.balance,
        &model.account.history,
    );
    save(services, |saved| saved.account = Some(account));
}

/// The new server is used from now on and next time; the model then starts over on
/// it.
fn switch_server(state: AppState, services: &Services, address: String) {
    match connect(&address) {
        Ok(connection) => {
            save(services, |saved| saved.server = Some(address));
            services.replace_connection(connection);
            let client = services.client();
            let stored_sign_in = client
                .as_ref()
                .is_some_and(|c| c.has_sign_in().unwrap_or(false));
            let signed_in_user = client
                .and_then(|c| c.device_credentials().ok())
                .map(|d| d.user_id);
            dispatch(
                state,
                services,
                AppEvent::ServerSwitched {
                    stored_sign_in,
                    signed_in_user,
                },
            );
        }
        // Only a client that cannot be built at all (no TLS) fails here.
        Err(error) => dioxus::logger::tracing::error!("cannot connect to {address}: {error}"),
    }
}

async fn run_call(state: AppState, services: Services, epoch: Epoch, call: Call) {
    let Some(client) = services.client() else {
        // No server: the server screen shows, and nothing can be asked.
        return;
    };
    let cancel = services.watch_token();
    let answered = tokio::select! {
        _ = cancel.cancelled() => return,
        answered = answer_of(state, &services, epoch, &client, call, &cancel) => answered,
    };
    let event = match answered {
        Ok(Some(event)) => event,
        Ok(None) => return,
        Err((call, error)) => AppEvent::CallFailed {
            call,
            failure: CallFailure::from(&error),
        },
    };
    answer(state, &services, epoch, event);
}

type Answered = Result<Option<AppEvent>, (FailedCall, ClientError)>;

/// Makes the call; the event that answers it (`None` when the answers went to the
/// model as they came, or nobody waits for one).
async fn answer_of(
    state: AppState,
    services: &Services,
    epoch: Epoch,
    client: &ApiClient,
    call: Call,
    cancel: &tokio_util::sync::CancellationToken,
) -> Answered {
    fn to<T>(
        answer: Result<T, ClientError>,
        failed: FailedCall,
        event: impl FnOnce(T) -> AppEvent,
    ) -> Answered {
        answer
            .map(|value| Some(event(value)))
            .map_err(|e| (failed, e))
    }
    match call {
        Call::SignIn(sent) => Ok(Some(signed_in(
            client.login(&sent.username, sent.password.expose()).await,
        ))),
        Call::SignUp(sent) => Ok(Some(signed_in(
            client.signup(&sent.username, sent.password.expose()).await,
        ))),
        Call::Logout => {
            // Signed out here whatever the server says.
            let _ = client.logout().await;
            Ok(None)
        }
        Call::FetchBalance => to(
            client.balance().await,
            FailedCall::Balance,
            AppEvent::BalanceLoaded,
        ),
        Call::FetchHistory(fetch) => to(
            client.history(fetch.limit, fetch.before).await,
            FailedCall::History,
            |page| {
                AppEvent::History(HistoryEvent::Loaded {
                    page,
                    appended: fetch.appended,
                })
            },
        ),
        Call::FetchRunning => to(
            client.running().await,
            FailedCall::Running,
            AppEvent::RunningLoaded,
        ),
        Call::WatchPlay { id, expires_at } => {
            let watched =
                watch_transaction(client, id, expires_at, &services.poll, cancel, |view| {
                    let event = AppEvent::Play(PlayEvent::StatusChanged(view.clone()));
                    answer(state, services, epoch, event);
                })
                .await;
            watch_end(watched, FailedCall::PlayWatch(id))
        }
        Call::TopUp {
            amount,
            payment_token,
            idempotency_key,
        } => to(
            client
                .top_up(amount, &payment_token, &idempotency_key)
                .await,
            FailedCall::TopUp,
            |paid| AppEvent::TopUp(TopUpEvent::Paid(paid)),
        ),
        Call::FetchMachineCode { code_id } => to(
            client.machine_code(&code_id).await,
            FailedCall::MachinePay,
            |answer| AppEvent::MachinePay(MachinePayEvent::MachineCodeLoaded(answer)),
        ),
        Call::CheckOrder { order } => to(
            client.check_order(&order).await,
            FailedCall::MachinePay,
            |answer| AppEvent::MachinePay(MachinePayEvent::OrderChecked(answer)),
        ),
        Call::StartMachineSession {
            session_id,
            code_id,
            points,
        } => to(
            client.start_session(session_id, &code_id, points).await,
            FailedCall::MachinePay,
            |answer| AppEvent::MachinePay(MachinePayEvent::SessionChanged(answer)),
        ),
        Call::WatchMachineSession { session_id, since } => {
            let wait = Some(services.poll.long_poll);
            let watched = again_while_transient(|| client.session(session_id, wait, Some(since)));
            to(watched.await, FailedCall::MachinePay, |answer| {
                AppEvent::MachinePay(MachinePayEvent::SessionChanged(answer))
            })
        }
        Call::EndMachineSession { session_id } => to(
            client.end_session(session_id).await,
            FailedCall::MachinePay,
            |answer| AppEvent::MachinePay(MachinePayEvent::SessionChanged(answer)),
        ),
        Call::PayOrder { order } => to(
            client.pay_order(&order).await,
            FailedCall::MachinePay,
            |answer| AppEvent::MachinePay(MachinePayEvent::OrderPaid(answer)),
        ),
        Call::WatchOrderPlay { id, expires_at } => {
            let watched =
                watch_transaction(client, id, expires_at, &services.poll, cancel, |view| {
                    let event = AppEvent::MachinePay(MachinePayEvent::PlayChanged(view.clone()));
                    answer(state, services, epoch, event);
                })
                .await;
            watch_end(watched, FailedCall::MachinePay)
        }
        Call::FetchRewardCode { code_id } => to(
            client.reward_code(&code_id).await,
            FailedCall::Reward,
            |info| AppEvent::Reward(RewardEvent::CodeLoaded(info)),
        ),
        Call::ClaimReward { code_id } => to(
            client.claim_reward(&code_id).await,
            FailedCall::Reward,
            |claim| AppEvent::Reward(RewardEvent::Claimed(claim)),
        ),
        Call::WatchRewardSession { session_id, since } => {
            let wait = Some(services.poll.long_poll);
            let watched =
                again_while_transient(|| client.reward_session(session_id, wait, Some(since)));
            to(watched.await, FailedCall::Reward, |session| {
                AppEvent::Reward(RewardEvent::SessionChanged(session))
            })
        }
    }
}

/// A sign-in's or sign-up's answer, as the model hears it.
fn signed_in(answer: Result<gashapay_core::api::LoginResponse, ClientError>) -> AppEvent {
    match answer {
        Ok(login) => AppEvent::SignedIn {
            user_id: login.user_id,
        },
        Err(error) => AppEvent::SignInFailed(UserMessage::for_client_error(&error)),
    }
}

/// A watch's updates went to the model as they came; only its failure is news.
fn watch_end(watched: Result<PollEnd, ClientError>, failed: FailedCall) -> Answered {
    match watched {
        Ok(PollEnd::Final(_) | PollEnd::NeverScanned | PollEnd::Cancelled) => Ok(None),
        Err(error) => Err((failed, error)),
    }
}

/// A long-poll, asked again after a pause while its failure is a dropped connection.
async fn again_while_transient<T, F>(mut ask: impl FnMut() -> F) -> Result<T, ClientError>
where
    F: Future<Output = Result<T, ClientError>>,
{
    loop {
        match ask().await {
            Err(error) if error.is_transient() => tokio::time::sleep(LONG_POLL_PAUSE).await,
            answered => return answered,
        }
    }
}
