//! Every route of the router answers bad requests in the documented JSON error shape
//! (`{"error", "message"}`, the code's own HTTP status), whether the HTTP layer or a
//! handler refuses them, and a refused request changes nothing.

use crate::helpers::{spawn_app, PASSWORD};
use gashapay_backend_mock::http::serve::head_limits::{MAX_HEADERS, MAX_URI_BYTES};
use gashapay_core::api::paths;
use gashapay_core::ErrorCode;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BODY_LIMIT: usize = 16 * 1024;

/// Who a route wants to hear from; bad bodies are only looked at once that passes.
#[derive(Clone, Copy, PartialEq)]
enum Caller {
    Anyone,
    Player,
    Machine,
}

struct Route {
    method: &'static str,
    path: String,
    caller: Caller,
    /// Takes a JSON body.
    json_body: bool,
}

fn routes(transaction: &str) -> Vec<Route> {
    let route = |method, path: &str, caller, json_body| Route {
        method,
        path: path.to_owned(),
        caller,
        json_body,
    };
    vec![
        route("GET", paths::HEALTH, Caller::Anyone, false),
        route("GET", paths::OPENAPI, Caller::Anyone, false),
        route("POST", paths::LOGIN, Caller::Anyone, true),
        route("POST", paths::REFRESH, Caller::Anyone, true),
        route("POST", paths::LOGOUT, Caller::Player, false),
        route("GET", paths::BALANCE, Caller::Player, false),
        route("GET", paths::HISTORY, Caller::Player, false),
        route("POST", paths::TOP_UP, Caller::Player, true),
        route("POST", paths::VALIDATE, Caller::Machine, true),
        route("POST", paths::WEBHOOK, Caller::Anyone, true),
        route(
            "GET",
            &format!("{}/{transaction}", paths::TRANSACTION),
            Caller::Player,
            false,
        ),
    ]
}

struct Answer {
    status: u16,
    content_type: String,
    body: Value,
    took: Duration,
}

impl Answer {
    /// Asserts the documented shape: a JSON body whose `error` is `code`, with a
    /// message, under the code's own status.
    fn assert_is(&self, code: ErrorCode, case: &str) {
        assert_eq!(
            (self.status, self.body["error"].as_str()),
            (code.http_status(), Some(code.as_str())),
            "{case}: {}",
            self.body
        );
        assert!(
            self.content_type.starts_with("application/json"),
            "{case}: {}",
            self.content_type
        );
        assert!(self.body["message"].is_string(), "{case}: {}", self.body);
    }
}

/// Sends `head` (then `body`, ignoring a server that stops reading) on a fresh
/// connection and reads one answer.
async fn send_raw(addr: SocketAddr, head: String, body: &[u8]) -> Answer {
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let _ = stream.write_all(body).await;
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Some(length) = complete_answer(&received) {
                received.truncate(length);
                return;
            }
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => received.extend_from_slice(&buffer[..read]),
            }
        }
    })
    .await
    .expect("an answer within 5 s");
    let text = String::from_utf8_lossy(&received).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a whole answer");
    let status = head[9..12].parse().unwrap();
    let content_type = header_value(head, "content-type").unwrap_or_default();
    Answer {
        status,
        content_type,
        body: serde_json::from_str(body).unwrap_or(Value::String(body.to_owned())),
        took: started.elapsed(),
    }
}

fn header_value(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// The length of the answer in `received` once it is complete.
fn complete_answer(received: &[u8]) -> Option<usize> {
    let end = received.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&received[..end]);
    let length: usize = header_value(&head, "content-length")?.parse().ok()?;
    (received.len() >= end + length).then_some(end + length)
}

struct Credentials {
    access: String,
    refresh: String,
    machine_key: String,
}

/// The header lines that declare a body's type and length.
fn sized(content_type: &str, length: usize) -> String {
    format!("content-type: {content_type}\r\ncontent-length: {length}\r\n")
}

fn head(route: &Route, credentials: &Credentials, extra: &str) -> String {
    head_for(route.method, &route.path, route.caller, credentials, extra)
}

fn head_for(
    method: &str,
    path: &str,
    caller: Caller,
    credentials: &Credentials,
    extra: &str,
) -> String {
    let authorization = match caller {
        Caller::Anyone => String::new(),
        Caller::Player => format!("authorization: Bearer {}\r\n", credentials.access),
        Caller::Machine => format!("authorization: Bearer {}\r\n", credentials.machine_key),
    };
    format!(
        "{method} {path} HTTP/1.1\r\nhost: test\r\nconnection: close\r\n{authorization}{extra}\r\n"
    )
}

#[tokio::test]
async fn every_route_answers_oversized_misencoded_malformed_and_mistyped_requests_in_the_json_error_shape(
) {
    let app = spawn_app().await;
    let user = app.user("kit", 500).await;
    let machine = app.machine("m_shapes").await;
    let code = user.code(100);
    let play = machine.validate(&code.to_text()).await.unwrap();
    let key = gashapay_backend_mock::admin::register_machine(&app.backend().state, "m_raw", "Raw")
        .await
        .unwrap()
        .api_key;

    // A session of its own, so that the tests below can show it outlives them.
    let signed_in = app.sign_in_raw("kit").await;
    let credentials = Credentials {
        access: signed_in["access_token"].as_str().unwrap().to_owned(),
        refresh: signed_in["refresh_token"].as_str().unwrap().to_owned(),
        machine_key: key.expose().to_owned(),
    };
    let addr = app.backend().addr;

    for route in routes(&play.transaction_id.to_string()) {
        let name = format!("{} {}", route.method, route.path);

        // A body declared over the limit is refused before any of it is sent.
        let declared = send_raw(
            addr,
            head(
                &route,
                &credentials,
                &sized("application/json", BODY_LIMIT + 1),
            ),
            b"",
        )
        .await;
        declared.assert_is(ErrorCode::PayloadTooLarge, &format!("{name}, declared"));
        assert!(
            declared.took < Duration::from_secs(2),
            "{name}: {:?}",
            declared.took
        );

        // Streamed in chunks with no length up front, it is refused at the limit.
        let chunk = format!("400\r\n{}\r\n", " ".repeat(1024));
        let chunks = chunk.repeat(BODY_LIMIT / 1024 + 1) + "0\r\n\r\n";
        send_raw(
            addr,
            head(
                &route,
                &credentials,
                "content-type: application/json\r\ntransfer-encoding: chunked\r\n",
            ),
            chunks.as_bytes(),
        )
        .await
        .assert_is(ErrorCode::PayloadTooLarge, &format!("{name}, chunked"));

        // A path segment that is not percent-encoded UTF-8 after a route's path is
        // no route at all (the transaction id's own place is checked below).
        let misencoded = format!("{}/%E9", route.path);
        send_raw(
            addr,
            head_for(route.method, &misencoded, route.caller, &credentials, ""),
            b"",
        )
        .await
        .assert_is(ErrorCode::NotFound, &format!("{name}, misencoded"));

        // A path and query over the limit, and too many header fields.
        let long = format!("{}?pad={}", route.path, "a".repeat(MAX_URI_BYTES));
        send_raw(
            addr,
            head_for(route.method, &long, route.caller, &credentials, ""),
            b"",
        )
        .await
        .assert_is(ErrorCode::UriTooLong, &format!("{name}, long URI"));
        let many: String = (0..=MAX_HEADERS)
            .map(|i| format!("x-extra-{i}: {i}\r\n"))
            .collect();
        send_raw(addr, head(&route, &credentials, &many), b"")
            .await
            .assert_is(ErrorCode::HeadersTooLarge, &format!("{name}, many headers"));

        if route.json_body {
            for (content_type, body, what) in [
                ("application/json", &b"{\"code\":"[..], "bad JSON"),
                ("text/plain", &b"{}"[..], "text/plain"),
            ] {
                let head = head(&route, &credentials, &sized(content_type, body.len()));
                send_raw(addr, head, body)
                    .await
                    .assert_is(ErrorCode::BadRequest, &format!("{name}, {what}"));
            }
        }
    }

    // The transaction id's own place, misencoded.
    send_raw(
        addr,
        head_for(
            "GET",
            &format!("{}/%E9", paths::TRANSACTION),
            Caller::Player,
            &credentials,
            "",
        ),
        b"",
    )
    .await
    .assert_is(ErrorCode::BadRequest, "transaction id %E9");

    // None of it changed anything: the sign-out refused above did not sign out, the
    // play is still pending and the points are where they were.
    let refreshed = reqwest::Client::new()
        .post(format!("{}{}", app.base_url(), paths::REFRESH))
        .json(&json!({ "refresh_token": credentials.refresh }))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), 200, "the session survived");
    assert_eq!(user.balance().await, 400);
    assert!(app.audit().is_empty(), "{:?}", app.audit());
}

#[tokio::test]
async fn a_sign_out_with_an_oversized_body_is_refused_and_signs_nothing_out() {
    let app = spawn_app().await;
    let user = app.user("lou", 0).await;
    let http = reqwest::Client::new();
    let signed_in: Value = http
        .post(format!("{}{}", app.base_url(), paths::LOGIN))
        .json(&json!({ "username": "lou", "password": PASSWORD, "device": { "name": "raw" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = signed_in["access_token"].as_str().unwrap();
    let answer = http
        .post(format!("{}{}", app.base_url(), paths::LOGOUT))
        .bearer_auth(access)
        .body(vec![b' '; 17_000])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 413);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"], "payload_too_large");

    let still = http
        .get(format!("{}{}", app.base_url(), paths::BALANCE))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), 200, "still signed in");
    assert_eq!(user.balance().await, 0);
}
