//! The SQLite store. One writing connection behind a mutex: SQLite has a single writer
//! anyway, and serialising here keeps every read-check-write sequence atomic. WAL mode
//! with `synchronous=FULL` means a committed deduction is on disk before the machine
//! is told "yes". Reads have a connection of their own, and a background thread
//! copies committed pages from the WAL into the database file (see `Checkpointer`).

use super::*;
use chrono::{TimeZone, Utc};
use gashapay_core::api::HistoryKind;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::sync::Mutex;

mod plays;

/// Each entry moves the schema from version N to N + 1 (`PRAGMA user_version`).
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    balance INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
    created_at INTEGER NOT NULL
);
CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    secret BLOB NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    access_hash BLOB NOT NULL,
    access_expires_at INTEGER NOT NULL,
    refresh_hash BLOB NOT NULL,
    refresh_expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE TABLE machines (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    api_key_hash BLOB NOT NULL,
    webhook_secret TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE transactions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    machine_id TEXT NOT NULL REFERENCES machines(id),
    points INTEGER NOT NULL CHECK (points > 0),
    status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'refunded', 'rejected')),
    rejection TEXT,
    refund_reason TEXT,
    detail TEXT,
    issued_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX transactions_pending ON transactions(created_at) WHERE status = 'pending';
CREATE TABLE ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('top_up', 'play', 'refund')),
    delta INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    label TEXT,
    transaction_id TEXT REFERENCES transactions(id),
    top_up_id TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    UNIQUE (transaction_id, kind)
);
CREATE INDEX ledger_by_user ON ledger(user_id, id);
CREATE TABLE webhook_events (
    machine_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    decision TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (machine_id, event_id)
);
CREATE TABLE top_ups (
    user_id INTEGER NOT NULL REFERENCES users(id),
    idempotency_key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    answer TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
"#,
    r#"
-- Webhook secret rotation: the previous secret stays valid until a deadline.
ALTER TABLE machines ADD COLUMN previous_webhook_secret TEXT;
ALTER TABLE machines ADD COLUMN previous_valid_until INTEGER;
"#,
    r#"
-- Fewer B-trees on the play path, whose cost per play is group commit's throughput
-- (docs/BENCHMARKS.md). Each play inserted into nine B-trees; now five:
-- * transactions is keyed by its id alone (WITHOUT ROWID): no separate index for the
--   primary key beside the table;
-- * the ledger drops AUTOINCREMENT (its bookkeeping row was a write per entry; rows
--   are never deleted, so ids are never reused anyway);
-- * UNIQUE (transaction_id, kind) goes: a play's debit is written only by the insert
--   that claims its id (the transactions primary key), and a refund only by the
--   update that moves it out of pending; the audit checks both;
-- * top_up_id stays unique, but only top-ups have one, so the index holds only them.
CREATE TABLE transactions_v3 (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    machine_id TEXT NOT NULL REFERENCES machines(id),
    points INTEGER NOT NULL CHECK (points > 0),
    status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'refunded', 'rejected')),
    rejection TEXT,
    refund_reason TEXT,
    detail TEXT,
    issued_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO transactions_v3 (id, user_id, device_id, machine_id, points, status,
    rejection, refund_reason, detail, issued_at, created_at, updated_at)
SELECT id, user_id, device_id, machine_id, points, status,
    rejection, refund_reason, detail, issued_at, created_at, updated_at
FROM transactions;
CREATE TABLE ledger_v3 (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('top_up', 'play', 'refund')),
    delta INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    label TEXT,
    transaction_id TEXT REFERENCES transactions(id),
    top_up_id TEXT,
    created_at INTEGER NOT NULL
);
INSERT INTO ledger_v3 (id, user_id, kind, delta, balance_after, label, transaction_id,
    top_up_id, created_at)
SELECT id, user_id, kind, delta, balance_after, label, transaction_id, top_up_id, created_at
FROM ledger;
DROP TABLE ledger;
DROP TABLE transactions;
ALTER TABLE transactions_v3 RENAME TO transactions;
ALTER TABLE ledger_v3 RENAME TO ledger;
CREATE INDEX transactions_pending ON transactions(created_at) WHERE status = 'pending';
CREATE INDEX ledger_by_user ON ledger(user_id, id);
CREATE UNIQUE INDEX ledger_top_up ON ledger(top_up_id) WHERE top_up_id IS NOT NULL;
"#,
    r#"
-- The same rules for status and kind, spelled with OR. SQLite checks `x IN (list of
-- three or more)` by building a temporary B-tree of the list for every row it checks:
-- about 3 µs per insert or update, twice per play, a third of the play writer's
-- own work (docs/BENCHMARKS.md). A CHECK cannot be altered in place, so both tables
-- are rebuilt as in version 3.
CREATE TABLE transactions_v4 (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    machine_id TEXT NOT NULL REFERENCES machines(id),
    points INTEGER NOT NULL CHECK (points > 0),
    status TEXT NOT NULL CHECK (status = 'pending' OR status = 'completed'
        OR status = 'refunded' OR status = 'rejected'),
    rejection TEXT,
    refund_reason TEXT,
    detail TEXT,
    issued_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO transactions_v4 (id, user_id, device_id, machine_id, points, status,
    rejection, refund_reason, detail, issued_at, created_at, updated_at)
SELECT id, user_id, device_id, machine_id, points, status,
    rejection, refund_reason, detail, issued_at, created_at, updated_at
FROM transactions;
CREATE TABLE ledger_v4 (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind = 'top_up' OR kind = 'play' OR kind = 'refund'),
    delta INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    label TEXT,
    transaction_id TEXT REFERENCES transactions(id),
    top_up_id TEXT,
    created_at INTEGER NOT NULL
);
INSERT INTO ledger_v4 (id, user_id, kind, delta, balance_after, label, transaction_id,
    top_up_id, created_at)
SELECT id, user_id, kind, delta, balance_after, label, transaction_id, top_up_id, created_at
FROM ledger;
DROP TABLE ledger;
DROP TABLE transactions;
ALTER TABLE transactions_v4 RENAME TO transactions;
ALTER TABLE ledger_v4 RENAME TO ledger;
CREATE INDEX transactions_pending ON transactions(created_at) WHERE status = 'pending';
CREATE INDEX ledger_by_user ON ledger(user_id, id);
CREATE UNIQUE INDEX ledger_top_up ON ledger(top_up_id) WHERE top_up_id IS NOT NULL;
"#,
];

pub struct SqliteStore {
    /// The single writer (and the reader for `:memory:`, which cannot be shared).
    conn: Mutex<Connection>,
    /// Reads on their own connection: in WAL mode they see the last commit and never
    /// wait for the writer's fsync.
    reader: Option<Mutex<Connection>>,
    /// Copies committed pages from the WAL into the database file on its own thread.
    _checkpointer: Option<Checkpointer>,
}

/// A thread that checkpoints the WAL every 20 ms (PASSIVE: it never waits
/// for, or blocks, the writer). The writer's own automatic checkpoint still runs
/// when the WAL reaches 1,000 pages, because only it can restart the WAL from the
/// beginning; but it then finds most pages already copied and synced, so the
/// commit that runs it stalls for a moment instead of copying hundreds of pages
/// while every queued play waits. Stops when dropped.
struct Checkpointer {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    const INTERVAL: std::time::Duration = std::time::Duration::from_millis(20);

    fn start(path: &str) -> StoreResult<Self> {
        let conn = Connection::open(path).map_err(db)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("gashapay-checkpointer".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(Self::INTERVAL)
                {
                    if let Err(error) =
                        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!(%error, "background checkpoint failed");
                    }
                }
            })
            .map_err(|e| StoreError::Database(e.to_string()))?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn db(error: rusqlite::Error) -> StoreError {
    StoreError::Database(error.to_string())
}

fn hash32(bytes: Vec<u8>) -> StoreResult<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt("a stored hash is not 32 bytes".into()))
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`; `:memory:`
    /// gives a private in-memory database.
    pub fn open(path: &str) -> StoreResult<Self> {
        let conn = if path == ":memory:" {
            Connection::open_in_memory()
        } else {
            super::owner_only::restrict_database_files(std::path::Path::new(path)).map_err(
                |error| StoreError::Database(format!("cannot make {path} owner-only: {error}")),
            )?;
            Connection::open(path)
        }
        .map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db)?;
        if path != ":memory:" {
            let mode: String = conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
                .map_err(db)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Database(format!(
                    "could not switch to WAL mode (got {mode})"
                )));
            }
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        // The page cache: big enough for the pages the writer revisits batch after
        // batch (the newest rows, the index leaves, the balances of a thousand
        // active players), and no bigger. When an insert splits an index leaf,
        // SQLite renumbers pages through a scratch number far past the end of the
        // file, and the commit then walks the whole cache to drop pages beyond the
        // end: with a 64 MiB cache that walk was a fifth of the play writer's time
        // (docs/BENCHMARKS.md, session 8). 8 MiB is 2,048 pages of 4 KiB.
        conn.pragma_update(None, "cache_size", -8192).map_err(db)?;
        // The play path keeps a few multi-row forms of its statements beside the rest.
        conn.set_prepared_statement_cache_capacity(64);
        let mut store = Self {
            conn: Mutex::new(conn),
            reader: None,
            _checkpointer: None,
        };
        store.migrate()?;
        if path != ":memory:" {
            let reader = Connection::open(path).map_err(db)?;
            reader
                .busy_timeout(std::time::Duration::from_secs(5))
                .map_err(db)?;
            store.reader = Some(Mutex::new(reader));
            store._checkpointer = Some(Checkpointer::start(path)?);
        }
        Ok(store)
    }

    /// Brings the schema up to date. Foreign keys are off meanwhile, because a
    /// migration may rebuild a table others refer to (SQLite's documented way to
    /// change a table); `foreign_key_check` then proves every reference still holds
    /// before the migration commits.
    fn migrate(&self) -> StoreResult<()> {
        let mut conn = self.conn.lock().expect("poisoned");
        conn.pragma_update(None, "foreign_keys", "OFF")
            .map_err(db)?;
        let migrated = Self::apply_migrations(&mut conn);
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        migrated
    }

    fn apply_migrations(conn: &mut Connection) -> StoreResult<()> {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(db)?;
        let version = usize::try_from(version)
            .map_err(|_| StoreError::Corrupt(format!("schema version {version}")))?;
        if version > MIGRATIONS.len() {
            return Err(StoreError::Database(format!(
                "the database has schema version {version}, newer than this build's {}",
                MIGRATIONS.len()
            )));
        }
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(version) {
            tx.execute_batch(migration).map_err(db)?;
            tx.pragma_update(None, "user_version", (index + 1) as i64)
                .map_err(db)?;
        }
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
            .optional()
            .map_err(db)?;
        if let Some(table) = broken {
            return Err(StoreError::Corrupt(format!(
                "a migration left a broken reference in {table}"
            )));
        }
        tx.commit().map_err(db)
    }

    /// `PRAGMA integrity_check` says "ok".
    pub fn integrity_ok(&self) -> StoreResult<bool> {
        let conn = self.conn.lock().expect("poisoned");
        let result: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(db)?;
        Ok(result == "ok")
    }

    /// Every way the money data could be wrong, as sentences; empty when sound.
    /// Checks SQLite's integrity, that each balance is the sum of its ledger, and
    /// that each play was debited once and refunded at most once, as its status says.
    pub fn audit(&self) -> StoreResult<Vec<String>> {
        let mut problems = Vec::new();
        if !self.integrity_ok()? {
            problems.push("PRAGMA integrity_check failed".to_owned());
        }
        let queries: &[(&str, &str)] = &[
            (
                "SELECT u.id FROM users u LEFT JOIN ledger l ON l.user_id = u.id
                 GROUP BY u.id HAVING u.balance != COALESCE(SUM(l.delta), 0)",
                "balance differs from the sum of its ledger",
            ),
            // The ledger has no index on transaction_id (the play path would pay for
            // it), so the checks count entries per transaction once, in one pass.
            (
                "SELECT t.id FROM transactions t
                 LEFT JOIN (SELECT transaction_id, COUNT(*) AS n FROM ledger
                            WHERE kind = 'play' GROUP BY transaction_id) d
                   ON d.transaction_id = t.id
                 WHERE t.status != 'rejected' AND COALESCE(d.n, 0) != 1",
                "accepted play not debited exactly once",
            ),
            (
                "SELECT t.id FROM transactions t
                 LEFT JOIN (SELECT transaction_id, COUNT(*) AS n FROM ledger
                            WHERE kind = 'refund' GROUP BY transaction_id) r
                   ON r.transaction_id = t.id
                 WHERE COALESCE(r.n, 0) != (t.status = 'refunded')",
                "refund entries do not match the status",
            ),
            (
                "SELECT DISTINCT t.id FROM ledger l JOIN transactions t ON t.id = l.transaction_id
                 WHERE t.status = 'rejected'",
                "rejected play has ledger entries",
            ),
        ];
        let conn = self.conn.lock().expect("poisoned");
        for (sql, problem) in queries {
            let mut statement = conn.prepare(sql).map_err(db)?;
            let ids = statement
                .query_map([], |row| row.get::<_, rusqlite::types::Value>(0))
                .map_err(db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db)?;
            for id in ids {
                problems.push(format!("{problem}: {id:?}"));
            }
        }
        Ok(problems)
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        let conn = self
            .reader
            .as_ref()
            .unwrap_or(&self.conn)
            .lock()
            .expect("poisoned");
        f(&conn).map_err(db)
    }

    /// Runs `f` in one IMMEDIATE transaction (the write lock is taken up front, so
    /// the checks `f` makes still hold when it writes). Any error rolls back.
    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut conn = self.conn.lock().expect("poisoned");
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let value = f(&tx)?;
        tx.commit().map_err(db)?;
        Ok(value)
    }
}

/// Adds `delta` to the balance and appends the matching ledger entry; the CHECK
/// constraints refuse a negative balance, rolling the whole transaction back.
#[allow(clippy::too_many_arguments)]
fn post_ledger(
    tx: &rusqlite::Transaction<'_>,
    user: UserId,
    kind: HistoryKind,
    delta: i64,
    label: Option<&str>,
    transaction_id: Option<TransactionId>,
    top_up_id: Option<&str>,
    now: UnixMillis,
) -> StoreResult<Points> {
    let balance_after: i64 = tx
        .prepare_cached("UPDATE users SET balance = balance + ?1 WHERE id = ?2 RETURNING balance")
        .map_err(db)?
        .query_row(params![delta, user.0 as i64], |row| row.get(0))
        .map_err(db)?;
    let entry = LedgerEntry {
        user,
        kind,
        delta,
        balance_after,
        label,
        transaction_id: transaction_id.map(|t| t.to_string()),
        top_up_id,
        now,
    };
    append_ledger(tx, &entry)?;
    Ok(Points(balance_after as u64))
}

/// One ledger row, written after its balance change.
struct LedgerEntry<'a> {
    user: UserId,
    kind: HistoryKind,
    delta: i64,
    balance_after: i64,
    label: Option<&'a str>,
    transaction_id: Option<String>,
    top_up_id: Option<&'a str>,
    now: UnixMillis,
}

fn append_ledger(tx: &rusqlite::Transaction<'_>, entry: &LedgerEntry<'_>) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO ledger (user_id, kind, delta, balance_after, label, transaction_id, top_up_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .map_err(db)?
    .execute(params![
        entry.user.0 as i64,
        kind_str(entry.kind),
        entry.delta,
        entry.balance_after,
        entry.label,
        entry.transaction_id,
        entry.top_up_id,
        entry.now
    ])
    .map_err(db)?;
    Ok(())
}

fn kind_str(kind: HistoryKind) -> &'static str {
    match kind {
        HistoryKind::Play => "play",
        HistoryKind::Refund => "refund",
        HistoryKind::TopUp => "top_up",
    }
}

fn parse_kind(text: &str) -> Option<HistoryKind> {
    match text {
        "play" => Some(HistoryKind::Play),
        "refund" => Some(HistoryKind::Refund),
        "top_up" => Some(HistoryKind::TopUp),
        _ => None,
    }
}

fn refund(
    tx: &rusqlite::Transaction<'_>,
    id: TransactionId,
    user: UserId,
    points: i64,
    reason: RefundReason,
    now: UnixMillis,
) -> StoreResult<()> {
    let changed = tx
        .prepare_cached(
            "UPDATE transactions SET status = 'refunded', refund_reason = ?1, updated_at = ?2
             WHERE id = ?3 AND status = 'pending'",
        )
        .map_err(db)?
        .execute(params![reason.as_str(), now, id.to_string()])
        .map_err(db)?;
    if changed != 1 {
        return Err(StoreError::Corrupt(format!("{id} was not pending")));
    }
    post_ledger(
        tx,
        user,
        HistoryKind::Refund,
        points,
        None,
        Some(id),
        None,
        now,
    )?;
    Ok(())
}

fn decision_text(decision: OutcomeDecision) -> String {
    match decision {
        OutcomeDecision::Settled(status) => format!("settled:{}", status.as_str()),
        OutcomeDecision::Conflict(status) => format!("conflict:{}", status.as_str()),
        OutcomeDecision::NotFound => "not_found".into(),
        OutcomeDecision::NotYours => "not_yours".into(),
        // Never stored: a reused id records nothing.
        OutcomeDecision::EventIdReused => "event_id_reused".into(),
    }
}

fn parse_decision(text: &str) -> StoreResult<OutcomeDecision> {
    let status = |s: &str| {
        TransactionStatus::parse(s)
            .ok_or_else(|| StoreError::Corrupt(format!("bad decision {text}")))
    };
    match text.split_once(':') {
        Some(("settled", s)) => Ok(OutcomeDecision::Settled(status(s)?)),
        Some(("conflict", s)) => Ok(OutcomeDecision::Conflict(status(s)?)),
        _ if text == "not_found" => Ok(OutcomeDecision::NotFound),
        _ if text == "not_yours" => Ok(OutcomeDecision::NotYours),
        _ => Err(StoreError::Corrupt(format!("bad decision {text}"))),
    }
}

fn to_utc(millis: UnixMillis) -> chrono::DateTime<Utc> {
    Utc.timestamp_millis_opt(millis)
        .single()
        .unwrap_or_default()
}

fn outcome_str(outcome: DispenseOutcome) -> &'static str {
    match outcome {
        DispenseOutcome::Dispensed => "dispensed",
        DispenseOutcome::Failed => "failed",
    }
}

impl Store for SqliteStore {
    fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        now: UnixMillis,
    ) -> StoreResult<UserId> {
        self.write(|tx| {
            let exists: bool = tx
                .query_row(
                    "SELECT EXISTS(SELECT 1 FROM users WHERE username = ?1)",
                    [username],
                    |row| row.get(0),
                )
                .map_err(db)?;
            if exists {
                return Err(StoreError::Duplicate(format!("user {username}")));
            }
            tx.execute(
                "INSERT INTO users (username, password_hash, created_at) VALUES (?1, ?2, ?3)",
                params![username, password_hash, now],
            )
            .map_err(db)?;
            Ok(UserId(tx.last_insert_rowid() as u64))
        })
    }

    fn user_by_name(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT id, username, password_hash FROM users WHERE username = ?1",
                [username],
                |row| {
                    Ok(UserRecord {
                        id: UserId(row.get::<_, i64>(0)? as u64),
                        username: row.get(1)?,
                        password_hash: row.get(2)?,
                    })
                },
            )
            .optional()
        })
    }

    fn register_device(
        &self,
        user: UserId,
        name: &str,
        secret: &DeviceSecret,
        now: UnixMillis,
    ) -> StoreResult<DeviceId> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO devices (user_id, name, secret, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![user.0 as i64, name, secret.as_bytes().as_slice(), now],
            )
            .map_err(db)?;
            let id = u32::try_from(tx.last_insert_rowid())
                .map_err(|_| StoreError::Corrupt("device ids exhausted".into()))?;
            Ok(DeviceId(id))
        })
    }

    fn device(&self, id: DeviceId) -> StoreResult<Option<DeviceRecord>> {
        let row = self.read(|conn| {
            conn.prepare_cached("SELECT user_id, secret, revoked FROM devices WHERE id = ?1")?
                .query_row([id.0], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, Vec<u8>>(1)?,
                        row.get::<_, bool>(2)?,
                    ))
                })
                .optional()
        })?;
        row.map(|(user, secret, revoked)| {
            let secret: [u8; 32] = hash32(secret)?;
            Ok(DeviceRecord {
                id,
                user_id: UserId(user as u64),
                secret: DeviceSecret::from_bytes(secret),
                revoked,
            })
        })
        .transpose()
    }

    fn revoke_device(&self, id: DeviceId) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute("UPDATE devices SET revoked = 1 WHERE id = ?1", [id.0])
                .map_err(db)?;
            Ok(())
        })
    }

    fn create_session(
        &self,
        user: UserId,
        device: DeviceId,
        tokens: &TokenHashes,
        now: UnixMillis,
    ) -> StoreResult<i64> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (user_id, device_id, access_hash, access_expires_at,
                     refresh_hash, refresh_expires_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    user.0 as i64,
                    device.0,
                    tokens.access_hash.as_slice(),
                    tokens.access_expires_at,
                    tokens.refresh_hash.as_slice(),
                    tokens.refresh_expires_at,
                    now
                ],
            )
            .map_err(db)?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn session(&self, id: i64) -> StoreResult<Option<SessionRecord>> {
        let row = self.read(|conn| {
            conn.query_row(
                "SELECT user_id, device_id, access_hash, access_expires_at, refresh_hash,
                        refresh_expires_at, revoked_at IS NOT NULL
                 FROM sessions WHERE id = ?1",
                [id],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, u32>(1)?,
                        row.get::<_, Vec<u8>>(2)?,
                        row.get::<_, i64>(3)?,
                        row.get::<_, Vec<u8>>(4)?,
                        row.get::<_, i64>(5)?,
                        row.get::<_, bool>(6)?,
                    ))
                },
            )
            .optional()
        })?;
        row.map(
            |(user, device, access, access_exp, refresh, refresh_exp, revoked)| {
                Ok(SessionRecord {
                    id,
                    user_id: UserId(user as u64),
                    device_id: DeviceId(device),
                    tokens: TokenHashes {
                        access_hash: hash32(access)?,
                        access_expires_at: access_exp,
                        refresh_hash: hash32(refresh)?,
                        refresh_expires_at: refresh_exp,
                    },
                    revoked,
                })
            },
        )
        .transpose()
    }

    fn rotate_session(
        &self,
        id: i64,
        expected_refresh: &[u8; 32],
        next: &TokenHashes,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE sessions SET access_hash = ?1, access_expires_at = ?2,
                         refresh_hash = ?3, refresh_expires_at = ?4
                     WHERE id = ?5 AND refresh_hash = ?6 AND revoked_at IS NULL",
                    params![
                        next.access_hash.as_slice(),
                        next.access_expires_at,
                        next.refresh_hash.as_slice(),
                        next.refresh_expires_at,
                        id,
                        expected_refresh.as_slice()
                    ],
                )
                .map_err(db)?;
            Ok(changed == 1)
        })
    }

    fn revoke_session(&self, id: i64, now: UnixMillis) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE sessions SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                params![now, id],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn upsert_machine(
        &self,
        id: &MachineId,
        name: &str,
        api_key_hash: &[u8; 32],
        webhook_secret: &WebhookSecret,
    ) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO machines (id, name, api_key_hash, webhook_secret) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                     api_key_hash = excluded.api_key_hash,
                     webhook_secret = excluded.webhook_secret, revoked = 0,
                     previous_webhook_secret = NULL, previous_valid_until = NULL",
                params![id.0, name, api_key_hash.as_slice(), webhook_secret.to_text()],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn machine(&self, id: &MachineId) -> StoreResult<Option<MachineRecord>> {
        let row = self.read(|conn| {
            conn.prepare_cached(
                "SELECT name, api_key_hash, webhook_secret, revoked, previous_webhook_secret,
                        previous_valid_until
                 FROM machines WHERE id = ?1",
            )?
            .query_row([&id.0], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, Vec<u8>>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, bool>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, Option<i64>>(5)?,
                ))
            })
            .optional()
        })?;
        row.map(|(name, key_hash, secret, revoked, previous, valid_until)| {
            let previous_webhook_secret = match (previous, valid_until) {
                (Some(text), Some(until)) => Some((
                    WebhookSecret::parse(&text)
                        .ok_or_else(|| StoreError::Corrupt("bad previous webhook secret".into()))?,
                    until,
                )),
                _ => None,
            };
            Ok(MachineRecord {
                previous_webhook_secret,
                id: id.clone(),
                name,
                api_key_hash: hash32(key_hash)?,
                webhook_secret: WebhookSecret::parse(&secret)
                    .ok_or_else(|| StoreError::Corrupt("bad webhook secret".into()))?,
                revoked,
            })
        })
        .transpose()
    }

    fn rotate_webhook_secret(
        &self,
        id: &MachineId,
        next: &WebhookSecret,
        previous_valid_until: UnixMillis,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE machines SET previous_webhook_secret = webhook_secret,
                         previous_valid_until = ?1, webhook_secret = ?2
                     WHERE id = ?3 AND revoked = 0",
                    params![previous_valid_until, next.to_text(), id.0],
                )
                .map_err(db)?;
            Ok(changed == 1)
        })
    }

    fn revoke_machine(&self, id: &MachineId) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute("UPDATE machines SET revoked = 1 WHERE id = ?1", [&id.0])
                .map_err(db)?;
            Ok(())
        })
    }

    fn balance(&self, user: UserId) -> StoreResult<Points> {
        let balance: Option<i64> = self.read(|conn| {
            conn.query_row(
                "SELECT balance FROM users WHERE id = ?1",
                [user.0 as i64],
                |row| row.get(0),
            )
            .optional()
        })?;
        Ok(Points(balance.unwrap_or(0) as u64))
    }

    fn history(
        &self,
        user: UserId,
        limit: u32,
        before: Option<i64>,
    ) -> StoreResult<Vec<HistoryEntry>> {
        type Row = (
            i64,
            String,
            i64,
            i64,
            Option<String>,
            Option<String>,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT l.id, l.kind, l.delta, l.balance_after, l.label, l.transaction_id,
                        l.created_at, t.machine_id, m.name, t.status, t.refund_reason
                 FROM ledger l
                 LEFT JOIN transactions t ON t.id = l.transaction_id
                 LEFT JOIN machines m ON m.id = t.machine_id
                 WHERE l.user_id = ?1 AND l.id < ?2
                 ORDER BY l.id DESC LIMIT ?3",
            )?;
            let rows = statement.query_map(
                params![user.0 as i64, before.unwrap_or(i64::MAX), limit],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                        row.get(6)?,
                        row.get(7)?,
                        row.get(8)?,
                        row.get(9)?,
                        row.get(10)?,
                    ))
                },
            )?;
            rows.collect()
        })?;
        rows.into_iter()
            .map(
                |(
                    id,
                    kind,
                    delta,
                    after,
                    label,
                    txn,
                    at,
                    machine,
                    machine_name,
                    status,
                    reason,
                )| {
                    let kind = parse_kind(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("ledger kind {kind}")))?;
                    let refund_reason = reason.as_deref().and_then(RefundReason::parse);
                    let machine_label = machine_name.clone().unwrap_or_else(|| "a machine".into());
                    let label = match kind {
                        HistoryKind::Play => format!("Play at {machine_label}"),
                        HistoryKind::Refund => match refund_reason {
                            Some(RefundReason::NoOutcome) => {
                                format!("Refund: {machine_label} did not answer")
                            }
                            _ => format!("Refund: {machine_label} failed to dispense"),
                        },
                        HistoryKind::TopUp => label.unwrap_or_else(|| "Top-up".into()),
                    };
                    Ok(HistoryEntry {
                        id,
                        kind,
                        label,
                        delta,
                        balance_after: Points(after as u64),
                        at: to_utc(at),
                        transaction_id: txn.as_deref().and_then(|t| t.parse().ok()),
                        machine_id: machine.map(MachineId),
                        machine_name,
                        outcome: status.as_deref().and_then(TransactionStatus::parse),
                        refund_reason,
                    })
                },
            )
            .collect()
    }

    fn grant(
        &self,
        user: UserId,
        amount: Points,
        label: &str,
        now: UnixMillis,
    ) -> StoreResult<Points> {
        self.write(|tx| {
            post_ledger(
                tx,
                user,
                HistoryKind::TopUp,
                amount.0 as i64,
                Some(label),
                None,
                None,
                now,
            )
        })
    }

    fn play(&self, request: &PlayRequest) -> StoreResult<PlayDecision> {
        let decisions = self.write(|tx| plays::play_batch_in(tx, std::slice::from_ref(request)))?;
        decisions
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt("a play went undecided".into()))
    }

    fn play_batch(&self, requests: &[PlayRequest]) -> StoreResult<Vec<PlayDecision>> {
        // One transaction, one fsync, for the whole batch. Plays apply in order, so a
        // later play in the batch sees the earlier ones (a duplicate code is a replay
        // or already used; the balance goes down play by play).
        self.write(|tx| plays::play_batch_in(tx, requests))
    }

    fn report_outcome(&self, report: &OutcomeReport) -> StoreResult<OutcomeDecision> {
        self.write(|tx| {
            let txn_id = report.transaction_id.to_string();
            let earlier: Option<(String, String, String)> = tx
                .query_row(
                    "SELECT transaction_id, outcome, decision FROM webhook_events
                     WHERE machine_id = ?1 AND event_id = ?2",
                    [&report.machine_id.0, &report.event_id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()
                .map_err(db)?;
            if let Some((earlier_txn, earlier_outcome, decision)) = earlier {
                // The event id is the idempotency key: the first answer belongs to
                // the first report, so it is only ever given to that same report.
                if earlier_txn != txn_id || earlier_outcome != outcome_str(report.outcome) {
                    return Ok(OutcomeDecision::EventIdReused);
                }
                return parse_decision(&decision);
            }
            let Some((machine, user, points, status)) = tx
                .query_row(
                    "SELECT machine_id, user_id, points, status FROM transactions WHERE id = ?1",
                    [&txn_id],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, i64>(1)?,
                            row.get::<_, i64>(2)?,
                            row.get::<_, String>(3)?,
                        ))
                    },
                )
                .optional()
                .map_err(db)?
            else {
                return Ok(OutcomeDecision::NotFound);
            };
            if machine != report.machine_id.0 {
                return Ok(OutcomeDecision::NotYours);
            }
            let status = TransactionStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?;
            use DispenseOutcome::*;
            use TransactionStatus::*;
            let decision = match (status, report.outcome) {
                (Pending, Dispensed) => {
                    tx.execute(
                        "UPDATE transactions SET status = 'completed', detail = ?1, updated_at = ?2
                         WHERE id = ?3",
                        params![report.detail, report.now, txn_id],
                    )
                    .map_err(db)?;
                    OutcomeDecision::Settled(Completed)
                }
                (Pending, Failed) => {
                    refund(
                        tx,
                        report.transaction_id,
                        UserId(user as u64),
                        points,
                        RefundReason::DispenseFailed,
                        report.now,
                    )?;
                    tx.execute(
                        "UPDATE transactions SET detail = ?1 WHERE id = ?2",
                        params![report.detail, txn_id],
                    )
                    .map_err(db)?;
                    OutcomeDecision::Settled(Refunded)
                }
                (Completed, Dispensed) => OutcomeDecision::Settled(Completed),
                (Refunded, Failed) => OutcomeDecision::Settled(Refunded),
                (other, _) => OutcomeDecision::Conflict(other),
            };
            tx.execute(
                "INSERT INTO webhook_events (machine_id, event_id, transaction_id, outcome, decision, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    report.machine_id.0,
                    report.event_id,
                    txn_id,
                    outcome_str(report.outcome),
                    decision_text(decision),
                    report.now
                ],
            )
            .map_err(db)?;
            Ok(decision)
        })
    }

    fn refund_stale(&self, cutoff: UnixMillis, now: UnixMillis) -> StoreResult<Vec<TransactionId>> {
        self.write(|tx| {
            let stale: Vec<(String, i64, i64)> = {
                let mut statement = tx
                    .prepare_cached(
                        "SELECT id, user_id, points FROM transactions
                         WHERE status = 'pending' AND created_at <= ?1",
                    )
                    .map_err(db)?;
                let rows = statement
                    .query_map([cutoff], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                    .map_err(db)?;
                rows.collect::<rusqlite::Result<_>>().map_err(db)?
            };
            let mut refunded = Vec::with_capacity(stale.len());
            for (id, user, points) in stale {
                let id: TransactionId = id
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("transaction id {id}")))?;
                refund(
                    tx,
                    id,
                    UserId(user as u64),
                    points,
                    RefundReason::NoOutcome,
                    now,
                )?;
                refunded.push(id);
            }
            Ok(refunded)
        })
    }

    fn transaction(&self, id: TransactionId) -> StoreResult<Option<TransactionRecord>> {
        let row = self.read(|conn| {
            conn.query_row(
                "SELECT t.user_id, t.machine_id, m.name, t.points, t.status, t.rejection,
                        t.refund_reason, t.updated_at
                 FROM transactions t JOIN machines m ON m.id = t.machine_id
                 WHERE t.id = ?1",
                [id.to_string()],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, i64>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, Option<String>>(5)?,
                        row.get::<_, Option<String>>(6)?,
                        row.get::<_, i64>(7)?,
                    ))
                },
            )
            .optional()
        })?;
        row.map(
            |(user, machine, machine_name, points, status, rejection, reason, updated)| {
                Ok(TransactionRecord {
                    id,
                    user_id: UserId(user as u64),
                    machine_id: MachineId(machine),
                    machine_name,
                    points: Points(points as u64),
                    status: TransactionStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
                    rejection: rejection.as_deref().map(ErrorCode::parse),
                    refund_reason: reason.as_deref().and_then(RefundReason::parse),
                    updated_at: updated,
                })
            },
        )
        .transpose()
    }

    fn top_up_answer(&self, user: UserId, key: &str) -> StoreResult<Option<StoredTopUp>> {
        let row = self.read(|conn| {
            conn.query_row(
                "SELECT request_hash, answer FROM top_ups WHERE user_id = ?1 AND idempotency_key = ?2",
                params![user.0 as i64, key],
                |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()
        })?;
        row.map(|(hash, answer)| decode_top_up(hash, &answer))
            .transpose()
    }

    fn record_top_up(
        &self,
        user: UserId,
        key: &str,
        request_hash: &[u8; 32],
        answer: Result<(String, Points), ErrorBody>,
        now: UnixMillis,
    ) -> StoreResult<StoredTopUp> {
        self.write(|tx| {
            let earlier: Option<(Vec<u8>, String)> = tx
                .query_row(
                    "SELECT request_hash, answer FROM top_ups WHERE user_id = ?1 AND idempotency_key = ?2",
                    params![user.0 as i64, key],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .map_err(db)?;
            if let Some((hash, answer)) = earlier {
                return decode_top_up(hash, &answer);
            }
            let answer = match answer {
                Ok((top_up_id, amount)) => {
                    let balance = post_ledger(
                        tx,
                        user,
                        HistoryKind::TopUp,
                        amount.0 as i64,
                        Some("Top-up by card"),
                        None,
                        Some(&top_up_id),
                        now,
                    )?;
                    Ok(TopUpResponse {
                        top_up_id,
                        amount,
                        balance,
                    })
                }
                Err(body) => Err(body),
            };
            let json = match &answer {
                Ok(response) => serde_json::json!({ "ok": response }),
                Err(body) => serde_json::json!({ "err": body }),
            };
            tx.execute(
                "INSERT INTO top_ups (user_id, idempotency_key, request_hash, answer, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![user.0 as i64, key, request_hash.as_slice(), json.to_string(), now],
            )
            .map_err(db)?;
            Ok(StoredTopUp {
                request_hash: *request_hash,
                answer,
            })
        })
    }
}

fn decode_top_up(hash: Vec<u8>, answer: &str) -> StoreResult<StoredTopUp> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Stored {
        Ok(TopUpResponse),
        Err(ErrorBody),
    }
    let stored: Stored = serde_json::from_str(answer)
        .map_err(|e| StoreError::Corrupt(format!("stored top-up answer: {e}")))?;
    Ok(StoredTopUp {
        request_hash: hash32(hash)?,
        answer: match stored {
            Stored::Ok(response) => Ok(response),
            Stored::Err(body) => Err(body),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(store.balance(ann).unwrap(), Points(90));
        let history: Vec<_> = store
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
        let status = |id| store.transaction(id).unwrap().map(|t| t.status);
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
        assert_eq!(store.play(&play).unwrap(), PlayDecision::AlreadyUsed);
        let twice = store
            .write(|tx| post_ledger(tx, ann, HistoryKind::TopUp, 5, None, None, Some("tu_1"), 8));
        assert!(matches!(twice, Err(StoreError::Database(_))), "{twice:?}");
        let greedy = PlayRequest {
            transaction_id: TransactionId::new_random(),
            points: Points(91),
            ..play.clone()
        };
        assert_eq!(
            store.play(&greedy).unwrap(),
            PlayDecision::Rejected(ErrorCode::InsufficientPoints)
        );
        let fresh = PlayRequest {
            transaction_id: TransactionId::new_random(),
            machine_id: MachineId("m_a".into()),
            points: Points(90),
            ..play
        };
        assert_eq!(store.play(&fresh).unwrap(), PlayDecision::Accepted);
        assert_eq!(store.balance(ann).unwrap(), Points(0));
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
            matches!(&unknown_status, Err(StoreError::Database(m)) if m.contains("CHECK")),
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
            matches!(&unknown_kind, Err(StoreError::Database(m)) if m.contains("CHECK")),
            "{unknown_kind:?}"
        );
        assert_eq!(store.balance(ann).unwrap(), Points(0));
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
    /// of the list for every row it checks (about 3 µs a row). Writes that set a
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
}
