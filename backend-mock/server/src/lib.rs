//! The GashaPay mock backend: the reference server that apps and machine vendors
//! build against, and the emulated machine that plays against it.

pub mod admin;
pub mod auth;
pub mod config;
pub mod error;
pub mod group_commit;
pub mod keyed_lock;
pub mod logging;
pub mod notify;
pub mod openapi;
pub mod payments;
pub mod rate_limit;
pub mod records_cache;
pub mod request_limits;
pub mod routes;
pub mod serve;
pub mod state;
pub mod store;
pub mod sweeper;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use config::Settings;
use error::ApiError;
use gashapay_core::api::paths;
use gashapay_core::ErrorCode;
use payments::{MockPaymentProvider, PaymentProvider};
use state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;
use store::sqlite::SqliteStore;
use tower_http::trace::TraceLayer;

/// Every route, with the shared state. Tests and the binary both serve this.
pub fn router(state: AppState) -> Router {
    let settings = &state.settings;
    let body_limit_bytes = settings.body_limit_bytes;
    let quick = request_limits::RequestLimits {
        deadline: settings.request_timeout,
        body_limit_bytes,
    };
    // A status request may wait for news up to the long-poll maximum.
    let long_poll = request_limits::RequestLimits {
        deadline: settings.request_timeout + settings.long_poll_cap,
        body_limit_bytes,
    };
    let status = Router::new()
        .route(
            paths::TRANSACTION_BY_ID,
            get(routes::gashapon::transaction_status),
        )
        .route_layer(from_fn_with_state(long_poll, request_limits::enforce));
    Router::new()
        .route(paths::HEALTH, get(openapi::health))
        .route(paths::OPENAPI, get(openapi::document))
        .route(paths::LOGIN, post(routes::auth::login))
        .route(paths::REFRESH, post(routes::auth::refresh))
        .route(paths::LOGOUT, post(routes::auth::logout))
        .route(paths::BALANCE, get(routes::account::balance))
        .route(paths::HISTORY, get(routes::account::history))
        .route(paths::TOP_UP, post(routes::account::top_up))
        .route(paths::VALIDATE, post(routes::gashapon::validate))
        .route(paths::WEBHOOK, post(routes::gashapon::webhook))
        .route_layer(from_fn_with_state(quick, request_limits::enforce))
        .merge(status)
        .fallback(|| async { ApiError::of(ErrorCode::NotFound) })
        .method_not_allowed_fallback(|| async { ApiError::of(ErrorCode::MethodNotAllowed) })
        .layer(DefaultBodyLimit::max(body_limit_bytes))
        .layer(
            // Method and path only: queries and headers (tokens) stay out of the logs.
            TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                tracing::info_span!("http", method = %request.method(), path = %request.uri().path())
            }),
        )
        .with_state(state)
}

/// What to start.
pub struct StartOptions {
    pub listen: SocketAddr,
    pub db: String,
    pub settings: Settings,
    pub payment_secret: Option<String>,
    pub seed_demo: bool,
}

/// A backend serving in the background; dropping it does not stop it, `stop` does.
pub struct RunningBackend {
    pub addr: SocketAddr,
    pub state: AppState,
    pub demo: Option<admin::DemoSeed>,
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
}

/// Opens the database, optionally seeds the demo, binds and serves.
pub async fn start(options: StartOptions) -> Result<RunningBackend, StartError> {
    let db = options.db.clone();
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(&db))
        .await
        .map_err(|e| StartError::Seed(e.to_string()))??;
    let payment_secret = options.payment_secret.unwrap_or_else(auth::random_secret);
    let payments: Arc<dyn PaymentProvider> = Arc::new(MockPaymentProvider::new(payment_secret));
    let state =
        AppState::new(Arc::new(store), options.settings, payments).map_err(StartError::Writer)?;
    let demo = if options.seed_demo {
        Some(
            admin::seed_demo(&state)
                .await
                .map_err(|e| StartError::Seed(e.message))?,
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
    let sweeper = tokio::spawn(sweeper::run(state.clone()));
    tracing::info!(%addr, max_connections = cap, open_files_limit = ?soft_limit, "backend listening");
    Ok(RunningBackend {
        addr,
        state,
        demo,
        connections,
        shutdown,
        server,
        sweeper,
    })
}
