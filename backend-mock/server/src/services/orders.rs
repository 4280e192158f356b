//! Buy-first orders (PROTOCOL §10.3): a machine shows an order's code, signed with its
//! webhook secret; the customer checks it and pays it, and the payment becomes a play
//! pending the machine's report; the machine follows its order until it is paid.

use super::{ServiceError, ServiceResult};
use crate::state::AppState;
use crate::store::{OrderRecord, PayOrderDecision, PayOrderRequest};
use gashapay_core::api::machine_pay::{OrderStatus, OrderView};
use gashapay_core::ids::{DeviceId, MachineId, Points, TransactionId, UserId};
use gashapay_core::order_code::{OrderCode, OrderCodeError};
use gashapay_core::ErrorCode;

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
async fn verified(state: &AppState, order: &OrderCode) -> ServiceResult<String> {
    let machine = state
        .machine(&order.machine_id)
        .await?
        .filter(|m| !m.revoked)
        .ok_or_else(|| ServiceError::refused_because(ErrorCode::NotFound, "no such machine"))?;
    match order.verify(
        &machine.webhook_secrets(state.clock.now_millis()),
        state.clock.now_secs(),
        state.settings.clock_skew_secs,
    ) {
        Ok(()) | Err(OrderCodeError::Expired) => Ok(machine.name.clone()),
        Err(error) => Err(ServiceError::refused_because(
            error.code(),
            error.to_string(),
        )),
    }
}

/// An unpaid order past its expiry cannot be paid.
fn refuse_if_expired(
    state: &AppState,
    order: &OrderCode,
    paid: Option<&OrderRecord>,
) -> ServiceResult<()> {
    if paid.is_none() && state.clock.now_secs() > order.expires {
        return Err(ServiceError::refused(ErrorCode::OrderExpired));
    }
    Ok(())
}

async fn paid_record(state: &AppState, order: &OrderCode) -> ServiceResult<Option<OrderRecord>> {
    let (machine, id) = (order.machine_id.clone(), order.order_id.clone());
    Ok(state
        .db(move |store| store.orders().get(&machine, &id))
        .await?)
}

/// What an order's code asks: the machine's name, the item, the amount, and whether it
/// is paid. Nothing changes.
pub async fn check(state: &AppState, order: OrderCode) -> ServiceResult<OrderView> {
    let machine_name = verified(state, &order).await?;
    let paid = paid_record(state, &order).await?;
    refuse_if_expired(state, &order, paid.as_ref())?;
    Ok(view(&order, machine_name, paid.as_ref()))
}

/// Pays an order from the player's device: the points are deducted and the order
/// becomes a play pending the machine's outcome. A retry of a payment that went
/// through gets it back, expired or not.
pub async fn pay(
    state: &AppState,
    user: UserId,
    device: DeviceId,
    order: OrderCode,
) -> ServiceResult<OrderView> {
    let machine_name = verified(state, &order).await?;
    let earlier = paid_record(state, &order).await?;
    refuse_if_expired(state, &order, earlier.as_ref())?;
    let pay = PayOrderRequest {
        order: order.clone(),
        user_id: user,
        device_id: device,
        transaction_id: TransactionId::new_random(),
        now: state.clock.now_millis(),
    };
    match state.db(move |store| store.orders().pay(&pay)).await? {
        PayOrderDecision::Paid(record) => {
            state.changes.notify();
            tracing::info!(transaction = %record.transaction_id, machine = %order.machine_id, order = %order.order_id, "order paid");
            Ok(view(&order, machine_name, Some(&record)))
        }
        PayOrderDecision::TakenByOther => Err(ServiceError::refused_because(
            ErrorCode::AlreadyUsed,
            "someone else already paid this order",
        )),
        PayOrderDecision::InsufficientPoints => Err(ErrorCode::InsufficientPoints.into()),
        PayOrderDecision::UnknownMachine => Err(ServiceError::refused_because(
            ErrorCode::NotFound,
            "no such machine",
        )),
    }
}

/// One of the machine's orders as it stands; an unpaid one is known only by its id.
pub async fn machine_order(
    state: &AppState,
    machine: &MachineId,
    machine_name: &str,
    order_id: String,
) -> ServiceResult<OrderView> {
    let (id, key) = (machine.clone(), order_id.clone());
    let paid = state.db(move |store| store.orders().get(&id, &key)).await?;
    Ok(match paid {
        Some(paid) => OrderView {
            machine_id: paid.machine_id,
            machine_name: machine_name.to_owned(),
            order_id: paid.order_id,
            item: paid.item,
            amount: paid.amount,
            expires: paid.expires,
            status: OrderStatus::of_play(paid.status),
            transaction_id: Some(paid.transaction_id),
        },
        None => OrderView {
            machine_id: machine.clone(),
            machine_name: machine_name.to_owned(),
            order_id,
            item: String::new(),
            amount: Points(0),
            expires: 0,
            status: OrderStatus::Unpaid,
            transaction_id: None,
        },
    })
}
