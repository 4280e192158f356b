//! Outcomes racing each other: whatever arrives at once, a play settles one way and
//! is refunded at most once.

use crate::helpers::spawn_app;
use gashapay_core::api::HistoryKind;
use gashapay_core::status::DispenseOutcome;
use gashapay_core::{ErrorCode, TransactionStatus};
use std::sync::Arc;

#[tokio::test]
async fn dispensed_and_failed_reported_at_once_settle_one_way_with_at_most_one_refund() {
    let app = spawn_app().await;
    let user = app.user("race", 1000).await;
    let machine = Arc::new(app.machine("m_race").await);
    for round in 0..10 {
        let code = user.code(100);
        let txn = code.payload.transaction_id;
        machine.validate(&code.to_text()).await.unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..10 {
            let machine = machine.clone();
            let outcome = if i % 2 == 0 {
                DispenseOutcome::Dispensed
            } else {
                DispenseOutcome::Failed
            };
            tasks.spawn(async move {
                machine
                    .send_report(&format!("evt_{round}_{i}"), txn, outcome, None)
                    .await
            });
        }
        let mut settled = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            match joined.unwrap() {
                Ok(ack) => settled.push(ack.status),
                Err(error) => assert_eq!(error.code(), Some(ErrorCode::OutcomeConflict), "{error}"),
            }
        }
        // Every accepted report agrees with the one outcome that won.
        settled.dedup();
        assert_eq!(settled.len(), 1, "round {round}: {settled:?}");
        let view = user.client.transaction(txn, None, None).await.unwrap();
        assert_eq!(view.status, settled[0]);
    }
    let history = user.client.history(100, None).await.unwrap().entries;
    let refunds = history
        .iter()
        .filter(|e| e.kind == HistoryKind::Refund)
        .count();
    let refunded = history
        .iter()
        .filter(|e| e.kind == HistoryKind::Play && e.outcome == Some(TransactionStatus::Refunded))
        .count();
    assert_eq!(refunds, refunded);
    assert!(app.audit().is_empty(), "{:?}", app.audit());
}

#[tokio::test]
async fn one_event_id_sent_twenty_times_at_once_has_one_effect() {
    let app = spawn_app().await;
    let user = app.user("dup", 500).await;
    let machine = Arc::new(app.machine("m_dup").await);
    let code = user.code(200);
    let txn = code.payload.transaction_id;
    machine.validate(&code.to_text()).await.unwrap();

    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let machine = machine.clone();
        tasks.spawn(async move {
            machine
                .send_report("evt_same", txn, DispenseOutcome::Failed, None)
                .await
        });
    }
    while let Some(joined) = tasks.join_next().await {
        assert_eq!(joined.unwrap().unwrap().status, TransactionStatus::Refunded);
    }
    assert_eq!(user.balance().await, 500);
    let refunds = user
        .client
        .history(100, None)
        .await
        .unwrap()
        .entries
        .into_iter()
        .filter(|e| e.kind == HistoryKind::Refund)
        .count();
    assert_eq!(refunds, 1);
    assert!(app.audit().is_empty());
}
