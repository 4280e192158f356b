//! Crash safety: the real backend binary under mixed load (validations, dispense
//! reports, top-ups) is killed with SIGKILL at random moments and restarted on the
//! same database file, round after round. Afterwards the database passes its
//! integrity check, every operation a client saw acknowledged is there exactly once,
//! no play is both dispensed and refunded, and every balance is its ledger's sum.

use gashapay_backend_mock::store::sqlite::SqliteStore;
use gashapay_backend_mock::store::Store;
use gashapay_core::client::{ApiClient, ClientConfig};
use gashapay_core::secrets::MemorySecretStore;
use gashapay_core::status::DispenseOutcome;
use gashapay_core::{Points, TransactionId, TransactionStatus};
use gashapay_machine::MachineClient;
use rand::Rng;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::Printed;

mod support;

const ROUNDS: usize = 6;

struct Backend {
    child: Child,
    url: String,
    machine: Arc<MachineClient>,
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &std::path::Path) -> Backend {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gashapay-backend"))
        // Budgets off: this is about crashes under load, not about 429s.
        .args(["--validate-burst", "0", "--sign-in-burst", "0"])
        .args(["--listen", "127.0.0.1:0", "--seed-demo", "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let printed = Printed::read(child.stdout.take().unwrap(), true);
    let machine = printed.demo_machine(&printed.url);
    let url = printed.url;
    Backend {
        child,
        url,
        machine: Arc::new(machine),
    }
}

/// What clients were told, across all rounds.
#[derive(Default)]
struct Acknowledged {
    plays: Vec<TransactionId>,
    outcomes: HashMap<TransactionId, TransactionStatus>,
    /// (idempotency key, top-up id)
    top_ups: Vec<(String, String)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_load_and_restarted_nothing_acknowledged_is_lost_or_doubled() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let secrets = Arc::new(MemorySecretStore::new());
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));

    for round in 0..ROUNDS {
        let backend = start(&db);
        let client = Arc::new(
            ApiClient::new(&backend.url, secrets.clone(), ClientConfig::default()).unwrap(),
        );
        if round == 0 {
            client.login("demo", "demo-password").await.unwrap();
        }
        let credentials = client.device_credentials().unwrap();
        let mut load = tokio::task::JoinSet::new();
        for worker in 0..4 {
            let (machine, credentials, acknowledged) = (
                backend.machine.clone(),
                credentials.clone(),
                acknowledged.clone(),
            );
            load.spawn(async move {
                for i in 0.. {
                    let code = credentials
                        .make_code(Points(1), gashapay_core::clock::unix_now(), 300)
                        .unwrap();
                    let Ok(validated) = machine.validate(&code.to_text()).await else {
                        return;
                    };
                    acknowledged
                        .lock()
                        .unwrap()
                        .plays
                        .push(validated.transaction_id);
                    let outcome = if (i + worker) % 3 == 0 {
                        DispenseOutcome::Failed
                    } else {
                        DispenseOutcome::Dispensed
                    };
                    let event = format!("evt_{}", uuid::Uuid::new_v4().simple());
                    let Ok(ack) = machine
                        .send_report(&event, validated.transaction_id, outcome, None)
                        .await
                    else {
                        return;
                    };
                    acknowledged
                        .lock()
                        .unwrap()
                        .outcomes
                        .insert(validated.transaction_id, ack.status);
                }
            });
        }
        let (top_up_client, acknowledged_top_ups) = (client.clone(), acknowledged.clone());
        load.spawn(async move {
            loop {
                let key = uuid::Uuid::new_v4().to_string();
                let Ok(answer) = top_up_client
                    .top_up(Points(2), "tok_test_success", &key)
                    .await
                else {
                    return;
                };
                acknowledged_top_ups
                    .lock()
                    .unwrap()
                    .top_ups
                    .push((key, answer.top_up_id));
            }
        });

        let run_for = Duration::from_millis(rand::thread_rng().gen_range(300..1200));
        tokio::time::sleep(run_for).await;
        drop(backend); // SIGKILL, mid-flight
        while load.join_next().await.is_some() {}
    }

    let store = SqliteStore::open(&db.display().to_string()).unwrap();
    assert_eq!(store.audit().unwrap(), Vec::<String>::new());
    let acknowledged = acknowledged.lock().unwrap();
    assert!(
        acknowledged.plays.len() > 50,
        "too little load: {}",
        acknowledged.plays.len()
    );
    let user = store.accounts().user_by_name("demo").unwrap().unwrap().id;
    for id in &acknowledged.plays {
        let record = store
            .transactions()
            .transaction(*id, user)
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged play {id} is lost"));
        assert_ne!(record.status, TransactionStatus::Rejected, "{id}");
        if let Some(status) = acknowledged.outcomes.get(id) {
            assert_eq!(record.status, *status, "{id}: acknowledged as {status:?}");
        }
    }
    for (key, top_up_id) in &acknowledged.top_ups {
        let stored = store
            .ledger()
            .top_up_answer(user, key)
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged top-up {key} is lost"));
        assert_eq!(stored.answer.map(|a| a.top_up_id).as_ref(), Ok(top_up_id));
    }
    println!(
        "{ROUNDS} kills: {} plays, {} outcomes and {} top-ups acknowledged, all present",
        acknowledged.plays.len(),
        acknowledged.outcomes.len(),
        acknowledged.top_ups.len()
    );
}
