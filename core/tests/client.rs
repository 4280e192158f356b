//! The API client and the status poller against a scripted server (wiremock): what
//! the client itself does with each answer.

use gashapay_core::api::paths;
use gashapay_core::client::{
    watch_transaction, ApiClient, ClientConfig, ClientError, PollConfig, PollEnd,
};
use gashapay_core::qr::DeviceSecret;
use gashapay_core::retry::Backoff;
use gashapay_core::secrets::{keys, MemorySecretStore, SecretStore};
use gashapay_core::{ErrorCode, Points, TransactionId, TransactionStatus};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn config() -> ClientConfig {
    ClientConfig {
        request_timeout: Duration::from_millis(500),
        safe_retries: 2,
        retry_backoff: Backoff::new(Duration::from_millis(10), Duration::from_millis(40)),
        device_name: "test device".into(),
    }
}

fn error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({ "error": code, "message": format!("{code} happened") }))
}

fn tokens(generation: u32) -> serde_json::Value {
    json!({
        "access_token": format!("gpa.1.access{generation}"),
        "access_expires_in": 900,
        "refresh_token": format!("gpr.1.refresh{generation}"),
    })
}

/// A client whose store holds a session and device credentials but no access token
/// yet, so its first call refreshes.
fn signed_in_client(server: &MockServer) -> (ApiClient, Arc<MemorySecretStore>) {
    let store = Arc::new(MemorySecretStore::new());
    store.set(keys::REFRESH_TOKEN, "gpr.1.refresh0").unwrap();
    let client = ApiClient::new(&server.uri(), store.clone(), config()).unwrap();
    (client, store)
}

async fn mount_refresh(server: &MockServer, from: u32, to: u32, times: u64) {
    Mock::given(method("POST"))
        .and(path(paths::REFRESH))
        .and(body_partial_json(
            json!({ "refresh_token": format!("gpr.1.refresh{from}") }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(tokens(to)))
        .expect(times)
        .mount(server)
        .await;
}

fn balance_body(points: u64) -> serde_json::Value {
    json!({ "balance": points, "as_of": "2026-11-23T10:00:00Z" })
}

#[tokio::test]
async fn login_stores_the_device_secret_and_refresh_token_in_the_secret_store() {
    let server = MockServer::start().await;
    let secret = DeviceSecret::generate();
    let mut body = tokens(1);
    body["user_id"] = json!(7);
    body["app_id"] = json!(1);
    body["device_id"] = json!(3);
    body["device_secret"] = json!(secret.to_base64());
    body["max_code_ttl_seconds"] = json!(300);
    Mock::given(method("POST"))
        .and(path(paths::LOGIN))
        .and(body_partial_json(
            json!({ "username": "ana", "password": "pw" }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    let store = Arc::new(MemorySecretStore::new());
    let client = ApiClient::new(&server.uri(), store.clone(), config()).unwrap();

    client.login("ana", "pw").await.unwrap();

    assert_eq!(
        store.get(keys::REFRESH_TOKEN).unwrap().as_deref(),
        Some("gpr.1.refresh1")
    );
    let creds = client.device_credentials().unwrap();
    assert_eq!(creds.secret, secret);
    assert_eq!(creds.device_id.0, 3);
    assert_eq!(creds.user_id.0, 7);
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_once_and_the_call_retried() {
    let server = MockServer::start().await;
    let (client, store) = signed_in_client(&server);
    mount_refresh(&server, 0, 1, 1).await;
    mount_refresh(&server, 1, 2, 1).await;
    // The first access token turns out expired; the second one works.
    Mock::given(method("GET"))
        .and(path(paths::BALANCE))
        .and(header("authorization", "Bearer gpa.1.access1"))
        .respond_with(error(401, "token_expired"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(paths::BALANCE))
        .and(header("authorization", "Bearer gpa.1.access2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(balance_body(900)))
        .expect(1)
        .mount(&server)
        .await;

    let balance = client.balance().await.unwrap();

    assert_eq!(balance.balance, Points(900));
    assert_eq!(
        store.get(keys::REFRESH_TOKEN).unwrap().as_deref(),
        Some("gpr.1.refresh2")
    );
}

#[tokio::test]
async fn concurrent_calls_with_an_expired_token_share_one_refresh() {
    let server = MockServer::start().await;
    let (client, _) = signed_in_client(&server);
    // A second refresh would spend an already-rotated token: expect exactly one.
    mount_refresh(&server, 0, 1, 1).await;
    Mock::given(method("GET"))
        .and(path(paths::BALANCE))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(balance_body(5))
                .set_delay(Duration::from_millis(50)),
        )
        .expect(8)
        .mount(&server)
        .await;

    // All eight are in flight at once, each first finding no access token.
    let calls = (0..8).map(|_| client.balance());
    for result in futures::future::join_all(calls).await {
        assert_eq!(result.unwrap().balance, Points(5));
    }
}

#[tokio::test]
async fn a_rejected_refresh_token_signs_the_user_out() {
    let server = MockServer::start().await;
    let (client, store) = signed_in_client(&server);
    Mock::given(method("POST"))
        .and(path(paths::REFRESH))
        .respond_with(error(401, "unauthorized"))
        .expect(1)
        .mount(&server)
        .await;

    let result = client.balance().await;

    assert!(
        matches!(result, Err(ClientError::NotSignedIn)),
        "{result:?}"
    );
    assert_eq!(store.get(keys::REFRESH_TOKEN).unwrap(), None);
}

#[tokio::test]
async fn server_errors_map_to_their_codes_and_unknown_ones_do_not_break_parsing() {
    let server = MockServer::start().await;
    let (client, _) = signed_in_client(&server);
    mount_refresh(&server, 0, 1, 1).await;
    Mock::given(method("POST"))
        .and(path(paths::TOP_UP))
        .and(header("idempotency-key", "k1"))
        .respond_with(error(402, "payment_declined"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(paths::TOP_UP))
        .and(header("idempotency-key", "k2"))
        .respond_with(error(418, "brand_new_code"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(paths::TOP_UP))
        .and(header("idempotency-key", "k3"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&server)
        .await;

    let declined = client.top_up(Points(5), "tok", "k1").await.unwrap_err();
    assert_eq!(declined.code(), Some(ErrorCode::PaymentDeclined));
    assert_eq!(declined.to_string(), "payment_declined happened");
    let unknown = client.top_up(Points(5), "tok", "k2").await.unwrap_err();
    assert!(matches!(
        unknown,
        ClientError::Api {
            status: 418,
            code: ErrorCode::Unknown,
            ..
        }
    ));
    let html = client.top_up(Points(5), "tok", "k3").await.unwrap_err();
    assert!(matches!(
        html,
        ClientError::Api {
            status: 502,
            code: ErrorCode::Unknown,
            ..
        }
    ));
}

#[tokio::test]
async fn a_slow_get_times_out_and_is_retried_but_a_post_is_never_retried() {
    let server = MockServer::start().await;
    let (client, _) = signed_in_client(&server);
    mount_refresh(&server, 0, 1, 1).await;
    Mock::given(method("GET"))
        .and(path(paths::BALANCE))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(balance_body(1))
                .set_delay(Duration::from_secs(3)),
        )
        .expect(3) // the first try and two retries
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(paths::TOP_UP))
        .respond_with(error(503, "internal"))
        .expect(1)
        .mount(&server)
        .await;

    assert!(matches!(client.balance().await, Err(ClientError::Timeout)));
    let top_up = client.top_up(Points(1), "tok", "key").await.unwrap_err();
    assert!(matches!(top_up, ClientError::Api { status: 503, .. }));
}

#[tokio::test]
async fn a_get_recovers_after_transient_server_errors() {
    let server = MockServer::start().await;
    let (client, _) = signed_in_client(&server);
    mount_refresh(&server, 0, 1, 1).await;
    Mock::given(method("GET"))
        .and(path(paths::BALANCE))
        .respond_with(error(503, "internal"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(paths::BALANCE))
        .respond_with(ResponseTemplate::new(200).set_body_json(balance_body(42)))
        .expect(1)
        .mount(&server)
        .await;

    assert_eq!(client.balance().await.unwrap().balance, Points(42));
}

#[tokio::test]
async fn an_unreachable_server_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let store = Arc::new(MemorySecretStore::new());
    let client = ApiClient::new(&url, store, config()).unwrap();
    let error = client.login("a", "b").await.unwrap_err();
    assert!(matches!(error, ClientError::Network(_)), "{error:?}");
    assert!(error.is_transient());
}

fn view(id: TransactionId, status: &str, balance: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "transaction_id": id, "status": status, "balance": balance,
    }))
}

fn poll_config() -> PollConfig {
    PollConfig {
        long_poll: Duration::from_secs(20),
        backoff: Backoff::new(Duration::from_millis(10), Duration::from_millis(40)),
        expiry_grace: Duration::from_secs(0),
    }
}

#[tokio::test]
async fn the_poller_long_polls_from_each_known_status_to_the_final_one() {
    let server = MockServer::start().await;
    let (client, _) = signed_in_client(&server);
    mount_refresh(&server, 0, 1, 1).await;
    let id = TransactionId::new_random();
    let status_path = format!("{}/{id}", paths::TRANSACTION);
    Mock::given(method("GET"))
        .and(path(status_path.clone()))
        .and(query_param("wait", "20"))
        .and(query_param("since", "awaiting_scan"))
        .respond_with(view(id, "pending", 900))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(status_path.clone()))
        .and(query_param("since", "pending"))
        .respond_with(view(id, "completed", 900))
        .expect(1)
        .mount(&server)
        .await;
    let mut seen = Vec::new();
    let expires = gashapay_core::clock::unix_now() + 300;
    let end = watch_transaction(
        &client,
        id,
        expires,
        &poll_config(),
        &CancellationToken::new(),
        |v| seen.push(v.status),
    )
    .await
    .unwrap();

    assert_eq!(
        seen,
        [TransactionStatus::Pending, TransactionStatus::Completed]
    );
    assert!(matches!(end, PollEnd::Final(v) if v.balance == Points(900)));
    // Two requests for the whole play: wiremock checks each `expect(1)` on drop, and
    // no other request would match.
}

#[tokio::test]
async fn the_poller_gives_up_on_a_code_that_expired_unscanned() {
    let server = MockServer::start().await;
    let (client, _) = signed_in_client(&server);
    mount_refresh(&server, 0, 1, 1).await;
    let id = TransactionId::new_random();
    Mock::given(method("GET"))
        .and(path(format!("{}/{id}", paths::TRANSACTION)))
        .respond_with(view(id, "awaiting_scan", 1000))
        .mount(&server)
        .await;
    let expired = gashapay_core::clock::unix_now() - 1;
    let end = watch_transaction(
        &client,
        id,
        expired,
        &poll_config(),
        &CancellationToken::new(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(end, PollEnd::NeverScanned);
}

#[tokio::test]
async fn the_poller_rides_out_server_errors_and_stops_on_cancel() {
    let server = MockServer::start().await;
    let (client, _) = signed_in_client(&server);
    mount_refresh(&server, 0, 1, 1).await;
    let id = TransactionId::new_random();
    let status_path = format!("{}/{id}", paths::TRANSACTION);
    Mock::given(method("GET"))
        .and(path(status_path.clone()))
        .respond_with(error(503, "internal"))
        .up_to_n_times(6)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(status_path))
        .respond_with(view(id, "refunded", 1000))
        .mount(&server)
        .await;
    let expires = gashapay_core::clock::unix_now() + 300;
    let end = watch_transaction(
        &client,
        id,
        expires,
        &poll_config(),
        &CancellationToken::new(),
        |_| {},
    )
    .await
    .unwrap();
    assert!(matches!(end, PollEnd::Final(v) if v.status == TransactionStatus::Refunded));

    // A long-poll that never answers is abandoned as soon as the user cancels.
    let slow = MockServer::start().await;
    let (client, _) = signed_in_client(&slow);
    mount_refresh(&slow, 0, 1, 1).await;
    Mock::given(method("GET"))
        .respond_with(view(id, "pending", 1).set_delay(Duration::from_secs(30)))
        .mount(&slow)
        .await;
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        trigger.cancel();
    });
    let started = std::time::Instant::now();
    let end = watch_transaction(&client, id, expires, &poll_config(), &cancel, |_| {})
        .await
        .unwrap();
    assert_eq!(end, PollEnd::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_call_whose_token_a_concurrent_refresh_retired_is_sent_again_with_the_new_one() {
    let server = MockServer::start().await;
    let (client, _store) = signed_in_client(&server);
    mount_refresh(&server, 0, 1, 1).await;
    mount_refresh(&server, 1, 2, 1).await;
    // The history call carries token 1 and is slow; meanwhile the balance call finds
    // token 1 expired and refreshes to token 2, which retires token 1 on the server.
    Mock::given(method("GET"))
        .and(path(paths::HISTORY))
        .and(header("authorization", "Bearer gpa.1.access1"))
        .respond_with(error(401, "unauthorized").set_delay(Duration::from_millis(200)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(paths::HISTORY))
        .and(header("authorization", "Bearer gpa.1.access2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "entries": [] })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(paths::BALANCE))
        .and(header("authorization", "Bearer gpa.1.access1"))
        .respond_with(error(401, "token_expired"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(paths::BALANCE))
        .and(header("authorization", "Bearer gpa.1.access2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(balance_body(5)))
        .expect(1)
        .mount(&server)
        .await;
    let history = client.history(20, None);
    let balance = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        client.balance().await
    };
    let (history, balance) = tokio::join!(history, balance);
    assert_eq!(balance.unwrap().balance, Points(5));
    assert!(history.unwrap().entries.is_empty(), "not signed out");
}

#[tokio::test]
async fn unauthorized_with_the_current_token_is_the_end_of_the_session() {
    let server = MockServer::start().await;
    let (client, _store) = signed_in_client(&server);
    mount_refresh(&server, 0, 1, 1).await;
    Mock::given(method("GET"))
        .and(path(paths::BALANCE))
        .respond_with(error(401, "unauthorized"))
        .expect(1)
        .mount(&server)
        .await;
    let ended = client.balance().await.unwrap_err();
    assert_eq!(ended.code(), Some(ErrorCode::Unauthorized));
}

#[tokio::test]
async fn the_health_check_accepts_only_a_gashapay_server() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(paths::HEALTH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "status": "ok" })))
        .expect(1)
        .mount(&server)
        .await;
    let store = Arc::new(MemorySecretStore::new());
    let client = ApiClient::new(&server.uri(), store.clone(), config()).unwrap();
    client.health().await.expect("a GashaPay server is healthy");

    // Some other web server: a page at /health, or nothing there.
    let other = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(paths::HEALTH))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>hello</html>"))
        .mount(&other)
        .await;
    let client = ApiClient::new(&other.uri(), store.clone(), config()).unwrap();
    assert!(matches!(
        client.health().await,
        Err(ClientError::InvalidResponse(_))
    ));
    let empty = MockServer::start().await;
    let client = ApiClient::new(&empty.uri(), store, config()).unwrap();
    assert!(client.health().await.is_err());
}
