//! The operator's endpoints on a running backend: every change works on the next
//! request, with nothing but the documented HTTP calls.

use crate::helpers::{spawn_app, TestApp, ADMIN_KEY};
use gashapay_core::api::admin::{
    ApiKeyAnswer, AuditList, MachineList, MachineView, NewMachineAnswer, WebhookSecretAnswer,
};
use gashapay_core::api::paths::{self, with_param};
use gashapay_core::client::ClientError;
use gashapay_core::status::DispenseOutcome;
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::{ErrorCode, MachineId, Redacted, TransactionStatus};
use gashapay_machine::MachineClient;
use serde_json::{json, Value};
use std::time::Duration;

/// An operator call: the status and the JSON body (`null` when there is none).
async fn admin(
    app: &TestApp,
    key: Option<&str>,
    method: &str,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", app.base_url());
    let mut request = match method {
        "GET" => client.get(url),
        _ => client.post(url).json(&body),
    };
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn operator(app: &TestApp, method: &str, path: &str, body: Value) -> (u16, Value) {
    admin(app, Some(ADMIN_KEY), method, path, body).await
}

/// A machine made through the API, as its vendor would configure it.
async fn new_machine(app: &TestApp, id: &str) -> (MachineClient, NewMachineAnswer) {
    let (status, body) = operator(
        app,
        "POST",
        paths::ADMIN_MACHINES,
        json!({ "machine_id": id, "name": format!("Machine {id}"), "location": "Shibuya B1" }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let answer: NewMachineAnswer = serde_json::from_value(body).unwrap();
    let client = machine_client(app, id, &answer.api_key, &answer.webhook_secret);
    (client, answer)
}

fn machine_client(app: &TestApp, id: &str, key: &Redacted, secret: &Redacted) -> MachineClient {
    MachineClient::new(
        &app.base_url(),
        MachineId(id.to_owned()),
        key.clone(),
        WebhookSecret::parse(secret.expose()).unwrap(),
    )
}

#[tokio::test]
async fn without_the_operator_key_every_operator_endpoint_is_unauthorized() {
    let app = spawn_app().await;
    let user = app.user("ana", 10).await;
    let user_token = app.sign_in_raw("ana").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let machine = with_param(paths::ADMIN_MACHINE, "m_demo");
    let device = with_param(paths::ADMIN_DEVICE_REVOKE, "1");
    for key in [
        None,
        Some("gpo_wrong-key-0123456789abcdef"),
        Some(user_token.as_str()),
    ] {
        for (method, path) in [
            ("GET", paths::ADMIN_MACHINES),
            ("POST", paths::ADMIN_MACHINES),
            ("GET", machine.as_str()),
            ("POST", device.as_str()),
            ("GET", paths::ADMIN_AUDIT),
        ] {
            let body = json!({ "machine_id": "m_x", "name": "X" });
            let (status, answer) = admin(&app, key, method, path, body).await;
            assert_eq!(
                (status, &answer["error"]),
                (401, &json!("unauthorized")),
                "{method} {path}"
            );
        }
    }
    let (_, list) = operator(&app, "GET", paths::ADMIN_MACHINES, Value::Null).await;
    assert_eq!(list["machines"], json!([]), "nothing was created");
    assert!(
        user.client.balance().await.is_ok(),
        "the user's session is untouched"
    );
}

#[tokio::test]
async fn an_operator_creates_a_second_machine_that_plays_at_once() {
    let app = spawn_app().await;
    let user = app.user("bo", 500).await;
    let (first, _) = new_machine(&app, "m_first").await;
    let (second, answer) = new_machine(&app, "m_second").await;
    assert_eq!(
        answer.machine,
        MachineView {
            machine_id: MachineId("m_second".into()),
            name: "Machine m_second".into(),
            location: "Shibuya B1".into(),
            kind: gashapay_core::api::MachineKind::Dispenser,
            revoked: false,
        }
    );
    for machine in [&first, &second] {
        let code = user.code(100);
        machine.validate(&code.to_text()).await.unwrap();
        let ack = machine
            .send_report(
                "evt_1",
                code.payload.transaction_id,
                DispenseOutcome::Dispensed,
                None,
            )
            .await
            .unwrap();
        assert_eq!(ack.status, TransactionStatus::Completed);
    }
    assert_eq!(user.balance().await, 300);

    let (status, list) = operator(&app, "GET", paths::ADMIN_MACHINES, Value::Null).await;
    assert_eq!(status, 200);
    let list: MachineList = serde_json::from_value(list).unwrap();
    let ids: Vec<&str> = list
        .machines
        .iter()
        .map(|m| m.machine_id.0.as_str())
        .collect();
    assert_eq!(ids, ["m_first", "m_second"]);
    let (status, shown) = operator(
        &app,
        "GET",
        &with_param(paths::ADMIN_MACHINE, "m_second"),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_value::<MachineView>(shown).unwrap(),
        answer.machine
    );
    assert!(!shown_has_secrets(&app).await, "no listing shows a secret");

    // A game's reader is an arcade machine: its kind is kept and shown.
    let (status, body) = operator(
        &app,
        "POST",
        paths::ADMIN_MACHINES,
        json!({ "machine_id": "m_arcade", "name": "Cabinet", "kind": "arcade" }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let arcade: NewMachineAnswer = serde_json::from_value(body).unwrap();
    assert_eq!(arcade.machine.kind, gashapay_core::api::MachineKind::Arcade);

    // A taken id, a bad id, an empty name, an unknown machine: refused, nothing made.
    for (body, status, code) in [
        (
            json!({ "machine_id": "m_second", "name": "Again" }),
            409,
            "already_exists",
        ),
        (
            json!({ "machine_id": "Bad Id", "name": "X" }),
            400,
            "bad_request",
        ),
        (
            json!({ "machine_id": "m_third", "name": "  " }),
            400,
            "bad_request",
        ),
        (json!({ "machine_id": "m_third" }), 400, "bad_request"),
        (
            json!({ "machine_id": "m_odd", "name": "Odd", "kind": "jukebox" }),
            400,
            "bad_request",
        ),
    ] {
        let (got, answer) = operator(&app, "POST", paths::ADMIN_MACHINES, body.clone()).await;
        assert_eq!((got, &answer["error"]), (status, &json!(code)), "{body}");
    }
    let (status, answer) = operator(
        &app,
        "GET",
        &with_param(paths::ADMIN_MACHINE, "m_none"),
        Value::Null,
    )
    .await;
    assert_eq!((status, &answer["error"]), (404, &json!("not_found")));
    let (_, list) = operator(&app, "GET", paths::ADMIN_MACHINES, Value::Null).await;
    assert_eq!(list["machines"].as_array().unwrap().len(), 3);
}

/// Whether the machine list or a machine's page carries anything shaped like a key.
async fn shown_has_secrets(app: &TestApp) -> bool {
    let (_, list) = operator(app, "GET", paths::ADMIN_MACHINES, Value::Null).await;
    let (_, one) = operator(
        app,
        "GET",
        &with_param(paths::ADMIN_MACHINE, "m_second"),
        Value::Null,
    )
    .await;
    let text = format!("{list}{one}");
    text.contains("gpk.") || text.contains("whsec_")
}

#[tokio::test]
async fn a_rotated_webhook_secret_works_beside_the_previous_one_for_the_grace_window() {
    let app = spawn_app().await;
    let user = app.user("cy", 500).await;
    let (old, created) = new_machine(&app, "m_rot").await;
    let path = with_param(paths::ADMIN_MACHINE_WEBHOOK_SECRET, "m_rot");
    let (status, body) = operator(&app, "POST", &path, json!({ "grace_seconds": 60 })).await;
    assert_eq!(status, 200, "{body}");
    let rotated: WebhookSecretAnswer = serde_json::from_value(body).unwrap();
    let new = machine_client(&app, "m_rot", &created.api_key, &rotated.webhook_secret);

    for (n, machine) in [&old, &new].into_iter().enumerate() {
        let code = user.code(10);
        machine.validate(&code.to_text()).await.unwrap();
        let event = format!("evt_in_{n}");
        let ack = machine
            .send_report(
                &event,
                code.payload.transaction_id,
                DispenseOutcome::Dispensed,
                None,
            )
            .await
            .unwrap();
        assert_eq!(ack.status, TransactionStatus::Completed);
    }

    // Past the window the previous secret is refused, the new one still works.
    app.clock.advance(Duration::from_secs(61));
    let code = user.code(10);
    new.validate(&code.to_text()).await.unwrap();
    let now = {
        use gashapay_core::clock::Clock;
        app.clock.now_secs()
    };
    let id = code.payload.transaction_id;
    let late = old
        .send_report_at(now, "evt_old", id, DispenseOutcome::Dispensed, None)
        .await
        .unwrap_err();
    assert_eq!(late.code(), Some(ErrorCode::InvalidWebhookSignature));
    new.send_report_at(now, "evt_new", id, DispenseOutcome::Dispensed, None)
        .await
        .unwrap();
    assert_eq!(user.balance().await, 470);

    let (status, answer) = operator(&app, "POST", &path, json!({ "grace_seconds": 604_801 })).await;
    assert_eq!((status, &answer["error"]), (400, &json!("bad_request")));
}

#[tokio::test]
async fn a_revoked_machine_and_a_replaced_api_key_are_refused_on_the_next_request() {
    let app = spawn_app().await;
    let user = app.user("dee", 500).await;
    let (before, created) = new_machine(&app, "m_key").await;
    before.validate(&user.code(10).to_text()).await.unwrap();

    let path = with_param(paths::ADMIN_MACHINE_API_KEY, "m_key");
    let (status, body) = operator(&app, "POST", &path, Value::Null).await;
    assert_eq!(status, 200, "{body}");
    let key: ApiKeyAnswer = serde_json::from_value(body).unwrap();
    let refused = before.validate(&user.code(10).to_text()).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Unauthorized));
    let after = machine_client(&app, "m_key", &key.api_key, &created.webhook_secret);
    after.validate(&user.code(10).to_text()).await.unwrap();

    let revoke = with_param(paths::ADMIN_MACHINE_REVOKE, "m_key");
    let (status, _) = operator(&app, "POST", &revoke, Value::Null).await;
    assert_eq!(status, 204);
    let refused = after.validate(&user.code(10).to_text()).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Unauthorized));
    assert_eq!(user.balance().await, 480, "refused plays took nothing");
    let (_, shown) = operator(
        &app,
        "GET",
        &with_param(paths::ADMIN_MACHINE, "m_key"),
        Value::Null,
    )
    .await;
    assert_eq!(shown["revoked"], json!(true));
    let (status, _) = operator(&app, "POST", &path, Value::Null).await;
    assert_eq!(status, 404, "a revoked machine gets no new key");
}

#[tokio::test]
async fn a_revoked_device_loses_its_sessions_and_its_codes_at_once() {
    let app = spawn_app().await;
    let user = app.user("eve", 500).await;
    let machine = app.machine("m_dev").await;
    let code = user.code(10);
    let device = user.client.device_credentials().unwrap().device_id;

    let path = with_param(paths::ADMIN_DEVICE_REVOKE, &device.to_string());
    let (status, _) = operator(&app, "POST", &path, Value::Null).await;
    assert_eq!(status, 204);

    let refused = machine.validate(&code.to_text()).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::UnknownDevice));
    // The session is over: its access token and its refresh token are refused.
    let signed_out = user.client.balance().await.unwrap_err();
    assert_eq!(signed_out.code(), Some(ErrorCode::Unauthorized));
    let refresh = user.client.refresh().await.unwrap_err();
    assert!(matches!(refresh, ClientError::NotSignedIn), "{refresh:?}");

    let (status, answer) = operator(
        &app,
        "POST",
        &with_param(paths::ADMIN_DEVICE_REVOKE, "999999"),
        Value::Null,
    )
    .await;
    assert_eq!((status, &answer["error"]), (404, &json!("not_found")));
    let (status, answer) = operator(
        &app,
        "POST",
        &with_param(paths::ADMIN_DEVICE_REVOKE, "x"),
        Value::Null,
    )
    .await;
    assert_eq!((status, &answer["error"]), (400, &json!("bad_request")));
}

#[tokio::test]
async fn every_change_is_in_the_audit_trail_newest_first() {
    let app = spawn_app().await;
    let user = app.user("fay", 0).await;
    new_machine(&app, "m_aud").await;
    operator(
        &app,
        "POST",
        &with_param(paths::ADMIN_MACHINE_API_KEY, "m_aud"),
        Value::Null,
    )
    .await;
    let device = user
        .client
        .device_credentials()
        .unwrap()
        .device_id
        .to_string();
    operator(
        &app,
        "POST",
        &with_param(paths::ADMIN_DEVICE_REVOKE, &device),
        Value::Null,
    )
    .await;
    operator(
        &app,
        "POST",
        &with_param(paths::ADMIN_MACHINE_REVOKE, "m_aud"),
        Value::Null,
    )
    .await;
    // Refused changes are not in it.
    operator(
        &app,
        "POST",
        &with_param(paths::ADMIN_MACHINE_REVOKE, "m_none"),
        Value::Null,
    )
    .await;

    let (status, body) = operator(&app, "GET", paths::ADMIN_AUDIT, Value::Null).await;
    assert_eq!(status, 200);
    let audit: AuditList = serde_json::from_value(body).unwrap();
    let lines: Vec<(&str, &str)> = audit
        .entries
        .iter()
        .map(|e| (e.action.as_str(), e.subject.as_str()))
        .collect();
    let device_subject = format!("device:{device}");
    assert_eq!(
        lines,
        [
            ("machine.revoke", "m_aud"),
            ("device.revoke", device_subject.as_str()),
            ("machine.rotate_api_key", "m_aud"),
            ("machine.create", "m_aud"),
        ]
    );
}

#[tokio::test]
async fn the_first_start_makes_an_operator_key_that_lasts_until_one_is_given() {
    use gashapay_backend_mock::{start, StartOptions};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.db").display().to_string();
    let start_with = |admin_key: Option<&str>| {
        start(StartOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            db: db.clone(),
            settings: crate::helpers::test_settings(),
            payment_secret: None,
            seed_demo: false,
            clock: gashapay_core::clock::SystemClock::shared(),
            admin_key: admin_key.map(Redacted::new),
        })
    };
    let list = |url: String, key: String| async move {
        reqwest::Client::new()
            .get(format!("{url}{}", paths::ADMIN_MACHINES))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };

    let first = start_with(None).await.unwrap();
    let made = first
        .new_admin_key
        .clone()
        .expect("a first start makes a key");
    assert!(made.expose().starts_with("gpo_") && made.expose().len() >= 40);
    assert_eq!(list(first.base_url(), made.expose().to_owned()).await, 200);
    first.stop().await;

    let again = start_with(None).await.unwrap();
    assert!(
        again.new_admin_key.is_none(),
        "a stored key is kept, not shown again"
    );
    assert_eq!(list(again.base_url(), made.expose().to_owned()).await, 200);
    again.stop().await;

    let given = "gpo_given-by-the-operator-0123456789";
    let replaced = start_with(Some(given)).await.unwrap();
    assert!(replaced.new_admin_key.is_none());
    assert_eq!(list(replaced.base_url(), given.to_owned()).await, 200);
    assert_eq!(
        list(replaced.base_url(), made.expose().to_owned()).await,
        401
    );
    replaced.stop().await;
}

#[tokio::test]
async fn an_operator_creates_a_second_user_who_signs_in_to_their_welcome_points() {
    let app = spawn_app().await;
    let (status, body) = operator(
        &app,
        "POST",
        paths::ADMIN_USERS,
        json!({ "username": "gus", "password": "a long password", "points": 300 }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (&body["username"], &body["balance"], &body["banned"]),
        (&json!("gus"), &json!(300), &json!(false))
    );
    let client = crate::helpers::client_for(
        &app.base_url(),
        std::sync::Arc::new(gashapay_core::secrets::MemorySecretStore::new()),
    );
    client.login("gus", "a long password").await.unwrap();
    let welcome = &client.history(1, None).await.unwrap().entries[0];
    assert_eq!(
        (welcome.label.as_str(), welcome.delta),
        ("Welcome points", 300)
    );

    for (body, status, code) in [
        (
            json!({ "username": "gus", "password": "another password" }),
            409,
            "already_exists",
        ),
        (
            json!({ "username": "Gus Two", "password": "a long password" }),
            400,
            "bad_request",
        ),
        (
            json!({ "username": "hal", "password": "short" }),
            400,
            "bad_request",
        ),
        (
            json!({ "username": "huge", "password": "a long password", "points": 9_223_372_036_854_775_808u64 }),
            400,
            "bad_request",
        ),
    ] {
        let (got, answer) = operator(&app, "POST", paths::ADMIN_USERS, body.clone()).await;
        assert_eq!((got, &answer["error"]), (status, &json!(code)), "{body}");
    }
    let (_, list) = operator(&app, "GET", paths::ADMIN_USERS, Value::Null).await;
    let names: Vec<&str> = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["gus"]);
}

#[tokio::test]
async fn a_banned_user_cannot_sign_in_and_their_sessions_end_until_unbanned() {
    let app = spawn_app().await;
    let user = app.user("ivy", 100).await;
    let id = user
        .client
        .device_credentials()
        .unwrap()
        .user_id
        .to_string();
    let (status, _) = operator(
        &app,
        "POST",
        &with_param(paths::ADMIN_USER_BAN, &id),
        Value::Null,
    )
    .await;
    assert_eq!(status, 204);

    let ended = user.client.balance().await.unwrap_err();
    assert_eq!(ended.code(), Some(ErrorCode::Unauthorized));
    let refused = user
        .client
        .login("ivy", crate::helpers::PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::AccountBanned));
    let wrong = user
        .client
        .login("ivy", "not the password")
        .await
        .unwrap_err();
    assert_eq!(
        wrong.code(),
        Some(ErrorCode::InvalidCredentials),
        "a ban is not told to a guesser"
    );
    let (_, shown) = operator(
        &app,
        "GET",
        &with_param(paths::ADMIN_USER, &id),
        Value::Null,
    )
    .await;
    assert_eq!(shown["banned"], json!(true));

    let (status, _) = operator(
        &app,
        "POST",
        &with_param(paths::ADMIN_USER_UNBAN, &id),
        Value::Null,
    )
    .await;
    assert_eq!(status, 204);
    user.client
        .login("ivy", crate::helpers::PASSWORD)
        .await
        .unwrap();
    assert_eq!(user.balance().await, 100, "a ban takes no points");
    let (status, answer) = operator(
        &app,
        "POST",
        &with_param(paths::ADMIN_USER_BAN, "987654"),
        Value::Null,
    )
    .await;
    assert_eq!((status, &answer["error"]), (404, &json!("not_found")));
}

#[tokio::test]
async fn a_grant_is_a_labelled_entry_and_a_users_devices_are_listed_without_secrets() {
    let app = spawn_app().await;
    let user = app.user("jay", 50).await;
    let creds = user.client.device_credentials().unwrap();
    let id = creds.user_id.to_string();
    let path = with_param(paths::ADMIN_USER_GRANTS, &id);
    let (status, body) = operator(
        &app,
        "POST",
        &path,
        json!({ "points": 200, "label": "Sorry for the jam" }),
    )
    .await;
    assert_eq!((status, &body["balance"]), (200, &json!(250)), "{body}");
    let entry = &user.client.history(1, None).await.unwrap().entries[0];
    assert_eq!(
        (entry.label.as_str(), entry.delta),
        ("Sorry for the jam", 200)
    );
    for bad in [
        json!({ "points": 0, "label": "x" }),
        json!({ "points": 100_001, "label": "x" }),
        json!({ "points": 5, "label": " " }),
    ] {
        let (status, answer) = operator(&app, "POST", &path, bad.clone()).await;
        assert_eq!(
            (status, &answer["error"]),
            (400, &json!("bad_request")),
            "{bad}"
        );
    }
    assert_eq!(user.balance().await, 250, "refused grants give nothing");

    let (status, body) = operator(
        &app,
        "GET",
        &with_param(paths::ADMIN_USER_DEVICES, &id),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    let devices = body["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0]["device_id"], json!(creds.device_id.0));
    assert_eq!(devices[0]["revoked"], json!(false));
    assert!(
        !body.to_string().contains(&creds.secret.to_base64()),
        "no device secret is shown"
    );

    let (_, audit) = operator(&app, "GET", paths::ADMIN_AUDIT, Value::Null).await;
    assert_eq!(audit["entries"][0]["action"], json!("user.grant"));
    assert_eq!(audit["entries"][0]["subject"], json!(format!("user:{id}")));
}
