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
mod tests;

use super::*;
use checkpointer::Checkpointer;
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

fn hash32(bytes: Vec<u8>) -> StoreResult<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt("a stored hash is not 32 bytes".into()))
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

impl Store for SqliteStore {
    fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        now: UnixMillis,
    ) -> StoreResult<UserId> {
        accounts::create_user(self, username, password_hash, now)
    }

    fn user_by_name(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        accounts::user_by_name(self, username)
    }

    fn register_device(
        &self,
        user: UserId,
        name: &str,
        secret: &DeviceSecret,
        now: UnixMillis,
    ) -> StoreResult<DeviceId> {
        devices::register_device(self, user, name, secret, now)
    }

    fn device(&self, id: DeviceId) -> StoreResult<Option<DeviceRecord>> {
        devices::device(self, id)
    }

    fn revoke_device(&self, id: DeviceId, now: UnixMillis) -> StoreResult<bool> {
        devices::revoke_device(self, id, now)
    }

    fn create_session(
        &self,
        user: UserId,
        device: DeviceId,
        tokens: &TokenHashes,
        now: UnixMillis,
    ) -> StoreResult<i64> {
        accounts::create_session(self, user, device, tokens, now)
    }

    fn session(&self, id: i64) -> StoreResult<Option<SessionRecord>> {
        accounts::session(self, id)
    }

    fn rotate_session(
        &self,
        id: i64,
        expected_refresh: &[u8; 32],
        next: &TokenHashes,
    ) -> StoreResult<bool> {
        accounts::rotate_session(self, id, expected_refresh, next)
    }

    fn revoke_session(&self, id: i64, now: UnixMillis) -> StoreResult<()> {
        accounts::revoke_session(self, id, now)
    }

    fn upsert_machine(
        &self,
        id: &MachineId,
        name: &str,
        kind: MachineKind,
        api_key_hash: &[u8; 32],
        webhook_secret: &WebhookSecret,
    ) -> StoreResult<()> {
        machines::upsert_machine(self, id, name, kind, api_key_hash, webhook_secret)
    }

    fn machine(&self, id: &MachineId) -> StoreResult<Option<MachineRecord>> {
        machines::machine(self, id)
    }

    fn rotate_webhook_secret(
        &self,
        id: &MachineId,
        next: &WebhookSecret,
        previous_valid_until: UnixMillis,
    ) -> StoreResult<bool> {
        machines::rotate_webhook_secret(self, id, next, previous_valid_until)
    }

    fn revoke_machine(&self, id: &MachineId) -> StoreResult<bool> {
        machines::revoke_machine(self, id)
    }

    fn create_machine(&self, machine: &NewMachineRecord) -> StoreResult<()> {
        machines::create_machine(self, machine)
    }

    fn machines(&self) -> StoreResult<Vec<MachineRecord>> {
        machines::machines(self)
    }

    fn rotate_api_key(&self, id: &MachineId, api_key_hash: &[u8; 32]) -> StoreResult<bool> {
        machines::rotate_api_key(self, id, api_key_hash)
    }

    fn operator_key_hash(&self) -> StoreResult<Option<[u8; 32]>> {
        operators::key_hash(self)
    }

    fn users(&self) -> StoreResult<Vec<UserSummary>> {
        accounts::users(self, None)
    }

    fn user(&self, id: UserId) -> StoreResult<Option<UserSummary>> {
        Ok(accounts::users(self, Some(id))?.pop())
    }

    fn set_user_banned(&self, id: UserId, banned: bool, now: UnixMillis) -> StoreResult<bool> {
        accounts::set_banned(self, id, banned, now)
    }

    fn devices_of(&self, user: UserId) -> StoreResult<Vec<DeviceSummary>> {
        devices::devices_of(self, user)
    }

    fn set_operator_key_hash(&self, hash: &[u8; 32], now: UnixMillis) -> StoreResult<()> {
        operators::set_key_hash(self, hash, now)
    }

    fn record_operator_action(
        &self,
        action: &str,
        subject: &str,
        now: UnixMillis,
    ) -> StoreResult<()> {
        operators::record_action(self, action, subject, now)
    }

    fn operator_actions(&self, limit: u32) -> StoreResult<Vec<OperatorAction>> {
        operators::actions(self, limit)
    }

    fn balance(&self, user: UserId) -> StoreResult<Points> {
        ledger::balance(self, user)
    }

    fn history(
        &self,
        user: UserId,
        limit: u32,
        before: Option<i64>,
    ) -> StoreResult<Vec<HistoryRecord>> {
        ledger::history(self, user, limit, before)
    }

    fn grant(
        &self,
        user: UserId,
        amount: Points,
        label: &str,
        now: UnixMillis,
    ) -> StoreResult<Points> {
        ledger::grant(self, user, amount, label, now)
    }

    fn play(&self, request: &PlayRequest) -> StoreResult<PlayDecision> {
        plays::play(self, request)
    }

    fn play_batch(&self, requests: &[PlayRequest]) -> StoreResult<Vec<PlayDecision>> {
        plays::play_batch(self, requests)
    }

    fn report_outcome(&self, report: &OutcomeReport) -> StoreResult<OutcomeDecision> {
        outcomes::report_outcome(self, report)
    }

    fn refund_stale(&self, cutoff: UnixMillis, now: UnixMillis) -> StoreResult<Vec<TransactionId>> {
        outcomes::refund_stale(self, cutoff, now)
    }

    fn transaction(
        &self,
        id: TransactionId,
        asked_by: UserId,
    ) -> StoreResult<Option<TransactionRecord>> {
        outcomes::transaction(self, id, asked_by)
    }

    fn top_up_answer(&self, user: UserId, key: &str) -> StoreResult<Option<StoredTopUp>> {
        ledger::top_up_answer(self, user, key)
    }

    fn record_top_up(
        &self,
        user: UserId,
        key: &str,
        request_hash: &[u8; 32],
        answer: Result<(String, Points), Refusal>,
        now: UnixMillis,
    ) -> StoreResult<StoredTopUp> {
        ledger::record_top_up(self, user, key, request_hash, answer, now)
    }
}

impl MachinePayStore for SqliteStore {
    fn create_machine_code(
        &self,
        id: &str,
        machine: &MachineId,
        now: UnixMillis,
    ) -> StoreResult<CodeChange> {
        machine_codes::create(self, id, machine, now)
    }

    fn machine_code(&self, id: &str) -> StoreResult<Option<MachineCodeRecord>> {
        machine_codes::get(self, id)
    }

    fn machine_codes(&self) -> StoreResult<Vec<MachineCodeRecord>> {
        machine_codes::all(self)
    }

    fn move_machine_code(
        &self,
        id: &str,
        machine: &MachineId,
        now: UnixMillis,
    ) -> StoreResult<CodeChange> {
        machine_codes::move_to(self, id, machine, now)
    }

    fn set_machine_code_active(
        &self,
        id: &str,
        active: bool,
        now: UnixMillis,
    ) -> StoreResult<CodeChange> {
        machine_codes::set_active(self, id, active, now)
    }

    fn open_session(&self, request: &OpenSessionRequest) -> StoreResult<OpenSessionDecision> {
        sessions::open(self, request)
    }

    fn machine_session(&self, id: uuid::Uuid) -> StoreResult<Option<MachineSessionRecord>> {
        sessions::get(self, id)
    }

    fn current_session(&self, machine: &MachineId) -> StoreResult<Option<MachineSessionRecord>> {
        sessions::current(self, machine)
    }

    fn open_sessions_of(&self, user: UserId) -> StoreResult<Vec<MachineSessionRecord>> {
        sessions::open_of(self, user)
    }

    fn record_purchase(&self, request: &PurchaseRequest) -> StoreResult<PurchaseDecision> {
        sessions::purchase(self, request)
    }

    fn end_session(
        &self,
        id: uuid::Uuid,
        ender: &SessionEnder,
        now: UnixMillis,
    ) -> StoreResult<Option<MachineSessionRecord>> {
        sessions::end(self, id, ender, now)
    }

    fn end_idle_sessions(
        &self,
        cutoff: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<Vec<uuid::Uuid>> {
        sessions::end_idle(self, cutoff, now)
    }

    fn pay_order(&self, request: &PayOrderRequest) -> StoreResult<PayOrderDecision> {
        orders::pay(self, request)
    }

    fn order(&self, machine: &MachineId, order_id: &str) -> StoreResult<Option<OrderRecord>> {
        orders::get(self, machine, order_id)
    }

    fn refund_stale_orders(
        &self,
        after: UnixMillis,
        cutoff: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<Vec<TransactionId>> {
        orders::refund_stale(self, after, cutoff, now)
    }

    fn sales(
        &self,
        machine: &MachineId,
        from: UnixMillis,
        to: UnixMillis,
    ) -> StoreResult<SalesRecord> {
        orders::sales(self, machine, from, to)
    }
}

impl RewardStore for SqliteStore {
    fn create_partner(&self, partner: &PartnerRecord, now: UnixMillis) -> StoreResult<bool> {
        partners::create(self, partner, now)
    }

    fn partner(&self, app_id: &str) -> StoreResult<Option<PartnerRecord>> {
        partners::get(self, app_id)
    }

    fn partners(&self) -> StoreResult<Vec<PartnerRecord>> {
        partners::all(self)
    }

    fn rotate_partner_secret(
        &self,
        app_id: &str,
        secret: &gashapay_core::reward_request::PartnerSecret,
        previous_until: UnixMillis,
    ) -> StoreResult<bool> {
        partners::rotate_secret(self, app_id, secret, previous_until)
    }

    fn revoke_partner(&self, app_id: &str) -> StoreResult<bool> {
        partners::revoke(self, app_id)
    }

    fn partner_given_on(&self, app_id: &str, day: u64) -> StoreResult<Points> {
        partners::given_on(self, app_id, day)
    }

    fn create_reward_codes(&self, request: &NewRewardCodes) -> StoreResult<NewCodesDecision> {
        rewards::create_codes(self, request)
    }

    fn reward_code(&self, id: &str) -> StoreResult<Option<RewardCodeRecord>> {
        rewards::get_code(self, id)
    }

    fn claim_reward(&self, request: &ClaimRequest) -> StoreResult<ClaimDecision> {
        rewards::claim(self, request)
    }

    fn end_reward_by_token(
        &self,
        app_id: &str,
        token: &str,
        now: UnixMillis,
    ) -> StoreResult<TokenEndDecision> {
        rewards::end_by_token(self, app_id, token, now)
    }

    fn reward_session(&self, id: u64) -> StoreResult<Option<RewardSessionRecord>> {
        rewards::get_session(self, id)
    }

    fn open_reward_sessions_of(&self, user: UserId) -> StoreResult<Vec<RewardSessionRecord>> {
        rewards::open_sessions_of(self, user)
    }
}
