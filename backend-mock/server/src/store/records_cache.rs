//! Machines and devices in memory, for `CachedStore`. A record is kept only if no
//! write has forgotten anything since it was read, so a read that raced a revocation
//! never puts the old record back.

use super::{DeviceRecord, MachineRecord};
use gashapay_core::{DeviceId, MachineId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

#[derive(Default)]
pub struct RecordsCache {
    inner: RwLock<Records>,
}

#[derive(Default)]
struct Records {
    machines: HashMap<MachineId, Arc<MachineRecord>>,
    devices: HashMap<DeviceId, Arc<DeviceRecord>>,
    /// Counts every forget; a read remembers it before going to the store.
    generation: u64,
}

impl RecordsCache {
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
        self.read().machines.get(id).cloned()
    }

    pub fn device(&self, id: DeviceId) -> Option<Arc<DeviceRecord>> {
        self.read().devices.get(&id).cloned()
    }

    /// Keeps `record` if nothing was forgotten since `generation`; returns it shared.
    pub fn keep_machine(&self, generation: u64, record: MachineRecord) -> Arc<MachineRecord> {
        let record = Arc::new(record);
        let mut records = self.write();
        if records.generation == generation {
            records.machines.insert(record.id.clone(), record.clone());
        }
        record
    }

    pub fn keep_device(&self, generation: u64, record: DeviceRecord) -> Arc<DeviceRecord> {
        let record = Arc::new(record);
        let mut records = self.write();
        if records.generation == generation {
            records.devices.insert(record.id, record.clone());
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
