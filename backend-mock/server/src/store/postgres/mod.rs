//! The PostgreSQL store, for several backend instances on one database. Every rule
//! that keeps money right is the database's: a code's id is the transactions table's
//! primary key (one-time use), a balance has a `CHECK (balance >= 0)`, a refund is a
//! ledger row unique per play, and every write but the plays runs in a SERIALIZABLE
//! transaction, so a read-check-write on one instance cannot interleave with
//! another's. Plays come in batches at READ COMMITTED, decided on the players' rows
//! they lock (`plays.rs` says why). A write that PostgreSQL aborts for a
//! conflict (serialization failure, deadlock) is run again from the start, a bounded
//! number of times.
//!
//! One file a concern, as the SQLite store; the schema is the numbered files in
//! `migrations/`.

mod accounts;
mod audit;
mod devices;
mod ledger;
mod machine_codes;
mod machine_sessions;
mod machines;
mod operators;
mod orders;
mod partners;
mod plays;
mod rewards;
#[cfg(test)]
mod suite;
pub mod test_database;

use super::*;
use ::postgres::error::SqlState;
use ::postgres::{Client, IsolationLevel, NoTls, Transaction};
use gashapay_core::ids::{DeviceId, MachineId, Points, TransactionId, UserId};
use gashapay_core::qr::DeviceSecret;
use gashapay_core::status::{RefundReason, TransactionStatus};
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::ErrorCode;
use r2d2_postgres::PostgresConnectionManager;

/// Each entry moves the schema from version N to N + 1 (`schema_version`).
const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_initial.sql")];

/// How many times a write PostgreSQL aborted for a conflict is run again.
const RETRIES: u32 = 30;

/// Connections per instance: the writer, the sweeper, and the blocking pool's
/// requests share them.
const POOL_SIZE: u32 = 16;

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

pub struct PostgresStore {
    pool: Pool,
}

fn db(error: ::postgres::Error) -> StoreError {
    StoreError::Database(std::sync::Arc::new(error))
}

/// Whether PostgreSQL aborted a transaction that, run again, may succeed. A unique
/// violation is one: every write checks for the row first (or inserts with
/// `ON CONFLICT`), so a violation means a concurrent transaction wrote it after this
/// one looked, and run again this one finds it.
fn is_conflict(error: &::postgres::Error) -> bool {
    matches!(
        error.code(),
        Some(&SqlState::T_R_SERIALIZATION_FAILURE)
            | Some(&SqlState::T_R_DEADLOCK_DETECTED)
            | Some(&SqlState::UNIQUE_VIOLATION)
    )
}

/// A stored count or amount that must fit the type it is read as.
fn unsigned(value: i64, what: &str) -> StoreResult<u64> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} is {value}")))
}

/// What a write's closure fails with: the database's error (a conflict is retried),
/// or the store's own answer.
pub(super) enum WriteError {
    Database(::postgres::Error),
    Store(StoreError),
    /// Another transaction committed what this one had read as absent (said here):
    /// run again, this one reads it.
    Raced(&'static str),
}

impl From<::postgres::Error> for WriteError {
    fn from(error: ::postgres::Error) -> Self {
        Self::Database(error)
    }
}

impl From<StoreError> for WriteError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<WriteError> for StoreError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Database(error) => db(error),
            WriteError::Store(error) => error,
            WriteError::Raced(what) => {
                StoreError::Unavailable(format!("{what}, {RETRIES} times in a row"))
            }
        }
    }
}

type WriteResult<T> = Result<T, WriteError>;

impl PostgresStore {
    /// The schema version this build migrates databases to.
    pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

    /// Connects to the database at `url` (`postgres://…`) and migrates it.
    pub fn open(url: &str) -> StoreResult<Self> {
        let config: ::postgres::Config = url
            .parse()
            .map_err(|error| StoreError::Unavailable(format!("a bad PostgreSQL URL: {error}")))?;
        let manager = PostgresConnectionManager::new(config, NoTls);
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .connection_timeout(std::time::Duration::from_secs(10))
            .build(manager)
            .map_err(|error| {
                StoreError::Unavailable(format!("cannot connect to PostgreSQL: {error}"))
            })?;
        let store = Self { pool };
        store.migrate()?;
        Ok(store)
    }

    fn client(&self) -> StoreResult<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>> {
        self.pool
            .get()
            .map_err(|error| StoreError::Unavailable(format!("no PostgreSQL connection: {error}")))
    }

    /// Brings the schema up to date. Instances starting together take turns: the
    /// advisory lock is held for the migration's transaction.
    fn migrate(&self) -> StoreResult<()> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock(7162834)", &[])
            .map_err(db)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            .map_err(db)?;
        let version: Option<i64> = tx
            .query_opt("SELECT version FROM schema_version", &[])
            .map_err(db)?
            .map(|row| row.get(0));
        let version = usize::try_from(version.unwrap_or(0))
            .map_err(|_| StoreError::Corrupt(format!("schema version {version:?}")))?;
        if version > MIGRATIONS.len() {
            return Err(StoreError::Unavailable(format!(
                "the database has schema version {version}, newer than this build's {}",
                MIGRATIONS.len()
            )));
        }
        for migration in MIGRATIONS.iter().skip(version) {
            tx.batch_execute(migration).map_err(db)?;
        }
        tx.execute("DELETE FROM schema_version", &[]).map_err(db)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&(MIGRATIONS.len() as i64)],
        )
        .map_err(db)?;
        tx.commit().map_err(db)
    }

    /// Runs a read on a pooled connection (each statement sees the last commit).
    fn read<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, ::postgres::Error>,
    ) -> StoreResult<T> {
        let mut client = self.client()?;
        f(&mut client).map_err(db)
    }

    /// [`Self::read`] for reads that check what they read (a stored text that must
    /// parse, a row found by a first statement).
    fn read_checked<T>(&self, f: impl FnOnce(&mut Client) -> WriteResult<T>) -> StoreResult<T> {
        let mut client = self.client()?;
        f(&mut client).map_err(StoreError::from)
    }

    /// Runs `f` in one SERIALIZABLE transaction and commits; any error rolls back.
    /// A conflict runs `f` again from the start, so `f` changes nothing outside the
    /// database.
    fn write<T>(&self, f: impl FnMut(&mut Transaction<'_>) -> WriteResult<T>) -> StoreResult<T> {
        let mut client = self.client()?;
        write_on(&mut client, IsolationLevel::Serializable, f)
    }

    /// [`Self::write`] at READ COMMITTED: each statement sees the last commit and waits
    /// for the rows it locks, so contention queues instead of aborting. Only for
    /// writes that lock every row they decide on, or whose rule is a constraint (the
    /// plays).
    fn write_read_committed<T>(
        &self,
        f: impl FnMut(&mut Transaction<'_>) -> WriteResult<T>,
    ) -> StoreResult<T> {
        let mut client = self.client()?;
        write_on(&mut client, IsolationLevel::ReadCommitted, f)
    }

    /// [`Self::write`] taking turns with every other write for `key`, on any instance
    /// (a session-level advisory lock, held from before the transaction's snapshot to
    /// after its commit). For rows every such write reads and one of them changes,
    /// such as a partner's budget: run at once, nearly all of them would be aborted
    /// and run again.
    fn write_in_turn<T>(
        &self,
        key: &str,
        f: impl FnMut(&mut Transaction<'_>) -> WriteResult<T>,
    ) -> StoreResult<T> {
        let mut client = self.client()?;
        let key = lock_key(key);
        client
            .execute("SELECT pg_advisory_lock($1)", &[&key])
            .map_err(db)?;
        let written = write_on(&mut client, IsolationLevel::Serializable, f);
        let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&key]);
        let value = written?;
        unlocked.map_err(db)?;
        Ok(value)
    }
}

/// An advisory lock's number for `key`: the first 8 bytes of its SHA-256.
fn lock_key(key: &str) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(key.as_bytes());
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Runs `f` in one transaction at `level` on `client`, again after a conflict.
fn write_on<T>(
    client: &mut Client,
    level: IsolationLevel,
    mut f: impl FnMut(&mut Transaction<'_>) -> WriteResult<T>,
) -> StoreResult<T> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let outcome = (|| {
            let mut tx = client.build_transaction().isolation_level(level).start()?;
            let value = f(&mut tx)?;
            tx.commit()?;
            Ok(value)
        })();
        match outcome {
            Ok(value) => return Ok(value),
            Err(WriteError::Database(error)) if is_conflict(&error) && attempt < RETRIES => {
                back_off(attempt)
            }
            // What raced this transaction is committed by now (its statement waited
            // for it), so running again at once reads it.
            Err(WriteError::Raced(_)) if attempt < RETRIES => {}
            Err(error) => return Err(error.into()),
        }
    }
}

/// Waits a little before a transaction runs again, more each time, so the
/// conflicting writers do not meet again at once.
fn back_off(attempt: u32) {
    std::thread::sleep(std::time::Duration::from_millis(
        u64::from(attempt) * rand::Rng::gen_range(&mut rand::thread_rng(), 1..5),
    ));
}

/// Each concern is implemented in its own file, on the one store.
impl Store for PostgresStore {
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
    fn shared_with_other_instances(&self) -> bool {
        true
    }
}
