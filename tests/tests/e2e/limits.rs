//! Floods get refusals, never a crash: request budgets (429), body limits (413) and
//! request deadlines (408), each answered in the documented JSON shape, each leaving
//! the books untouched.

use crate::helpers::{spawn_app_with, test_settings, PASSWORD};
use gashapay_backend_mock::budgets::RateLimit;
use gashapay_core::api::paths;
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Status, error code and `Retry-After` of each answer.
async fn answers(
    requests: impl IntoIterator<Item = reqwest::RequestBuilder>,
) -> Vec<(u16, String, Option<u64>)> {
    let sent = requests.into_iter().map(|request| async move {
        let response = request
            .send()
            .await
            .expect("an answer, not a dropped connection");
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().parse().unwrap());
        let body: Value = response.json().await.expect("a JSON body");
        let code = body["error"].as_str().unwrap_or("").to_owned();
        (status, code, retry_after)
    });
    futures::future::join_all(sent).await
}

fn count(answers: &[(u16, String, Option<u64>)], status: u16, code: &str) -> usize {
    answers
        .iter()
        .filter(|(s, c, _)| *s == status && c == code)
        .count()
}

#[tokio::test]
async fn a_sign_in_flood_from_one_address_is_slowed_and_other_addresses_are_not() {
    let mut settings = test_settings();
    settings.sign_in_limit = RateLimit::new(5, Duration::from_secs(60));
    let app = spawn_app_with(settings).await;
    app.user("ivy", 0).await; // spends one of 127.0.0.1's five
    let login = |http: &reqwest::Client, password: &str| {
        http.post(format!("{}{}", app.base_url(), paths::LOGIN))
            .json(&json!({ "username": "ivy", "password": password, "device": { "name": "x" } }))
    };

    let http = reqwest::Client::new();
    let flood = answers((0..60).map(|i| login(&http, &format!("guess {i}")))).await;
    assert_eq!(count(&flood, 401, "invalid_credentials"), 4, "{flood:?}");
    assert_eq!(count(&flood, 429, "rate_limited"), 56, "{flood:?}");
    for (status, _, retry_after) in &flood {
        if *status == 429 {
            assert!(matches!(retry_after, Some(1..=60)), "{retry_after:?}");
        }
    }
    // Even the right password waits now: the guesser learns nothing.
    let right = answers([login(&http, PASSWORD)]).await;
    assert_eq!(right[0].0, 429);

    // Another address (127.0.0.2 is loopback too) has its own budget.
    let neighbour = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .build()
        .unwrap();
    let theirs = answers([login(&neighbour, PASSWORD)]).await;
    assert_eq!(theirs[0].0, 200, "{theirs:?}");
}

#[tokio::test]
async fn a_validate_flood_from_one_machine_is_refused_past_its_budget_and_charges_nothing_more() {
    let mut settings = test_settings();
    settings.validate_limit = RateLimit::new(10, Duration::from_secs(60));
    let app = spawn_app_with(settings).await;
    let user = app.user("ada", 1000).await;
    let noisy = app.machine("m_noisy").await;
    let quiet = app.machine("m_quiet").await;
    let codes: Vec<_> = (0..50).map(|_| user.code(1)).collect();

    let texts: Vec<String> = codes.iter().map(|code| code.to_text()).collect();
    let sent = texts.iter().map(|text| noisy.validate(text));
    let results = futures::future::join_all(sent).await;
    let accepted = results.iter().filter(|r| r.is_ok()).count();
    let limited = results
        .iter()
        .filter(|r| matches!(r, Err(e) if e.code() == Some(gashapay_core::ErrorCode::RateLimited)))
        .count();
    assert_eq!((accepted, limited), (10, 40), "{results:?}");
    assert_eq!(user.balance().await, 990);

    // A refused code was not spent: another machine, with its own budget, takes it.
    let refused = codes
        .iter()
        .zip(&results)
        .find(|(_, r)| r.is_err())
        .map(|(code, _)| code)
        .unwrap();
    quiet.validate(&refused.to_text()).await.unwrap();
    assert_eq!(user.balance().await, 989);
    assert!(app.audit().is_empty());
}

#[tokio::test]
async fn a_flood_of_oversized_bodies_gets_413s_and_the_server_keeps_serving() {
    let app = spawn_app_with(test_settings()).await;
    let user = app.user("bo", 100).await;
    let machine = app.machine("m_big").await;
    let http = reqwest::Client::new();
    let big = format!("{{\"code\":\"{}\"}}", "A".repeat(64 * 1024));
    // A real machine key, so that nothing but the body limit can be what refuses.
    let key = gashapay_backend_mock::admin::register_machine(&app.backend().state, "m_key", "Key")
        .await
        .unwrap()
        .api_key;
    let requests = (0..100).map(|i| {
        let request = match i % 2 {
            0 => http
                .post(format!("{}{}", app.base_url(), paths::VALIDATE))
                .bearer_auth(key.expose()),
            _ => http.post(format!("{}{}", app.base_url(), paths::LOGIN)),
        };
        request
            .header("content-type", "application/json")
            .body(big.clone())
    });
    let flood = answers(requests).await;
    assert_eq!(count(&flood, 413, "payload_too_large"), 100, "{flood:?}");

    // Sent in chunks, without a length up front, the limit still holds.
    let mut chunked = tokio::net::TcpStream::connect(app.backend().addr)
        .await
        .unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        paths::LOGIN
    );
    chunked.write_all(head.as_bytes()).await.unwrap();
    for _ in 0..64 {
        let chunk = format!("400\r\n{}\r\n", " ".repeat(1024));
        if chunked.write_all(chunk.as_bytes()).await.is_err() {
            break; // the server may answer and stop reading before we finish
        }
    }
    let answer = read_answer(&mut chunked).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("\"error\":\"payload_too_large\""),
        "{answer}"
    );

    machine.validate(&user.code(10).to_text()).await.unwrap();
    assert_eq!(user.balance().await, 90);
}

#[tokio::test]
async fn a_client_that_stalls_mid_body_gets_a_408_and_others_are_served_meanwhile() {
    let mut settings = test_settings();
    settings.request_timeout = Duration::from_secs(1);
    let app = spawn_app_with(settings).await;
    let user = app.user("cy", 100).await;

    let mut stalled = tokio::net::TcpStream::connect(app.backend().addr)
        .await
        .unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"username\":",
        paths::LOGIN
    );
    stalled.write_all(head.as_bytes()).await.unwrap();

    // While that client sits on its half-sent body, others are served.
    assert_eq!(user.balance().await, 100);

    let answer = read_answer(&mut stalled).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\":\"request_timeout\""), "{answer}");
}

/// One HTTP/1.1 answer read off a raw connection (head and a small JSON body), within
/// five seconds.
async fn read_answer(stream: &mut tokio::net::TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), async {
        let mut buffer = [0u8; 1024];
        while !(answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}")) {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => answer.extend_from_slice(&buffer[..read]),
            }
        }
    })
    .await
    .expect("the server answers in time");
    String::from_utf8(answer).unwrap()
}
