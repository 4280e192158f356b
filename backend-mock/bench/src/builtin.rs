//! The built-in load: keep-alive connections from this process, each sending the
//! target's next body as soon as the previous answer arrives.

use crate::measurement::{latency_histogram, Measurement};
use crate::targets::Target;
use std::time::{Duration, Instant};

/// Loads `target` from `connections` connections for `seconds` after a 0.5 s warm-up.
pub async fn load(target: &Target, connections: usize, seconds: f64) -> Measurement {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .unwrap();
    let warmup_until = Instant::now() + Duration::from_millis(500);
    let until = warmup_until + Duration::from_secs_f64(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for connection in 0..connections {
        let (client, url, auth, body) = (
            client.clone(),
            target.urls[connection % target.urls.len()].clone(),
            target.auth.clone(),
            target.body.clone(),
        );
        tasks.spawn(async move {
            let mut latencies = latency_histogram();
            let mut errors = 0u64;
            loop {
                let started = Instant::now();
                if started >= until {
                    break;
                }
                let response = client
                    .post(&url)
                    .bearer_auth(&auth)
                    .header("content-type", "application/json")
                    .body(body())
                    .send()
                    .await;
                let ok = match response {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if started < warmup_until {
                    continue;
                }
                if ok {
                    latencies.saturating_record(started.elapsed().as_micros() as u64);
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        });
    }
    let mut latencies = latency_histogram();
    let mut errors = 0;
    while let Some(joined) = tasks.join_next().await {
        let (connection, e) = joined.unwrap();
        latencies.add(&connection).unwrap();
        errors += e;
    }
    Measurement {
        ok: latencies.len(),
        latencies,
        errors,
        seconds,
        ..Measurement::default()
    }
}
