//! How soon the app sees a play's outcome after the machine's report is acknowledged,
//! and how many status requests a play costs.

use crate::measurement::latency_histogram;
use gashapay_backend_mock::admin::{create_user, register_machine};
use gashapay_backend_mock::config::Settings;
use gashapay_core::clock::unix_now;
use gashapay_core::Points;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// From "webhook acknowledged" at the machine to "outcome seen" by the app's status
/// poller, over many plays, and how many status requests each play cost.
pub async fn status_latency(plays: usize, dir: &std::path::Path) {
    use gashapay_core::client::{watch_transaction, ApiClient, ClientConfig, PollConfig, PollEnd};
    use gashapay_core::secrets::MemorySecretStore;
    use gashapay_core::status::DispenseOutcome;

    let settings = Settings {
        // Plays follow one another as fast as they can: past any machine's budget.
        validate_limit: None,
        ..Settings::default()
    };
    let backend =
        crate::targets::backend(&dir.join("status.db").display().to_string(), settings).await;
    let state = backend.state.clone();
    create_user(&state, "watcher", "watcher-password", Points(1 << 40))
        .await
        .unwrap();
    let creds = register_machine(&state, "m_status", "Status")
        .await
        .unwrap();
    let machine = gashapay_machine::MachineClient::new(
        &backend.base_url(),
        creds.machine_id,
        creds.api_key,
        creds.webhook_secret,
    );
    let client = Arc::new(
        ApiClient::new(
            &backend.base_url(),
            Arc::new(MemorySecretStore::new()),
            ClientConfig::default(),
        )
        .unwrap(),
    );
    client.login("watcher", "watcher-password").await.unwrap();
    let device = client.device_credentials().unwrap();

    let mut latencies = latency_histogram();
    let mut requests = Vec::with_capacity(plays);
    for _ in 0..plays {
        let code = device.make_code(Points(1), unix_now(), 300).unwrap();
        let id = code.payload.transaction_id;
        let before = client.requests_sent();
        let watcher = {
            let client = client.clone();
            tokio::spawn(async move {
                let cancel = tokio_util::sync::CancellationToken::new();
                let end = watch_transaction(
                    &client,
                    id,
                    code.payload.expires_at(),
                    &PollConfig::default(),
                    &cancel,
                    |_| {},
                )
                .await
                .unwrap();
                assert!(matches!(end, PollEnd::Final(_)));
                Instant::now()
            })
        };
        tokio::time::sleep(Duration::from_millis(5)).await;
        machine.validate(&code.to_text()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        machine
            .send_report(&format!("evt_{id}"), id, DispenseOutcome::Dispensed, None)
            .await
            .unwrap();
        let acknowledged = Instant::now();
        let seen = watcher.await.unwrap();
        latencies
            .saturating_record(seen.saturating_duration_since(acknowledged).as_micros() as u64);
        requests.push(client.requests_sent() - before);
    }
    let at = |q: f64| latencies.value_at_quantile(q) as f64 / 1000.0;
    println!();
    println!(
        "status: {plays} plays, outcome seen by the app after the webhook's ack: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; status requests per play: max {}, mean {:.2}",
        at(0.5),
        at(0.99),
        latencies.max() as f64 / 1000.0,
        requests.iter().max().unwrap(),
        requests.iter().sum::<u64>() as f64 / plays as f64
    );
}
