//! Connections that never ask anything cannot take the server down: a connection has
//! the header deadline to complete each request's headers (after opening, and after
//! each answer), and when the connection cap is reached the connection idle longest
//! makes room. Meanwhile health and the money path keep answering.

use crate::helpers::{spawn_app_with, test_settings, TestApp};
use gashapay_backend_mock::http::serve::descriptors;
use gashapay_core::api::paths;
use gashapay_core::status::DispenseOutcome;
use gashapay_core::TransactionStatus;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Opens `count` connections that send nothing, a hundred at a time.
async fn open_silent(app: &TestApp, count: usize) -> Vec<TcpStream> {
    let addr = app.backend().addr;
    let mut streams = Vec::with_capacity(count);
    while streams.len() < count {
        let batch = (count - streams.len()).min(100);
        let opened = futures::future::join_all((0..batch).map(|_| TcpStream::connect(addr))).await;
        streams.extend(opened.into_iter().map(|s| s.expect("connects")));
    }
    streams
}

/// `/health` on a fresh connection, within two seconds.
async fn health(app: &TestApp) -> u16 {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    http.get(format!("{}{}", app.base_url(), paths::HEALTH))
        .send()
        .await
        .expect("health answers while the others are open")
        .status()
        .as_u16()
}

/// Waits until the server closes `stream` (end of stream or reset), reading and
/// discarding anything it answers first; `None` if still open after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    tokio::time::timeout(limit, async {
        let mut buffer = [0u8; 512];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => continue,
            }
        }
    })
    .await
    .ok()
}

/// A client that sends one header line every 200 ms and never ends its head; how
/// long until the server closes the connection (`None`: still open after `limit`).
async fn trickle_headers(mut stream: TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    stream
        .write_all(format!("GET {} HTTP/1.1\r\nhost: test\r\n", paths::HEALTH).as_bytes())
        .await
        .ok()?;
    let mut buffer = [0u8; 512];
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let mut line = 0u32;
    tokio::time::timeout(limit, async {
        loop {
            tokio::select! {
                read = stream.read(&mut buffer) => match read {
                    Ok(0) | Err(_) => return started.elapsed(),
                    Ok(_) => continue,
                },
                _ = tick.tick() => {
                    line += 1;
                    let header = format!("x-slow-{line}: {line}\r\n");
                    if stream.write_all(header.as_bytes()).await.is_err() {
                        return started.elapsed();
                    }
                }
            }
        }
    })
    .await
    .ok()
}

/// How many connections this process can afford for one test: both ends of each
/// connection live here, beside the other tests running at the same time.
fn affordable(wanted: usize) -> usize {
    let soft = descriptors::raise_soft_limit().unwrap_or(1024) as usize;
    wanted.min(soft.saturating_sub(512) / 2)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_silent_and_slow_connections_leave_health_and_validate_answering_and_close_at_the_header_deadline(
) {
    let header_timeout = Duration::from_secs(3);
    let mut settings = test_settings();
    settings.header_timeout = header_timeout;
    let app = spawn_app_with(settings).await;
    let user = app.user("ida", 1000).await;
    let machine = app.machine("m_busy_floor").await;

    let silent_count = affordable(2500);
    let slow_count = silent_count / 5;
    let slow_streams = open_silent(&app, slow_count).await;
    let slow: Vec<_> = slow_streams
        .into_iter()
        .map(|stream| tokio::spawn(trickle_headers(stream, Duration::from_secs(15))))
        .collect();
    let mut silent = open_silent(&app, silent_count).await;
    assert!(silent_count >= 1000, "only {silent_count} affordable");

    assert_eq!(health(&app).await, 200);
    let code = user.code(100);
    let play = machine.validate(&code.to_text()).await.unwrap();
    assert_eq!(play.transaction_id, code.payload.transaction_id);
    assert_eq!(user.balance().await, 900);

    // Past the deadline every one of them has been closed, the silent ones and
    // those whose headers never end alike.
    let limit = header_timeout + Duration::from_secs(5);
    let mut still_open = 0;
    for stream in &mut silent {
        if closed_within(stream, limit).await.is_none() {
            still_open += 1;
        }
    }
    assert_eq!(still_open, 0, "of {silent_count} silent connections");
    for task in slow {
        let closed = task.await.unwrap();
        assert!(
            closed.is_some_and(|after| after < limit),
            "a trickling client was closed after {closed:?}"
        );
    }
    assert_eq!(health(&app).await, 200);
}

#[tokio::test]
async fn a_kept_alive_connection_left_idle_is_closed_after_the_header_deadline() {
    let header_timeout = Duration::from_secs(1);
    let mut settings = test_settings();
    settings.header_timeout = header_timeout;
    let app = spawn_app_with(settings).await;

    let mut stream = TcpStream::connect(app.backend().addr).await.unwrap();
    let request = format!("GET {} HTTP/1.1\r\nhost: test\r\n\r\n", paths::HEALTH);
    for _ in 0..2 {
        // Within the deadline, the connection serves request after request.
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut buffer = [0u8; 1024];
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(buffer[..read].starts_with(b"HTTP/1.1 200"));
        tokio::time::sleep(header_timeout / 2).await;
    }
    let closed = closed_within(&mut stream, Duration::from_secs(5)).await;
    assert!(
        closed.is_some_and(|after| after < header_timeout + Duration::from_secs(2)),
        "closed after {closed:?}"
    );
}

#[tokio::test]
async fn past_the_connection_cap_the_idle_longest_make_room_and_a_waiting_status_request_is_spared()
{
    let mut settings = test_settings();
    settings.max_connections = 100;
    // Long enough that no connection below is closed by the header deadline.
    settings.header_timeout = Duration::from_secs(60);
    let app = spawn_app_with(settings).await;
    let user = Arc::new(app.user("jo", 1000).await);
    let machine = app.machine("m_cap").await;
    let code = user.code(100);
    let play = machine.validate(&code.to_text()).await.unwrap();

    // The app follows the play with a long poll: a request in flight, never evicted.
    let follower = {
        let user = user.clone();
        tokio::spawn(async move {
            user.client
                .transaction(
                    play.transaction_id,
                    Some(Duration::from_secs(20)),
                    Some(TransactionStatus::Pending),
                )
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;

    let _silent = open_silent(&app, 300).await;
    assert_eq!(health(&app).await, 200);
    let connections = &app.backend().connections;
    assert_eq!(connections.capacity(), 100);
    assert!(connections.open() <= 100, "{} open", connections.open());
    assert!(
        connections.evictions() >= 200,
        "{}",
        connections.evictions()
    );

    machine
        .send_report(
            "evt_cap",
            play.transaction_id,
            DispenseOutcome::Dispensed,
            None,
        )
        .await
        .expect("the machine reports through the flood");
    let followed = follower.await.unwrap().expect("the long poll was answered");
    assert_eq!(followed.status, TransactionStatus::Completed);
    assert_eq!(user.balance().await, 900);
}
