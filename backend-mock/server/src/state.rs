//! Shared state handed to every handler. Every request clones it (axum's `State`
//! extractor), so it is one `Arc`: one reference count to touch per request, not
//! one per service.

use crate::config::Settings;
use crate::http::error::{ApiError, ApiResult};
use crate::notify::Changes;
use crate::payments::PaymentProvider;
use crate::store::{Store, StoreResult};
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
    pub store: Arc<dyn Store>,
    pub settings: Arc<Settings>,
    pub payments: Arc<dyn PaymentProvider>,
    /// Wakes long-polling status requests when any transaction changes.
    pub changes: Arc<Changes>,
    /// Serialises top-ups per user, so one idempotency key never charges twice.
    pub top_up_locks: Arc<crate::keyed_lock::KeyedLock<u64>>,
    /// The group-commit writer for validations; `None` commits each play alone.
    pub plays: Option<Arc<crate::writer::PlayQueue>>,
    /// Machines and devices, read once from the store.
    pub records: Arc<crate::records_cache::RecordsCache>,
    /// Request budgets for sign-in and validate.
    pub limits: Arc<crate::http::rate_limit::RateLimits>,
}

impl AppState {
    pub fn new(
        store: Arc<dyn Store>,
        settings: Settings,
        payments: Arc<dyn PaymentProvider>,
    ) -> std::io::Result<Self> {
        let plays = match settings.group_commit {
            true => Some(Arc::new(crate::writer::PlayQueue::start(store.clone())?)),
            false => None,
        };
        Ok(Self(Arc::new(Services {
            plays,
            limits: Arc::new(crate::http::rate_limit::RateLimits::new(
                settings.sign_in_limit,
                settings.validate_limit,
            )),
            records: Arc::default(),
            store,
            settings: Arc::new(settings),
            payments,
            changes: Arc::new(Changes::default()),
            top_up_locks: Arc::default(),
        })))
    }

    /// Applies a verified play: through the group-commit writer when there is one.
    pub async fn play(
        &self,
        request: crate::store::PlayRequest,
    ) -> ApiResult<crate::store::PlayDecision> {
        match &self.plays {
            Some(queue) => queue.play(request).await,
            None => self.db(move |store| store.play(&request)).await,
        }
    }

    /// A machine, from memory or (once) from the store.
    pub async fn machine(
        &self,
        id: &gashapay_core::MachineId,
    ) -> ApiResult<Option<Arc<crate::store::MachineRecord>>> {
        if let Some(record) = self.records.machine(id) {
            return Ok(Some(record));
        }
        let lookup = id.clone();
        let record = self.db(move |store| store.machine(&lookup)).await?;
        Ok(record.map(|r| self.records.keep_machine(r)))
    }

    /// A device, from memory or (once) from the store.
    pub async fn device(
        &self,
        id: gashapay_core::DeviceId,
    ) -> ApiResult<Option<Arc<crate::store::DeviceRecord>>> {
        if let Some(record) = self.records.device(id) {
            return Ok(Some(record));
        }
        let record = self.db(move |store| store.device(id)).await?;
        Ok(record.map(|r| self.records.keep_device(r)))
    }

    /// Runs a store call on the blocking pool (SQLite calls block).
    pub async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> StoreResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(store.as_ref()))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::from)
    }
}
