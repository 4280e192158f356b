//! Pay-first machine sessions and the printed codes that open them.

use super::{balance, machine, player, NOW};
use crate::store::{
    CodeChange, MachineSessionRecord, OpenSessionDecision, OpenSessionRequest, PurchaseDecision,
    PurchaseRequest, SessionEnder, Store,
};
use gashapay_core::api::machine_pay::{SessionEnd, SessionStatus};
use gashapay_core::ids::{MachineId, Points, UserId};
use uuid::Uuid;

/// A printed code for `machine`.
pub fn printed_code(store: &dyn Store, id: &str, machine: &MachineId) -> String {
    let change = store.machine_codes().create(id, machine, NOW).unwrap();
    assert!(matches!(change, CodeChange::Done(_)), "{change:?}");
    id.into()
}

pub fn load(user: UserId, code: &str, points: u64) -> OpenSessionRequest {
    OpenSessionRequest {
        session_id: Uuid::new_v4(),
        user_id: user,
        code_id: code.into(),
        points: Points(points),
        now: NOW,
    }
}

pub fn opened(decision: OpenSessionDecision) -> MachineSessionRecord {
    match decision {
        OpenSessionDecision::Opened(session) => session,
        other => panic!("not opened: {other:?}"),
    }
}

fn buy(machine: &MachineId, session: Uuid, event: &str, points: u64) -> PurchaseRequest {
    PurchaseRequest {
        machine_id: machine.clone(),
        session_id: session,
        event_id: event.into(),
        item: "Cola".into(),
        points: Points(points),
        now: NOW + 1_000,
    }
}

pub fn a_machine_session_refunds_what_is_left_once(store: &dyn Store) {
    let a = machine(store, "m_a");
    let code = printed_code(store, "gpc_one", &a);
    let (ann, _) = player(store, "ann", 100);
    let sessions = store.machine_sessions();
    let request = load(ann, &code, 50);
    let session = opened(sessions.open(&request).unwrap());
    assert_eq!(
        (session.loaded, session.status),
        (Points(50), SessionStatus::Open)
    );
    assert_eq!(balance(store, ann), 50);
    // The same request again (a retry): the session as it is, nothing deducted.
    assert!(matches!(
        sessions.open(&request).unwrap(),
        OpenSessionDecision::Existing(_)
    ));
    assert_eq!(balance(store, ann), 50);

    let purchase = buy(&a, session.id, "evt_1", 20);
    let PurchaseDecision::Recorded(after) = sessions.purchase(&purchase).unwrap() else {
        panic!("purchase refused");
    };
    assert_eq!(after.remaining(), Points(30));
    // The machine sends the same purchase again: recorded once.
    let PurchaseDecision::Recorded(again) = sessions.purchase(&purchase).unwrap() else {
        panic!("repeated purchase refused");
    };
    assert_eq!(again.spent, Points(20));

    let ender = SessionEnder::Customer(ann);
    let ended = sessions
        .end(session.id, &ender, NOW + 2_000)
        .unwrap()
        .unwrap();
    assert_eq!(
        (ended.status, ended.ended_by, ended.refunded),
        (
            SessionStatus::Ended,
            Some(SessionEnd::Customer),
            Some(Points(30))
        )
    );
    assert_eq!(balance(store, ann), 80);
    let machine_end = SessionEnder::Machine(a);
    let twice = sessions
        .end(session.id, &machine_end, NOW + 3_000)
        .unwrap()
        .unwrap();
    assert_eq!(twice.refunded, Some(Points(30)));
    assert_eq!(balance(store, ann), 80);
    // Another player cannot end it: there is no such session for them.
    let (bob, _) = player(store, "bob", 0);
    let stranger = SessionEnder::Customer(bob);
    assert!(sessions.end(session.id, &stranger, NOW).unwrap().is_none());
}

pub fn a_purchase_beyond_the_session_or_after_its_end_is_refused(store: &dyn Store) {
    let (a, b) = (machine(store, "m_a"), machine(store, "m_b"));
    let code = printed_code(store, "gpc_one", &a);
    let (ann, _) = player(store, "ann", 100);
    let sessions = store.machine_sessions();
    let session = opened(sessions.open(&load(ann, &code, 50)).unwrap());
    assert_eq!(
        sessions
            .purchase(&buy(&a, session.id, "evt_1", 60))
            .unwrap(),
        PurchaseDecision::InsufficientCredit
    );
    assert_eq!(
        sessions
            .purchase(&buy(&b, session.id, "evt_2", 10))
            .unwrap(),
        PurchaseDecision::NotFound
    );
    sessions
        .end(session.id, &SessionEnder::Machine(a.clone()), NOW)
        .unwrap();
    assert_eq!(
        sessions
            .purchase(&buy(&a, session.id, "evt_3", 10))
            .unwrap(),
        PurchaseDecision::Ended
    );
    assert_eq!(balance(store, ann), 100);
}

pub fn an_idle_session_is_ended_by_the_sweep_once(store: &dyn Store) {
    let a = machine(store, "m_a");
    let code = printed_code(store, "gpc_one", &a);
    let (ann, _) = player(store, "ann", 100);
    let sessions = store.machine_sessions();
    let session = opened(sessions.open(&load(ann, &code, 40)).unwrap());
    assert_eq!(sessions.open_of(ann).unwrap().len(), 1);
    assert!(sessions.end_idle(NOW - 1, NOW + 5_000).unwrap().is_empty());
    assert_eq!(sessions.end_idle(NOW, NOW + 5_000).unwrap(), [session.id]);
    assert!(sessions.end_idle(NOW, NOW + 6_000).unwrap().is_empty());
    let ended = sessions.get(session.id).unwrap().unwrap();
    assert_eq!(ended.ended_by, Some(SessionEnd::Timeout));
    assert_eq!(balance(store, ann), 100);
    assert!(sessions.open_of(ann).unwrap().is_empty());
}

pub fn a_disabled_code_opens_nothing(store: &dyn Store) {
    let a = machine(store, "m_a");
    let code = printed_code(store, "gpc_one", &a);
    let (ann, _) = player(store, "ann", 100);
    let (bob, _) = player(store, "bob", 100);
    let sessions = store.machine_sessions();
    assert_eq!(
        sessions.open(&load(ann, "gpc_none", 10)).unwrap(),
        OpenSessionDecision::UnknownCode
    );
    store.machine_codes().set_active(&code, false, NOW).unwrap();
    assert_eq!(
        sessions.open(&load(ann, &code, 10)).unwrap(),
        OpenSessionDecision::CodeDisabled
    );
    store.machine_codes().set_active(&code, true, NOW).unwrap();
    opened(sessions.open(&load(ann, &code, 10)).unwrap());
    // One session at a time on a machine.
    assert_eq!(
        sessions.open(&load(bob, &code, 10)).unwrap(),
        OpenSessionDecision::MachineBusy
    );
    assert_eq!(
        sessions.open(&load(ann, &code, 500)).unwrap(),
        OpenSessionDecision::MachineBusy
    );
    assert_eq!((balance(store, ann), balance(store, bob)), (90, 100));
}
