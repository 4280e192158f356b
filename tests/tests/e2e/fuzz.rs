//! Arbitrary bodies, headers, paths and queries at every endpoint of a running backend,
//! with valid credentials so the handlers themselves are reached: never a server
//! error, every error in the documented `{error, message}` shape, and the money data
//! still sound afterwards. `GASHAPAY_FUZZ_CASES` sets the number of cases (300 by
//! default; see docs/BENCHMARKS.md for the long run).

use crate::helpers::spawn_app;
use gashapay_core::api::paths;
use gashapay_core::ErrorCode;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        "GP1:[A-Z2-7]{0,110}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("code".to_owned()),
                    Just("amount".to_owned()),
                    Just("payment_token".to_owned()),
                    Just("username".to_owned()),
                    Just("password".to_owned()),
                    Just("device".to_owned()),
                    Just("device_id".to_owned()),
                    Just("refresh_token".to_owned()),
                    Just("machine_id".to_owned()),
                    Just("transaction_id".to_owned()),
                    Just("outcome".to_owned()),
                    "[a-z_]{1,12}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Body {
    Json(Value),
    Raw(Vec<u8>),
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        4 => json_value().prop_map(Body::Json),
        1 => prop::collection::vec(any::<u8>(), 0..200).prop_map(Body::Raw),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    endpoint: usize,
    body: Body,
    noise: String,
}

const ENDPOINTS: usize = 9;

fn case() -> impl Strategy<Value = Case> {
    (0..ENDPOINTS, body(), "[ -~]{0,24}").prop_map(|(endpoint, body, noise)| Case {
        endpoint,
        body,
        noise,
    })
}

#[test]
fn arbitrary_requests_never_cause_a_server_error_or_change_money_wrongly() {
    let cases: u32 = std::env::var("GASHAPAY_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (app, access, machine_key) = runtime.block_on(async {
        let app = spawn_app().await;
        app.user("fuzz", 1000).await;
        let login = app.sign_in_raw("fuzz").await;
        let machine =
            gashapay_backend_mock::admin::register_machine(&app.backend().state, "m_fuzz", "Fuzz")
                .await
                .unwrap();
        (
            app,
            login["access_token"].as_str().unwrap().to_owned(),
            machine.api_key.expose().to_owned(),
        )
    });
    let base = app.base_url();
    let http = reqwest::Client::new();

    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&case(), |case| {
            let (method, path, token): (reqwest::Method, String, Option<&str>) = match case.endpoint
            {
                0 => (reqwest::Method::POST, paths::LOGIN.into(), None),
                1 => (reqwest::Method::POST, paths::REFRESH.into(), None),
                2 => (reqwest::Method::POST, paths::TOP_UP.into(), Some(&access)),
                3 => (
                    reqwest::Method::POST,
                    paths::VALIDATE.into(),
                    Some(&machine_key),
                ),
                4 => (reqwest::Method::POST, paths::WEBHOOK.into(), None),
                5 => (
                    reqwest::Method::GET,
                    format!("{}/{}", paths::TRANSACTION, urlencode(&case.noise)),
                    Some(&access),
                ),
                6 => (
                    reqwest::Method::GET,
                    format!(
                        "{}?wait=1&since={}",
                        paths::TRANSACTION.to_owned() + "/5f0c6a8e-2d3b-4c1a-9e7f-0123456789ab",
                        urlencode(&case.noise)
                    ),
                    Some(&access),
                ),
                7 => (
                    reqwest::Method::GET,
                    format!(
                        "{}?limit={}&before={}",
                        paths::HISTORY,
                        urlencode(&case.noise),
                        urlencode(&case.noise)
                    ),
                    Some(&access),
                ),
                _ => (
                    reqwest::Method::POST,
                    paths::LOGOUT.into(),
                    Some(&case.noise),
                ),
            };
            let mut request = http.request(method, format!("{base}{path}"));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request = request
                .header("idempotency-key", &case.noise)
                .header("webhook-id", &case.noise)
                .header(
                    "webhook-timestamp",
                    gashapay_core::clock::unix_now().to_string(),
                )
                .header("webhook-signature", format!("v1,{}", case.noise));
            request = match &case.body {
                Body::Json(value) => request.json(value),
                Body::Raw(bytes) => request
                    .header("content-type", "application/json")
                    .body(bytes.clone()),
            };
            let (status, text) = runtime.block_on(async {
                let response = request.send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            });
            prop_assert!(status < 500, "HTTP {status} for {case:?}: {text}");
            if status >= 400 {
                let error: Value = serde_json::from_str(&text)
                    .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
                let code = ErrorCode::parse(error["error"].as_str().unwrap_or(""));
                prop_assert!(code != ErrorCode::Unknown, "undocumented error {text}");
                prop_assert_eq!(code.http_status(), status);
                prop_assert!(error["message"].is_string());
            }
            Ok(())
        })
        .unwrap();

    assert_eq!(app.audit(), Vec::<String>::new());
    runtime.block_on(async {
        let balance: Value = http
            .get(format!("{base}{}", paths::BALANCE))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // Top-ups need a known test token and a sound body; anything else adds nothing.
        assert!(balance["balance"].as_u64().unwrap() >= 1000);
    });
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
