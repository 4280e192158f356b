//! The database a validate target starts on: the workload's players (each with one
//! device) and, when asked, millions of earlier plays. Plays go in through the store's
//! own play path, in batches, spread over the last 30 days, with the workload's share
//! of random ids, and are then marked dispensed, as a fleet's history would be. That
//! takes minutes, so a database with plays is built once under the cache directory
//! and copied for each target and each run.

use crate::workload::Workload;
use gashapay_backend_mock::admin::create_player;
use gashapay_backend_mock::store::sqlite::SqliteStore;
use gashapay_backend_mock::store::{PlayDecision, PlayRequest, Store};
use gashapay_core::clock::{Clock, SystemClock};
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::{DeviceId, MachineId, Points, TransactionId, UserId};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Plays per transaction while filling.
const BATCH: u64 = 1_000;
/// How far back the earlier plays go.
const SPAN_MILLIS: i64 = 30 * 24 * 3600 * 1000;
/// Every player's starting balance: more than any run spends.
pub const RICH: Points = Points(1 << 40);

/// Puts the workload's starting database at `dest`. Players are users 1 to `users`
/// with devices 1 to `users`, in order.
pub fn database(workload: &Workload, cache: &Path, dest: &Path) {
    if workload.prefill == 0 {
        build(workload, dest);
        return;
    }
    let template = cache.join(format!(
        "fleet-{}-players-{}-plays-{}pct-v4-schema{}.db",
        workload.users,
        workload.prefill,
        (workload.v4_share * 100.0).round(),
        SqliteStore::SCHEMA_VERSION
    ));
    if !template.exists() {
        std::fs::create_dir_all(cache).unwrap();
        // Built beside its final name, so an interrupted build is never reused.
        let partial = template.with_extension("partial");
        remove_database(&partial);
        println!(
            "building {} once (reused by later runs): {}",
            template.display(),
            workload.describe()
        );
        let started = Instant::now();
        build(workload, &partial);
        std::fs::rename(&partial, &template).unwrap();
        println!("built in {:.0} s", started.elapsed().as_secs_f64());
    }
    std::fs::copy(&template, dest).unwrap();
    // On disk before the rounds start: the copy's writeback would otherwise compete
    // with the backend's fsyncs for the first minute of the run.
    std::fs::File::open(dest).unwrap().sync_all().unwrap();
}

/// Where templates are kept unless `--cache-dir` says otherwise.
pub fn default_cache() -> PathBuf {
    std::env::temp_dir().join("gashapay-bench-cache")
}

/// The workload's players, each with a device, made through `store` (any engine).
pub fn players(store: &dyn Store, workload: &Workload) -> Vec<(UserId, DeviceId)> {
    let now = SystemClock.now_millis();
    (0..workload.users)
        .map(|n| {
            let (user, device, _) =
                create_player(store, &format!("bench{n}"), RICH, now - SPAN_MILLIS).unwrap();
            (user, device)
        })
        .collect()
}

fn build(workload: &Workload, path: &Path) {
    let store = SqliteStore::open(&path.display().to_string()).unwrap();
    let now = SystemClock.now_millis();
    let players = players(&store, workload);
    if workload.prefill == 0 {
        return;
    }
    let machine = MachineId("m_fleet".into());
    store
        .machines()
        .upsert_machine(
            &machine,
            "Earlier plays",
            gashapay_core::api::MachineKind::Dispenser,
            &[0; 32],
            &WebhookSecret::generate(),
        )
        .unwrap();
    let start = now - SPAN_MILLIS;
    let mut n = 0;
    while n < workload.prefill {
        let batch: Vec<PlayRequest> = (n..workload.prefill.min(n + BATCH))
            .map(|k| {
                let at =
                    start + (k as i128 * SPAN_MILLIS as i128 / workload.prefill as i128) as i64;
                let (user_id, device_id) = players[(k % players.len() as u64) as usize];
                let id = match workload.random_id(k) {
                    true => uuid::Uuid::new_v4(),
                    false => uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
                        uuid::NoContext,
                        (at / 1000) as u64,
                        (at % 1000) as u32 * 1_000_000,
                    )),
                };
                PlayRequest {
                    transaction_id: TransactionId(id),
                    user_id,
                    device_id,
                    machine_id: machine.clone(),
                    points: Points(1),
                    issued_at: (at / 1000) as u64,
                    rejection: None,
                    now: at,
                }
            })
            .collect();
        let decisions = store.plays().play_batch(&batch).unwrap();
        assert!(decisions.iter().all(|d| *d == PlayDecision::Accepted));
        n += batch.len() as u64;
        if n % (500 * BATCH) == 0 {
            println!("  {n} plays");
        }
    }
    drop(store);
    // The machine reported each of them dispensed (the outcome's own event rows are
    // left out: the play path does not read them).
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute(
        "UPDATE transactions SET status = 'completed', updated_at = created_at
         WHERE status = 'pending'",
        [],
    )
    .unwrap();
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")
        .unwrap();
}

/// Removes a database file and its WAL and shared-memory files.
pub fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gashapay_core::{DeviceId, UserId};

    #[test]
    fn a_prefilled_database_holds_the_players_and_their_dispensed_plays_and_is_built_once() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let workload = Workload {
            users: 3,
            v4_share: 0.5,
            prefill: 2_500,
        };
        let first = dir.path().join("first.db");
        database(&workload, &cache, &first);
        let templates: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
        assert_eq!(templates.len(), 1, "one template, no partial build left");
        let template = templates[0].as_ref().unwrap().path();
        let built = std::fs::metadata(&template).unwrap().modified().unwrap();

        let store = SqliteStore::open(&first.display().to_string()).unwrap();
        for n in 1..=3u32 {
            let device = store.devices().device(DeviceId(n)).unwrap().unwrap();
            assert_eq!(device.user_id, UserId(n as u64));
            // 2,500 plays of 1 point dealt in turn: 834, 833 and 833.
            let spent = if n == 1 { 834 } else { 833 };
            assert_eq!(
                store.ledger().balance(device.user_id).unwrap(),
                Points(RICH.0 - spent)
            );
        }
        assert_eq!(store.audit().unwrap(), Vec::<String>::new());
        let conn = rusqlite::Connection::open(&first).unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |row| row.get(0)).unwrap() };
        assert_eq!(
            count("SELECT count(*) FROM transactions WHERE status = 'completed'"),
            2_500
        );
        // Half the ids are random (version 4): the 15th character is the version.
        assert_eq!(
            count("SELECT count(*) FROM transactions WHERE substr(id, 15, 1) = '4'"),
            1_250
        );

        let second = dir.path().join("second.db");
        database(&workload, &cache, &second);
        assert_eq!(
            std::fs::metadata(&template).unwrap().modified().unwrap(),
            built
        );
        assert!(second.exists());
    }
}
