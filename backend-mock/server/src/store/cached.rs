//! Any store, with machines and devices kept in memory (the other concerns are the
//! inner store's, untouched). Every validation needs both
//! and they change rarely, so reading them from the database each time would put two
//! blocking reads in front of the writer. Every write that changes a machine or a
//! device goes through here and forgets what was kept, so callers never clear the
//! cache themselves. Another instance's writes to a shared database are seen once the
//! kept record is older than `records_cache::KEPT_FOR`.

use super::records_cache::RecordsCache;
use super::*;
use gashapay_core::ids::{DeviceId, MachineId, UserId};
use gashapay_core::qr::DeviceSecret;
use gashapay_core::webhook::WebhookSecret;
use std::sync::Arc;

pub struct CachedStore {
    inner: Box<dyn Store>,
    records: RecordsCache,
}

impl CachedStore {
    pub fn new(inner: impl Store) -> Self {
        Self::over(Box::new(inner))
    }

    pub fn over(inner: Box<dyn Store>) -> Self {
        Self {
            inner,
            records: RecordsCache::default(),
        }
    }

    /// A kept machine, without touching the database (callers on the async runtime
    /// try this before going to the blocking pool).
    pub fn kept_machine(&self, id: &MachineId) -> Option<Arc<MachineRecord>> {
        self.records.machine(id)
    }

    pub fn kept_device(&self, id: DeviceId) -> Option<Arc<DeviceRecord>> {
        self.records.device(id)
    }

    /// A machine, kept from now on (blocking on a miss).
    pub fn machine_shared(&self, id: &MachineId) -> StoreResult<Option<Arc<MachineRecord>>> {
        if let Some(record) = self.records.machine(id) {
            return Ok(Some(record));
        }
        let generation = self.records.generation();
        let record = self.inner.machines().machine(id)?;
        Ok(record.map(|record| self.records.keep_machine(generation, record)))
    }

    /// A device, kept from now on (blocking on a miss).
    pub fn device_shared(&self, id: DeviceId) -> StoreResult<Option<Arc<DeviceRecord>>> {
        if let Some(record) = self.records.device(id) {
            return Ok(Some(record));
        }
        let generation = self.records.generation();
        let record = self.inner.devices().device(id)?;
        Ok(record.map(|record| self.records.keep_device(generation, record)))
    }
}

/// Machines and devices come from the cache; every other concern is the inner
/// store's own.
impl Store for CachedStore {
    fn accounts(&self) -> &dyn AccountStore {
        self.inner.accounts()
    }
    fn devices(&self) -> &dyn DeviceStore {
        self
    }
    fn machines(&self) -> &dyn MachineStore {
        self
    }
    fn operators(&self) -> &dyn OperatorStore {
        self.inner.operators()
    }
    fn ledger(&self) -> &dyn LedgerStore {
        self.inner.ledger()
    }
    fn plays(&self) -> &dyn PlayStore {
        self.inner.plays()
    }
    fn transactions(&self) -> &dyn TransactionStore {
        self.inner.transactions()
    }
    fn machine_codes(&self) -> &dyn MachineCodeStore {
        self.inner.machine_codes()
    }
    fn machine_sessions(&self) -> &dyn MachineSessionStore {
        self.inner.machine_sessions()
    }
    fn orders(&self) -> &dyn OrderStore {
        self.inner.orders()
    }
    fn partners(&self) -> &dyn PartnerStore {
        self.inner.partners()
    }
    fn rewards(&self) -> &dyn RewardStore {
        self.inner.rewards()
    }
    fn shared_with_other_instances(&self) -> bool {
        self.inner.shared_with_other_instances()
    }
}

/// Reads are kept; every write forgets the device it changed.
impl DeviceStore for CachedStore {
    fn register_device(
        &self,
        user: UserId,
        name: &str,
        secret: &DeviceSecret,
        now: UnixMillis,
    ) -> StoreResult<DeviceId> {
        self.inner
            .devices()
            .register_device(user, name, secret, now)
    }

    fn device(&self, id: DeviceId) -> StoreResult<Option<DeviceRecord>> {
        Ok(self.device_shared(id)?.map(|record| (*record).clone()))
    }

    fn devices_of(&self, user: UserId) -> StoreResult<Vec<DeviceSummary>> {
        self.inner.devices().devices_of(user)
    }

    fn revoke_device(&self, id: DeviceId, now: UnixMillis) -> StoreResult<bool> {
        let written = self.inner.devices().revoke_device(id, now);
        self.records.forget_device(id);
        written
    }
}

/// Reads are kept; every write forgets the machine it changed.
impl MachineStore for CachedStore {
    fn upsert_machine(
        &self,
        id: &MachineId,
        name: &str,
        kind: MachineKind,
        api_key_hash: &[u8; 32],
        webhook_secret: &WebhookSecret,
    ) -> StoreResult<()> {
        let written =
            self.inner
                .machines()
                .upsert_machine(id, name, kind, api_key_hash, webhook_secret);
        self.records.forget_machine(id);
        written
    }

    fn machine(&self, id: &MachineId) -> StoreResult<Option<MachineRecord>> {
        Ok(self.machine_shared(id)?.map(|record| (*record).clone()))
    }

    fn all(&self) -> StoreResult<Vec<MachineRecord>> {
        self.inner.machines().all()
    }

    fn create_machine(&self, machine: &NewMachineRecord) -> StoreResult<()> {
        let written = self.inner.machines().create_machine(machine);
        self.records.forget_machine(&machine.id);
        written
    }

    fn rotate_api_key(&self, id: &MachineId, api_key_hash: &[u8; 32]) -> StoreResult<bool> {
        let written = self.inner.machines().rotate_api_key(id, api_key_hash);
        self.records.forget_machine(id);
        written
    }

    fn rotate_webhook_secret(
        &self,
        id: &MachineId,
        next: &WebhookSecret,
        previous_valid_until: UnixMillis,
    ) -> StoreResult<bool> {
        let written = self
            .inner
            .machines()
            .rotate_webhook_secret(id, next, previous_valid_until);
        self.records.forget_machine(id);
        written
    }

    fn revoke_machine(&self, id: &MachineId) -> StoreResult<bool> {
        let written = self.inner.machines().revoke_machine(id);
        self.records.forget_machine(id);
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::create_player;
    use crate::store::sqlite::SqliteStore;

    fn store_with_machine() -> (CachedStore, MachineId) {
        let store = CachedStore::new(SqliteStore::open(":memory:").unwrap());
        let id = MachineId("m_1".into());
        store
            .upsert_machine(
                &id,
                "One",
                MachineKind::Dispenser,
                &[1; 32],
                &WebhookSecret::generate(),
            )
            .unwrap();
        (store, id)
    }

    #[test]
    fn a_machine_write_through_the_store_is_seen_by_the_next_read() {
        let (store, id) = store_with_machine();
        assert!(store.kept_machine(&id).is_none());
        let first = store.machine_shared(&id).unwrap().unwrap();
        assert!(
            store.kept_machine(&id).is_some(),
            "a read keeps the machine"
        );

        let next = WebhookSecret::generate();
        assert!(store.rotate_webhook_secret(&id, &next, 0).unwrap());
        let rotated = store.machine(&id).unwrap().unwrap();
        assert_eq!(rotated.webhook_secret, next);
        assert_ne!(rotated.webhook_secret, first.webhook_secret);

        store.revoke_machine(&id).unwrap();
        assert!(store.machine(&id).unwrap().unwrap().revoked);

        store
            .upsert_machine(
                &id,
                "Renamed",
                MachineKind::Dispenser,
                &[2; 32],
                &WebhookSecret::generate(),
            )
            .unwrap();
        let renewed = store.machine_shared(&id).unwrap().unwrap();
        assert_eq!((renewed.name.as_str(), renewed.revoked), ("Renamed", false));
    }

    #[test]
    fn a_device_revoked_through_the_store_is_seen_revoked() {
        let store = CachedStore::new(SqliteStore::open(":memory:").unwrap());
        let (_, device, _) = create_player(&store, "ada", gashapay_core::Points(5), 1).unwrap();
        assert!(!store.device_shared(device).unwrap().unwrap().revoked);
        store.revoke_device(device, 9).unwrap();
        assert!(store.kept_device(device).is_none());
        assert!(store.device(device).unwrap().unwrap().revoked);
    }

    #[test]
    fn a_read_that_raced_a_write_keeps_nothing() {
        let (store, id) = store_with_machine();
        // A read that began before the revocation...
        let generation = store.records.generation();
        let stale = store.inner.machines().machine(&id).unwrap().unwrap();
        store.revoke_machine(&id).unwrap();
        // ...and finishes after it: answered, but not kept.
        store.records.keep_machine(generation, stale);
        assert!(store.kept_machine(&id).is_none());
        assert!(store.machine(&id).unwrap().unwrap().revoked);
    }
}
