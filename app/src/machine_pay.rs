//! Runs what the machine-pay model asks for (PROTOCOL §10): each effect becomes a call
//! through the core's client, and each answer the next event. Links reach it through
//! `links::open_link`.

use crate::services::{failed, load_account, Services};
use crate::state::AppState;
use dioxus::prelude::*;
use gashapay_core::app::machine_pay::{MachinePayEffect, MachinePayEvent};
use gashapay_core::app::messages::UserMessage;
use gashapay_core::client::{watch_transaction, ClientError, PollEnd};
use gashapay_core::clock::unix_now;
use std::time::Duration;

/// Feeds an event to the machine-pay model and runs the effects it asks for.
pub fn machine_event(state: AppState, services: Services, event: MachinePayEvent) {
    let mut model = state.machine_pay;
    let effects = model.write().update(event, unix_now());
    for effect in effects {
        spawn(run(state, services.clone(), effect));
    }
}

fn fail(state: AppState, services: &Services, error: &ClientError) {
    let message = failed(state, services, error).message;
    machine_event(state, services.clone(), MachinePayEvent::Failed(message));
}

async fn run(state: AppState, services: Services, effect: MachinePayEffect) {
    let Some(client) = services.client() else {
        let message = UserMessage::for_code(gashapay_core::ErrorCode::Unauthorized);
        machine_event(state, services, MachinePayEvent::Failed(message));
        return;
    };
    let answer = match effect {
        MachinePayEffect::FetchMachineCode { code_id } => client
            .machine_code(&code_id)
            .await
            .map(MachinePayEvent::MachineCodeLoaded),
        MachinePayEffect::CheckOrder { order } => client
            .check_order(&order)
            .await
            .map(MachinePayEvent::OrderChecked),
        MachinePayEffect::StartSession {
            session_id,
            code_id,
            points,
        } => client
            .start_session(session_id, &code_id, points)
            .await
            .map(MachinePayEvent::SessionChanged),
        MachinePayEffect::WatchSession { session_id, since } => {
            let wait = Some(services.poll.long_poll);
            let mut answer = client.session(session_id, wait, Some(since)).await;
            // A dropped long-poll is asked again after a pause; the card keeps showing.
            while matches!(&answer, Err(error) if error.is_transient()) {
                tokio::time::sleep(Duration::from_secs(2)).await;
                answer = client.session(session_id, wait, Some(since)).await;
            }
            answer.map(MachinePayEvent::SessionChanged)
        }
        MachinePayEffect::EndSession { session_id } => client
            .end_session(session_id)
            .await
            .map(MachinePayEvent::SessionChanged),
        MachinePayEffect::PayOrder { order } => client
            .pay_order(&order)
            .await
            .map(MachinePayEvent::OrderPaid),
        MachinePayEffect::WatchPlay { id, expires_at } => {
            let cancel = services.watch_token();
            let watched =
                watch_transaction(&client, id, expires_at, &services.poll, &cancel, |view| {
                    machine_event(
                        state,
                        services.clone(),
                        MachinePayEvent::PlayChanged(view.clone()),
                    )
                })
                .await;
            match watched {
                Ok(PollEnd::Final(_) | PollEnd::NeverScanned | PollEnd::Cancelled) => return,
                Err(error) => Err(error),
            }
        }
        MachinePayEffect::RefreshBalance => {
            load_account(state, services);
            return;
        }
    };
    match answer {
        Ok(event) => machine_event(state, services, event),
        Err(error) => fail(state, &services, &error),
    }
}
