//! Buy-first orders (PROTOCOL §10.3): the app checks and pays an order's code; the
//! machine follows the order until it is paid. The outcome is reported as for any
//! play (the webhook), with the order's transaction id.

use crate::http::answers;
use crate::http::auth::{MachineAuth, UserAuth};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::http::long_poll::until_news;
use crate::state::AppState;
use crate::store::{OrderRecord, PayOrderDecision, PayOrderRequest};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use gashapay_core::api::machine_pay::{OrderRequest, OrderStatus, OrderView};
use gashapay_core::api::{paths, ErrorBody, StatusQuery};
use gashapay_core::ids::TransactionId;
use gashapay_core::order_code::{OrderCode, OrderCodeError};
use gashapay_core::ErrorCode;
use utoipa_axum::{router::OpenApiRouter, routes};

fn view(order: &OrderCode, machine_name: String, paid: Option<&OrderRecord>) -> OrderView {
    OrderView {
        machine_id: order.machine_id.clone(),
        machine_name,
        order_id: order.order_id.clone(),
        item: order.item.clone(),
        amount: order.amount,
        expires: order.expires,
        status: paid.map_or(OrderStatus::Unpaid, |p| OrderStatus::of_play(p.status)),
        transaction_id: paid.map(|p| p.transaction_id),
    }
}

/// The order's machine (live), and the order checked against its signature; its name.
/// Expiry is the caller's to check: a paid order stays readable after it expires.
async fn verified(state: &AppState, order: &OrderCode) -> ApiResult<String> {
    let machine = state
        .machine(&order.machine_id)
        .await?
        .filter(|m| !m.revoked)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such machine"))?;
    match order.verify(
        &machine.webhook_secrets(state.clock.now_millis()),
        state.clock.now_secs(),
        state.settings.clock_skew_secs,
    ) {
        Ok(()) | Err(OrderCodeError::Expired) => Ok(machine.name.clone()),
        Err(error) => Err(ApiError::new(error.code(), error.to_string())),
    }
}

/// An unpaid order past its expiry cannot be paid.
fn refuse_if_expired(
    state: &AppState,
    order: &OrderCode,
    paid: Option<&OrderRecord>,
) -> ApiResult<()> {
    if paid.is_none() && state.clock.now_secs() > order.expires {
        return Err(ApiError::of(ErrorCode::OrderExpired));
    }
    Ok(())
}

async fn paid_record(state: &AppState, order: &OrderCode) -> ApiResult<Option<OrderRecord>> {
    let (machine, id) = (order.machine_id.clone(), order.order_id.clone());
    Ok(state
        .db(move |store| store.orders().get(&machine, &id))
        .await?)
}

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
    let order = request.order;
    let machine_name = verified(&state, &order).await?;
    let paid = paid_record(&state, &order).await?;
    refuse_if_expired(&state, &order, paid.as_ref())?;
    Ok(Json(view(&order, machine_name, paid.as_ref())))
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
    let order = request.order;
    let machine_name = verified(&state, &order).await?;
    // A retry of a payment that went through gets it back, expired or not.
    let earlier = paid_record(&state, &order).await?;
    refuse_if_expired(&state, &order, earlier.as_ref())?;
    let pay = PayOrderRequest {
        order: order.clone(),
        user_id: auth.user_id,
        device_id: auth.device_id,
        transaction_id: TransactionId::new_random(),
        now: state.clock.now_millis(),
    };
    match state.db(move |store| store.orders().pay(&pay)).await? {
        PayOrderDecision::Paid(record) => {
            state.changes.notify();
            tracing::info!(transaction = %record.transaction_id, machine = %order.machine_id, order = %order.order_id, "order paid");
            Ok(Json(view(&order, machine_name, Some(&record))))
        }
        PayOrderDecision::TakenByOther => Err(ApiError::new(
            ErrorCode::AlreadyUsed,
            "someone else already paid this order",
        )),
        PayOrderDecision::InsufficientPoints => Err(ApiError::of(ErrorCode::InsufficientPoints)),
        PayOrderDecision::UnknownMachine => {
            Err(ApiError::new(ErrorCode::NotFound, "no such machine"))
        }
    }
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
            let (id, key) = (machine.machine_id.clone(), order_id.clone());
            let paid = state.db(move |store| store.orders().get(&id, &key)).await?;
            Ok(match paid {
                Some(paid) => OrderView {
                    machine_id: paid.machine_id.clone(),
                    machine_name: machine.name.clone(),
                    order_id: paid.order_id.clone(),
                    item: paid.item.clone(),
                    amount: paid.amount,
                    expires: paid.expires,
                    status: OrderStatus::of_play(paid.status),
                    transaction_id: Some(paid.transaction_id),
                },
                // Not paid: the backend knows only the id the machine asks about.
                None => OrderView {
                    machine_id: machine.machine_id.clone(),
                    machine_name: machine.name.clone(),
                    order_id,
                    item: String::new(),
                    amount: gashapay_core::Points(0),
                    expires: 0,
                    status: OrderStatus::Unpaid,
                    transaction_id: None,
                },
            })
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
