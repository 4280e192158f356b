//! Refunds plays whose machine never reported an outcome (the money must not stay
//! taken when a machine goes silent), and forgets idle rate-limit keys.

use crate::state::AppState;

pub async fn run(state: AppState) {
    let mut ticker = tokio::time::interval(state.settings.sweep_interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        state.limits.forget_idle();
        let timeout = state.settings.outcome_timeout.as_millis() as i64;
        let now = state.clock.now_millis();
        match state
            .db(move |store| store.refund_stale(now - timeout, now))
            .await
        {
            Ok(refunded) if !refunded.is_empty() => {
                state.changes.notify();
                for id in &refunded {
                    tracing::info!(transaction = %id, "refunded: no outcome before the timeout");
                }
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "sweep failed"),
        }
    }
}
