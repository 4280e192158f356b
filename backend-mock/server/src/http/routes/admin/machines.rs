//! The operator's machine endpoints: create, list, show, rotate the API key or the
//! webhook secret, revoke.

use super::utc;
use crate::admin::machines;
use crate::http::answers;
use crate::http::auth::OperatorAuth;
use crate::http::error::{ApiJson, ApiResult};
use crate::state::AppState;
use crate::store::MachineRecord;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gashapay_core::api::admin::{
    ApiKeyAnswer, MachineList, MachineView, NewMachine, NewMachineAnswer, RotateWebhookSecret,
    WebhookSecretAnswer,
};
use gashapay_core::api::{paths, ErrorBody};
use gashapay_core::ids::MachineId;
use gashapay_core::Redacted;
use std::time::Duration;
use utoipa_axum::{router::OpenApiRouter, routes};

fn view(record: MachineRecord) -> MachineView {
    MachineView {
        machine_id: record.id,
        name: record.name,
        location: record.location,
        kind: record.kind,
        revoked: record.revoked,
    }
}

fn machine_id(path: Result<Path<String>, PathRejection>) -> ApiResult<MachineId> {
    let Path(id) = path?;
    Ok(MachineId(id))
}

/// Creates a machine and answers its credentials, once.
#[utoipa::path(post, path = paths::ADMIN_MACHINES, tag = "admin", security(("operator_key" = [])),
    request_body = NewMachine,
    responses(
        (status = 201, description = "Created; the API key and webhook secret are shown only now", body = NewMachineAnswer),
        answers::BadRequest,
        answers::NotOperator,
        (status = 409, description = "`already_exists`: the machine id is taken", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn create_machine(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    ApiJson(new): ApiJson<NewMachine>,
) -> ApiResult<(StatusCode, Json<NewMachineAnswer>)> {
    let created = machines::create_machine(&state, new).await?;
    let webhook_secret = Redacted::new(created.record.webhook_secret.to_text());
    Ok((
        StatusCode::CREATED,
        Json(NewMachineAnswer {
            machine: view(created.record),
            api_key: created.api_key,
            webhook_secret,
        }),
    ))
}

/// Every machine, by id.
#[utoipa::path(get, path = paths::ADMIN_MACHINES, tag = "admin", security(("operator_key" = [])),
    responses(
        (status = 200, description = "The machines", body = MachineList),
        answers::NotOperator,
        answers::Timeout,
    ))]
pub async fn list_machines(
    State(state): State<AppState>,
    _operator: OperatorAuth,
) -> ApiResult<Json<MachineList>> {
    let machines = machines::list_machines(&state).await?;
    Ok(Json(MachineList {
        machines: machines.into_iter().map(view).collect(),
    }))
}

/// One machine.
#[utoipa::path(get, path = paths::ADMIN_MACHINE, tag = "admin", security(("operator_key" = [])),
    params(("machine_id" = String, Path, description = "The machine's id")),
    responses(
        (status = 200, description = "The machine", body = MachineView),
        answers::BadRequest,
        answers::NotOperator,
        answers::NoSuchThing,
        answers::Timeout,
    ))]
pub async fn show_machine(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<MachineView>> {
    let id = machine_id(id)?;
    Ok(Json(view(machines::machine(&state, &id).await?)))
}

/// A new API key; the previous one is refused from the next request on.
#[utoipa::path(post, path = paths::ADMIN_MACHINE_API_KEY, tag = "admin", security(("operator_key" = [])),
    params(("machine_id" = String, Path, description = "The machine's id")),
    responses(
        (status = 200, description = "The new key, shown only now", body = ApiKeyAnswer),
        answers::BadRequest,
        answers::NotOperator,
        (status = 404, description = "`not_found`: no such active machine", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn rotate_api_key(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<ApiKeyAnswer>> {
    let id = machine_id(id)?;
    let api_key = machines::rotate_api_key(&state, &id).await?;
    Ok(Json(ApiKeyAnswer { api_key }))
}

/// A new webhook secret; the previous one keeps working for the grace window.
#[utoipa::path(post, path = paths::ADMIN_MACHINE_WEBHOOK_SECRET, tag = "admin", security(("operator_key" = [])),
    params(("machine_id" = String, Path, description = "The machine's id")),
    request_body = RotateWebhookSecret,
    responses(
        (status = 200, description = "The new secret, shown only now", body = WebhookSecretAnswer),
        answers::BadRequest,
        answers::NotOperator,
        (status = 404, description = "`not_found`: no such active machine", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn rotate_webhook_secret(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    id: Result<Path<String>, PathRejection>,
    ApiJson(request): ApiJson<RotateWebhookSecret>,
) -> ApiResult<Json<WebhookSecretAnswer>> {
    let id = machine_id(id)?;
    let grace = Duration::from_secs(request.grace_seconds);
    let (secret, until) = machines::rotate_webhook_secret(&state, &id, grace).await?;
    Ok(Json(WebhookSecretAnswer {
        webhook_secret: Redacted::new(secret.to_text()),
        previous_valid_until: utc(until),
    }))
}

/// Revokes a machine: its key and webhook secret are refused from the next request on.
#[utoipa::path(post, path = paths::ADMIN_MACHINE_REVOKE, tag = "admin", security(("operator_key" = [])),
    params(("machine_id" = String, Path, description = "The machine's id")),
    responses(
        (status = 204, description = "Revoked"),
        answers::BadRequest,
        answers::NotOperator,
        answers::NoSuchThing,
        answers::Timeout,
    ))]
pub async fn revoke_machine(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<StatusCode> {
    let id = machine_id(id)?;
    machines::revoke_machine(&state, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The operator's machine endpoints.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_machine, list_machines))
        .routes(routes!(show_machine))
        .routes(routes!(rotate_api_key))
        .routes(routes!(rotate_webhook_secret))
        .routes(routes!(revoke_machine))
}
