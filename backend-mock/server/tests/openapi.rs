//! The served OpenAPI document against the running backend: it names every endpoint
//! path of the core and nothing else, each documented operation is routed (routes and
//! document come from the same protocol routers), and Schemathesis (property-based
//! requests generated from the document) finds no server error and no answer that
//! breaks the document.

use gashapay_backend_mock::admin::{create_user, register_machine};
use gashapay_backend_mock::config::Settings;
use gashapay_backend_mock::{start, RunningBackend, StartOptions};
use gashapay_core::api::paths;
use gashapay_core::ErrorCode;
use gashapay_core::Points;
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

async fn backend(dir: &std::path::Path) -> RunningBackend {
    start(StartOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        db: dir.join("openapi.db").display().to_string(),
        settings: Settings {
            // Generated requests ask for long waits; hold them 1 s, not 30.
            long_poll_cap: Duration::from_secs(1),
            ..Settings::default()
        },
        payment_secret: None,
        seed_demo: false,
        clock: gashapay_core::clock::SystemClock::shared(),
        admin_key: None,
    })
    .await
    .unwrap()
}

async fn document(base_url: &str) -> Value {
    reqwest::get(format!("{base_url}{}", paths::OPENAPI))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The API paths declared in the core's `paths` module, read from its source: the
/// constants under `/api/` and `/health`.
fn core_api_paths() -> BTreeSet<String> {
    let source = include_str!("../../../core/src/api/mod.rs");
    let start = source.find("pub mod paths {").unwrap();
    let end = start + source[start..].find("\n}\n").unwrap();
    source[start..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|text| text.starts_with("/api/") || *text == paths::HEALTH)
        .filter(|text| ![paths::OPENAPI, paths::TRANSACTION].contains(text))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_document_names_every_endpoint_of_the_core_and_each_is_routed() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(dir.path()).await;
    let doc = document(&backend.base_url()).await;
    assert_eq!(doc["openapi"], "3.1.0");

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    // Every endpoint path the core names (what apps and machines call) is documented,
    // and nothing else is: the two that are not endpoints are the document itself and
    // the transaction path's prefix.
    let named = core_api_paths();
    let documented_paths: BTreeSet<String> =
        documented.iter().map(|(_, path)| path.clone()).collect();
    assert_eq!(documented_paths, named);

    // Each documented operation reaches a handler: no 404/405 from the router.
    let http = reqwest::Client::new();
    for (method, path) in &documented {
        let path = path
            .replace("{transaction_id}", &uuid::Uuid::nil().to_string())
            .replace("{machine_id}", "m_none")
            .replace("{device_id}", "1")
            .replace("{user_id}", "1")
            .replace("{session_id}", &uuid::Uuid::nil().to_string())
            .replace("{code_id}", "mc_aaaaaaaaaaaaaaaaaaaa")
            .replace("{order_id}", "o-1");
        let url = format!("{}{path}", backend.base_url());
        let response = match method.as_str() {
            "GET" => http.get(url),
            _ => http.post(url).json(&serde_json::json!({})),
        }
        .send()
        .await
        .unwrap();
        // Unauthenticated or empty, these requests stop in the handlers' first checks
        // (401, 400; the public QR images look the code up: 404 "no such reward
        // code"); only the router answers 405, or 404 "no such resource".
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let routers_404 = status == 404 && body["message"] == ErrorCode::NotFound.default_message();
        assert!(
            status != 405 && !routers_404,
            "{method} {path} is documented but not routed ({status})"
        );
    }

    // Every error code the server can send is in the schema's list.
    let codes = &doc["components"]["schemas"]["ErrorCode"]["enum"];
    for code in gashapay_core::ErrorCode::ALL {
        assert!(
            codes.as_array().unwrap().iter().any(|c| c == code.as_str()),
            "{code} missing from the schema"
        );
    }
}

/// Runs Schemathesis four times: with no credentials on every operation, with a
/// user's access token on the user's operations, with a machine key on validate, with
/// the operator key on the operator's operations.
/// `scripts/test.sh` installs Schemathesis and runs this; set
/// `GASHAPAY_SCHEMATHESIS` to the `st` program and `GASHAPAY_SCHEMATHESIS_EXAMPLES`
/// to the examples per operation (default 50).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Schemathesis: scripts/test.sh installs it and runs this test"]
async fn schemathesis_finds_no_server_error_and_no_answer_outside_the_document() {
    let st = std::env::var("GASHAPAY_SCHEMATHESIS").unwrap_or_else(|_| "st".into());
    let examples = std::env::var("GASHAPAY_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "50".into());
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(dir.path()).await;
    let state = backend.state.clone();
    create_user(&state, "fuzz", "fuzz-password", Points(1_000_000))
        .await
        .unwrap();
    let machine = register_machine(&state, "m_fuzz", "Fuzz").await.unwrap();
    let client = gashapay_core::client::ApiClient::new(
        &backend.base_url(),
        std::sync::Arc::new(gashapay_core::secrets::MemorySecretStore::new()),
        Default::default(),
    )
    .unwrap();
    let login = client.login("fuzz", "fuzz-password").await.unwrap();
    let user_token = login.tokens.access_token.expose().to_owned();
    let machine_key = machine.api_key.expose().to_owned();
    let operator_key = backend
        .new_admin_key
        .as_ref()
        .expect("a fresh database gets a new operator key")
        .expose()
        .to_owned();

    let schema = format!("{}{}", backend.base_url(), paths::OPENAPI);
    let runs: [(&str, Vec<String>); 4] = [
        ("no credentials, every operation", vec![]),
        (
            "a user token, the user's operations",
            vec![
                "-H".into(),
                format!("Authorization: Bearer {user_token}"),
                "--include-tag".into(),
                "account".into(),
            ],
        ),
        (
            "a machine key, validate",
            vec![
                "-H".into(),
                format!("Authorization: Bearer {machine_key}"),
                "--include-path".into(),
                paths::VALIDATE.into(),
            ],
        ),
        (
            "the operator key, the operator's operations",
            vec![
                "-H".into(),
                format!("Authorization: Bearer {operator_key}"),
                "--include-tag".into(),
                "admin".into(),
            ],
        ),
    ];
    for (name, extra) in runs {
        let mut command = std::process::Command::new(&st);
        command
            .args(["run", &schema, "--no-color", "--seed", "20261123"])
            .args(["--max-examples", &examples, "--request-timeout", "20"])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,\
                 response_headers_conformance,response_schema_conformance",
            ])
            .args(&extra);
        eprintln!("==> schemathesis: {name}");
        let status = tokio::task::spawn_blocking(move || command.status())
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("cannot run {st}: {e}; scripts/test.sh installs it"));
        assert!(status.success(), "schemathesis ({name}) found problems");
    }

    // Whatever it sent, the books still balance.
    let db = dir.path().join("openapi.db").display().to_string();
    let audit = gashapay_backend_mock::store::sqlite::SqliteStore::open(&db)
        .unwrap()
        .audit()
        .unwrap();
    assert!(audit.is_empty(), "{audit:?}");
}
