//! Machines and devices in memory, for `CachedStore`. A record is kept only if no
//! write has forgotten anything since it was read, so a read that raced a revocation
//! never puts the old record back; and it is kept for [`KEPT_FOR`] at most, so a
//! change another instance made to the shared database is seen within that.

use super::{DeviceRecord, MachineRecord};
use gashapay_core::{DeviceId, MachineId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The longest a record is used from memory: how long a machine revoked (or a key
/// rotated, a device revoked) on one instance may still be taken by another.
pub const KEPT_FOR: Duration = Duration::from_secs(5);

pub struct RecordsCache {
    inner: RwLock<Records>,
    kept_for: Duration,
}

impl Default for RecordsCache {
    fn default() -> Self {
        Self::keeping_for(KEPT_FOR)
    }
}

/// A record, and when it was read from the store.
struct Kept<T> {
    record: Arc<T>,
    read_at: Instant,
}

#[derive(Default)]
struct Records {
    machines: HashMap<MachineId, Kept<MachineRecord>>,
    devices: HashMap<DeviceId, Kept<DeviceRecord>>,
    /// Counts every forget; a read remembers it before going to the store.
    generation: u64,
}

impl RecordsCache {
    pub fn keeping_for(kept_for: Duration) -> Self {
        Self {
            inner: RwLock::default(),
            kept_for,
        }
    }

    fn fresh<T>(&self, kept: Option<&Kept<T>>) -> Option<Arc<T>> {
        kept.filter(|kept| kept.read_at.elapsed() < self.kept_for)
            .map(|kept| kept.record.clone())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Records> {
        self.inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Records> {
        self.inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// To pass to `keep_*` after reading the store.
    pub fn generation(&self) -> u64 {
        self.read().generation
    }

    pub fn machine(&self, id: &MachineId) -> Option<Arc<MachineRecord>> {
        self.fresh(self.read().machines.get(id))
    }

    pub fn device(&self, id: DeviceId) -> Option<Arc<DeviceRecord>> {
        self.fresh(self.read().devices.get(&id))
    }

    /// Keeps `record` if nothing was forgotten since `generation`; returns it shared.
    pub fn keep_machine(&self, generation: u64, record: MachineRecord) -> Arc<MachineRecord> {
        let record = Arc::new(record);
        let mut records = self.write();
        if records.generation == generation {
            let kept = Kept {
                record: record.clone(),
                read_at: Instant::now(),
            };
            records.machines.insert(record.id.clone(), kept);
        }
        record
    }

    pub fn keep_device(&self, generation: u64, record: DeviceRecord) -> Arc<DeviceRecord> {
        let record = Arc::new(record);
        let mut records = self.write();
        if records.generation == generation {
            let kept = Kept {
                record: record.clone(),
                read_at: Instant::now(),
            };
            records.devices.insert(record.id, kept);
        }
        record
    }

    pub fn forget_machine(&self, id: &MachineId) {
        let mut records = self.write();
        records.machines.remove(id);
        records.generation += 1;
    }

    pub fn forget_device(&self, id: DeviceId) {
        let mut records = self.write();
        records.devices.remove(&id);
        records.generation += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gashapay_core::qr::DeviceSecret;
    use gashapay_core::UserId;

    fn device() -> DeviceRecord {
        DeviceRecord {
            id: DeviceId(7),
            user_id: UserId(1),
            secret: DeviceSecret::from_bytes([3; 32]),
            revoked: false,
        }
    }

    #[test]
    fn a_record_is_used_from_memory_only_while_it_is_fresh() {
        let lasting = RecordsCache::keeping_for(Duration::from_secs(60));
        lasting.keep_device(lasting.generation(), device());
        assert!(lasting.device(DeviceId(7)).is_some());
        // Past its time a record is read again, so another instance's revocation shows.
        let fleeting = RecordsCache::keeping_for(Duration::ZERO);
        fleeting.keep_device(fleeting.generation(), device());
        assert!(fleeting.device(DeviceId(7)).is_none());
    }

    #[test]
    fn a_read_that_raced_a_forget_is_not_kept() {
        let cache = RecordsCache::default();
        let generation = cache.generation();
        cache.forget_device(DeviceId(7));
        cache.keep_device(generation, device());
        assert!(cache.device(DeviceId(7)).is_none());
    }
}
