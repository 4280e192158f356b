//! Runs what the reward model asks for (PROTOCOL §12): each effect becomes a call
//! through the core's client, and each answer the next event.

use crate::services::{failed, load_account, Services};
use crate::state::AppState;
use dioxus::prelude::*;
use gashapay_core::app::messages::UserMessage;
use gashapay_core::app::reward::{RewardEffect, RewardEvent};
use std::time::Duration;

/// Feeds an event to the reward model and runs the effects it asks for.
pub fn reward_event(state: AppState, services: Services, event: RewardEvent) {
    let mut model = state.reward;
    let effects = model.write().update(event);
    for effect in effects {
        spawn(run(state, services.clone(), effect));
    }
}

async fn run(state: AppState, services: Services, effect: RewardEffect) {
    let Some(client) = services.client() else {
        let message = UserMessage::for_code(gashapay_core::ErrorCode::Unauthorized);
        reward_event(state, services, RewardEvent::Failed(message));
        return;
    };
    let answer = match effect {
        RewardEffect::FetchCode { code_id } => client
            .reward_code(&code_id)
            .await
            .map(RewardEvent::CodeLoaded),
        RewardEffect::Claim { code_id } => client
            .claim_reward(&code_id)
            .await
            .map(RewardEvent::Claimed),
        RewardEffect::WatchSession { session_id, since } => {
            let wait = Some(services.poll.long_poll);
            let mut answer = client.reward_session(session_id, wait, Some(since)).await;
            // A dropped long-poll is asked again after a pause; the card keeps showing.
            while matches!(&answer, Err(error) if error.is_transient()) {
                tokio::time::sleep(Duration::from_secs(2)).await;
                answer = client.reward_session(session_id, wait, Some(since)).await;
            }
            answer.map(RewardEvent::SessionChanged)
        }
        RewardEffect::RefreshBalance => {
            load_account(state, services);
            return;
        }
    };
    match answer {
        Ok(event) => reward_event(state, services, event),
        Err(error) => {
            let message = failed(state, &services, &error).message;
            reward_event(state, services, RewardEvent::Failed(message));
        }
    }
}
