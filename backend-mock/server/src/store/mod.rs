//! Storage behind traits by concern, so that a PostgreSQL implementation can sit
//! beside the SQLite one. An engine implements each concern's trait once and [`Store`]
//! hands out each concern; a wrapper (the cache) replaces only the concerns it
//! changes. Methods are synchronous (callers run them on the blocking pool) and each
//! money-moving method is one atomic database transaction: it either happens whole,
//! or not at all.

mod accounts;
pub mod cached;
mod devices;
mod ledger;
pub mod machine_pay;
mod machines;
mod operators;
mod plays;
pub mod postgres;
mod records_cache;
pub mod rewards;
pub mod sqlite;
#[cfg(test)]
pub mod suite;

pub use accounts::*;
pub use devices::*;
pub use ledger::*;
pub use machine_pay::*;
pub use machines::*;
pub use operators::*;
pub use plays::*;
pub use rewards::*;

/// Every concern of the store, each behind its own trait.
pub trait Store: Send + Sync + 'static {
    fn accounts(&self) -> &dyn AccountStore;
    fn devices(&self) -> &dyn DeviceStore;
    fn machines(&self) -> &dyn MachineStore;
    fn operators(&self) -> &dyn OperatorStore;
    fn ledger(&self) -> &dyn LedgerStore;
    fn plays(&self) -> &dyn PlayStore;
    fn transactions(&self) -> &dyn TransactionStore;
    fn machine_codes(&self) -> &dyn MachineCodeStore;
    fn machine_sessions(&self) -> &dyn MachineSessionStore;
    fn orders(&self) -> &dyn OrderStore;
    fn partners(&self) -> &dyn PartnerStore;
    fn rewards(&self) -> &dyn RewardStore;
    /// Whether other processes (backend instances) write to the same database: then
    /// a change is not always announced in this process, and waiting readers look
    /// again now and then.
    fn shared_with_other_instances(&self) -> bool {
        false
    }
}

/// Opens the store `db` names: a PostgreSQL URL (`postgres://…` or
/// `postgresql://…`), or else a SQLite file (`:memory:` for a throwaway database).
pub fn open(db: &str) -> StoreResult<Box<dyn Store>> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        Ok(Box::new(postgres::PostgresStore::open(db)?))
    } else {
        Ok(Box::new(sqlite::SqliteStore::open(db)?))
    }
}

/// `db` as it may be printed: a URL's password replaced by `…`.
pub fn shown(db: &str) -> String {
    let Some((scheme, rest)) = db.split_once("://") else {
        return db.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return db.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:…{}", &rest[at..]),
        None => db.to_owned(),
    }
}

/// What a store call failed with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The engine's own error, kept whole as the source (shared: a group commit hands
    /// one failure to every play in the batch).
    #[error("database error: {0}")]
    Database(#[source] EngineError),
    /// The store cannot be used as it is: its file, its schema, or a store call that
    /// panicked.
    #[error("the store cannot be used: {0}")]
    Unavailable(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("{0} already exists")]
    Duplicate(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An engine's error, as a store error's source.
pub type EngineError = std::sync::Arc<dyn std::error::Error + Send + Sync>;

/// Milliseconds since the Unix epoch; every stored time uses it.
pub use gashapay_core::clock::UnixMillis;

/// A stored hash or secret, which every engine keeps as 32 bytes.
fn hash32(bytes: Vec<u8>) -> StoreResult<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt("a stored hash is not 32 bytes".into()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_database_is_shown_without_its_password() {
        assert_eq!(
            super::shown("postgres://gasha:s3cret@db.example:5432/gashapay"),
            "postgres://gasha:…@db.example:5432/gashapay"
        );
        assert_eq!(
            super::shown("postgres://gasha@db/gashapay"),
            "postgres://gasha@db/gashapay"
        );
        assert_eq!(super::shown("gashapay.db"), "gashapay.db");
    }
}
