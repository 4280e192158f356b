//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations
//! and the core's API types, served at `/api/v1/openapi.json`. Schemathesis tests the
//! running backend against it (`tests/openapi.rs`).

use gashapay_core::api::Health;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "GashaPay API",
        description = "The GashaPay backend, as the mock implements it. The prose reference, with the QR format and the webhook signature, is docs/PROTOCOL.md.",
        version = "1"
    ),
    paths(
        health,
        crate::http::routes::auth::login,
        crate::http::routes::auth::signup,
        crate::http::routes::auth::refresh,
        crate::http::routes::auth::logout,
        crate::http::routes::account::balance,
        crate::http::routes::account::running,
        crate::http::routes::account::history,
        crate::http::routes::account::top_up,
        crate::http::routes::gashapon::validate,
        crate::http::routes::gashapon::webhook,
        crate::http::routes::gashapon::transaction_status,
        crate::http::routes::admin::create_machine,
        crate::http::routes::admin::list_machines,
        crate::http::routes::admin::show_machine,
        crate::http::routes::admin::rotate_api_key,
        crate::http::routes::admin::rotate_webhook_secret,
        crate::http::routes::admin::revoke_machine,
        crate::http::routes::admin::revoke_device,
        crate::http::routes::admin::audit,
        crate::http::routes::admin::create_user,
        crate::http::routes::admin::list_users,
        crate::http::routes::admin::show_user,
        crate::http::routes::admin::ban_user,
        crate::http::routes::admin::unban_user,
        crate::http::routes::admin::grant,
        crate::http::routes::admin::user_devices,
        crate::http::routes::admin::create_machine_code,
        crate::http::routes::admin::list_machine_codes,
        crate::http::routes::admin::modify_machine_code,
        crate::http::routes::admin::set_machine_code_status,
        crate::http::routes::admin::machine_sales,
        crate::http::routes::sessions::machine_code,
        crate::http::routes::sessions::start_session,
        crate::http::routes::sessions::session_status,
        crate::http::routes::sessions::end_session,
        crate::http::routes::sessions::machine_session,
        crate::http::routes::sessions::report_purchase,
        crate::http::routes::sessions::machine_end_session,
        crate::http::routes::orders::check_order,
        crate::http::routes::orders::pay_order,
        crate::http::routes::orders::machine_order,
        crate::http::routes::rewards::request_code,
        crate::http::routes::rewards::end_by_partner,
        crate::http::routes::rewards::code_png,
        crate::http::routes::rewards::code_svg,
        crate::http::routes::rewards::code_info,
        crate::http::routes::rewards::claim,
        crate::http::routes::rewards::session_status,
        crate::http::routes::admin::create_partner,
        crate::http::routes::admin::list_partners,
        crate::http::routes::admin::rotate_partner_secret,
        crate::http::routes::admin::revoke_partner,
    ),
    modifiers(&Credentials),
    tags(
        (name = "auth", description = "Sessions of the app"),
        (name = "account", description = "The signed-in user's points and plays"),
        (name = "machine", description = "What a machine calls"),
        (name = "admin", description = "The operator's provisioning"),
        (name = "partner", description = "What a reward partner (a store or service) calls"),
    )
)]
pub struct ApiDoc;

/// The three kinds of bearer credential: a user's access token, a machine's API key,
/// the operator key.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, about) in [
            (
                "user_token",
                "An access token `gpa.<session>.<secret>` from login or refresh",
            ),
            (
                "machine_key",
                "A machine API key `gpk.<machine id>.<secret>`",
            ),
            (
                "operator_key",
                "The operator key, given with --admin-key or printed once at first start",
            ),
        ] {
            let mut scheme = Http::new(HttpAuthScheme::Bearer);
            scheme.description = Some(about.to_owned());
            components.add_security_scheme(name, SecurityScheme::Http(scheme));
        }
    }
}

/// Liveness.
#[utoipa::path(get, path = gashapay_core::api::paths::HEALTH, tag = "machine",
    responses((status = 200, description = "Serving", body = Health)))]
pub async fn health() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
    })
}

/// The document as served.
pub async fn document() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
