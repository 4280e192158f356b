//! What a link of PROTOCOL §9/§10 answers in a browser (a phone without the app): a
//! small page naming the machine and saying to open it with the app; and the two files
//! phones fetch before they hand the backend's `/l/` links to the app.

use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use gashapay_core::ids::MachineId;
use gashapay_core::links::LINK_SCHEME;

/// The app's bundle identifier (`app/Dioxus.toml`), as Android and iOS name it.
pub const APP_IDENTIFIER: &str = "com.gashapay.app";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(status: StatusCode, title: &str, body: &str, app_link: Option<&str>) -> Response {
    let button = app_link
        .map(|link| {
            format!(
                "<p><a href=\"{}\" style=\"display:inline-block;padding:0.8rem 1.2rem;\
                 background:#5b3cc4;color:#fff;border-radius:0.6rem;text-decoration:none\">\
                 Open in GashaPay</a></p>",
                escape(link)
            )
        })
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem\">\
         <h1>{title}</h1><p>{body}</p>{button}\
         <p>No app yet? Install GashaPay, then scan this code again.</p></body></html>",
        title = escape(title),
        body = escape(body),
    );
    (status, Html(html)).into_response()
}

/// A printed machine code opened in a browser.
pub async fn machine_code_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Response {
    let id = code.clone();
    let record = state.db(move |store| store.machine_codes().get(&id)).await;
    match record {
        Ok(Some(record)) if record.active && !record.machine_revoked => page(
            StatusCode::OK,
            &record.machine_name,
            "Open this machine in the GashaPay app to pay with your points.",
            Some(&format!("{LINK_SCHEME}://m/{code}")),
        ),
        Ok(_) => page(
            StatusCode::NOT_FOUND,
            "This code does not work",
            "This machine's code is unknown or switched off. Ask the operator, or use another machine.",
            None,
        ),
        Err(error) => {
            tracing::error!(%error, "a machine code page failed");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Try again in a moment.",
                None,
            )
        }
    }
}

/// A partner's reward code opened in a browser.
pub async fn reward_page(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let id = code.clone();
    let now_secs = state.clock.now_millis().max(0) as u64 / 1000;
    match state.db(move |store| store.rewards().get_code(&id)).await {
        Ok(Some(record)) if record.open_at(now_secs) => page(
            StatusCode::OK,
            &record.partner_name,
            "Open this code in the GashaPay app to earn your points.",
            Some(&format!("{LINK_SCHEME}://r/{code}")),
        ),
        Ok(_) => page(
            StatusCode::NOT_FOUND,
            "This code does not work",
            "This reward code is unknown or has expired. Scan the one on display now.",
            None,
        ),
        Err(error) => {
            tracing::error!(%error, "a reward code page failed");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Try again in a moment.",
                None,
            )
        }
    }
}

/// An order's code opened in a browser.
pub async fn order_page(
    State(state): State<AppState>,
    Path((machine, order)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    match state.machine(&MachineId(machine.clone())).await {
        Ok(Some(record)) if !record.revoked => {
            let app_link = format!(
                "{LINK_SCHEME}://o/{machine}/{order}?{}",
                query.unwrap_or_default()
            );
            page(
                StatusCode::OK,
                &record.name,
                "Open this order in the GashaPay app to pay for it with your points.",
                Some(&app_link),
            )
        }
        _ => page(
            StatusCode::NOT_FOUND,
            "This code does not work",
            "This order's machine is unknown. Ask the machine for a new code.",
            None,
        ),
    }
}

/// iOS: which app opens this server's `/l/` links (associated domains).
pub async fn apple_app_site_association(State(state): State<AppState>) -> Response {
    let app = format!("{}.{APP_IDENTIFIER}", state.settings.apple_team_id);
    (
        [(header::CONTENT_TYPE, "application/json")],
        Json(serde_json::json!({
            "applinks": { "details": [
                { "appIDs": [app], "components": [{ "/": "/l/*" }] }
            ]}
        })),
    )
        .into_response()
}

/// Android: which signed app opens this server's links (verified app links).
pub async fn android_asset_links(State(state): State<AppState>) -> Response {
    Json(serde_json::json!([{
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {
            "namespace": "android_app",
            "package_name": APP_IDENTIFIER,
            "sha256_cert_fingerprints": state.settings.android_cert_fingerprints,
        }
    }]))
    .into_response()
}
