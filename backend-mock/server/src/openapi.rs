//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations
//! and the core's API types, served at `/api/v1/openapi.json`. Schemathesis tests the
//! running backend against it (`tests/schemathesis.rs`).

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
        crate::routes::auth::login,
        crate::routes::auth::refresh,
        crate::routes::auth::logout,
        crate::routes::account::balance,
        crate::routes::account::history,
        crate::routes::account::top_up,
        crate::routes::gashapon::validate,
        crate::routes::gashapon::webhook,
        crate::routes::gashapon::transaction_status,
    ),
    modifiers(&Credentials),
    tags(
        (name = "auth", description = "Sessions of the app"),
        (name = "account", description = "The signed-in user's points and plays"),
        (name = "machine", description = "What a machine calls"),
    )
)]
pub struct ApiDoc;

/// The two kinds of bearer credential: a user's access token, a machine's API key.
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
        ] {
            let mut scheme = Http::new(HttpAuthScheme::Bearer);
            scheme.description = Some(about.to_owned());
            components.add_security_scheme(name, SecurityScheme::Http(scheme));
        }
    }
}

/// Error answers several operations share, to list in a `responses(...)` by name:
/// each is one status with the `ErrorBody` shape and the same description everywhere.
pub mod answers {
    use std::collections::BTreeMap;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

    fn error(status: u16, description: &str) -> BTreeMap<String, RefOr<Response>> {
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build();
        let response = ResponseBuilder::new()
            .description(description)
            .content("application/json", content)
            .build();
        BTreeMap::from([(status.to_string(), RefOr::T(response))])
    }

    macro_rules! error_answer {
        ($(#[$doc:meta])* $name:ident = $status:literal, $description:literal) => {
            $(#[$doc])*
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    error($status, $description)
                }
            }
        };
    }

    error_answer!(
        /// The body (or a parameter) did not parse or is out of range.
        BadRequest = 400,
        "`bad_request`: the body or a parameter is not valid"
    );
    error_answer!(
        /// A user endpoint without a live access token.
        NoSession = 401,
        "`unauthorized` or `token_expired`: no live access token"
    );
    error_answer!(
        /// The request deadline (`request_timeout` middleware).
        Timeout = 408,
        "`request_timeout`: the request took longer than the deadline"
    );
    error_answer!(
        /// The body limit.
        TooLarge = 413,
        "`payload_too_large`: the body is over 16 KiB"
    );
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
