//! Shared state handed to every handler. Every request clones it (axum's `State`
//! extractor), so it is one `Arc`: one reference count to touch per request, not
//! one per service.

use crate::config::Settings;
use crate::notify::Changes;
use crate::payments::PaymentProvider;
use crate::store::cached::CachedStore;
use crate::store::{
    DeviceRecord, MachineRecord, PlayDecision, PlayRequest, Store, StoreError, StoreResult,
};
use crate::writer::{PlayQueue, WriterError};
use gashapay_core::clock::SharedClock;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What the handlers share; reached through [`AppState`].
pub struct Services {
    /// The store, with machines and devices kept in memory.
    pub store: Arc<CachedStore>,
    pub settings: Arc<Settings>,
    /// The time every expiry and time-out is measured by.
    pub clock: SharedClock,
    pub payments: Arc<dyn PaymentProvider>,
    /// Wakes long-polling status requests when any transaction changes.
    pub changes: Arc<Changes>,
    /// Serialises top-ups per user, so one idempotency key never charges twice.
    pub top_up_locks: Arc<crate::keyed_lock::KeyedLock<u64>>,
    /// The group-commit writer for validations; `None` commits each play alone.
    pub plays: Option<Arc<PlayQueue>>,
    /// Request budgets for sign-in and validate.
    pub limits: Arc<crate::budgets::RateLimits>,
}

impl AppState {
    pub fn new(
        store: Box<dyn Store>,
        settings: Settings,
        payments: Arc<dyn PaymentProvider>,
        clock: SharedClock,
    ) -> std::io::Result<Self> {
        let store = Arc::new(CachedStore::over(store));
        let plays = match settings.group_commit {
            true => Some(Arc::new(PlayQueue::start(store.clone())?)),
            false => None,
        };
        Ok(Self(Arc::new(Services {
            plays,
            limits: Arc::new(crate::budgets::RateLimits::new(
                settings.sign_in_limit,
                settings.validate_limit,
            )),
            store,
            settings: Arc::new(settings),
            clock,
            payments,
            changes: Arc::new(Changes::default()),
            top_up_locks: Arc::default(),
        })))
    }

    /// Applies a verified play: through the group-commit writer when there is one.
    pub async fn play(&self, request: PlayRequest) -> Result<PlayDecision, WriterError> {
        match &self.plays {
            Some(queue) => queue.play(request).await,
            None => Ok(self.db(move |store| store.plays().play(&request)).await?),
        }
    }

    /// A machine, from memory or (once) from the store.
    pub async fn machine(
        &self,
        id: &gashapay_core::MachineId,
    ) -> StoreResult<Option<Arc<MachineRecord>>> {
        if let Some(record) = self.store.kept_machine(id) {
            return Ok(Some(record));
        }
        let (store, id) = (self.store.clone(), id.clone());
        blocking(move || store.machine_shared(&id)).await
    }

    /// A device, from memory or (once) from the store.
    pub async fn device(
        &self,
        id: gashapay_core::DeviceId,
    ) -> StoreResult<Option<Arc<DeviceRecord>>> {
        if let Some(record) = self.store.kept_device(id) {
            return Ok(Some(record));
        }
        let store = self.store.clone();
        blocking(move || store.device_shared(id)).await
    }

    /// Runs a store call on the blocking pool (SQLite calls block).
    pub async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let store = self.store.clone();
        blocking(move || f(store.as_ref())).await
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|error| StoreError::Unavailable(format!("a store call panicked: {error}")))?
}
