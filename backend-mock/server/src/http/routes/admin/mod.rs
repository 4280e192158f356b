//! The operator's endpoints (`/api/v1/admin/…`, the operator key): machines and their
//! printed codes and sales, reward partners, users and their devices, and the audit
//! trail. Each change takes effect on the next
//! request and is recorded in the audit trail.

mod machine_codes;
mod machines;
mod partners;
mod users;

use crate::admin::operator;
use crate::http::answers;
use crate::http::auth::OperatorAuth;
use crate::http::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::TimeZone;
use gashapay_core::api::admin::{AuditEntry, AuditList};
use gashapay_core::api::paths;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Entries the audit trail answers with.
const AUDIT_ENTRIES: u32 = 100;

fn utc(millis: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc
        .timestamp_millis_opt(millis)
        .single()
        .unwrap_or_default()
}

/// The newest 100 changes operators made, newest first.
#[utoipa::path(get, path = paths::ADMIN_AUDIT, tag = "admin", security(("operator_key" = [])),
    responses(
        (status = 200, description = "The audit trail", body = AuditList),
        answers::NotOperator,
        answers::Timeout,
    ))]
pub async fn audit(
    State(state): State<AppState>,
    _operator: OperatorAuth,
) -> ApiResult<Json<AuditList>> {
    let actions = operator::audit(&state, AUDIT_ENTRIES).await?;
    Ok(Json(AuditList {
        entries: actions
            .into_iter()
            .map(|action| AuditEntry {
                id: action.id,
                at: utc(action.at),
                action: action.action,
                subject: action.subject,
            })
            .collect(),
    }))
}

/// Every operator endpoint.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(audit))
        .merge(machines::router())
        .merge(users::router())
        .merge(machine_codes::router())
        .merge(partners::router())
}
