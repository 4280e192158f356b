use crate::helpers::{client_for, spawn_app, test_settings, PASSWORD};
use gashapay_core::api::paths;
use gashapay_core::client::ClientError;
use gashapay_core::secrets::{keys, MemorySecretStore, SecretStore};
use gashapay_core::ErrorCode;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn wrong_passwords_and_unknown_users_get_the_same_answer() {
    let app = spawn_app().await;
    app.user("jo", 0).await;
    let client = client_for(&app.base_url(), Arc::new(MemorySecretStore::new()));
    for (name, password) in [("jo", "wrong"), ("nobody", PASSWORD)] {
        let error = client.login(name, password).await.unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::InvalidCredentials));
    }
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_transparently() {
    let app = spawn_app().await;
    let user = app.user("kim", 70).await;
    let refresh_before = user.store.get(keys::REFRESH_TOKEN).unwrap();
    // Past the access token's 15 minutes, well within the refresh token's 30 days.
    app.clock.advance(Duration::from_secs(15 * 60 + 1));
    assert_eq!(user.balance().await, 70);
    assert_ne!(user.store.get(keys::REFRESH_TOKEN).unwrap(), refresh_before);
}

#[tokio::test]
async fn a_spent_refresh_token_presented_again_ends_the_session() {
    let app = spawn_app().await;
    let user = app.user("lee", 10).await;
    let stolen = user.store.get(keys::REFRESH_TOKEN).unwrap().unwrap();
    user.client.refresh().await.unwrap();

    let http = reqwest::Client::new();
    let replay = http
        .post(format!("{}{}", app.base_url(), paths::REFRESH))
        .json(&serde_json::json!({ "refresh_token": stolen }))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);
    // The legitimate holder is signed out too: the session is revoked.
    let error = user.client.refresh().await.unwrap_err();
    assert!(matches!(error, ClientError::NotSignedIn), "{error:?}");
}

#[tokio::test]
async fn after_logout_the_session_is_dead_but_the_device_is_reused_at_next_sign_in() {
    let app = spawn_app().await;
    let user = app.user("max", 10).await;
    let device = user.client.device_credentials().unwrap();
    let refresh = user.store.get(keys::REFRESH_TOKEN).unwrap().unwrap();
    user.client.logout().await.unwrap();

    assert!(matches!(
        user.client.balance().await,
        Err(ClientError::NotSignedIn)
    ));
    let http = reqwest::Client::new();
    let old = http
        .post(format!("{}{}", app.base_url(), paths::REFRESH))
        .json(&serde_json::json!({ "refresh_token": refresh }))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401);

    let again = user.client.login("max", PASSWORD).await.unwrap();
    assert_eq!(again.device_id, device.device_id);
    assert!(again.device_secret.is_none());
    assert_eq!(user.client.device_credentials().unwrap(), device);
}

#[tokio::test]
async fn users_see_only_their_own_transactions_and_keys_only_open_their_own_doors() {
    let app = spawn_app().await;
    let owner = app.user("ned", 100).await;
    let snoop = app.user("oz", 100).await;
    let machine = app.machine("m_doors").await;
    let code = owner.code(10);
    machine.validate(&code.to_text()).await.unwrap();

    let error = snoop
        .client
        .transaction(code.payload.transaction_id, None, None)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::NotFound));

    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", app.base_url());
    // A machine key is no user token.
    let credentials =
        gashapay_backend_mock::admin::register_machine(&app.backend().state, "m_keys", "Keys")
            .await
            .unwrap();
    let as_user = http
        .get(url(paths::BALANCE))
        .bearer_auth(credentials.api_key.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(as_user.status(), 401);
    // A user token is no machine key.
    let store = Arc::new(MemorySecretStore::new());
    let client = client_for(&app.base_url(), store.clone());
    let login = client.login("oz", PASSWORD).await.unwrap();
    let as_machine = http
        .post(url(paths::VALIDATE))
        .bearer_auth(login.tokens.access_token.expose())
        .json(&serde_json::json!({ "code": owner.code(1).to_text() }))
        .send()
        .await
        .unwrap();
    assert_eq!(as_machine.status(), 401);
    let body: serde_json::Value = as_machine.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");

    // A revoked machine key stops working.
    gashapay_backend_mock::admin::register_machine(&app.backend().state, "m_doors", "Doors")
        .await
        .unwrap();
    let revoked = machine
        .validate(&owner.code(1).to_text())
        .await
        .unwrap_err();
    assert_eq!(revoked.code(), Some(ErrorCode::Unauthorized));
}

#[tokio::test]
async fn bad_json_oversized_bodies_and_unknown_paths_get_json_errors() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", app.base_url());
    let bad = http
        .post(url(paths::LOGIN))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.json::<serde_json::Value>().await.unwrap()["error"],
        "bad_request"
    );

    let huge = http
        .post(url(paths::LOGIN))
        .header("content-type", "application/json")
        .body(format!("{{\"username\":\"{}\"}}", "x".repeat(64 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    assert_eq!(
        huge.json::<serde_json::Value>().await.unwrap()["error"],
        "payload_too_large"
    );

    let missing = http.get(url("/api/v1/nothing")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.json::<serde_json::Value>().await.unwrap()["error"],
        "not_found"
    );

    let wrong_method = http.get(url(paths::VALIDATE)).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(
        wrong_method.json::<serde_json::Value>().await.unwrap()["error"],
        "method_not_allowed"
    );

    let health = http.get(url(paths::HEALTH)).send().await.unwrap();
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap()["status"],
        "ok"
    );
}

#[tokio::test]
async fn revoked_machines_and_devices_are_refused_and_nothing_is_charged() {
    use gashapay_backend_mock::admin::{revoke_device, revoke_machine};
    use gashapay_core::status::DispenseOutcome;
    let app = spawn_app().await;
    let user = app.user("rev", 500).await;
    let machine = app.machine("m_revoked").await;
    let code = user.code(100);
    machine.validate(&code.to_text()).await.unwrap();

    revoke_machine(&app.backend().state, machine.machine_id())
        .await
        .unwrap();
    let refused = machine
        .validate(&user.code(100).to_text())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Unauthorized));
    let hook = machine
        .send_report(
            "evt_r",
            code.payload.transaction_id,
            DispenseOutcome::Failed,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(hook.code(), Some(ErrorCode::InvalidWebhookSignature));
    assert_eq!(user.balance().await, 400);

    let other = app.machine("m_fresh").await;
    let device = user.client.device_credentials().unwrap().device_id;
    let signed_before = user.code(100);
    revoke_device(&app.backend().state, device).await.unwrap();
    let stale = other.validate(&signed_before.to_text()).await.unwrap_err();
    assert_eq!(stale.code(), Some(ErrorCode::UnknownDevice));
    // The device's session ended with it.
    let ended = user.client.balance().await.unwrap_err();
    assert_eq!(ended.code(), Some(ErrorCode::Unauthorized));

    // Signing in again registers a new device whose codes work.
    let again = user.client.login("rev", PASSWORD).await.unwrap();
    assert_eq!(user.balance().await, 400);
    assert_ne!(again.device_id, device);
    assert!(again.device_secret.is_some());
    other.validate(&user.code(100).to_text()).await.unwrap();
    assert_eq!(user.balance().await, 300);
}

#[tokio::test]
async fn a_rotated_webhook_secret_overlaps_with_the_old_one_for_the_grace_window() {
    use gashapay_backend_mock::admin::{register_machine, rotate_webhook_secret};
    use gashapay_core::status::DispenseOutcome;
    use gashapay_machine::MachineClient;
    let app = spawn_app().await;
    let user = app.user("rot", 1000).await;
    let creds = register_machine(&app.backend().state, "m_rot", "Rotating")
        .await
        .unwrap();
    let with_secret = |secret| {
        MachineClient::new(
            &app.base_url(),
            creds.machine_id.clone(),
            creds.api_key.clone(),
            secret,
        )
    };
    let old = with_secret(creds.webhook_secret.clone());
    let (new_secret, _) = rotate_webhook_secret(
        &app.backend().state,
        &creds.machine_id,
        Duration::from_secs(1),
    )
    .await
    .unwrap();
    let new = with_secret(new_secret);

    // Within the window both secrets are accepted.
    for (i, machine) in [&old, &new].into_iter().enumerate() {
        let code = user.code(10);
        machine.validate(&code.to_text()).await.unwrap();
        let ack = machine
            .send_report(
                &format!("evt_in_{i}"),
                code.payload.transaction_id,
                DispenseOutcome::Dispensed,
                None,
            )
            .await
            .unwrap();
        assert_eq!(ack.status, gashapay_core::TransactionStatus::Completed);
    }

    // After it, only the new one.
    app.clock.advance(Duration::from_millis(1100));
    let code = user.code(10);
    old.validate(&code.to_text()).await.unwrap();
    let late = old
        .send_report(
            "evt_late",
            code.payload.transaction_id,
            DispenseOutcome::Failed,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(late.code(), Some(ErrorCode::InvalidWebhookSignature));
    new.send_report(
        "evt_new",
        code.payload.transaction_id,
        DispenseOutcome::Failed,
        None,
    )
    .await
    .unwrap();
    assert_eq!(user.balance().await, 980);
}

/// Every endpoint a user token opens, with a request that would succeed for a live
/// session. The transaction exists and belongs to the user.
fn user_requests(
    http: &reqwest::Client,
    base_url: &str,
    transaction: gashapay_core::TransactionId,
) -> Vec<(String, reqwest::RequestBuilder)> {
    let url = |path: &str| format!("{base_url}{path}");
    vec![
        ("balance".into(), http.get(url(paths::BALANCE))),
        ("history".into(), http.get(url(paths::HISTORY))),
        (
            "top-up".into(),
            http.post(url(paths::TOP_UP))
                .header(gashapay_core::api::IDEMPOTENCY_KEY_HEADER, "boundary-1")
                .json(&serde_json::json!({ "amount": 500, "payment_token": "tok_test_success" })),
        ),
        (
            "transaction".into(),
            http.get(url(&format!("{}/{transaction}", paths::TRANSACTION))),
        ),
        ("logout".into(), http.post(url(paths::LOGOUT))),
    ]
}

async fn assert_refused_everywhere(
    base_url: &str,
    token: &str,
    transaction: gashapay_core::TransactionId,
    why: &str,
) {
    let http = reqwest::Client::new();
    for (name, request) in user_requests(&http, base_url, transaction) {
        let response = request.bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), 401, "{name} with {why}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "unauthorized", "{name} with {why}");
    }
}

#[tokio::test]
async fn an_access_token_retired_by_refresh_or_logout_is_refused_at_every_user_endpoint() {
    let app = spawn_app().await;
    let user = app.user("pia", 1000).await;
    let machine = app.machine("m_boundary").await;
    let code = user.code(10);
    machine.validate(&code.to_text()).await.unwrap();
    let transaction = code.payload.transaction_id;

    let store = Arc::new(MemorySecretStore::new());
    let client = client_for(&app.base_url(), store.clone());
    let first = client.login("pia", PASSWORD).await.unwrap();
    let first_access = first.tokens.access_token.expose().to_owned();
    // The same requests with the live token pass: the refusals below are about the
    // token, not the requests. (Logout is left out: it would end the session.)
    let http = reqwest::Client::new();
    for (name, request) in user_requests(&http, &app.base_url(), transaction) {
        if name == "logout" {
            continue;
        }
        let response = request.bearer_auth(&first_access).send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{name}: {}",
            response.status()
        );
    }

    client.refresh().await.unwrap();
    assert_refused_everywhere(
        &app.base_url(),
        &first_access,
        transaction,
        "a rotated token",
    )
    .await;
    // The session itself lives on under the new token.
    assert_eq!(client.balance().await.unwrap().balance.0, 1490);

    let second = client_for(&app.base_url(), Arc::new(MemorySecretStore::new()));
    let login = second.login("pia", PASSWORD).await.unwrap();
    let second_access = login.tokens.access_token.expose().to_owned();
    second.logout().await.unwrap();
    assert_refused_everywhere(
        &app.base_url(),
        &second_access,
        transaction,
        "a logged-out token",
    )
    .await;

    // Refusals changed nothing: one top-up, one play.
    assert_eq!(user.balance().await, 1490);
    assert!(app.audit().is_empty());
}

#[tokio::test]
async fn sign_up_makes_an_account_with_welcome_points_that_plays_at_once() {
    let app = spawn_app().await;
    let machine = app.machine("m_new").await;
    let store = Arc::new(MemorySecretStore::new());
    let client = client_for(&app.base_url(), store.clone());
    let answer = client.signup("newbie", "a long password").await.unwrap();
    assert!(
        answer.device_secret.is_some(),
        "a new account gets a new device"
    );
    assert_eq!(client.balance().await.unwrap().balance.0, 1000);
    let code = client
        .device_credentials()
        .unwrap()
        .make_code(
            gashapay_core::Points(100),
            gashapay_core::clock::unix_now(),
            300,
        )
        .unwrap();
    machine.validate(&code.to_text()).await.unwrap();
    assert_eq!(client.balance().await.unwrap().balance.0, 900);

    // The same username again, or one that breaks a rule: refused, nothing created.
    let other = client_for(&app.base_url(), Arc::new(MemorySecretStore::new()));
    let taken = other
        .signup("newbie", "another password")
        .await
        .unwrap_err();
    assert_eq!(taken.code(), Some(ErrorCode::AlreadyExists));
    for (username, password) in [("No Caps", "a long password"), ("okname", "short")] {
        let refused = other.signup(username, password).await.unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::BadRequest), "{username}");
    }
    let never = other.login("okname", "short").await.unwrap_err();
    assert_eq!(never.code(), Some(ErrorCode::InvalidCredentials));
    // The account signs in like any other.
    other.login("newbie", "a long password").await.unwrap();
}

#[tokio::test]
async fn sign_up_spends_the_same_budget_as_sign_in() {
    let mut settings = test_settings();
    settings.sign_in_limit =
        gashapay_backend_mock::budgets::RateLimit::new(2, Duration::from_secs(60));
    let app = crate::helpers::spawn_app_with(settings).await;
    let client = client_for(&app.base_url(), Arc::new(MemorySecretStore::new()));
    client.signup("first", "a long password").await.unwrap();
    let _ = client.login("first", "wrong password").await;
    let limited = client
        .signup("second", "a long password")
        .await
        .unwrap_err();
    assert_eq!(limited.code(), Some(ErrorCode::RateLimited));
    let none = client.login("second", "a long password").await.unwrap_err();
    assert_eq!(
        none.code(),
        Some(ErrorCode::RateLimited),
        "the budget is still spent"
    );
}
