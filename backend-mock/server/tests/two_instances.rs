//! Two backend instances on one PostgreSQL database, the way an operator runs them
//! behind a proxy: a machine sends each code to both at once, reports outcomes and
//! the player tops up through either, and one instance is killed with SIGKILL in the
//! middle of it. Afterwards every operation a client saw acknowledged is there, each
//! code was charged once however many instances answered it, and every balance is its
//! ledger's sum.
//!
//! Needs `GASHAPAY_TEST_POSTGRES` (scripts/test.sh starts a throwaway server).

use gashapay_backend_mock::store::postgres::test_database::{off_runtime, TestDatabase};
use gashapay_backend_mock::store::postgres::PostgresStore;
use gashapay_backend_mock::store::Store;
use gashapay_core::client::{ApiClient, ClientConfig};
use gashapay_core::secrets::MemorySecretStore;
use gashapay_core::status::DispenseOutcome;
use gashapay_core::{Points, TransactionId, TransactionStatus};
use gashapay_machine::MachineClient;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::Printed;

mod support;

struct Instance {
    child: Child,
    url: String,
    /// What it printed: with the demo seeded, the demo machine's credentials.
    printed: Printed,
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SIGKILL: no shutdown, no last commit.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &str, seed_demo: bool) -> Instance {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gashapay-backend"));
    // Budgets off: this is about instances and crashes under load, not about 429s.
    command
        .args(["--validate-burst", "0", "--sign-in-burst", "0"])
        .args(["--listen", "127.0.0.1:0", "--db", db]);
    if seed_demo {
        command.arg("--seed-demo");
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let printed = Printed::read(child.stdout.take().unwrap(), seed_demo);
    Instance {
        child,
        url: printed.url.clone(),
        printed,
    }
}

/// The demo machine (seeded by the first instance) talking to the instance at `url`.
fn machine_on(url: &str, seeded: &Printed) -> Arc<MachineClient> {
    Arc::new(seeded.demo_machine(url))
}

/// What clients were told.
#[derive(Default)]
struct Acknowledged {
    plays: Vec<TransactionId>,
    /// Plays both instances said yes to.
    answered_by_both: usize,
    outcomes: HashMap<TransactionId, TransactionStatus>,
    /// (idempotency key, top-up id)
    top_ups: Vec<(String, String)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_two_instances_killed_under_load_loses_nothing_and_charges_nothing_twice() {
    let database = off_runtime(TestDatabase::create);
    let first = start(&database.url, true);
    let second = start(&database.url, false);
    let secrets = Arc::new(MemorySecretStore::new());
    let player = ApiClient::new(&second.url, secrets.clone(), ClientConfig::default()).unwrap();
    player.login("demo", "demo-password").await.unwrap();
    let device = player.device_credentials().unwrap();
    let machines = [
        machine_on(&first.url, &first.printed),
        machine_on(&second.url, &first.printed),
    ];
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let stop = Arc::new(AtomicBool::new(false));

    let mut load = tokio::task::JoinSet::new();
    for worker in 0..4 {
        let (machines, device, acknowledged, stop) = (
            machines.clone(),
            device.clone(),
            acknowledged.clone(),
            stop.clone(),
        );
        load.spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let code = device
                    .make_code(Points(1), gashapay_core::clock::unix_now(), 300)
                    .unwrap()
                    .to_text();
                // The same code to both instances at once.
                let (on_first, on_second) =
                    tokio::join!(machines[0].validate(&code), machines[1].validate(&code));
                let answered: Vec<_> = [on_first, on_second].into_iter().flatten().collect();
                let Some(validated) = answered.first() else {
                    continue;
                };
                {
                    let mut acknowledged = acknowledged.lock().unwrap();
                    acknowledged.plays.push(validated.transaction_id);
                    if answered.len() == 2 {
                        acknowledged.answered_by_both += 1;
                    }
                }
                let outcome = match (i + worker) % 3 {
                    0 => DispenseOutcome::Failed,
                    _ => DispenseOutcome::Dispensed,
                };
                let event = format!("evt_{}", uuid::Uuid::new_v4().simple());
                let reporter = &machines[(i + worker) % 2];
                if let Ok(ack) = reporter
                    .send_report(&event, validated.transaction_id, outcome, None)
                    .await
                {
                    acknowledged
                        .lock()
                        .unwrap()
                        .outcomes
                        .insert(validated.transaction_id, ack.status);
                }
            }
        });
    }
    let (acknowledged_top_ups, stop_top_ups) = (acknowledged.clone(), stop.clone());
    load.spawn(async move {
        while !stop_top_ups.load(Ordering::Relaxed) {
            let key = uuid::Uuid::new_v4().to_string();
            if let Ok(answer) = player.top_up(Points(2), "tok_test_success", &key).await {
                acknowledged_top_ups
                    .lock()
                    .unwrap()
                    .top_ups
                    .push((key, answer.top_up_id));
            }
        }
    });

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before_kill = acknowledged.lock().unwrap().plays.len();
    drop(first); // SIGKILL, mid-flight
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    while load.join_next().await.is_some() {}
    drop(second);

    let acknowledged = acknowledged.lock().unwrap();
    let after_kill = acknowledged.plays.len() - before_kill;
    assert!(
        before_kill > 20,
        "too little load before the kill: {before_kill}"
    );
    assert!(
        after_kill > 20,
        "the other instance stopped serving: {after_kill}"
    );
    assert!(
        acknowledged.answered_by_both > 10,
        "too few codes answered by both: {}",
        acknowledged.answered_by_both
    );
    let url = database.url.clone();
    let (problems, checked) = off_runtime(|| {
        let store = PostgresStore::open(&url).unwrap();
        let user = store.accounts().user_by_name("demo").unwrap().unwrap().id;
        let plays: Vec<_> = acknowledged
            .plays
            .iter()
            .map(|id| (*id, store.transactions().transaction(*id, user).unwrap()))
            .collect();
        let top_ups: Vec<_> = acknowledged
            .top_ups
            .iter()
            .map(|(key, _)| store.ledger().top_up_answer(user, key).unwrap())
            .collect();
        (store.audit().unwrap(), (plays, top_ups))
    });
    // Charged once: each transaction has exactly one debit, every balance its sum.
    assert_eq!(problems, Vec::<String>::new());
    let (plays, top_ups) = checked;
    for (id, record) in plays {
        let record = record.unwrap_or_else(|| panic!("acknowledged play {id} is lost"));
        assert_ne!(record.status, TransactionStatus::Rejected, "{id}");
        if let Some(status) = acknowledged.outcomes.get(&id) {
            assert_eq!(record.status, *status, "{id}: acknowledged as {status:?}");
        }
    }
    for ((key, top_up_id), stored) in acknowledged.top_ups.iter().zip(top_ups) {
        let stored = stored.unwrap_or_else(|| panic!("acknowledged top-up {key} is lost"));
        assert_eq!(stored.answer.map(|a| a.top_up_id).as_ref(), Ok(top_up_id));
    }
    println!(
        "{} plays ({} answered by both instances, {} after the kill), {} outcomes, {} top-ups \
         acknowledged: all present, none twice",
        acknowledged.plays.len(),
        acknowledged.answered_by_both,
        after_kill,
        acknowledged.outcomes.len(),
        acknowledged.top_ups.len()
    );
}

/// The app long-polls its play on one instance while the machine validates it on the
/// other: the change is not announced across processes, and the poll sees it at its
/// next look (a second at most), not when its wait runs out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_on_one_instance_sees_a_play_validated_on_the_other() {
    let database = off_runtime(TestDatabase::create);
    let first = start(&database.url, true);
    let second = start(&database.url, false);
    let player = ApiClient::new(
        &second.url,
        Arc::new(MemorySecretStore::new()),
        ClientConfig::default(),
    )
    .unwrap();
    player.login("demo", "demo-password").await.unwrap();
    let code = player
        .device_credentials()
        .unwrap()
        .make_code(Points(10), gashapay_core::clock::unix_now(), 300)
        .unwrap();
    let id = code.payload.transaction_id;
    let waiting = tokio::spawn(async move {
        let asked = std::time::Instant::now();
        let view = player
            .transaction(id, Some(Duration::from_secs(25)), None)
            .await
            .unwrap();
        (view.status, asked.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let machine = machine_on(&first.url, &first.printed);
    machine.validate(&code.to_text()).await.unwrap();
    let (status, waited) = waiting.await.unwrap();
    assert_eq!(status, TransactionStatus::Pending);
    assert!(waited < Duration::from_secs(5), "seen after {waited:?}");
}
