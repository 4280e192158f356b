//! The operator's reward partners (PROTOCOL §12.1): create (the secret shown once),
//! list, rotate the secret with a grace window, revoke.

use crate::admin::partners;
use crate::http::answers;
use crate::http::auth::OperatorAuth;
use crate::http::error::{ApiJson, ApiResult};
use crate::state::AppState;
use crate::store::PartnerRecord;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gashapay_core::api::rewards::{NewPartner, PartnerList, PartnerSecretRotation, PartnerView};
use gashapay_core::api::{paths, ErrorBody};
use gashapay_core::ids::Points;
use utoipa_axum::{router::OpenApiRouter, routes};

fn view(record: PartnerRecord, given_today: Points, with_secret: bool) -> PartnerView {
    PartnerView {
        secret: with_secret.then(|| record.secret.to_text()),
        previous_secret_valid_until: record
            .previous_secret
            .as_ref()
            .map(|(_, until)| chrono::DateTime::from_timestamp_millis(*until).unwrap_or_default()),
        app_id: record.app_id,
        name: record.name,
        daily_budget: record.daily_budget,
        player_daily_cap: record.player_daily_cap,
        revoked: record.revoked,
        given_today,
    }
}

/// Creates a partner; its secret is in this answer only.
#[utoipa::path(post, path = paths::ADMIN_PARTNERS, tag = "admin", security(("operator_key" = [])),
    request_body = NewPartner,
    responses(
        (status = 201, description = "Created: hand `app_id` and `secret` to the partner, once", body = PartnerView),
        answers::BadRequest,
        answers::NotOperator,
        (status = 409, description = "`already_exists`", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn create_partner(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    ApiJson(new): ApiJson<NewPartner>,
) -> ApiResult<(StatusCode, Json<PartnerView>)> {
    let created = partners::create(&state, new).await?;
    Ok((StatusCode::CREATED, Json(view(created, Points(0), true))))
}

/// Every partner, with what it gave today; no secrets.
#[utoipa::path(get, path = paths::ADMIN_PARTNERS, tag = "admin", security(("operator_key" = [])),
    responses(
        (status = 200, description = "The partners", body = PartnerList),
        answers::NotOperator,
        answers::Timeout,
    ))]
pub async fn list_partners(
    State(state): State<AppState>,
    _operator: OperatorAuth,
) -> ApiResult<Json<PartnerList>> {
    let mut views = Vec::new();
    for record in partners::list(&state).await? {
        let given = partners::given_today(&state, &record.app_id).await?;
        views.push(view(record, given, false));
    }
    Ok(Json(PartnerList { partners: views }))
}

/// A new secret; the previous one still verifies for `grace_seconds`.
#[utoipa::path(post, path = paths::ADMIN_PARTNER_SECRET, tag = "admin", security(("operator_key" = [])),
    params(("app_id" = String, Path, description = "The partner")),
    request_body = PartnerSecretRotation,
    responses(
        (status = 200, description = "The new secret, shown once", body = PartnerView),
        answers::BadRequest,
        answers::NotOperator,
        (status = 404, description = "`not_found`: no such partner", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn rotate_partner_secret(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    app_id: Result<Path<String>, PathRejection>,
    ApiJson(rotation): ApiJson<PartnerSecretRotation>,
) -> ApiResult<Json<PartnerView>> {
    let Path(app_id) = app_id?;
    let record = partners::rotate_secret(&state, &app_id, rotation.grace_seconds).await?;
    let given = partners::given_today(&state, &app_id).await?;
    Ok(Json(view(record, given, true)))
}

/// From the next request on, the partner's requests and codes open nothing.
#[utoipa::path(post, path = paths::ADMIN_PARTNER_REVOKE, tag = "admin", security(("operator_key" = [])),
    params(("app_id" = String, Path, description = "The partner")),
    responses(
        (status = 204, description = "Revoked"),
        answers::NotOperator,
        (status = 404, description = "`not_found`: no such partner", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn revoke_partner(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    app_id: Result<Path<String>, PathRejection>,
) -> ApiResult<StatusCode> {
    let Path(app_id) = app_id?;
    partners::revoke(&state, &app_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The operator's partner endpoints.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_partner, list_partners))
        .routes(routes!(rotate_partner_secret))
        .routes(routes!(revoke_partner))
}
