//! The GashaPay mock backend: the reference server that apps and machine vendors
//! build against, and the emulated machine that plays against it.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod admin;
pub mod budgets;
pub mod config;
pub mod credentials;
pub mod http;
pub mod jobs;
pub mod keyed_lock;
pub mod logging;
pub mod notify;
pub mod payments;
pub mod services;
pub mod state;
pub mod store;
pub mod writer;

use config::Settings;
use http::{router, serve};
use payments::{MockPaymentProvider, PaymentProvider};
use state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;

/// What to start.
pub struct StartOptions {
    pub listen: SocketAddr,
    pub db: String,
    pub settings: Settings,
    pub payment_secret: Option<String>,
    pub seed_demo: bool,
    /// The system clock in production; a manual one in tests that live through time-outs.
    pub clock: gashapay_core::clock::SharedClock,
    /// The operator key; `None` keeps the stored one, or generates one on first start.
    pub admin_key: Option<gashapay_core::Redacted>,
}

/// A backend serving in the background; dropping it does not stop it, `stop` does.
pub struct RunningBackend {
    pub addr: SocketAddr,
    pub state: AppState,
    pub demo: Option<admin::DemoSeed>,
    /// The operator key generated at this start (the first, with none given): shown
    /// once to the operator, stored only as a hash.
    pub new_admin_key: Option<gashapay_core::Redacted>,
    /// The open connections and their cap.
    pub connections: Arc<serve::connections::Connections>,
    shutdown: tokio_util::sync::CancellationToken,
    server: tokio::task::JoinHandle<()>,
    sweeper: tokio::task::JoinHandle<()>,
}

impl RunningBackend {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, finishes in-flight requests, stops the sweeper and closes
    /// the database.
    pub async fn stop(self) {
        self.shutdown.cancel();
        let _ = self.server.await;
        self.sweeper.abort();
        let _ = self.sweeper.await;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Database(#[from] store::StoreError),
    #[error("cannot listen on the address: {0}")]
    Listen(#[from] std::io::Error),
    #[error("cannot start the play writer thread: {0}")]
    Writer(std::io::Error),
    #[error("cannot seed the demo data: {0}")]
    Seed(String),
    #[error("settings out of bounds: {0}")]
    Settings(String),
}

/// Opens the database, optionally seeds the demo, binds and serves.
pub async fn start(options: StartOptions) -> Result<RunningBackend, StartError> {
    options.settings.check().map_err(StartError::Settings)?;
    let (db, admin_key, now) = (
        options.db.clone(),
        options.admin_key.clone(),
        options.clock.now_millis(),
    );
    let (store, new_admin_key) = tokio::task::spawn_blocking(move || {
        let store = store::open(&db)?;
        let new_key = admin::operator::resolve_key(store.as_ref(), admin_key.as_ref(), now)?;
        Ok::<_, store::StoreError>((store, new_key))
    })
    .await
    .map_err(|e| StartError::Database(store::StoreError::Unavailable(e.to_string())))??;
    let payment_secret = options
        .payment_secret
        .unwrap_or_else(credentials::random_secret);
    let payments: Arc<dyn PaymentProvider> = Arc::new(MockPaymentProvider::new(payment_secret));
    let state = AppState::new(store, options.settings, payments, options.clock)
        .map_err(StartError::Writer)?;
    let demo = if options.seed_demo {
        Some(
            admin::seed_demo(&state)
                .await
                .map_err(|e| StartError::Seed(e.to_string()))?,
        )
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let addr = listener.local_addr()?;
    let soft_limit = serve::descriptors::raise_soft_limit();
    let cap = serve::descriptors::connection_cap(
        state.settings.max_connections,
        soft_limit,
        serve::descriptors::open_now(),
    );
    let connections = serve::connections::Connections::new(cap);
    let limits = serve::ConnectionLimits {
        header_timeout: state.settings.header_timeout,
        body_limit_bytes: state.settings.body_limit_bytes,
    };
    let shutdown = tokio_util::sync::CancellationToken::new();
    let server = tokio::spawn(serve::serve(
        listener,
        router(state.clone()),
        connections.clone(),
        limits,
        shutdown.clone(),
    ));
    let sweeper = tokio::spawn(jobs::sweeper::run(state.clone()));
    tracing::info!(%addr, max_connections = cap, open_files_limit = ?soft_limit, "backend listening");
    Ok(RunningBackend {
        addr,
        state,
        demo,
        new_admin_key,
        connections,
        shutdown,
        server,
        sweeper,
    })
}
