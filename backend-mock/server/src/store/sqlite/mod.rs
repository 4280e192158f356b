//! The SQLite store. One writing connection behind a mutex: SQLite has a single writer
//! anyway, and serialising here keeps every read-check-write sequence atomic. WAL mode
//! with `synchronous=FULL` means a committed deduction is on disk before the machine
//! is told "yes". Reads have a connection of their own, and a background thread
//! copies committed pages from the WAL into the database file (`checkpointer.rs`).
//!
//! One file a concern: accounts and sessions, devices, machines, the ledger and
//! history (with top-ups), plays, the recent transactions found by id, outcomes
//! (webhook reports, refunds, status), printed machine codes, pay-first sessions,
//! buy-first orders (and sales), the audit; the schema is the numbered files in
//! `migrations/`.

mod accounts;
mod audit;
mod checkpointer;
mod devices;
mod ledger;
mod machine_codes;
mod machines;
mod operators;
mod orders;
mod outcomes;
mod owner_only;
mod partners;
mod plays;
mod recent;
mod rewards;
mod sessions;
#[cfg(test)]
mod suite;
#[cfg(test)]
mod tests;

use super::*;
use checkpointer::Checkpointer;
use gashapay_core::ids::{DeviceId, MachineId, Points, TransactionId, UserId};
use gashapay_core::qr::DeviceSecret;
use gashapay_core::status::{RefundReason, TransactionStatus};
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::ErrorCode;
use recent::{RecentTransactions, Written};
pub use recent::{CODE_FUTURE, CODE_PAST, REMEMBERED};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Each entry moves the schema from version N to N + 1 (`PRAGMA user_version`).
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_webhook_secret_rotation.sql"),
    include_str!("migrations/0003_fewer_btrees.sql"),
    include_str!("migrations/0004_checks_spelled_with_or.sql"),
    include_str!("migrations/0005_operators.sql"),
    include_str!("migrations/0006_banned_users.sql"),
    include_str!("migrations/0007_machine_shown_codes.sql"),
    include_str!("migrations/0008_rewards.sql"),
    include_str!("migrations/0009_history_chain.sql"),
    include_str!("migrations/0010_transactions_in_commit_order.sql"),
    include_str!("migrations/0011_machine_kinds.sql"),
];

/// The connection behind `conn`. A panic inside a store call unwinds through its
/// transaction, which rolls back, so the connection stays sound and a lock poisoned
/// by that panic is taken over.
fn connection(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(PoisonError::into_inner)
}

pub struct SqliteStore {
    /// The single writer (and the reader for `:memory:`, which cannot be shared).
    conn: Mutex<Connection>,
    /// Reads on their own connection: in WAL mode they see the last commit and never
    /// wait for the writer's fsync.
    reader: Option<Mutex<Connection>>,
    /// Copies committed pages from the WAL into the database file on its own thread.
    _checkpointer: Option<Checkpointer>,
    /// The ids of the last minutes' transactions. Taken only after `conn` when both
    /// are held.
    recent: Mutex<RecentTransactions>,
}

fn db(error: rusqlite::Error) -> StoreError {
    StoreError::Database(std::sync::Arc::new(error))
}

impl SqliteStore {
    /// The schema version this build migrates databases to.
    pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

    /// Opens (creating if needed) and migrates the database at `path`; `:memory:`
    /// gives a private in-memory database.
    pub fn open(path: &str) -> StoreResult<Self> {
        let conn = if path == ":memory:" {
            Connection::open_in_memory()
        } else {
            owner_only::restrict_database_files(std::path::Path::new(path)).map_err(|error| {
                StoreError::Unavailable(format!("cannot make {path} owner-only: {error}"))
            })?;
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
                return Err(StoreError::Unavailable(format!(
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
        // end, so a larger cache makes every such commit slower (docs/BENCHMARKS.md).
        // 8 MiB is 2,048 pages of 4 KiB.
        conn.pragma_update(None, "cache_size", -8192).map_err(db)?;
        // The play path keeps a few multi-row forms of its statements beside the rest.
        conn.set_prepared_statement_cache_capacity(64);
        let mut store = Self {
            conn: Mutex::new(conn),
            reader: None,
            _checkpointer: None,
            recent: Mutex::default(),
        };
        store.migrate()?;
        store.recent = Mutex::new(RecentTransactions::load(&connection(&store.conn)).map_err(db)?);
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
        let mut conn = connection(&self.conn);
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
            return Err(StoreError::Unavailable(format!(
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

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        let conn = self
            .reader
            .as_ref()
            .unwrap_or(&self.conn)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(&conn).map_err(db)
    }

    /// Runs `f` in one IMMEDIATE transaction (the write lock is taken up front, so
    /// the checks `f` makes still hold when it writes). Any error rolls back.
    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut conn = connection(&self.conn);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let value = f(&tx)?;
        tx.commit().map_err(db)?;
        Ok(value)
    }

    /// [`Self::write`] for calls that write transactions: `f` finds recent ones by id
    /// and lists the rows it writes, which are remembered as soon as they are
    /// committed, before the next write (a machine's report) can ask for them.
    fn write_transactions<T>(
        &self,
        f: impl FnOnce(
            &rusqlite::Transaction<'_>,
            &RecentTransactions,
            &mut Vec<Written>,
        ) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut conn = connection(&self.conn);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let mut written = Vec::new();
        let value = f(&tx, &self.recent(), &mut written)?;
        tx.commit().map_err(db)?;
        self.recent().remember(written);
        Ok(value)
    }

    fn recent(&self) -> MutexGuard<'_, RecentTransactions> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Each concern is implemented in its own file, on the one store.
impl Store for SqliteStore {
    fn accounts(&self) -> &dyn AccountStore {
        self
    }
    fn devices(&self) -> &dyn DeviceStore {
        self
    }
    fn machines(&self) -> &dyn MachineStore {
        self
    }
    fn operators(&self) -> &dyn OperatorStore {
        self
    }
    fn ledger(&self) -> &dyn LedgerStore {
        self
    }
    fn plays(&self) -> &dyn PlayStore {
        self
    }
    fn transactions(&self) -> &dyn TransactionStore {
        self
    }
    fn machine_codes(&self) -> &dyn MachineCodeStore {
        self
    }
    fn machine_sessions(&self) -> &dyn MachineSessionStore {
        self
    }
    fn orders(&self) -> &dyn OrderStore {
        self
    }
    fn partners(&self) -> &dyn PartnerStore {
        self
    }
    fn rewards(&self) -> &dyn RewardStore {
        self
    }
}
