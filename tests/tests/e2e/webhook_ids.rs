//! A webhook id is the idempotency key of one report: repeated with the same report
//! it gets the first answer, repeated with another transaction or outcome it is
//! refused and changes nothing, so no play is settled by another play's answer.

use crate::helpers::{spawn_app, TestApp, User};
use gashapay_core::status::DispenseOutcome;
use gashapay_core::{ErrorCode, TransactionId, TransactionStatus};
use gashapay_machine::MachineClient;
use std::sync::Arc;

async fn status(user: &User, txn: TransactionId) -> TransactionStatus {
    user.client
        .transaction(txn, None, None)
        .await
        .unwrap()
        .status
}

/// Two plays of 100 points validated by one machine.
async fn two_plays(app: &TestApp, user: &User, machine: &MachineClient) -> [TransactionId; 2] {
    let mut ids = [TransactionId::new_random(); 2];
    for id in &mut ids {
        let code = user.code(100);
        machine.validate(&code.to_text()).await.unwrap();
        *id = code.payload.transaction_id;
    }
    assert!(app.audit().is_empty());
    ids
}

#[tokio::test]
async fn an_event_id_reused_for_another_play_is_refused_and_that_play_is_settled_by_its_own_report()
{
    for (outcome, settled, balance_after) in [
        (
            DispenseOutcome::Dispensed,
            TransactionStatus::Completed,
            800,
        ),
        (DispenseOutcome::Failed, TransactionStatus::Refunded, 1000),
    ] {
        let app = spawn_app().await;
        let user = app.user("ren", 1000).await;
        let machine = app.machine("m_reboot").await;
        let [a, b] = two_plays(&app, &user, &machine).await;

        let first = machine
            .send_report("evt_1", a, outcome, None)
            .await
            .unwrap();
        assert_eq!((first.transaction_id, first.status), (a, settled));

        // The machine rebooted and its counter starts again at evt_1.
        let reused = machine
            .send_report("evt_1", b, outcome, None)
            .await
            .unwrap_err();
        assert_eq!(
            reused.code(),
            Some(ErrorCode::IdempotencyKeyReused),
            "{outcome:?}: {reused}"
        );
        assert_eq!(status(&user, b).await, TransactionStatus::Pending);

        // The first report's answer is still the first report's.
        let replay = machine
            .send_report("evt_1", a, outcome, None)
            .await
            .unwrap();
        assert_eq!(replay, first);

        // Sent again under an id of its own, B is settled as reported.
        let own = machine
            .send_report("evt_2", b, outcome, None)
            .await
            .unwrap();
        assert_eq!((own.transaction_id, own.status), (b, settled));
        assert_eq!(status(&user, b).await, settled);
        assert_eq!(user.balance().await, balance_after, "{outcome:?}");
        assert!(app.audit().is_empty(), "{:?}", app.audit());
    }
}

#[tokio::test]
async fn an_event_id_reused_for_the_other_outcome_of_the_same_play_changes_nothing() {
    let app = spawn_app().await;
    let user = app.user("ola", 1000).await;
    let machine = app.machine("m_flip").await;
    let [a, _] = two_plays(&app, &user, &machine).await;

    let first = machine
        .send_report("evt_7", a, DispenseOutcome::Dispensed, None)
        .await
        .unwrap();
    assert_eq!(first.status, TransactionStatus::Completed);
    let flipped = machine
        .send_report("evt_7", a, DispenseOutcome::Failed, None)
        .await
        .unwrap_err();
    assert_eq!(flipped.code(), Some(ErrorCode::IdempotencyKeyReused));
    assert_eq!(status(&user, a).await, TransactionStatus::Completed);
    assert_eq!(user.balance().await, 800);

    // Another machine's event ids are its own.
    let other = app.machine("m_other").await;
    let code = user.code(50);
    other.validate(&code.to_text()).await.unwrap();
    let ack = other
        .send_report(
            "evt_7",
            code.payload.transaction_id,
            DispenseOutcome::Failed,
            None,
        )
        .await
        .unwrap();
    assert_eq!(ack.status, TransactionStatus::Refunded);
    assert_eq!(user.balance().await, 800);
    assert!(app.audit().is_empty());
}

#[tokio::test]
async fn one_event_id_sent_at_once_for_two_plays_settles_one_and_answers_each_for_its_own() {
    for outcome in [DispenseOutcome::Dispensed, DispenseOutcome::Failed] {
        let app = spawn_app().await;
        let user = app.user("kai", 1000).await;
        let machine = Arc::new(app.machine("m_burst").await);
        let [a, b] = two_plays(&app, &user, &machine).await;

        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..20 {
            let machine = machine.clone();
            let txn = if i % 2 == 0 { a } else { b };
            tasks.spawn(async move {
                (
                    txn,
                    machine.send_report("evt_same", txn, outcome, None).await,
                )
            });
        }
        let mut winners = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            match joined.unwrap() {
                (txn, Ok(ack)) => {
                    assert_eq!(ack.transaction_id, txn, "an answer for another play");
                    winners.push(txn);
                }
                (_, Err(error)) => {
                    assert_eq!(
                        error.code(),
                        Some(ErrorCode::IdempotencyKeyReused),
                        "{error}"
                    )
                }
            }
        }
        // One play took the id; all ten of its reports were answered, the other
        // play's ten were refused, and that play is untouched.
        assert_eq!(winners.len(), 10, "{winners:?}");
        let winner = winners[0];
        assert!(winners.iter().all(|&txn| txn == winner));
        let loser = if winner == a { b } else { a };
        assert_eq!(status(&user, loser).await, TransactionStatus::Pending);
        let expected_balance = match outcome {
            DispenseOutcome::Dispensed => 800,
            DispenseOutcome::Failed | DispenseOutcome::Cancelled => 900,
        };
        assert_eq!(user.balance().await, expected_balance, "{outcome:?}");
        assert!(app.audit().is_empty(), "{:?}", app.audit());
    }
}
