use super::ledger::post_ledger;
use super::*;
use gashapay_core::api::HistoryKind;
use gashapay_core::status::DispenseOutcome;
use rusqlite::Connection;

/// A database written by the previous schema (version 2): a top-up, a completed
/// play, a refunded play and a refused one.
fn version_two_database(path: &str) -> (TransactionId, TransactionId, TransactionId) {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    for migration in &MIGRATIONS[..2] {
        conn.execute_batch(migration).unwrap();
    }
    conn.pragma_update(None, "user_version", 2).unwrap();
    let ids = [(); 3].map(|_| TransactionId::new_random());
    let [done, refunded, refused] = ids.map(|id| id.to_string());
    conn.execute_batch(&format!(
        "INSERT INTO users (id, username, password_hash, balance, created_at)
             VALUES (1, 'ann', 'hash', 90, 1);
         INSERT INTO devices (id, user_id, name, secret, revoked, created_at)
             VALUES (1, 1, 'phone', x'00', 0, 1);
         INSERT INTO machines (id, name, api_key_hash, webhook_secret)
             VALUES ('m_a', 'Machine A', x'00', 'secret'), ('m_b', 'Machine B', x'00', 'secret');
         INSERT INTO transactions (id, user_id, device_id, machine_id, points, status,
             rejection, refund_reason, issued_at, created_at, updated_at) VALUES
             ('{done}', 1, 1, 'm_a', 10, 'completed', NULL, NULL, 1, 2, 3),
             ('{refunded}', 1, 1, 'm_a', 20, 'refunded', NULL, 'dispense_failed', 1, 4, 5),
             ('{refused}', 1, 1, 'm_a', 500, 'rejected', 'insufficient_points', NULL, 1, 6, 6);
         INSERT INTO ledger (user_id, kind, delta, balance_after, label, transaction_id,
             top_up_id, created_at) VALUES
             (1, 'top_up', 100, 100, 'Top-up', NULL, 'tu_1', 1),
             (1, 'play', -10, 90, NULL, '{done}', NULL, 2),
             (1, 'play', -20, 70, NULL, '{refunded}', NULL, 4),
             (1, 'refund', 20, 90, NULL, '{refunded}', NULL, 5);"
    ))
    .unwrap();
    ids.into()
}

#[test]
fn a_commit_reaches_the_database_file_long_before_the_wal_fills() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checkpointed.db");
    let store = SqliteStore::open(path.to_str().unwrap()).unwrap();
    // A few WAL pages, far below the 1,000 at which the writer checkpoints
    // itself: only the background checkpointer copies them into the file.
    let name = "checkpointed-player-7f3a";
    crate::admin::create_player(&store, name, Points(5), 1).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let file = std::fs::read(&path).unwrap();
        if file.windows(name.len()).any(|w| w == name.as_bytes()) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the new player is still only in the WAL"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // Dropping the store stops the checkpointer's thread (this would hang if not).
    drop(store);
}

#[test]
fn a_version_two_database_keeps_its_money_and_history_through_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let path = path.to_str().unwrap();
    let (done, refunded, refused) = version_two_database(path);

    let store = SqliteStore::open(path).unwrap();
    let version: i64 = store
        .read(|conn| conn.query_row("PRAGMA user_version", [], |row| row.get(0)))
        .unwrap();
    assert_eq!(version, MIGRATIONS.len() as i64);
    assert_eq!(store.audit().unwrap(), Vec::<String>::new());
    let ann = UserId(1);
    assert_eq!(store.ledger().balance(ann).unwrap(), Points(90));
    let history: Vec<_> = store
        .ledger()
        .history(ann, 10, None)
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.kind, e.delta, e.balance_after.0, e.transaction_id))
        .collect();
    assert_eq!(
        history,
        [
            (4, HistoryKind::Refund, 20, 90, Some(refunded)),
            (3, HistoryKind::Play, -20, 70, Some(refunded)),
            (2, HistoryKind::Play, -10, 90, Some(done)),
            (1, HistoryKind::TopUp, 100, 100, None),
        ]
    );
    let status = |id| {
        store
            .transactions()
            .transaction(id, ann)
            .unwrap()
            .map(|t| t.status)
    };
    assert_eq!(status(done), Some(TransactionStatus::Completed));
    assert_eq!(status(refunded), Some(TransactionStatus::Refunded));
    assert_eq!(status(refused), Some(TransactionStatus::Rejected));

    // The migrated tables still refuse what they refused: a spent code, a
    // top-up id twice, a play for more than the balance.
    let play = PlayRequest {
        transaction_id: done,
        user_id: ann,
        device_id: DeviceId(1),
        machine_id: MachineId("m_b".into()),
        points: Points(10),
        issued_at: 1,
        rejection: None,
        now: 7,
    };
    assert_eq!(
        store.plays().play(&play).unwrap(),
        PlayDecision::AlreadyUsed
    );
    let twice =
        store.write(|tx| post_ledger(tx, ann, HistoryKind::TopUp, 5, None, None, Some("tu_1"), 8));
    assert!(matches!(twice, Err(StoreError::Database(_))), "{twice:?}");
    let greedy = PlayRequest {
        transaction_id: TransactionId::new_random(),
        points: Points(91),
        ..play.clone()
    };
    assert_eq!(
        store.plays().play(&greedy).unwrap(),
        PlayDecision::Rejected(ErrorCode::InsufficientPoints)
    );
    let fresh = PlayRequest {
        transaction_id: TransactionId::new_random(),
        machine_id: MachineId("m_a".into()),
        points: Points(90),
        ..play
    };
    assert_eq!(store.plays().play(&fresh).unwrap(), PlayDecision::Accepted);
    assert_eq!(store.ledger().balance(ann).unwrap(), Points(0));
    assert_eq!(store.audit().unwrap(), Vec::<String>::new());

    // Nor a status or a ledger kind outside the lists.
    let unknown_status = store.write(|tx| {
        tx.execute(
            "UPDATE transactions SET status = 'lost' WHERE id = ?1",
            [done.to_string()],
        )
        .map_err(db)
    });
    assert!(
        matches!(&unknown_status, Err(StoreError::Database(e)) if e.to_string().contains("CHECK")),
        "{unknown_status:?}"
    );
    let unknown_kind = store.write(|tx| {
        tx.execute(
            "INSERT INTO ledger (user_id, kind, delta, balance_after, created_at)
             VALUES (1, 'gift', 5, 5, 9)",
            [],
        )
        .map_err(db)
    });
    assert!(
        matches!(&unknown_kind, Err(StoreError::Database(e)) if e.to_string().contains("CHECK")),
        "{unknown_kind:?}"
    );
    assert_eq!(store.ledger().balance(ann).unwrap(), Points(0));
}

/// Asserts that `sql` compiles to a write (an insert into a table or an index)
/// and builds no temporary table (`OpenEphemeral`) to run.
pub(super) fn assert_writes_without_temporary_table(store: &SqliteStore, sql: &str) {
    let opcodes: Vec<String> = store
        .read(|conn| {
            let mut explain = conn.prepare(&format!("EXPLAIN {sql}"))?;
            let mut rows = explain.raw_query();
            let mut opcodes = Vec::new();
            while let Some(row) = rows.next()? {
                opcodes.push(row.get(1)?);
            }
            Ok(opcodes)
        })
        .unwrap();
    assert!(
        opcodes.iter().any(|op| op.ends_with("Insert")),
        "{sql}: {opcodes:?}"
    );
    assert!(!opcodes.iter().any(|op| op == "OpenEphemeral"), "{sql}");
}

/// A CHECK written `x IN ('a', 'b', 'c')` makes SQLite build a temporary B-tree
/// of the list for every row it checks. Writes that set a
/// transaction's status or a ledger row's kind must not pay that.
#[test]
fn writing_a_status_or_a_ledger_kind_builds_no_temporary_table() {
    let store = SqliteStore::open(":memory:").unwrap();
    for sql in [
        "UPDATE transactions SET status = ?1, updated_at = ?2 WHERE id = ?3",
        "INSERT INTO transactions (id, user_id, device_id, machine_id, points, status,
             issued_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "INSERT INTO ledger (user_id, kind, delta, balance_after, created_at)
             VALUES (?, ?, ?, ?, ?)",
    ] {
        assert_writes_without_temporary_table(&store, sql);
    }
}

/// History is read along each player's chain: a page's cursor is its last entry, any
/// other number shows the player's entries older than it, and a player never sees
/// another's entries.
#[test]
fn history_pages_walk_each_players_own_entries_newest_first() {
    let store = SqliteStore::open(":memory:").unwrap();
    let (ann, _, _) = crate::admin::create_player(&store, "ann", Points(0), 1).unwrap();
    let (bob, _, _) = crate::admin::create_player(&store, "bob", Points(0), 1).unwrap();
    for n in 1..=5 {
        store.ledger().grant(ann, Points(n), "for ann", 10).unwrap();
        store
            .ledger()
            .grant(bob, Points(100 + n), "for bob", 10)
            .unwrap();
    }
    let page = |user, limit, before| store.ledger().history(user, limit, before).unwrap();
    let deltas = |entries: &[HistoryRecord]| entries.iter().map(|e| e.delta).collect::<Vec<_>>();

    let first = page(ann, 2, None);
    assert_eq!(deltas(&first), [5, 4]);
    let second = page(ann, 2, Some(first[1].id));
    assert_eq!(deltas(&second), [3, 2]);
    assert_eq!(deltas(&page(ann, 2, Some(second[1].id))), [1]);
    assert_eq!(deltas(&page(bob, 10, None)), [105, 104, 103, 102, 101]);

    // Bob's third entry came after Ann's third: Ann's entries older than it.
    let bobs_third = page(bob, 10, None)[2].id;
    assert_eq!(deltas(&page(ann, 10, Some(bobs_third))), [3, 2, 1]);
    assert_eq!(deltas(&page(ann, 10, Some(i64::MAX))), [5, 4, 3, 2, 1]);
    assert!(page(ann, 10, Some(1)).is_empty());
    assert!(page(ann, 0, None).is_empty());
    assert_eq!(store.audit().unwrap(), Vec::<String>::new());
}

/// A store on disk with two machines and two players (100 points each).
fn store_with_players(path: &str) -> (SqliteStore, [(UserId, DeviceId); 2]) {
    let store = SqliteStore::open(path).unwrap();
    for machine in ["m_a", "m_b"] {
        let id = MachineId(machine.into());
        let secret = gashapay_core::webhook::WebhookSecret::generate();
        store
            .machines()
            .upsert_machine(
                &id,
                machine,
                gashapay_core::api::MachineKind::Dispenser,
                &[7; 32],
                &secret,
            )
            .unwrap();
    }
    let players = ["ann", "bob"].map(|name| {
        let (user, device, _) = crate::admin::create_player(&store, name, Points(100), 1).unwrap();
        (user, device)
    });
    (store, players)
}

/// A play of 10 points by `player` at machine `m_a`, issued `age` ms before `now`.
fn play_at(player: (UserId, DeviceId), now: UnixMillis, age: UnixMillis) -> PlayRequest {
    PlayRequest {
        transaction_id: TransactionId::new_random(),
        user_id: player.0,
        device_id: player.1,
        machine_id: MachineId("m_a".into()),
        points: Points(10),
        issued_at: ((now - age) / 1000) as u64,
        rejection: None,
        now,
    }
}

const NOW: UnixMillis = 1_800_000_000_000;

/// One-time use outlives a restart: the ids of the last minutes are read back from the
/// table when the store opens.
#[test]
fn a_code_played_before_a_restart_is_still_spent_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("restart.db");
    let path = path.to_str().unwrap();
    let (store, [ann, _]) = store_with_players(path);
    let play = play_at(ann, NOW, 5_000);
    assert_eq!(store.plays().play(&play).unwrap(), PlayDecision::Accepted);
    drop(store);

    let store = SqliteStore::open(path).unwrap();
    let again = PlayRequest {
        now: NOW + 1_000,
        ..play.clone()
    };
    assert_eq!(store.plays().play(&again).unwrap(), PlayDecision::Accepted);
    let elsewhere = PlayRequest {
        machine_id: MachineId("m_b".into()),
        ..again
    };
    assert_eq!(
        store.plays().play(&elsewhere).unwrap(),
        PlayDecision::AlreadyUsed
    );
    assert_eq!(store.ledger().balance(ann.0).unwrap(), Points(90));
    assert_eq!(store.audit().unwrap(), Vec::<String>::new());
}

/// Past the remembered minutes a play is found along its player's chain: its owner
/// still sees its status and a late code is still spent; another player does not see
/// it, and a machine's report that late finds nothing to settle.
#[test]
fn an_old_play_is_found_along_its_players_chain_only() {
    let (store, [ann, bob]) = store_with_players(":memory:");
    let old = play_at(ann, NOW, 5_000);
    assert_eq!(store.plays().play(&old).unwrap(), PlayDecision::Accepted);
    let later = NOW + super::REMEMBERED + 1_000;
    for _ in 0..3 {
        assert_eq!(
            store.plays().play(&play_at(ann, later, 1_000)).unwrap(),
            PlayDecision::Accepted
        );
        store.plays().play(&play_at(bob, later, 1_000)).unwrap();
    }
    let id = old.transaction_id;
    let record = store
        .transactions()
        .transaction(id, ann.0)
        .unwrap()
        .expect("found by its owner");
    assert_eq!(record.status, TransactionStatus::Pending);
    assert_eq!(record.points, Points(10));
    assert!(store
        .transactions()
        .transaction(id, bob.0)
        .unwrap()
        .is_none());

    // Presented again that late, the code is long expired: the same machine hears its
    // first answer, another machine hears that the code is spent.
    let again = PlayRequest {
        now: later,
        rejection: Some(ErrorCode::CodeExpired),
        ..old.clone()
    };
    assert_eq!(store.plays().play(&again).unwrap(), PlayDecision::Accepted);
    let elsewhere = PlayRequest {
        machine_id: MachineId("m_b".into()),
        ..again
    };
    assert_eq!(
        store.plays().play(&elsewhere).unwrap(),
        PlayDecision::AlreadyUsed
    );

    let report = OutcomeReport {
        machine_id: MachineId("m_a".into()),
        event_id: "evt-late".into(),
        transaction_id: id,
        outcome: DispenseOutcome::Dispensed,
        detail: None,
        now: later,
    };
    assert_eq!(
        store.transactions().report_outcome(&report).unwrap(),
        OutcomeDecision::NotFound
    );
    assert_eq!(store.ledger().balance(ann.0).unwrap(), Points(60));
    assert_eq!(store.audit().unwrap(), Vec::<String>::new());
}

/// A long-expired code is recorded as refused once (its owner sees why), and spent; a
/// code from far in the future is refused without a row, so it still plays in its time.
#[test]
fn codes_far_from_their_issue_time_are_refused_and_spent_or_left_unspent() {
    let (store, [ann, _]) = store_with_players(":memory:");
    let expired = PlayRequest {
        rejection: Some(ErrorCode::CodeExpired),
        ..play_at(ann, NOW, super::CODE_PAST + 3_600_000)
    };
    let refused = PlayDecision::Rejected(ErrorCode::CodeExpired);
    assert_eq!(store.plays().play(&expired).unwrap(), refused);
    let record = store
        .transactions()
        .transaction(expired.transaction_id, ann.0)
        .unwrap();
    assert_eq!(record.map(|r| r.status), Some(TransactionStatus::Rejected));
    assert_eq!(store.plays().play(&expired).unwrap(), refused);
    let elsewhere = PlayRequest {
        machine_id: MachineId("m_b".into()),
        ..expired
    };
    assert_eq!(
        store.plays().play(&elsewhere).unwrap(),
        PlayDecision::AlreadyUsed
    );

    let early = PlayRequest {
        rejection: Some(ErrorCode::CodeFromFuture),
        ..play_at(ann, NOW, -(super::CODE_FUTURE + 60_000))
    };
    let id = early.transaction_id;
    assert_eq!(
        store.plays().play(&early).unwrap(),
        PlayDecision::Rejected(ErrorCode::CodeFromFuture)
    );
    assert!(store
        .transactions()
        .transaction(id, ann.0)
        .unwrap()
        .is_none());
    let in_its_time = PlayRequest {
        rejection: None,
        now: NOW + super::CODE_FUTURE + 60_000,
        ..early
    };
    assert_eq!(
        store.plays().play(&in_its_time).unwrap(),
        PlayDecision::Accepted
    );
    assert_eq!(store.ledger().balance(ann.0).unwrap(), Points(90));
    assert_eq!(store.audit().unwrap(), Vec::<String>::new());
}

/// The audit reads both chains (ledger entries and transactions) and says which link
/// is broken.
#[test]
fn the_audit_names_a_broken_link_in_a_players_chains() {
    let (store, [ann, _]) = store_with_players(":memory:");
    for _ in 0..2 {
        store.plays().play(&play_at(ann, NOW, 1_000)).unwrap();
    }
    assert_eq!(store.audit().unwrap(), Vec::<String>::new());
    let break_link = |sql: &str| store.write(|tx| tx.execute(sql, []).map_err(db)).unwrap();
    break_link("UPDATE transactions SET user_previous = NULL WHERE seq = (SELECT MAX(seq) FROM transactions)");
    break_link("UPDATE users SET last_ledger_id = NULL");
    let problems = store.audit().unwrap();
    for expected in [
        "transaction not linked to its player's previous one",
        "player's newest ledger entry not named by their row",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "{problems:?}"
        );
    }
}
