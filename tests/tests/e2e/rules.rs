//! The rules an outside client had to find by experiment, pinned: each test is one
//! numbered rule of `docs/PROTOCOL.md` §8.

use crate::helpers::{spawn_app, spawn_app_with, test_settings, TestApp, PASSWORD};
use gashapay_core::api::paths;
use gashapay_core::clock::unix_now;
use gashapay_core::ids::AppId;
use gashapay_core::status::DispenseOutcome;
use gashapay_core::{ErrorCode, Points};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", app.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post(app: &TestApp, token: Option<&str>, path: &str, body: Value) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", app.base_url()))
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn text(value: &Value) -> String {
    value.as_str().unwrap().to_owned()
}

/// Rule 1: a rejected play's `error` is the error object of §2.
#[tokio::test]
async fn rule_1_a_rejected_plays_error_is_the_error_object() {
    let app = spawn_app().await;
    let user = app.user("ana", 100).await;
    let machine = app.machine("m_r1").await;
    let code = user.code_issued_at(10, unix_now() - 3600, 300);
    machine.validate(&code.to_text()).await.unwrap_err();
    let id = code.payload.transaction_id;
    let view = user.client.transaction(id, None, None).await.unwrap();
    assert_eq!(view.status.as_str(), "rejected");
    let error = view.error.expect("a rejected play says why");
    assert_eq!(error.error, ErrorCode::CodeExpired);
    assert!(!error.message.is_empty());
}

/// Rule 2: after a refresh the previous access token is `unauthorized` at once.
#[tokio::test]
async fn rule_2_after_a_refresh_the_previous_access_token_is_unauthorized() {
    let app = spawn_app().await;
    let login = app.sign_in_raw_new("bo", 0).await;
    let old = text(&login["access_token"]);
    let (status, pair) = post(
        &app,
        None,
        paths::REFRESH,
        json!({ "refresh_token": login["refresh_token"] }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = get(&app, &old, paths::BALANCE).await;
    assert_eq!((status, &body["error"]), (401, &json!("unauthorized")));
    let (status, _) = get(&app, &text(&pair["access_token"]), paths::BALANCE).await;
    assert_eq!(status, 200);
}

/// Rule 3: a `wait` above the maximum is cut to it, not refused.
#[tokio::test]
async fn rule_3_a_longer_wait_is_capped_not_refused() {
    let mut settings = test_settings();
    settings.long_poll_cap = Duration::from_secs(1);
    let app = spawn_app_with(settings).await;
    let login = app.sign_in_raw_new("cy", 0).await;
    let path = format!("{}/{}?wait=100", paths::TRANSACTION, uuid::Uuid::new_v4());
    let started = Instant::now();
    let (status, view) = get(&app, &text(&login["access_token"]), &path).await;
    assert_eq!((status, &view["status"]), (200, &json!("awaiting_scan")));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "held only for the cap"
    );
    let bad = format!("{}/{}?wait=soon", paths::TRANSACTION, uuid::Uuid::new_v4());
    let (status, _) = get(&app, &text(&login["access_token"]), &bad).await;
    assert_eq!(status, 400);
}

/// Rule 4: "the same body" is the same amount and payment token, however the JSON
/// is written; and keys are each user's own.
#[tokio::test]
async fn rule_4_top_up_keys_compare_values_and_are_per_user() {
    let app = spawn_app().await;
    let top_up = |token: String, body: &'static str| {
        let url = format!("{}{}", app.base_url(), paths::TOP_UP);
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .header("idempotency-key", "key-1")
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let a = text(&app.sign_in_raw_new("dee", 0).await["access_token"]);
    let b = text(&app.sign_in_raw_new("eli", 0).await["access_token"]);
    let first = top_up(
        a.clone(),
        r#"{"amount":500,"payment_token":"tok_test_success"}"#,
    )
    .await;
    let again = top_up(
        a.clone(),
        r#"{ "payment_token" : "tok_test_success",  "amount" : 500 }"#,
    )
    .await;
    assert_eq!(
        first, again,
        "the same values, written otherwise: the first answer"
    );
    let other_user = top_up(b, r#"{"amount":500,"payment_token":"tok_test_success"}"#).await;
    assert_eq!(other_user.0, 200);
    assert_ne!(
        other_user.1["top_up_id"], first.1["top_up_id"],
        "another user's key-1"
    );
    assert_eq!(other_user.1["balance"], json!(500));
    let changed = top_up(a, r#"{"amount":501,"payment_token":"tok_test_success"}"#).await;
    assert_eq!(
        (changed.0, &changed.1["error"]),
        (422, &json!("idempotency_key_reused"))
    );
}

/// Rule 5: sign-in needs `device`, and `device.name`.
#[tokio::test]
async fn rule_5_sign_in_needs_a_device_with_a_name() {
    let app = spawn_app().await;
    app.user("fay", 0).await;
    for body in [
        json!({ "username": "fay", "password": PASSWORD }),
        json!({ "username": "fay", "password": PASSWORD, "device": {} }),
    ] {
        let (status, answer) = post(&app, None, paths::LOGIN, body.clone()).await;
        assert_eq!(
            (status, &answer["error"]),
            (400, &json!("bad_request")),
            "{body}"
        );
    }
    let named = json!({ "username": "fay", "password": PASSWORD, "device": { "name": "" } });
    assert_eq!(
        post(&app, None, paths::LOGIN, named).await.0,
        200,
        "an empty name will do"
    );
}

/// Rule 6: validate checks the app id before the time to live (§3.7's order).
#[tokio::test]
async fn rule_6_the_app_id_is_checked_before_the_time_to_live() {
    let app = spawn_app().await;
    let user = app.user("gus", 100).await;
    let machine = app.machine("m_r6").await;
    let mut foreign = user.client.device_credentials().unwrap();
    foreign.app_id = AppId(99);
    let code = foreign.make_code(Points(10), unix_now(), 3600).unwrap();
    let refused = machine.validate(&code.to_text()).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::UnknownApp));
    let long = user.code_issued_at(10, unix_now(), 3600);
    let refused = machine.validate(&long.to_text()).await.unwrap_err();
    assert_eq!(
        refused.code(),
        Some(ErrorCode::MalformedCode),
        "then the ttl"
    );
}

/// Rule 7: the 256-byte limit on sign-in fields applies after surrounding spaces are
/// trimmed (passwords are never trimmed).
#[tokio::test]
async fn rule_7_the_field_limit_counts_the_trimmed_value() {
    let app = spawn_app().await;
    let padded = format!("  {}  ", "a".repeat(256));
    let body = |username: &str| json!({ "username": username, "password": "x", "device": { "name": "p" } });
    let (status, answer) = post(&app, None, paths::LOGIN, body(&padded)).await;
    assert_eq!(
        (status, &answer["error"]),
        (401, &json!("invalid_credentials"))
    );
    let (status, answer) = post(&app, None, paths::LOGIN, body(&"a".repeat(257))).await;
    assert_eq!((status, &answer["error"]), (400, &json!("bad_request")));
}

/// Rule 8: a refused code is spent too; the machine that presented a code gets its
/// first answer again, even after the play completed.
#[tokio::test]
async fn rule_8_refused_codes_are_spent_and_a_retry_gets_the_first_answer() {
    let app = spawn_app().await;
    let user = app.user("hal", 50).await;
    let (first, second) = (app.machine("m_r8a").await, app.machine("m_r8b").await);
    let too_dear = user.code(100);
    let refused = first.validate(&too_dear.to_text()).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::InsufficientPoints));
    let elsewhere = second.validate(&too_dear.to_text()).await.unwrap_err();
    assert_eq!(elsewhere.code(), Some(ErrorCode::AlreadyUsed));

    let code = user.code(20);
    let accepted = first.validate(&code.to_text()).await.unwrap();
    first
        .send_report(
            "evt_r8",
            code.payload.transaction_id,
            DispenseOutcome::Dispensed,
            None,
        )
        .await
        .unwrap();
    let retried = first.validate(&code.to_text()).await.unwrap();
    assert_eq!(
        retried, accepted,
        "the first answer (pending), not the play's end"
    );
    assert_eq!(user.balance().await, 30);
}

/// Rule 9: history kinds and outcomes; welcome points are a labelled `top_up`; a
/// refused play leaves no entry.
#[tokio::test]
async fn rule_9_history_has_kinds_outcomes_and_no_refused_plays() {
    let app = spawn_app().await;
    let user = app.user("ivy", 100).await;
    let machine = app.machine("m_r9").await;
    machine
        .validate(&user.code_issued_at(10, unix_now() - 3600, 300).to_text())
        .await
        .unwrap_err();
    let code = user.code(30);
    machine.validate(&code.to_text()).await.unwrap();
    let history = user.client.history(10, None).await.unwrap().entries;
    let seen: Vec<(String, i64, Option<&str>)> = history
        .iter()
        .map(|e| (e.label.clone(), e.delta, e.outcome.map(|o| o.as_str())))
        .collect();
    assert_eq!(
        seen,
        [
            ("Play at Machine m_r9".to_owned(), -30, Some("pending")),
            ("Welcome points".to_owned(), 100, None),
        ]
    );
    assert_eq!(history[1].kind.as_str(), "top_up");
    machine
        .send_report(
            "evt_r9",
            code.payload.transaction_id,
            DispenseOutcome::Dispensed,
            None,
        )
        .await
        .unwrap();
    let play = &user.client.history(1, None).await.unwrap().entries[0];
    assert_eq!(play.outcome.map(|o| o.as_str()), Some("completed"));
}

/// Rule 10: sign-out takes an expired access token.
#[tokio::test]
async fn rule_10_sign_out_takes_an_expired_access_token() {
    let app = spawn_app().await;
    let login = app.sign_in_raw_new("jay", 0).await;
    app.clock.advance(Duration::from_secs(16 * 60));
    let token = text(&login["access_token"]);
    let (status, body) = get(&app, &token, paths::BALANCE).await;
    assert_eq!((status, &body["error"]), (401, &json!("token_expired")));
    let (status, _) = post(&app, Some(&token), paths::LOGOUT, json!({})).await;
    assert_eq!(status, 204);
    let (status, _) = post(
        &app,
        None,
        paths::REFRESH,
        json!({ "refresh_token": login["refresh_token"] }),
    )
    .await;
    assert_eq!(status, 401, "the session is over");
    let (status, _) = post(&app, Some(&token), paths::LOGOUT, json!({})).await;
    assert_eq!(status, 401, "an ended session cannot end twice");
}

/// Rule 11: a transaction id in a path may be any case, with or without hyphens;
/// anything else is `bad_request`.
#[tokio::test]
async fn rule_11_transaction_ids_in_paths_take_any_case_and_hyphens() {
    let app = spawn_app().await;
    let login = app.sign_in_raw_new("kim", 0).await;
    let token = text(&login["access_token"]);
    let id = uuid::Uuid::new_v4();
    for form in [
        id.to_string(),
        id.to_string().to_uppercase(),
        id.simple().to_string(),
    ] {
        let (status, view) = get(&app, &token, &format!("{}/{form}", paths::TRANSACTION)).await;
        assert_eq!(status, 200, "{form}");
        assert_eq!(view["transaction_id"], json!(id.to_string()));
    }
    let (status, body) = get(&app, &token, &format!("{}/not-a-uuid", paths::TRANSACTION)).await;
    assert_eq!((status, &body["error"]), (400, &json!("bad_request")));
}
