//! Plays, what machines report of them, the sweep, and the ledger around them.

use super::{balance, code, machine, player, NOW};
use crate::store::{
    HistoryRecord, OutcomeDecision, OutcomeReport, PlayDecision, Refusal, Store, TopUpRecord,
};
use gashapay_core::api::HistoryKind;
use gashapay_core::ids::{MachineId, Points, TransactionId};
use gashapay_core::status::{DispenseOutcome, TransactionStatus};
use gashapay_core::ErrorCode;

fn report(
    machine: &MachineId,
    event: &str,
    id: TransactionId,
    outcome: DispenseOutcome,
) -> OutcomeReport {
    OutcomeReport {
        machine_id: machine.clone(),
        event_id: event.into(),
        transaction_id: id,
        outcome,
        detail: None,
        now: NOW + 2_000,
    }
}

pub fn a_code_is_charged_once_and_its_machine_is_answered_alike_when_it_asks_again(
    store: &dyn Store,
) {
    let (a, b) = (machine(store, "m_a"), machine(store, "m_b"));
    let ann = player(store, "ann", 100);
    let play = code(ann, &a, 10, NOW);
    assert_eq!(store.plays().play(&play).unwrap(), PlayDecision::Accepted);
    assert_eq!(balance(store, ann.0), 90);

    // The same machine asks again (its answer was lost): the same yes, no second charge.
    let again = crate::store::PlayRequest {
        now: NOW + 500,
        ..play.clone()
    };
    assert_eq!(store.plays().play(&again).unwrap(), PlayDecision::Accepted);
    // Another machine with the same code: already used.
    let elsewhere = crate::store::PlayRequest {
        machine_id: b,
        ..play.clone()
    };
    assert_eq!(
        store.plays().play(&elsewhere).unwrap(),
        PlayDecision::AlreadyUsed
    );
    assert_eq!(balance(store, ann.0), 90);

    let newest = &store.ledger().history(ann.0, 1, None).unwrap()[0];
    assert_eq!(
        (newest.kind, newest.delta, newest.balance_after),
        (HistoryKind::Play, -10, Points(90))
    );
    assert_eq!(newest.transaction_id, Some(play.transaction_id));
}

pub fn a_play_beyond_the_balance_is_refused_and_changes_nothing(store: &dyn Store) {
    let a = machine(store, "m_a");
    let ann = player(store, "ann", 50);
    let before = store.ledger().history(ann.0, 10, None).unwrap();
    let play = code(ann, &a, 60, NOW);
    assert_eq!(
        store.plays().play(&play).unwrap(),
        PlayDecision::Rejected(ErrorCode::InsufficientPoints)
    );
    assert_eq!(balance(store, ann.0), 50);
    assert_eq!(store.ledger().history(ann.0, 10, None).unwrap(), before);
    // The refusal is recorded, so the app can say why.
    let record = store
        .transactions()
        .transaction(play.transaction_id, ann.0)
        .unwrap()
        .unwrap();
    assert_eq!(record.status, TransactionStatus::Rejected);
    assert_eq!(record.rejection, Some(ErrorCode::InsufficientPoints));
}

pub fn a_batch_applies_in_order(store: &dyn Store) {
    let a = machine(store, "m_a");
    let ann = player(store, "ann", 100);
    let first = code(ann, &a, 60, NOW);
    let second = code(ann, &a, 60, NOW);
    let decisions = store
        .plays()
        .play_batch(&[first.clone(), second, first])
        .unwrap();
    assert_eq!(
        decisions,
        [
            PlayDecision::Accepted,
            PlayDecision::Rejected(ErrorCode::InsufficientPoints),
            PlayDecision::Accepted,
        ]
    );
    assert_eq!(balance(store, ann.0), 40);
}

pub fn a_failed_dispense_refunds_once_and_a_later_contrary_report_changes_nothing(
    store: &dyn Store,
) {
    let a = machine(store, "m_a");
    let ann = player(store, "ann", 100);
    let play = code(ann, &a, 30, NOW);
    store.plays().play(&play).unwrap();
    let failed = report(&a, "evt_1", play.transaction_id, DispenseOutcome::Failed);
    let transactions = store.transactions();
    let refunded = OutcomeDecision::Settled(TransactionStatus::Refunded);
    assert_eq!(transactions.report_outcome(&failed).unwrap(), refunded);
    assert_eq!(transactions.report_outcome(&failed).unwrap(), refunded);
    assert_eq!(balance(store, ann.0), 100);

    let dispensed = report(&a, "evt_2", play.transaction_id, DispenseOutcome::Dispensed);
    assert_eq!(
        transactions.report_outcome(&dispensed).unwrap(),
        OutcomeDecision::Conflict(TransactionStatus::Refunded)
    );
    assert_eq!(balance(store, ann.0), 100);
    let refunds = store
        .ledger()
        .history(ann.0, 10, None)
        .unwrap()
        .iter()
        .filter(|entry| entry.kind == HistoryKind::Refund)
        .count();
    assert_eq!(refunds, 1);
}

pub fn an_event_id_answers_only_its_first_report(store: &dyn Store) {
    let a = machine(store, "m_a");
    let ann = player(store, "ann", 100);
    let (one, two) = (code(ann, &a, 10, NOW), code(ann, &a, 10, NOW));
    store
        .plays()
        .play_batch(&[one.clone(), two.clone()])
        .unwrap();
    let transactions = store.transactions();
    let first = report(&a, "evt_1", one.transaction_id, DispenseOutcome::Dispensed);
    assert_eq!(
        transactions.report_outcome(&first).unwrap(),
        OutcomeDecision::Settled(TransactionStatus::Completed)
    );
    let reused = report(&a, "evt_1", two.transaction_id, DispenseOutcome::Failed);
    assert_eq!(
        transactions.report_outcome(&reused).unwrap(),
        OutcomeDecision::EventIdReused
    );
    let status = |id| transactions.transaction(id, ann.0).unwrap().unwrap().status;
    assert_eq!(status(two.transaction_id), TransactionStatus::Pending);
    assert_eq!(balance(store, ann.0), 80);
}

pub fn the_sweep_refunds_a_stale_play_once(store: &dyn Store) {
    let a = machine(store, "m_a");
    let ann = player(store, "ann", 100);
    let old = code(ann, &a, 10, NOW);
    let new = code(ann, &a, 10, NOW + 10_000);
    store.plays().play(&old).unwrap();
    store.plays().play(&new).unwrap();
    let transactions = store.transactions();
    assert_eq!(
        transactions.refund_stale(NOW, NOW + 20_000).unwrap(),
        [old.transaction_id]
    );
    assert!(transactions
        .refund_stale(NOW, NOW + 30_000)
        .unwrap()
        .is_empty());
    assert_eq!(balance(store, ann.0), 90);
    // The machine's report comes too late: nothing moves.
    let late = report(
        &a,
        "evt_late",
        old.transaction_id,
        DispenseOutcome::Dispensed,
    );
    assert_eq!(
        transactions.report_outcome(&late).unwrap(),
        OutcomeDecision::Conflict(TransactionStatus::Refunded)
    );
    assert_eq!(balance(store, ann.0), 90);
}

pub fn a_transaction_is_its_players_and_its_machines(store: &dyn Store) {
    let (a, b) = (machine(store, "m_a"), machine(store, "m_b"));
    let ann = player(store, "ann", 100);
    let play = code(ann, &a, 10, NOW);
    store.plays().play(&play).unwrap();
    let transactions = store.transactions();
    let record = transactions
        .transaction(play.transaction_id, ann.0)
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            record.user_id,
            &record.machine_id,
            record.points,
            record.status
        ),
        (ann.0, &a, Points(10), TransactionStatus::Pending)
    );
    let wrong_machine = report(&b, "evt_b", play.transaction_id, DispenseOutcome::Failed);
    assert_eq!(
        transactions.report_outcome(&wrong_machine).unwrap(),
        OutcomeDecision::NotYours
    );
    let unknown = report(
        &a,
        "evt_x",
        TransactionId::new_random(),
        DispenseOutcome::Failed,
    );
    assert_eq!(
        transactions.report_outcome(&unknown).unwrap(),
        OutcomeDecision::NotFound
    );
    assert_eq!(balance(store, ann.0), 90);
}

pub fn one_code_sent_at_once_from_many_machines_is_charged_once(store: &dyn Store) {
    let machines: Vec<_> = (0..6).map(|n| machine(store, &format!("m_{n}"))).collect();
    let ann = player(store, "ann", 100);
    let play = code(ann, &machines[0], 10, NOW);
    let decisions: Vec<PlayDecision> = std::thread::scope(|scope| {
        let racers: Vec<_> = machines
            .iter()
            .map(|id| {
                let request = crate::store::PlayRequest {
                    machine_id: id.clone(),
                    ..play.clone()
                };
                scope.spawn(move || store.plays().play(&request).unwrap())
            })
            .collect();
        racers
            .into_iter()
            .map(|racer| racer.join().unwrap())
            .collect()
    });
    let accepted = decisions
        .iter()
        .filter(|decision| **decision == PlayDecision::Accepted)
        .count();
    assert_eq!(accepted, 1, "{decisions:?}");
    assert!(decisions
        .iter()
        .all(|d| matches!(d, PlayDecision::Accepted | PlayDecision::AlreadyUsed)));
    assert_eq!(balance(store, ann.0), 90);
}

pub fn a_top_up_key_credits_once(store: &dyn Store) {
    let ann = player(store, "ann", 100);
    let bob = player(store, "bob", 0);
    let ledger = store.ledger();
    let first = ledger
        .record_top_up(
            ann.0,
            "key-1",
            &[1; 32],
            Ok(("t_1".into(), Points(500))),
            NOW,
        )
        .unwrap();
    let credited = TopUpRecord {
        top_up_id: "t_1".into(),
        amount: Points(500),
        balance: Points(600),
    };
    assert_eq!(first.answer, Ok(credited));
    // The key again, with another answer (a retry that raced): the first one stands.
    let refusal = Refusal {
        error: ErrorCode::PaymentDeclined,
        message: "declined".into(),
    };
    let again = ledger
        .record_top_up(ann.0, "key-1", &[2; 32], Err(refusal.clone()), NOW)
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(ledger.top_up_answer(ann.0, "key-1").unwrap(), Some(first));
    assert_eq!(balance(store, ann.0), 600);
    // Keys are each player's own.
    let bobs = ledger
        .record_top_up(bob.0, "key-1", &[2; 32], Err(refusal.clone()), NOW)
        .unwrap();
    assert_eq!(bobs.answer, Err(refusal));
    assert_eq!(balance(store, bob.0), 0);
}

pub fn history_pages_walk_newest_first(store: &dyn Store) {
    let ann = player(store, "ann", 0);
    let bob = player(store, "bob", 0);
    for n in 1..=3 {
        store.ledger().grant(ann.0, Points(n), "gift", NOW).unwrap();
        store
            .ledger()
            .grant(bob.0, Points(10 * n), "gift", NOW)
            .unwrap();
    }
    let page = |limit, before| store.ledger().history(ann.0, limit, before).unwrap();
    let deltas = |entries: &[HistoryRecord]| entries.iter().map(|e| e.delta).collect::<Vec<_>>();
    let first = page(2, None);
    assert_eq!(deltas(&first), [3, 2]);
    assert_eq!(deltas(&page(2, Some(first[1].id))), [1]);
    assert_eq!(first[0].label.as_deref(), Some("gift"));
    assert_eq!(first[0].balance_after, Points(6));
    assert!(page(0, None).is_empty());
}
