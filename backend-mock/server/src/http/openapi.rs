//! The OpenAPI document's frame (title, credentials, tags); the protocols' routers add
//! each endpoint from its handler's `#[utoipa::path]` annotation and the core's API
//! types. It is served at `/api/v1/openapi.json`. Schemathesis tests the
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
    modifiers(&Credentials),
    tags(
        (name = "auth", description = "Sign-ins of the app"),
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

/// The document as served: rendered once, when the router is built.
#[derive(Clone)]
pub struct ServedDocument(axum::body::Bytes);

impl ServedDocument {
    pub fn new(document: &utoipa::openapi::OpenApi) -> Self {
        // A document of derived types always renders; an empty body would say it did not.
        Self(serde_json::to_vec(document).unwrap_or_default().into())
    }
}

impl axum::response::IntoResponse for ServedDocument {
    fn into_response(self) -> axum::response::Response {
        let json = [(axum::http::header::CONTENT_TYPE, "application/json")];
        (json, self.0).into_response()
    }
}
