//! The open connections: a fixed number of slots, and for each connection whether a
//! request is in flight and when it last did something. When every slot is taken,
//! the connection that has been idle longest (no request in flight: a silent client,
//! one still trickling its headers, or a kept-alive one nobody uses) is closed to make
//! room, so idle clients can never lock out a client that has something to ask.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// How long a new connection waits for an evicted one to give up its slot before
/// looking for another to evict (the first may have started a request meanwhile).
const EVICTION_WAIT: Duration = Duration::from_millis(100);

pub struct Connections {
    slots: Arc<Semaphore>,
    capacity: u32,
    open: Mutex<HashMap<u64, Arc<Connection>>>,
    next_id: AtomicU64,
    epoch: Instant,
    evictions: AtomicU64,
}

/// One open connection's activity, shared by its task and the registry.
pub struct Connection {
    in_flight: AtomicU32,
    /// Milliseconds since the registry's epoch when a request last started or ended
    /// (or the connection opened).
    last_active_ms: AtomicU64,
    evicting: AtomicBool,
    evict: Notify,
    epoch: Instant,
}

impl Connections {
    pub fn new(capacity: usize) -> Arc<Self> {
        let capacity = u32::try_from(capacity.max(1)).unwrap_or(u32::MAX >> 3);
        Arc::new(Self {
            slots: Arc::new(Semaphore::new(capacity as usize)),
            capacity,
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            epoch: Instant::now(),
            evictions: AtomicU64::new(0),
        })
    }

    pub fn capacity(&self) -> usize {
        self.capacity as usize
    }

    /// How many connections are open now.
    pub fn open(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// How many idle connections were closed to make room so far.
    pub fn evictions(&self) -> u64 {
        self.evictions.load(Ordering::Relaxed)
    }

    /// A slot for a new connection. When none is free, the connection idle longest
    /// is asked to close and its slot is taken; when every connection is busy, this
    /// waits for one to finish (new clients wait in the listen backlog meanwhile).
    pub async fn admit(self: &Arc<Self>) -> Slot {
        loop {
            if let Ok(permit) = self.slots.clone().try_acquire_owned() {
                return self.register(permit);
            }
            self.evict_longest_idle();
            if let Ok(Ok(permit)) =
                tokio::time::timeout(EVICTION_WAIT, self.slots.clone().acquire_owned()).await
            {
                return self.register(permit);
            }
        }
    }

    /// Resolves once every connection has closed.
    pub async fn drained(&self) {
        let _ = self.slots.acquire_many(self.capacity).await;
    }

    fn register(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> Slot {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let connection = Arc::new(Connection {
            in_flight: AtomicU32::new(0),
            last_active_ms: AtomicU64::new(0),
            evicting: AtomicBool::new(false),
            evict: Notify::new(),
            epoch: self.epoch,
        });
        connection.touch();
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id, connection.clone());
        Slot {
            id,
            connection,
            registry: self.clone(),
            _permit: permit,
        }
    }

    fn evict_longest_idle(&self) {
        let open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let candidate = open
            .values()
            .filter(|c| c.in_flight.load(Ordering::Acquire) == 0)
            .filter(|c| !c.evicting.load(Ordering::Acquire))
            .min_by_key(|c| c.last_active_ms.load(Ordering::Relaxed));
        if let Some(connection) = candidate {
            connection.evicting.store(true, Ordering::Release);
            // notify_one keeps the wake-up for a task not yet waiting.
            connection.evict.notify_one();
            self.evictions.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A connection's place in the registry; dropping it frees the slot.
pub struct Slot {
    id: u64,
    connection: Arc<Connection>,
    registry: Arc<Connections>,
    _permit: OwnedSemaphorePermit,
}

impl Slot {
    pub fn connection(&self) -> &Arc<Connection> {
        &self.connection
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.registry
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.id);
    }
}

impl Connection {
    fn touch(&self) {
        let now = self.epoch.elapsed().as_millis() as u64;
        self.last_active_ms.store(now, Ordering::Relaxed);
    }

    /// Marks a request in flight until the returned guard drops.
    pub fn request_started(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.touch();
        InFlight(self.clone())
    }

    /// Resolves when the registry asks this connection to make room and no request
    /// is in flight on it; a request that began in between keeps it open.
    pub async fn evicted(&self) {
        loop {
            self.evict.notified().await;
            if self.in_flight.load(Ordering::Acquire) == 0 {
                return;
            }
            self.evicting.store(false, Ordering::Release);
        }
    }
}

/// A request in flight on a connection.
pub struct InFlight(Arc<Connection>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_registry_evicts_the_connection_idle_longest_and_spares_busy_ones() {
        let registry = Connections::new(3);
        let busy = registry.admit().await;
        let _request = busy.connection().request_started();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let oldest_idle = registry.admit().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let newer_idle = registry.admit().await;
        assert_eq!(registry.open(), 3);

        let oldest = oldest_idle.connection().clone();
        let closer = tokio::spawn(async move {
            oldest.evicted().await;
            drop(oldest_idle);
        });
        let fourth = tokio::time::timeout(Duration::from_secs(2), registry.admit())
            .await
            .expect("the idle connection made room");
        closer.await.unwrap();
        assert_eq!(registry.open(), 3);
        assert_eq!(registry.evictions(), 1);
        drop((busy, newer_idle, fourth));
        assert_eq!(registry.open(), 0);
        tokio::time::timeout(Duration::from_secs(1), registry.drained())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn when_every_connection_is_busy_a_new_one_waits_for_a_slot() {
        let registry = Connections::new(1);
        let busy = registry.admit().await;
        let request = busy.connection().request_started();
        let waiting = tokio::time::timeout(Duration::from_millis(300), registry.admit()).await;
        assert!(waiting.is_err(), "a busy connection is never evicted");
        drop(request);
        drop(busy);
        tokio::time::timeout(Duration::from_secs(1), registry.admit())
            .await
            .expect("the freed slot is taken");
    }
}
