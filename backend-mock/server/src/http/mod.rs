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
use axum::routing::{get, post};
use axum::Router;
use error::ApiError;
use gashapay_core::api::paths;
use gashapay_core::ErrorCode;
use tower_http::trace::TraceLayer;

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
    let status = Router::new()
        .route(
            paths::TRANSACTION_BY_ID,
            get(routes::gashapon::transaction_status),
        )
        .route(paths::SESSION, get(routes::sessions::session_status))
        .route(
            paths::MACHINE_CURRENT_SESSION,
            get(routes::sessions::machine_session),
        )
        .route(paths::MACHINE_ORDER, get(routes::orders::machine_order))
        .route(paths::REWARD_SESSION, get(routes::rewards::session_status))
        .route_layer(from_fn_with_state(long_poll, limits::enforce));
    Router::new()
        .route(paths::HEALTH, get(openapi::health))
        .route(paths::OPENAPI, get(openapi::document))
        .route(paths::LOGIN, post(routes::auth::login))
        .route(paths::SIGNUP, post(routes::auth::signup))
        .route(paths::REFRESH, post(routes::auth::refresh))
        .route(paths::LOGOUT, post(routes::auth::logout))
        .route(paths::BALANCE, get(routes::account::balance))
        .route(paths::RUNNING, get(routes::account::running))
        .route(paths::HISTORY, get(routes::account::history))
        .route(paths::TOP_UP, post(routes::account::top_up))
        .route(paths::VALIDATE, post(routes::gashapon::validate))
        .route(paths::WEBHOOK, post(routes::gashapon::webhook))
        .route(
            paths::ADMIN_MACHINES,
            post(routes::admin::create_machine).get(routes::admin::list_machines),
        )
        .route(paths::ADMIN_MACHINE, get(routes::admin::show_machine))
        .route(
            paths::ADMIN_MACHINE_API_KEY,
            post(routes::admin::rotate_api_key),
        )
        .route(
            paths::ADMIN_MACHINE_WEBHOOK_SECRET,
            post(routes::admin::rotate_webhook_secret),
        )
        .route(paths::ADMIN_MACHINE_REVOKE, post(routes::admin::revoke_machine))
        .route(paths::ADMIN_DEVICE_REVOKE, post(routes::admin::revoke_device))
        .route(paths::ADMIN_AUDIT, get(routes::admin::audit))
        .route(
            paths::ADMIN_USERS,
            post(routes::admin::create_user).get(routes::admin::list_users),
        )
        .route(paths::ADMIN_USER, get(routes::admin::show_user))
        .route(paths::ADMIN_USER_BAN, post(routes::admin::ban_user))
        .route(paths::ADMIN_USER_UNBAN, post(routes::admin::unban_user))
        .route(paths::ADMIN_USER_GRANTS, post(routes::admin::grant))
        .route(paths::ADMIN_USER_DEVICES, get(routes::admin::user_devices))
        .route(
            paths::ADMIN_MACHINE_CODES,
            post(routes::admin::create_machine_code).get(routes::admin::list_machine_codes),
        )
        .route(
            paths::ADMIN_MACHINE_CODE_MODIFY,
            post(routes::admin::modify_machine_code),
        )
        .route(
            paths::ADMIN_MACHINE_CODE_STATUS,
            post(routes::admin::set_machine_code_status),
        )
        .route(paths::ADMIN_MACHINE_SALES, get(routes::admin::machine_sales))
        .route(paths::MACHINE_CODE, get(routes::sessions::machine_code))
        .route(paths::SESSIONS, post(routes::sessions::start_session))
        .route(paths::SESSION_END, post(routes::sessions::end_session))
        .route(
            paths::MACHINE_SESSION_PURCHASES,
            post(routes::sessions::report_purchase),
        )
        .route(
            paths::MACHINE_SESSION_END,
            post(routes::sessions::machine_end_session),
        )
        .route(paths::ORDER_CHECK, post(routes::orders::check_order))
        .route(paths::ORDER_PAY, post(routes::orders::pay_order))
        .route(paths::LINK_MACHINE_CODE, get(routes::links::machine_code_page))
        .route(paths::LINK_ORDER, get(routes::links::order_page))
        .route(paths::LINK_REWARD, get(routes::links::reward_page))
        .route(paths::REWARD_REQUEST, post(routes::rewards::request_code))
        .route(paths::REWARD_END, post(routes::rewards::end_by_partner))
        .route(paths::REWARD_CODE, get(routes::rewards::code_info))
        .route(paths::REWARD_CODE_PNG, get(routes::rewards::code_png))
        .route(paths::REWARD_CODE_SVG, get(routes::rewards::code_svg))
        .route(paths::REWARD_CLAIM, post(routes::rewards::claim))
        .route(
            paths::ADMIN_PARTNERS,
            post(routes::admin::create_partner).get(routes::admin::list_partners),
        )
        .route(
            paths::ADMIN_PARTNER_SECRET,
            post(routes::admin::rotate_partner_secret),
        )
        .route(paths::ADMIN_PARTNER_REVOKE, post(routes::admin::revoke_partner))
        .route(
            paths::APPLE_APP_SITE_ASSOCIATION,
            get(routes::links::apple_app_site_association),
        )
        .route(
            paths::ANDROID_ASSET_LINKS,
            get(routes::links::android_asset_links),
        )
        .route_layer(from_fn_with_state(quick, limits::enforce))
        .merge(status)
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
