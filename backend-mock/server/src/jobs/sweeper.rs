//! Gives back what a silent party would otherwise keep: plays whose machine never
//! reported an outcome, paid orders not dispensed in time, and pay-first sessions with
//! no purchase for the idle timeout (their unused points); and forgets idle rate-limit
//! keys. Everything it decides comes from the database, so after a restart it picks up
//! where the last run left.

use crate::state::AppState;
use crate::store::StoreResult;

pub async fn run(state: AppState) {
    let mut ticker = tokio::time::interval(state.settings.sweep_interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        state.limits.forget_idle();
        if let Err(error) = sweep(&state).await {
            tracing::error!(%error, "sweep failed");
        }
    }
}

async fn sweep(state: &AppState) -> StoreResult<()> {
    let settings = &state.settings;
    let now = state.clock.now_millis();
    let ago = |timeout: std::time::Duration| now - timeout.as_millis() as i64;
    let (orders, plays, idle) = (
        ago(settings.order_dispense),
        ago(settings.outcome_timeout),
        ago(settings.session_idle),
    );
    let (stale_orders, stale_plays, ended) = state
        .db(move |store| {
            Ok((
                store.orders().refund_stale(plays, orders, now)?,
                store.transactions().refund_stale(plays, now)?,
                store.machine_sessions().end_idle(idle, now)?,
            ))
        })
        .await?;
    for id in &stale_orders {
        tracing::info!(transaction = %id, "refunded: the order was not dispensed in time");
    }
    for id in &stale_plays {
        tracing::info!(transaction = %id, "refunded: no outcome before the timeout");
    }
    for id in &ended {
        tracing::info!(session = %id, "session ended: nothing bought for the idle timeout");
    }
    if !(stale_orders.is_empty() && stale_plays.is_empty() && ended.is_empty()) {
        state.changes.notify();
    }
    Ok(())
}
