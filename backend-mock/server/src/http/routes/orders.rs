//! Buy-first orders (PROTOCOL §10.3): the app checks and pays an order's code; the
//! machine follows the order until it is paid. The outcome is reported as for any
//! play (the webhook), with the order's transaction id. The rules are
//! `services::orders`.

use crate::http::answers;
use crate::http::auth::{MachineAuth, UserAuth};
use crate::http::error::{ApiJson, ApiResult};
use crate::http::long_poll::until_news;
use crate::services::orders;
use crate::state::AppState;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use gashapay_core::api::machine_pay::{OrderRequest, OrderStatus, OrderView};
use gashapay_core::api::{paths, ErrorBody, StatusQuery};
use utoipa_axum::{router::OpenApiRouter, routes};

/// What an order's code asks: the machine's name, the item, the amount, and whether it
/// is paid. Nothing changes.
#[utoipa::path(post, path = paths::ORDER_CHECK, tag = "account", security(("user_token" = [])),
    request_body = OrderRequest,
    responses(
        (status = 200, description = "The order", body = OrderView),
        answers::BadRequest,
        answers::NoSession,
        (status = 404, description = "`not_found`: no such machine", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
        (status = 422, description = "`invalid_order_signature` or `order_expired` (unpaid)", body = ErrorBody),
    ))]
pub async fn check_order(
    State(state): State<AppState>,
    _auth: UserAuth,
    ApiJson(request): ApiJson<OrderRequest>,
) -> ApiResult<Json<OrderView>> {
    Ok(Json(orders::check(&state, request.order).await?))
}

/// Pays an order: the points are deducted and the order becomes a play pending the
/// machine's outcome.
#[utoipa::path(post, path = paths::ORDER_PAY, tag = "account", security(("user_token" = [])),
    request_body = OrderRequest,
    responses(
        (status = 200, description = "Paid (now, or by this customer before): follow `transaction_id`", body = OrderView),
        answers::BadRequest,
        answers::NoSession,
        (status = 402, description = "`insufficient_points`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such machine", body = ErrorBody),
        answers::Timeout,
        (status = 409, description = "`already_used`: someone else paid this order", body = ErrorBody),
        answers::TooLarge,
        (status = 422, description = "`invalid_order_signature` or `order_expired`", body = ErrorBody),
    ))]
pub async fn pay_order(
    State(state): State<AppState>,
    auth: UserAuth,
    ApiJson(request): ApiJson<OrderRequest>,
) -> ApiResult<Json<OrderView>> {
    let view = orders::pay(&state, auth.user_id, auth.device_id, request.order).await?;
    Ok(Json(view))
}

/// The machine follows one of its orders until it is paid (long-poll).
#[utoipa::path(get, path = paths::MACHINE_ORDER, tag = "machine", security(("machine_key" = [])),
    params(("order_id" = String, Path, description = "The machine's order id"), StatusQuery),
    responses(
        (status = 200, description = "The order: `unpaid` until a customer pays", body = OrderView),
        answers::BadRequest,
        (status = 401, description = "`unauthorized`: no valid machine key", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn machine_order(
    State(state): State<AppState>,
    machine: MachineAuth,
    order_id: Result<Path<String>, PathRejection>,
    query: Result<Query<StatusQuery>, QueryRejection>,
) -> ApiResult<Json<OrderView>> {
    let Path(order_id) = order_id?;
    let Query(query) = query?;
    let read = || {
        let (state, machine, order_id) = (state.clone(), machine.clone(), order_id.clone());
        async move {
            let view =
                orders::machine_order(&state, &machine.machine_id, &machine.name, order_id).await?;
            Ok(view)
        }
    };
    let answer = until_news(&state, query.wait, read, |view: &OrderView| {
        view.status != OrderStatus::Unpaid
    })
    .await?;
    Ok(Json(answer))
}

/// Buy-first orders: the app's and the machine's endpoints.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(check_order))
        .routes(routes!(pay_order))
}

/// The status endpoints, which may wait for news (the long-poll limits).
pub fn long_polls() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(machine_order))
}
