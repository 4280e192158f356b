//! Machines and devices in memory. Every validation needs both and they change
//! rarely, so reading them from the database each time would put two blocking reads
//! in front of the writer. Only this process changes them (through `admin`, which
//! calls `forget_*`); a second backend on the same database would not see those
//! changes until it restarts.

use crate::store::{DeviceRecord, MachineRecord};
use gashapay_core::{DeviceId, MachineId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

#[derive(Default)]
pub struct RecordsCache {
    machines: RwLock<HashMap<MachineId, Arc<MachineRecord>>>,
    devices: RwLock<HashMap<DeviceId, Arc<DeviceRecord>>>,
}

impl RecordsCache {
    pub fn machine(&self, id: &MachineId) -> Option<Arc<MachineRecord>> {
        self.machines.read().expect("poisoned").get(id).cloned()
    }
    pub fn keep_machine(&self, record: MachineRecord) -> Arc<MachineRecord> {
        let record = Arc::new(record);
        self.machines
            .write()
            .expect("poisoned")
            .insert(record.id.clone(), record.clone());
        record
    }
    pub fn forget_machine(&self, id: &MachineId) {
        self.machines.write().expect("poisoned").remove(id);
    }
    pub fn device(&self, id: DeviceId) -> Option<Arc<DeviceRecord>> {
        self.devices.read().expect("poisoned").get(&id).cloned()
    }
    pub fn keep_device(&self, record: DeviceRecord) -> Arc<DeviceRecord> {
        let record = Arc::new(record);
        self.devices
            .write()
            .expect("poisoned")
            .insert(record.id, record.clone());
        record
    }
    pub fn forget_device(&self, id: DeviceId) {
        self.devices.write().expect("poisoned").remove(&id);
    }
}
