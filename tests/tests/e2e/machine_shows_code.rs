//! The machine shows the code (seed 001, PROTOCOL §10): printed codes managed by the
//! operator, pay-first sessions, buy-first orders, and the sales they add up to —
//! through the real backend, the app's client and the emulated machine.

use crate::helpers::*;
use gashapay_core::api::machine_pay::{OrderStatus, SessionEnd, SessionStatus};
use gashapay_core::api::HistoryKind;
use gashapay_core::client::admin::AdminClient;
use gashapay_core::links::AppLink;
use gashapay_core::status::{DispenseOutcome, RefundReason, TransactionStatus};
use gashapay_core::{ErrorCode, MachineId, Points, Redacted};
use gashapay_machine::{MachineError, RetryPolicy};
use std::time::Duration;
use uuid::Uuid;

fn operator(app: &TestApp) -> AdminClient {
    AdminClient::new(&app.base_url(), Redacted::new(ADMIN_KEY)).unwrap()
}

/// A printed code for `machine`, read back from its link as a phone would.
pub(crate) async fn printed_code(app: &TestApp, machine: &str) -> String {
    let view = operator(app)
        .create_machine_code(&MachineId(machine.into()))
        .await
        .unwrap();
    match AppLink::parse(&view.link).unwrap() {
        AppLink::MachineCode { code_id } => code_id,
        other => panic!("not a machine code: {other:?}"),
    }
}

/// The machine reports a paid order's outcome, as it does a play's.
async fn report(
    machine: &gashapay_machine::MachineClient,
    transaction: gashapay_core::TransactionId,
    outcome: DispenseOutcome,
) -> Result<gashapay_core::api::WebhookAck, MachineError> {
    machine
        .report(
            transaction,
            outcome,
            None,
            &RetryPolicy::default(),
            |_, _| {},
        )
        .await
}

fn refused<T: std::fmt::Debug>(result: Result<T, gashapay_core::client::ClientError>) -> ErrorCode {
    result.expect_err("refused").code().expect("an API error")
}

fn machine_refused<T: std::fmt::Debug>(result: Result<T, MachineError>) -> ErrorCode {
    result.expect_err("refused").code().expect("an API error")
}

#[tokio::test]
async fn the_operator_creates_moves_and_disables_a_printed_code_and_the_app_follows() {
    let app = spawn_app().await;
    let _first = app.machine("m_first").await;
    let _second = app.machine("m_second").await;
    let alice = app.user("alice", 1000).await;
    let operator = operator(&app);
    let view = operator
        .create_machine_code(&MachineId("m_first".into()))
        .await
        .unwrap();
    assert!(view
        .link
        .starts_with(&format!("{}/l/m/mc_", app.base_url())));
    assert_eq!(view.app_link, format!("gashapay://m/{}", view.code_id));
    let code = printed_code(&app, "m_first").await;

    let info = alice.client.machine_code(&code).await.unwrap();
    assert_eq!(
        (info.machine_name.as_str(), info.busy),
        ("Machine m_first", false)
    );
    assert_eq!(info.load_choices[0], Points(100));

    // A phone without the app opens the https link: a page naming the machine.
    let page = reqwest::get(&view.link).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Machine m_first") && html.contains("gashapay://m/mc_"));

    operator
        .modify_machine_code(&code, &MachineId("m_second".into()))
        .await
        .unwrap();
    let moved = alice.client.machine_code(&code).await.unwrap();
    assert_eq!(moved.machine_id, MachineId("m_second".into()));

    operator
        .set_machine_code_active(&code, false)
        .await
        .unwrap();
    assert_eq!(
        refused(alice.client.machine_code(&code).await),
        ErrorCode::CodeDisabled
    );
    let start = alice
        .client
        .start_session(Uuid::now_v7(), &code, Points(100))
        .await;
    assert_eq!(refused(start), ErrorCode::CodeDisabled);
    let disabled_page = reqwest::get(format!("{}/l/m/{code}", app.base_url()))
        .await
        .unwrap();
    assert_eq!(disabled_page.status(), 404);
    assert_eq!(
        alice.balance().await,
        1000,
        "a refused session takes nothing"
    );

    operator.set_machine_code_active(&code, true).await.unwrap();
    alice.client.machine_code(&code).await.unwrap();
    let unknown = alice.client.machine_code("mc_aaaaaaaaaaaaaaaaaaaa").await;
    assert_eq!(refused(unknown), ErrorCode::NotFound);
    let moving_nowhere = operator
        .modify_machine_code(&code, &MachineId("m_none".into()))
        .await;
    assert_eq!(refused(moving_nowhere), ErrorCode::NotFound);
    let trail: Vec<String> = operator
        .audit()
        .await
        .unwrap()
        .entries
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    for action in [
        "create_machine_code",
        "modify_machine_code",
        "disable_machine_code",
        "enable_machine_code",
    ] {
        assert!(trail.iter().any(|a| a == action), "{action} in {trail:?}");
    }
}

#[tokio::test]
async fn pay_first_the_machine_sees_the_credit_sells_twice_and_the_rest_comes_back() {
    let app = spawn_app().await;
    let machine = app.machine("m_vend").await;
    let alice = app.user("alice", 1000).await;
    let code = printed_code(&app, "m_vend").await;

    // The machine waits for a customer; the credit reaches it as soon as it is taken.
    let watching = {
        let machine = machine.clone();
        tokio::spawn(async move { machine.current_session(Duration::from_secs(10), None).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let session_id = Uuid::now_v7();
    let opened = alice
        .client
        .start_session(session_id, &code, Points(500))
        .await
        .unwrap();
    assert_eq!(
        (opened.status, opened.remaining, opened.balance),
        (SessionStatus::Open, Points(500), Some(Points(500)))
    );
    let seen = watching.await.unwrap().unwrap().expect("the open session");
    assert_eq!((seen.session_id, seen.remaining), (session_id, Points(500)));

    let after_a = machine
        .report_purchase(session_id, "evt_1", "Capsule A", Points(150))
        .await
        .unwrap();
    assert_eq!(after_a.remaining, Points(350));
    // The same report again (a retry) changes nothing.
    let again = machine
        .report_purchase(session_id, "evt_1", "Capsule A", Points(150))
        .await
        .unwrap();
    assert_eq!(again.remaining, Points(350));
    let reused = machine
        .report_purchase(session_id, "evt_1", "Capsule B", Points(10))
        .await;
    assert_eq!(machine_refused(reused), ErrorCode::IdempotencyKeyReused);
    machine
        .report_purchase(session_id, "evt_2", "Capsule B", Points(200))
        .await
        .unwrap();
    let too_dear = machine
        .report_purchase(session_id, "evt_3", "Capsule C", Points(200))
        .await;
    assert_eq!(machine_refused(too_dear), ErrorCode::InsufficientCredit);

    // The app follows: its long-poll returns at the next change.
    let followed = alice
        .client
        .session(
            session_id,
            Some(Duration::from_secs(1)),
            Some(opened.version),
        )
        .await
        .unwrap();
    assert_eq!(followed.spent, Points(350));
    let items: Vec<&str> = followed.purchases.iter().map(|p| p.item.as_str()).collect();
    assert_eq!(items, ["Capsule A", "Capsule B"]);

    let ended = alice.client.end_session(session_id).await.unwrap();
    assert_eq!(
        (ended.status, ended.ended_by, ended.refunded, ended.balance),
        (
            SessionStatus::Ended,
            Some(SessionEnd::Customer),
            Some(Points(150)),
            Some(Points(650))
        )
    );
    // Ending again, or buying after the end, changes nothing.
    let twice = alice.client.end_session(session_id).await.unwrap();
    assert_eq!(twice.refunded, Some(Points(150)));
    let late = machine
        .report_purchase(session_id, "evt_4", "Capsule D", Points(10))
        .await;
    assert_eq!(machine_refused(late), ErrorCode::SessionEnded);
    assert_eq!(alice.balance().await, 650);

    let history = alice.client.history(10, None).await.unwrap().entries;
    let kinds: Vec<(HistoryKind, i64)> =
        history.iter().take(2).map(|e| (e.kind, e.delta)).collect();
    assert_eq!(
        kinds,
        [
            (HistoryKind::MachineRefund, 150),
            (HistoryKind::MachineCredit, -500)
        ]
    );
    assert_eq!(history[0].label, "Unused points back from Machine m_vend");
    assert_eq!(history[1].label, "Points loaded into Machine m_vend");
    assert!(app.audit().is_empty(), "{:?}", app.audit());
}

#[tokio::test]
async fn one_customer_at_a_time_and_a_session_id_is_an_idempotency_key() {
    let app = spawn_app().await;
    let machine = app.machine("m_busy").await;
    let alice = app.user("alice", 1000).await;
    let bob = app.user("bob", 1000).await;
    let code = printed_code(&app, "m_busy").await;
    let session_id = Uuid::now_v7();
    let first = alice
        .client
        .start_session(session_id, &code, Points(300))
        .await
        .unwrap();
    // The same request again answers the same session, and charges once.
    let again = alice
        .client
        .start_session(session_id, &code, Points(300))
        .await
        .unwrap();
    assert_eq!(again.session_id, first.session_id);
    let changed = alice
        .client
        .start_session(session_id, &code, Points(400))
        .await;
    assert_eq!(refused(changed), ErrorCode::IdempotencyKeyReused);
    assert!(bob.client.machine_code(&code).await.unwrap().busy);
    let busy = bob
        .client
        .start_session(Uuid::now_v7(), &code, Points(100))
        .await;
    assert_eq!(refused(busy), ErrorCode::MachineBusy);
    let not_bobs = bob.client.session(session_id, None, None).await;
    assert_eq!(refused(not_bobs), ErrorCode::NotFound);
    assert_eq!((alice.balance().await, bob.balance().await), (700, 1000));

    // The machine ends it; the next customer may start.
    let ended = machine.end_session(session_id).await.unwrap();
    assert_eq!(ended.ended_by, Some(SessionEnd::Machine));
    assert_eq!(alice.balance().await, 1000, "nothing was bought: all back");
    let too_many = bob
        .client
        .start_session(Uuid::now_v7(), &code, Points(5000))
        .await;
    assert_eq!(refused(too_many), ErrorCode::InsufficientPoints);
    bob.client
        .start_session(Uuid::now_v7(), &code, Points(1000))
        .await
        .unwrap();
    assert_eq!(bob.balance().await, 0);
    assert!(app.audit().is_empty(), "{:?}", app.audit());
}

#[tokio::test]
async fn an_idle_session_ends_by_itself_after_a_restart_and_gives_back_the_rest_once() {
    let mut app = spawn_app().await;
    let machine = app.machine("m_idle").await;
    let alice = app.user("alice", 1000).await;
    let code = printed_code(&app, "m_idle").await;
    let session_id = Uuid::now_v7();
    alice
        .client
        .start_session(session_id, &code, Points(400))
        .await
        .unwrap();
    // A purchase restarts the idle timer.
    app.clock.advance(Duration::from_secs(200));
    machine
        .report_purchase(session_id, "evt_1", "Capsule A", Points(100))
        .await
        .unwrap();
    // The backend goes down and comes back (same database, same address).
    app.stop().await;
    app.start_again().await;
    app.clock.advance(Duration::from_secs(200));
    tokio::time::sleep(Duration::from_millis(400)).await;
    let open = alice.client.session(session_id, None, None).await.unwrap();
    assert_eq!(open.status, SessionStatus::Open, "200 s since the purchase");
    app.clock.advance(Duration::from_secs(101));
    let ended = alice
        .client
        .session(session_id, Some(Duration::from_secs(5)), Some(open.version))
        .await
        .unwrap();
    assert_eq!(
        (ended.status, ended.ended_by, ended.refunded),
        (
            SessionStatus::Ended,
            Some(SessionEnd::Timeout),
            Some(Points(300))
        )
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(alice.balance().await, 900);
    assert!(app.audit().is_empty(), "{:?}", app.audit());
}

#[tokio::test]
async fn buy_first_an_order_is_paid_once_and_the_machine_dispenses() {
    let app = spawn_app().await;
    let machine = app.machine("m_order").await;
    let alice = app.user("alice", 1000).await;
    let bob = app.user("bob", 1000).await;
    let order = machine.order_code("o-1", "Capsule A", Points(150), Duration::from_secs(120));
    let AppLink::Order(scanned) = AppLink::parse(&machine.order_link(&order)).unwrap() else {
        panic!("an order link");
    };
    assert_eq!(scanned, order);

    let asked = alice.client.check_order(&scanned).await.unwrap();
    assert_eq!(
        (
            asked.machine_name.as_str(),
            asked.item.as_str(),
            asked.amount,
            asked.status
        ),
        (
            "Machine m_order",
            "Capsule A",
            Points(150),
            OrderStatus::Unpaid
        )
    );
    let waiting = {
        let machine = machine.clone();
        tokio::spawn(async move { machine.wait_for_order("o-1", Duration::from_secs(10)).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let paid = alice.client.pay_order(&scanned).await.unwrap();
    assert_eq!(paid.status, OrderStatus::Pending);
    let transaction = paid.transaction_id.expect("a play");
    let seen = waiting.await.unwrap().unwrap();
    assert_eq!(
        (seen.status, seen.transaction_id),
        (OrderStatus::Pending, Some(transaction))
    );
    assert_eq!(alice.balance().await, 850);

    // Paying again (a retry) answers the same; someone else cannot.
    assert_eq!(
        alice
            .client
            .pay_order(&scanned)
            .await
            .unwrap()
            .transaction_id,
        Some(transaction)
    );
    assert_eq!(
        refused(bob.client.pay_order(&scanned).await),
        ErrorCode::AlreadyUsed
    );

    let ack = report(&machine, transaction, DispenseOutcome::Dispensed)
        .await
        .unwrap();
    assert_eq!(ack.status, TransactionStatus::Completed);
    let view = alice
        .client
        .transaction(transaction, None, None)
        .await
        .unwrap();
    assert_eq!(view.status, TransactionStatus::Completed);
    assert_eq!(
        alice.client.check_order(&scanned).await.unwrap().status,
        OrderStatus::Completed
    );
    let entry = &alice.client.history(1, None).await.unwrap().entries[0];
    assert_eq!(
        (
            entry.kind,
            entry.delta,
            entry.label.as_str(),
            entry.item.as_deref()
        ),
        (
            HistoryKind::Purchase,
            -150,
            "Capsule A at Machine m_order",
            Some("Capsule A")
        )
    );
    assert_eq!((alice.balance().await, bob.balance().await), (850, 1000));
    assert!(app.audit().is_empty(), "{:?}", app.audit());
}

#[tokio::test]
async fn a_changed_expired_or_unaffordable_order_takes_nothing_and_a_failed_or_silent_one_refunds()
{
    let app = spawn_app().await;
    let machine = app.machine("m_order").await;
    let alice = app.user("alice", 300).await;
    let ttl = Duration::from_secs(120);

    let mut cheaper = machine.order_code("o-1", "Capsule A", Points(150), ttl);
    cheaper.amount = Points(1);
    assert_eq!(
        refused(alice.client.pay_order(&cheaper).await),
        ErrorCode::InvalidOrderSignature
    );
    assert_eq!(
        refused(alice.client.check_order(&cheaper).await),
        ErrorCode::InvalidOrderSignature
    );
    let other = app.machine("m_other_signer").await;
    let mut forged = other.order_code("o-1", "Capsule A", Points(150), ttl);
    forged.machine_id = MachineId("m_order".into());
    assert_eq!(
        refused(alice.client.pay_order(&forged).await),
        ErrorCode::InvalidOrderSignature
    );
    let dear = machine.order_code("o-2", "Big prize", Points(500), ttl);
    assert_eq!(
        refused(alice.client.pay_order(&dear).await),
        ErrorCode::InsufficientPoints
    );
    let soon = machine.order_code("o-3", "Capsule A", Points(100), Duration::from_secs(5));
    app.clock.advance(Duration::from_secs(6));
    assert_eq!(
        refused(alice.client.pay_order(&soon).await),
        ErrorCode::OrderExpired
    );
    assert_eq!(alice.balance().await, 300, "no refusal takes points");

    // A failed dispense refunds at once.
    let jammed = machine.order_code("o-4", "Capsule A", Points(100), ttl);
    let paid = alice.client.pay_order(&jammed).await.unwrap();
    let transaction = paid.transaction_id.unwrap();
    let ack = report(&machine, transaction, DispenseOutcome::Failed)
        .await
        .unwrap();
    assert_eq!(ack.status, TransactionStatus::Refunded);
    assert_eq!(alice.balance().await, 300);

    // A machine that says nothing for 25 s: the backend refunds by itself.
    let silent = machine.order_code("o-5", "Capsule A", Points(100), ttl);
    let transaction = alice
        .client
        .pay_order(&silent)
        .await
        .unwrap()
        .transaction_id
        .unwrap();
    assert_eq!(alice.balance().await, 200);
    app.clock.advance(Duration::from_secs(26));
    let view = alice
        .client
        .transaction(
            transaction,
            Some(Duration::from_secs(5)),
            Some(TransactionStatus::Pending),
        )
        .await
        .unwrap();
    assert_eq!(
        (view.status, view.refund_reason),
        (TransactionStatus::Refunded, Some(RefundReason::NoOutcome))
    );
    assert_eq!(alice.balance().await, 300);
    let late = report(&machine, transaction, DispenseOutcome::Dispensed).await;
    assert_eq!(machine_refused(late), ErrorCode::OutcomeConflict);
    assert_eq!(alice.balance().await, 300, "refunded once");
    assert!(app.audit().is_empty(), "{:?}", app.audit());
}

#[tokio::test]
async fn the_sales_report_adds_up_a_machines_day() {
    let app = spawn_app().await;
    let machine = app.machine("m_sales").await;
    let alice = app.user("alice", 2000).await;
    let code = printed_code(&app, "m_sales").await;
    let session_id = Uuid::now_v7();
    alice
        .client
        .start_session(session_id, &code, Points(500))
        .await
        .unwrap();
    for (event, item, points) in [
        ("e1", "Capsule A", 100),
        ("e2", "Capsule A", 100),
        ("e3", "Capsule B", 50),
    ] {
        machine
            .report_purchase(session_id, event, item, Points(points))
            .await
            .unwrap();
    }
    alice.client.end_session(session_id).await.unwrap();
    let ttl = Duration::from_secs(120);
    for (order, outcome) in [
        ("o-1", DispenseOutcome::Dispensed),
        ("o-2", DispenseOutcome::Failed),
    ] {
        let code = machine.order_code(order, "Capsule C", Points(200), ttl);
        let paid = alice.client.pay_order(&code).await.unwrap();
        report(&machine, paid.transaction_id.unwrap(), outcome)
            .await
            .unwrap();
    }
    let report = operator(&app)
        .sales(&MachineId("m_sales".into()), None)
        .await
        .unwrap();
    assert_eq!((report.sessions, report.orders), (1, 2));
    assert_eq!(report.points_taken, Points(500 + 400));
    assert_eq!(report.points_refunded, Points(250 + 200));
    assert_eq!(report.points_kept, Points(450));
    let top: Vec<(&str, u64)> = report
        .top_items
        .iter()
        .map(|i| (i.item.as_str(), i.count))
        .collect();
    // Most sold first; at equal counts, the most points first.
    assert_eq!(top, [("Capsule A", 2), ("Capsule C", 1), ("Capsule B", 1)]);
    assert_eq!(alice.balance().await, 2000 - 450);
    let yesterday = report.date.pred_opt().unwrap();
    let empty = operator(&app)
        .sales(&MachineId("m_sales".into()), Some(yesterday))
        .await
        .unwrap();
    assert_eq!(
        (empty.sessions, empty.orders, empty.points_taken),
        (0, 0, Points(0))
    );
    assert!(app.audit().is_empty(), "{:?}", app.audit());
}
