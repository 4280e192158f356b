//! The operator's printed machine codes (create, list, modify, status) and a machine's
//! day of sales (PROTOCOL §10.1, §10.4).

use crate::admin::machine_codes;
use crate::http::auth::OperatorAuth;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::http::{answers, public_base};
use crate::state::AppState;
use crate::store::MachineCodeRecord;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use gashapay_core::api::machine_pay::{
    MachineCodeList, MachineCodeStatus, MachineCodeTarget, MachineCodeView, SalesQuery,
    SalesReport, TopItem,
};
use gashapay_core::api::{paths, ErrorBody};
use gashapay_core::ids::{MachineId, Points};
use gashapay_core::links::AppLink;
use gashapay_core::ErrorCode;
use utoipa_axum::{router::OpenApiRouter, routes};

fn view(record: MachineCodeRecord, base: &str) -> MachineCodeView {
    let link = AppLink::MachineCode {
        code_id: record.id.clone(),
    };
    MachineCodeView {
        link: link.https_link(base),
        app_link: link.app_link(),
        code_id: record.id,
        machine_id: record.machine_id,
        active: record.active,
    }
}

/// Creates a printed code for a machine.
#[utoipa::path(post, path = paths::ADMIN_MACHINE_CODES, tag = "admin", security(("operator_key" = [])),
    request_body = MachineCodeTarget,
    responses(
        (status = 201, description = "Created: print `link` as a QR code on the machine", body = MachineCodeView),
        answers::BadRequest,
        answers::NotOperator,
        (status = 404, description = "`not_found`: no such machine", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn create_machine_code(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    headers: HeaderMap,
    ApiJson(target): ApiJson<MachineCodeTarget>,
) -> ApiResult<(StatusCode, Json<MachineCodeView>)> {
    let created = machine_codes::create(&state, target.machine_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(view(created, &public_base(&state, &headers))),
    ))
}

/// Every printed code, by id.
#[utoipa::path(get, path = paths::ADMIN_MACHINE_CODES, tag = "admin", security(("operator_key" = [])),
    responses(
        (status = 200, description = "The codes", body = MachineCodeList),
        answers::NotOperator,
        answers::Timeout,
    ))]
pub async fn list_machine_codes(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    headers: HeaderMap,
) -> ApiResult<Json<MachineCodeList>> {
    let base = public_base(&state, &headers);
    let codes = machine_codes::list(&state).await?;
    Ok(Json(MachineCodeList {
        codes: codes.into_iter().map(|c| view(c, &base)).collect(),
    }))
}

/// Moves a printed code to another machine.
#[utoipa::path(post, path = paths::ADMIN_MACHINE_CODE_MODIFY, tag = "admin", security(("operator_key" = [])),
    params(("code_id" = String, Path, description = "The code")),
    request_body = MachineCodeTarget,
    responses(
        (status = 200, description = "The code now opens that machine", body = MachineCodeView),
        answers::BadRequest,
        answers::NotOperator,
        (status = 404, description = "`not_found`: no such code or machine", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn modify_machine_code(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    headers: HeaderMap,
    code: Result<Path<String>, PathRejection>,
    ApiJson(target): ApiJson<MachineCodeTarget>,
) -> ApiResult<Json<MachineCodeView>> {
    let Path(code) = code?;
    let moved = machine_codes::move_to(&state, code, target.machine_id).await?;
    Ok(Json(view(moved, &public_base(&state, &headers))))
}

/// Switches a printed code off (or on again).
#[utoipa::path(post, path = paths::ADMIN_MACHINE_CODE_STATUS, tag = "admin", security(("operator_key" = [])),
    params(("code_id" = String, Path, description = "The code")),
    request_body = MachineCodeStatus,
    responses(
        (status = 200, description = "Changed", body = MachineCodeView),
        answers::BadRequest,
        answers::NotOperator,
        (status = 404, description = "`not_found`: no such code", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn set_machine_code_status(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    headers: HeaderMap,
    code: Result<Path<String>, PathRejection>,
    ApiJson(status): ApiJson<MachineCodeStatus>,
) -> ApiResult<Json<MachineCodeView>> {
    let Path(code) = code?;
    let changed = machine_codes::set_active(&state, code, status.active).await?;
    Ok(Json(view(changed, &public_base(&state, &headers))))
}

/// One machine's day: sessions, orders, points taken, given back and kept, top items.
#[utoipa::path(get, path = paths::ADMIN_MACHINE_SALES, tag = "admin", security(("operator_key" = [])),
    params(("machine_id" = String, Path, description = "The machine"), SalesQuery),
    responses(
        (status = 200, description = "The day's sales (UTC)", body = SalesReport),
        answers::BadRequest,
        answers::NotOperator,
        (status = 404, description = "`not_found`: no such machine", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn machine_sales(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    machine: Result<Path<String>, PathRejection>,
    query: Result<Query<SalesQuery>, QueryRejection>,
) -> ApiResult<Json<SalesReport>> {
    let Path(machine) = machine?;
    let Query(query) = query?;
    let machine = MachineId(machine);
    if state.machine(&machine).await?.is_none() {
        return Err(ApiError::new(ErrorCode::NotFound, "no such machine"));
    }
    let date = query.date.unwrap_or_else(|| {
        chrono::DateTime::from_timestamp_millis(state.clock.now_millis())
            .unwrap_or_default()
            .date_naive()
    });
    let from = date
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .ok_or_else(|| ApiError::bad_request("the date is out of range"))?;
    let to = from + 24 * 3600 * 1000;
    let id = machine.clone();
    let sales = state
        .db(move |store| store.orders().sales(&id, from, to))
        .await?;
    Ok(Json(SalesReport {
        machine_id: machine,
        date,
        sessions: sales.sessions,
        orders: sales.orders,
        points_taken: sales.points_taken,
        points_refunded: sales.points_refunded,
        points_kept: Points(sales.points_taken.0.saturating_sub(sales.points_refunded.0)),
        top_items: sales
            .top_items
            .into_iter()
            .map(|(item, count, points)| TopItem {
                item,
                count,
                points,
            })
            .collect(),
    }))
}

/// The operator's printed-code and sales endpoints.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_machine_code, list_machine_codes))
        .routes(routes!(modify_machine_code))
        .routes(routes!(set_machine_code_status))
        .routes(routes!(machine_sales))
}
