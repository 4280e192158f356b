//! Reports a machine signs with its webhook secret (Standard Webhooks headers over the
//! raw body, PROTOCOL §3.8): dispense outcomes, and a session's purchases and end.

use crate::http::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::http::HeaderMap;
use gashapay_core::ids::MachineId;
use gashapay_core::webhook::{self, SignedHeaders};

/// Checks that `body` was signed by `machine` (an unknown or revoked machine gets the
/// answer a bad signature gets) and returns the `webhook-id`, the report's
/// idempotency key.
pub async fn verify_machine_signature(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    machine: &MachineId,
) -> ApiResult<String> {
    require_json_content_type(headers)?;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (id, timestamp, signature) = (
        header(webhook::HEADER_ID),
        header(webhook::HEADER_TIMESTAMP),
        header(webhook::HEADER_SIGNATURE),
    );
    let now = state.clock.now_millis();
    let secrets = state
        .machine(machine)
        .await?
        .filter(|m| !m.revoked)
        .map(|m| m.webhook_secrets(now))
        .unwrap_or_default();
    webhook::verify(
        &secrets,
        SignedHeaders {
            id: &id,
            timestamp: &timestamp,
            signature: &signature,
        },
        body,
        state.clock.now_secs(),
    )
    .map_err(|e| ApiError::new(e.code(), e.to_string()))?;
    Ok(id)
}

/// Signed reports read their body as bytes (the signature covers them exactly), so
/// they check the content type themselves, with the rule `ApiJson` applies elsewhere:
/// `application/json` or a `+json` type, parameters allowed.
pub fn require_json_content_type(headers: &HeaderMap) -> ApiResult<()> {
    let essence = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    match essence {
        Some(mime) if mime == "application/json" || mime.ends_with("+json") => Ok(()),
        _ => Err(ApiError::bad_request(
            "the body must be sent as Content-Type: application/json",
        )),
    }
}
