//! The HTTP layer: the router, the JSON error answer, who is calling, the OpenAPI
//! document, rate and request limits, and the accept loop. Only this layer turns the
//! inner layers' errors into answers.

pub mod answers;
pub mod auth;
pub mod error;
pub mod limits;
pub mod long_poll;
pub mod openapi;
pub mod rate_limit;
pub mod routes;
pub mod serve;
pub mod signed;

use crate::state::AppState;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;
use error::ApiError;
use gashapay_core::api::paths;
use gashapay_core::ErrorCode;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Every route, with the shared state. Tests and the binary both serve this.
pub fn router(state: AppState) -> Router {
    let settings = &state.settings;
    let body_limit_bytes = settings.body_limit_bytes;
    let quick = limits::RequestLimits {
        deadline: settings.request_timeout,
        body_limit_bytes,
    };
    // A status request may wait for news up to the long-poll maximum.
    let long_poll = limits::RequestLimits {
        deadline: settings.request_timeout + settings.long_poll_cap,
        body_limit_bytes,
    };
    let (api, document) = api()
        .route_layer(from_fn_with_state(quick, limits::enforce))
        .merge(long_polls().route_layer(from_fn_with_state(long_poll, limits::enforce)))
        .split_for_parts();
    // The document is the routers' own: an endpoint is routed and documented by the
    // one `routes!` entry of its protocol's router.
    let document = openapi::ServedDocument::new(&document);
    Router::new()
        .route(paths::OPENAPI, get(move || std::future::ready(document.clone())))
        .route(paths::LINK_MACHINE_CODE, get(routes::links::machine_code_page))
        .route(paths::LINK_ORDER, get(routes::links::order_page))
        .route(paths::LINK_REWARD, get(routes::links::reward_page))
        .route(
            paths::APPLE_APP_SITE_ASSOCIATION,
            get(routes::links::apple_app_site_association),
        )
        .route(
            paths::ANDROID_ASSET_LINKS,
            get(routes::links::android_asset_links),
        )
        .route_layer(from_fn_with_state(quick, limits::enforce))
        .merge(api)
        .fallback(|| async { ApiError::of(ErrorCode::NotFound) })
        .method_not_allowed_fallback(|| async { ApiError::of(ErrorCode::MethodNotAllowed) })
        .layer(
            // Method and path only: queries and headers (tokens) stay out of the logs.
            TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                tracing::info_span!("http", method = %request.method(), path = %request.uri().path())
            }),
        )
        .with_state(state)
}

/// Every documented endpoint that answers at once, protocol by protocol.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(openapi::health))
        .merge(routes::auth::router())
        .merge(routes::account::router())
        .merge(routes::gashapon::router())
        .merge(routes::sessions::router())
        .merge(routes::orders::router())
        .merge(routes::rewards::router())
        .merge(routes::admin::router())
}

/// Every documented endpoint that may wait for news.
fn long_polls() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(routes::gashapon::long_polls())
        .merge(routes::sessions::long_polls())
        .merge(routes::orders::long_polls())
        .merge(routes::rewards::long_polls())
}

/// Where phones reach this backend, for the links it hands out: the configured public
/// address, or else the host the caller used.
pub fn public_base(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(url) = &state.settings.public_url {
        return url.clone();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}
