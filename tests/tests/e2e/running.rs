//! What the player has running (PROTOCOL §3.12): an app that restarts asks the server
//! again and shows the open machine session and the running timed reward as it left
//! them — through the real backend, the app's client and the core's app model.

use crate::helpers::*;
use crate::machine_shows_code::printed_code;
use crate::rewards::{code, code_id, order, partner};
use gashapay_core::api::machine_pay::SessionStatus;
use gashapay_core::api::rewards::{RewardClaim, RewardKind};
use gashapay_core::app::language::Language;
use gashapay_core::app::model::{AppEvent, AppModel, Call, Effect};
use gashapay_core::app::server::ServerModel;
use gashapay_core::client::ApiClient;
use gashapay_core::clock::unix_now;
use gashapay_core::{ErrorCode, Points};
use uuid::Uuid;

/// The app model of a phone that just started again on `user`'s keystore (the calls
/// it makes at start run through a new client on that keystore, which from then on
/// holds the session: the old launch's tokens are rotated away), and that client.
async fn restarted_app(app: &TestApp, user: &User) -> (AppModel, ApiClient) {
    let client = client_for(&app.base_url(), user.store.clone());
    let server = ServerModel::new(Some(app.base_url()), false);
    let mut model = AppModel::new(Language::En, server, unix_now());
    let started = AppEvent::Started {
        stored_sign_in: client.has_sign_in().unwrap(),
        signed_in_user: Some(client.device_credentials().unwrap().user_id),
        saved: None,
        demo_account: None,
    };
    let effects = model.update(started, unix_now(), None);
    assert!(model.sign_in.is_signed_in());
    assert!(
        effects.contains(&Effect::Call(Call::FetchRunning)),
        "{effects:?}"
    );
    let running = client.running().await.unwrap();
    model.update(AppEvent::RunningLoaded(running), unix_now(), None);
    (model, client)
}

#[tokio::test]
async fn a_restarted_app_shows_the_open_machine_session_and_the_running_reward_again() {
    let app = spawn_app().await;
    let _machine = app.machine("m_vend").await;
    let cafe = partner(&app).await;
    let alice = app.user("alice", 1000).await;
    let bob = app.user("bob", 1000).await;

    let session_id = Uuid::now_v7();
    let printed = printed_code(&app, "m_vend").await;
    alice
        .client
        .start_session(session_id, &printed, Points(300))
        .await
        .unwrap();
    let timed = code(&app, &cafe, &order(RewardKind::TimedByPlayer, 5, 10, None)).await;
    let (start, end) = (
        code_id(&timed.message),
        code_id(&timed.end.unwrap().message),
    );
    let RewardClaim::Started { session: reward } = alice.client.claim_reward(&start).await.unwrap()
    else {
        panic!("not started")
    };

    // What the server says alice has running.
    let running = alice.client.running().await.unwrap();
    let [open] = &running.machine_sessions[..] else {
        panic!("{running:?}")
    };
    assert_eq!(
        (open.session_id, open.status, open.remaining, open.balance),
        (
            session_id,
            SessionStatus::Open,
            Points(300),
            Some(Points(700))
        )
    );
    assert_eq!(running.reward_sessions, std::slice::from_ref(&reward));
    // Someone else's is not hers, nor hers his.
    let theirs = bob.client.running().await.unwrap();
    assert!(theirs.machine_sessions.is_empty() && theirs.reward_sessions.is_empty());

    // The app starts again: both cards are back, and both are followed.
    let (model, phone) = restarted_app(&app, &alice).await;
    let card = model.account.machine_pay.card().expect("the machine card");
    assert_eq!(card.title, format!("Session open at {}", open.machine_name));
    assert_eq!(card.detail, "300 pts left");
    let now = chrono::Utc::now();
    let timer = model.account.reward.card(now).expect("the reward card");
    assert_eq!(timer.title, format!("Earning at {}", reward.partner_name));

    // Once both ended, a restart finds nothing running.
    phone.end_session(session_id).await.unwrap();
    phone.claim_reward(&end).await.unwrap();
    let running = phone.running().await.unwrap();
    assert!(running.machine_sessions.is_empty(), "{running:?}");
    assert!(running.reward_sessions.is_empty(), "{running:?}");
    let (model, _) = restarted_app(&app, &alice).await;
    assert_eq!(model.account.machine_pay.card(), None);
    assert_eq!(model.account.reward.card(now), None);
}

#[tokio::test]
async fn what_runs_is_only_told_to_the_signed_in_player() {
    let app = spawn_app().await;
    let answer = reqwest::get(format!(
        "{}{}",
        app.base_url(),
        gashapay_core::api::paths::RUNNING
    ))
    .await
    .unwrap();
    assert_eq!(answer.status(), 401);
    let body: gashapay_core::api::ErrorBody = answer.json().await.unwrap();
    assert_eq!(body.error, ErrorCode::Unauthorized);
}
