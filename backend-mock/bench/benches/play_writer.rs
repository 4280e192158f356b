//! The play writer's cost per batch: what group commit's throughput is made of (see
//! docs/BENCHMARKS.md). A batch of 24 plays (the size the writer reaches under load
//! from 64 connections) decided and written in one transaction:
//! - in memory: the writer's own work, with no disk;
//! - on a file with `synchronous=FULL`: the same plus the WAL writes and the fsync.
//!
//! `cargo bench -p gashapay-bench --bench play_writer`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use gashapay_backend_mock::admin::create_player;
use gashapay_backend_mock::store::sqlite::SqliteStore;
use gashapay_backend_mock::store::{PlayRequest, Store};
use gashapay_core::ids::{DeviceId, MachineId, Points, TransactionId, UserId};
use gashapay_core::webhook::WebhookSecret;

const BATCH: usize = 24;

/// A store with one machine and `users` users rich enough never to run out.
fn store(path: &str, users: u64) -> (SqliteStore, Vec<(UserId, DeviceId)>) {
    let store = SqliteStore::open(path).unwrap();
    let machine = MachineId("m_bench".into());
    store
        .machines()
        .upsert_machine(
            &machine,
            "Bench",
            gashapay_core::api::MachineKind::Dispenser,
            &[0; 32],
            &WebhookSecret::generate(),
        )
        .unwrap();
    let people = (0..users)
        .map(|n| {
            let (user, device, _) =
                create_player(&store, &format!("user{n}"), Points(1 << 40), 0).unwrap();
            (user, device)
        })
        .collect();
    (store, people)
}

/// The next batch: fresh time-ordered codes (as the app makes them), users in turn.
fn batch(people: &[(UserId, DeviceId)], turn: &mut usize) -> Vec<PlayRequest> {
    (0..BATCH)
        .map(|_| {
            let (user_id, device_id) = people[*turn % people.len()];
            *turn += 1;
            PlayRequest {
                transaction_id: TransactionId::new_random(),
                user_id,
                device_id,
                machine_id: MachineId("m_bench".into()),
                points: Points(10),
                issued_at: 1,
                rejection: None,
                now: 2,
            }
        })
        .collect()
}

fn play_batches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("play writer");
    group.throughput(Throughput::Elements(BATCH as u64));
    for users in [1, 1000] {
        let file = dir.path().join(format!("bench-{users}.db"));
        let cases = [
            ("in memory", ":memory:".to_owned()),
            ("file + fsync", file.display().to_string()),
        ];
        for (place, path) in cases {
            let (store, people) = store(&path, users);
            let mut turn = 0;
            let name = format!("{BATCH} plays, {users} users, {place}");
            group.bench_function(name, |b| {
                b.iter_batched(
                    || batch(&people, &mut turn),
                    |plays| store.plays().play_batch(&plays).unwrap(),
                    BatchSize::SmallInput,
                )
            });
        }
    }
    group.finish();
}

criterion_group!(benches, play_batches);
criterion_main!(benches);
