//! Reports a machine signs with its webhook secret (Standard Webhooks headers over the
//! raw body, PROTOCOL §3.8): dispense outcomes, and a session's purchases and end.

use crate::http::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use gashapay_core::ids::MachineId;
use gashapay_core::webhook::{self, SignedHeaders};

/// A signed report as the handlers take it: the body (`what`, in the refusal's words,
/// if it does not parse) and its `webhook-id`, once the machine it names is shown to
/// have signed it.
pub async fn read_signed_report<T: serde::de::DeserializeOwned>(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    what: &str,
    machine_of: impl Fn(&T) -> &MachineId,
) -> ApiResult<(T, String)> {
    let body = body?;
    require_json_content_type(headers)?;
    let report: T = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("the body is not {what}: {e}")))?;
    let event = verify_machine_signature(state, headers, &body, machine_of(&report)).await?;
    Ok((report, event))
}

/// Checks that `body` was signed by `machine` (an unknown or revoked machine gets the
/// answer a bad signature gets) and returns the `webhook-id`, the report's
/// idempotency key.
async fn verify_machine_signature(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    machine: &MachineId,
) -> ApiResult<String> {
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
fn require_json_content_type(headers: &HeaderMap) -> ApiResult<()> {
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
