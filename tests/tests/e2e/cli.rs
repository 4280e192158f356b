use crate::helpers::{spawn_app, PASSWORD};
use clap::Parser;
use gashapay_cli::{run, Cli};
use gashapay_core::secrets::{MemorySecretStore, SecretStore};
use gashapay_core::status::DispensePlan;
use gashapay_machine::{decode_qr_image, play, RetryPolicy};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

async fn gashapay(server: &str, store: &Arc<dyn SecretStore>, args: &[&str]) -> Vec<Value> {
    let mut argv = vec!["gashapay", "--server", server];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).unwrap();
    let mut out = Vec::new();
    run(cli, store.clone(), &mut out).await.unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test]
async fn the_cli_signs_in_tops_up_makes_a_png_qr_and_follows_the_play_to_the_end() {
    let app = spawn_app().await;
    app.user("tia", 100).await;
    let machine = app.machine("m_cli").await;
    let server = app.base_url();
    let store: Arc<dyn SecretStore> = Arc::new(MemorySecretStore::new());
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("code.png");

    let login = gashapay(
        &server,
        &store,
        &["login", "--username", "tia", "--password", PASSWORD],
    )
    .await;
    assert_eq!(login[0]["new_device"], true);
    let top_up = gashapay(&server, &store, &["topup", "--amount", "50"]).await;
    assert_eq!(top_up[0]["balance"], 150);

    let qr = gashapay(
        &server,
        &store,
        &["qr", "--points", "120", "--png", png.to_str().unwrap()],
    )
    .await;
    let txn = qr[0]["transaction_id"].as_str().unwrap().to_owned();
    assert_eq!(qr[0]["qr_version"], 5);
    let scanned = decode_qr_image(&std::fs::read(&png).unwrap()).unwrap();
    assert_eq!(scanned, qr[0]["code"].as_str().unwrap());

    let machine_side = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        play(
            &machine,
            &scanned,
            DispensePlan::Ok,
            Duration::from_millis(200),
            &RetryPolicy::default(),
            |_| {},
        )
        .await
        .unwrap()
    };
    let expires = qr[0]["expires_at"].to_string();
    let status_args = ["status", &txn, "--wait", "--expires-at", &expires];
    let (updates, _) = tokio::join!(gashapay(&server, &store, &status_args), machine_side);
    let statuses: Vec<_> = updates
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["pending", "completed"]);
    assert_eq!(updates.last().unwrap()["balance"], 30);

    let balance = gashapay(&server, &store, &["balance"]).await;
    assert_eq!(balance[0]["balance"], 30);
    let history = gashapay(&server, &store, &["history", "--limit", "2"]).await;
    assert_eq!(history[0]["entries"][0]["kind"], "play");
    assert_eq!(history[0]["entries"][1]["kind"], "top_up");

    gashapay(&server, &store, &["logout"]).await;
    let cli = Cli::try_parse_from(["gashapay", "--server", &server, "balance"]).unwrap();
    let error = run(cli, store.clone(), &mut Vec::new()).await.unwrap_err();
    assert_eq!(error.to_json()["error"], "not_signed_in");
}

/// `gashapay admin …` with the test backend's operator key; the answers' JSON lines.
async fn operator(server: &str, args: &[&str]) -> Vec<Value> {
    let store: Arc<dyn SecretStore> = Arc::new(MemorySecretStore::new());
    let mut argv = vec!["admin", "--admin-key", crate::helpers::ADMIN_KEY];
    argv.extend_from_slice(args);
    gashapay(server, &store, &argv).await
}

#[tokio::test]
async fn an_operator_adds_a_machine_in_one_line_and_it_plays_with_what_was_printed() {
    use gashapay_core::webhook::WebhookSecret;
    use gashapay_core::{MachineId, Redacted, TransactionStatus};
    let app = spawn_app().await;
    let user = app.user("una", 100).await;
    let server = app.base_url();
    let admin = |args: &'static [&'static str]| operator(&server, args);
    let created = admin(&[
        "create-machine",
        "--id",
        "m_two",
        "--name",
        "Second machine",
    ])
    .await;
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    let machine = gashapay_machine::MachineClient::new(
        &server,
        MachineId("m_two".into()),
        Redacted::new(text(&created[0]["api_key"])),
        WebhookSecret::parse(&text(&created[0]["webhook_secret"])).unwrap(),
    );
    let code = user.code(40);
    let ack = play(
        &machine,
        &code.to_text(),
        DispensePlan::Ok,
        Duration::ZERO,
        &RetryPolicy::default(),
        |_| {},
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(ack.status, TransactionStatus::Completed);

    let listed = admin(&["machines"]).await;
    assert_eq!(listed[0]["machines"][0]["name"], "Second machine");
    admin(&["revoke-machine", "--id", "m_two"]).await;
    let refused = machine
        .validate(&user.code(10).to_text())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(gashapay_core::ErrorCode::Unauthorized));
}

#[tokio::test]
async fn an_operator_prints_a_machine_code_and_reads_the_days_sales_from_the_terminal() {
    use crate::helpers::ADMIN_KEY;
    use gashapay_core::links::AppLink;
    use gashapay_core::Points;
    let app = spawn_app().await;
    let _machine = app.machine("m_cli").await;
    let user = app.user("cleo", 500).await;
    let server = app.base_url();
    let store: Arc<dyn SecretStore> = Arc::new(MemorySecretStore::new());
    let admin = |args: Vec<String>| {
        let mut argv: Vec<String> = vec!["admin".into(), "--admin-key".into(), ADMIN_KEY.into()];
        argv.extend(args);
        let (server, store) = (server.clone(), store.clone());
        async move {
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            gashapay(&server, &store, &argv).await
        }
    };
    let created = admin(vec![
        "create-machine-code".into(),
        "--machine".into(),
        "m_cli".into(),
    ])
    .await;
    let link = created[0]["link"].as_str().unwrap().to_owned();
    let AppLink::MachineCode { code_id } = AppLink::parse(&link).unwrap() else {
        panic!("a printed code: {link}");
    };
    user.client
        .start_session(uuid::Uuid::now_v7(), &code_id, Points(200))
        .await
        .unwrap();
    let off = admin(vec![
        "set-machine-code-status".into(),
        "--code".into(),
        code_id.clone(),
        "--active".into(),
        "false".into(),
    ])
    .await;
    assert_eq!(off[0]["active"], false);
    let sales = admin(vec!["sales".into(), "--machine".into(), "m_cli".into()]).await;
    assert_eq!(sales[0]["sessions"], 1);
    assert_eq!(sales[0]["points_taken"], 200);
    let listed = admin(vec!["machine-codes".into()]).await;
    assert_eq!(listed[0]["codes"][0]["code_id"], code_id.as_str());
}

#[tokio::test]
async fn an_operator_creates_a_reward_partner_and_rotates_its_secret_from_the_terminal() {
    use gashapay_core::reward_request::PartnerSecret;
    let app = spawn_app().await;
    let server = app.base_url();
    let admin = |args: &'static [&'static str]| operator(&server, args);
    let created = admin(&[
        "create-partner",
        "--app-id",
        "cafe_seoul",
        "--name",
        "Cafe Seoul",
        "--daily-budget",
        "5000",
        "--player-daily-cap",
        "100",
    ])
    .await;
    let secret = created[0]["secret"].as_str().unwrap();
    assert!(PartnerSecret::parse(secret).is_some());
    let listed = admin(&["partners"]).await;
    assert_eq!(listed[0]["partners"][0]["app_id"], "cafe_seoul");
    assert!(
        listed[0]["partners"][0].get("secret").is_none(),
        "no secret in a list"
    );
    let rotated = admin(&[
        "rotate-partner-secret",
        "--app-id",
        "cafe_seoul",
        "--grace-seconds",
        "60",
    ])
    .await;
    assert_ne!(rotated[0]["secret"].as_str().unwrap(), secret);
    assert!(rotated[0]["previous_secret_valid_until"].is_string());
}
