use crate::helpers::{fast_polling, spawn_app};
use gashapay_core::api::HistoryKind;
use gashapay_core::client::{watch_transaction, PollEnd};
use gashapay_core::clock::{unix_now, Clock};
use gashapay_core::qr::render;
use gashapay_core::status::DispenseOutcome;
use gashapay_core::status::DispensePlan;
use gashapay_core::{ErrorCode, Points, RefundReason, TransactionStatus};
use gashapay_machine::{decode_qr_image, play, RetryPolicy, Step};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn a_play_from_a_png_qr_is_charged_once_and_seen_completed_with_the_new_balance() {
    let app = spawn_app().await;
    let user = app.user("ana", 1000).await;
    let machine = app.machine("m_shibuya").await;
    assert_eq!(user.balance().await, 1000);

    // The app's code, drawn as a real PNG and read back by the machine's decoder.
    let code = user.code(100);
    let png = render::png(&code.to_text(), 6).unwrap();
    let scanned = decode_qr_image(&png).unwrap();
    assert_eq!(scanned, code.to_text());

    // The app watches from the moment the code is shown.
    let txn = code.payload.transaction_id;
    let expires = code.payload.expires_at();
    let watcher = async {
        let mut seen = Vec::new();
        let end = watch_transaction(
            &user.client,
            txn,
            expires,
            &fast_polling(),
            &CancellationToken::new(),
            |v| seen.push(v.status),
        )
        .await
        .unwrap();
        (seen, end)
    };
    let machine_side = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let validated = machine.validate(&scanned).await.unwrap();
        assert_eq!(validated.transaction_id, txn);
        assert_eq!(validated.status, TransactionStatus::Pending);
        let pending = user.client.transaction(txn, None, None).await.unwrap();
        assert_eq!(pending.status, TransactionStatus::Pending);
        assert_eq!(pending.balance, Points(900));
        tokio::time::sleep(Duration::from_millis(300)).await;
        machine
            .report(
                txn,
                DispenseOutcome::Dispensed,
                None,
                &RetryPolicy::default(),
                |_, _| {},
            )
            .await
            .unwrap()
    };
    let ((seen, end), ack) = tokio::join!(watcher, machine_side);

    assert_eq!(ack.status, TransactionStatus::Completed);
    // The code started out awaiting its scan; the watcher reports each change.
    assert_eq!(
        seen,
        [TransactionStatus::Pending, TransactionStatus::Completed]
    );
    let PollEnd::Final(view) = end else {
        panic!("{end:?}")
    };
    assert_eq!(view.balance, Points(900));
    assert_eq!(view.machine_name.as_deref(), Some("Machine m_shibuya"));
    assert_eq!(user.balance().await, 900);

    let history = user.client.history(10, None).await.unwrap();
    let latest = &history.entries[0];
    assert_eq!(latest.kind, HistoryKind::Play);
    assert_eq!(latest.delta, -100);
    assert_eq!(latest.balance_after, Points(900));
    assert_eq!(latest.transaction_id, Some(txn));
    assert_eq!(latest.outcome, Some(TransactionStatus::Completed));
    assert_eq!(latest.label, "Play at Machine m_shibuya");
    assert!(app.audit().is_empty(), "{:?}", app.audit());
}

#[tokio::test]
async fn a_failed_dispense_refunds_once_and_history_shows_play_and_refund() {
    let app = spawn_app().await;
    let user = app.user("ben", 500).await;
    let machine = app.machine("m_jam").await;
    let code = user.code(200);
    let mut steps = Vec::new();
    let ack = play(
        &machine,
        &code.to_text(),
        DispensePlan::Fail,
        Duration::ZERO,
        &RetryPolicy::default(),
        |s| steps.push(s.clone()),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(ack.status, TransactionStatus::Refunded);
    assert!(matches!(
        steps.last(),
        Some(Step::Reported {
            status: TransactionStatus::Refunded,
            ..
        })
    ));

    let view = user
        .client
        .transaction(code.payload.transaction_id, None, None)
        .await
        .unwrap();
    assert_eq!(view.status, TransactionStatus::Refunded);
    assert_eq!(view.refund_reason, Some(RefundReason::DispenseFailed));
    assert_eq!(view.balance, Points(500));

    // The same failure reported again (a retry with a new event id) refunds nothing more.
    let again = machine
        .report(
            code.payload.transaction_id,
            DispenseOutcome::Failed,
            None,
            &RetryPolicy::default(),
            |_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(again.status, TransactionStatus::Refunded);
    assert_eq!(user.balance().await, 500);

    let entries = user.client.history(10, None).await.unwrap().entries;
    let kinds: Vec<_> = entries.iter().take(2).map(|e| (e.kind, e.delta)).collect();
    assert_eq!(
        kinds,
        [(HistoryKind::Refund, 200), (HistoryKind::Play, -200)]
    );
    assert_eq!(entries[0].label, "Refund: Machine m_jam failed to dispense");
    assert!(app.audit().is_empty());
}

#[tokio::test]
async fn a_play_with_no_outcome_is_refunded_by_the_sweeper() {
    let app = spawn_app().await;
    let user = app.user("cai", 300).await;
    let machine = app.machine("m_silent").await;
    let code = user.code(300);
    let outcome = play(
        &machine,
        &code.to_text(),
        DispensePlan::None,
        Duration::ZERO,
        &RetryPolicy::default(),
        |_| {},
    )
    .await
    .unwrap();
    assert!(outcome.is_none());
    assert_eq!(user.balance().await, 0);
    // The default outcome time-out is 5 minutes.
    app.clock.advance(Duration::from_secs(5 * 60 + 1));

    let end = watch_transaction(
        &user.client,
        code.payload.transaction_id,
        code.payload.expires_at(),
        &fast_polling(),
        &CancellationToken::new(),
        |_| {},
    )
    .await
    .unwrap();
    let PollEnd::Final(view) = end else {
        panic!("{end:?}")
    };
    assert_eq!(view.status, TransactionStatus::Refunded);
    assert_eq!(view.refund_reason, Some(RefundReason::NoOutcome));
    assert_eq!(view.balance, Points(300));

    // The machine wakes up late: a dispense now conflicts and changes nothing.
    // Its clock says what the backend's does: five minutes on.
    let late = machine
        .send_report_at(
            app.clock.now_secs(),
            "evt_late",
            code.payload.transaction_id,
            DispenseOutcome::Dispensed,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(late.code(), Some(ErrorCode::OutcomeConflict));
    assert_eq!(user.balance().await, 300);
    let refund = &user.client.history(1, None).await.unwrap().entries[0];
    assert_eq!(refund.label, "Refund: Machine m_silent did not answer");
    assert!(app.audit().is_empty());
}

#[tokio::test]
async fn insufficient_points_are_refused_recorded_and_nothing_is_deducted() {
    let app = spawn_app().await;
    let user = app.user("dee", 50).await;
    let machine = app.machine("m_a").await;
    let code = user.code(100);
    let error = machine.validate(&code.to_text()).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::InsufficientPoints));
    assert_eq!(user.balance().await, 50);

    let view = user
        .client
        .transaction(code.payload.transaction_id, None, None)
        .await
        .unwrap();
    assert_eq!(view.status, TransactionStatus::Rejected);
    assert_eq!(
        view.error.map(|e| e.error),
        Some(ErrorCode::InsufficientPoints)
    );
    assert!(app.audit().is_empty());
}

#[tokio::test]
async fn a_code_is_used_once_another_machine_gets_already_used_the_same_machine_its_answer() {
    let app = spawn_app().await;
    let user = app.user("eve", 1000).await;
    let first = app.machine("m_first").await;
    let second = app.machine("m_second").await;
    let code = user.code(100).to_text();

    let accepted = first.validate(&code).await.unwrap();
    let retried = first.validate(&code).await.unwrap();
    assert_eq!(retried, accepted);
    let stolen = second.validate(&code).await.unwrap_err();
    assert_eq!(stolen.code(), Some(ErrorCode::AlreadyUsed));
    assert_eq!(user.balance().await, 900);

    // A refusal is also answered the same way on retry.
    let poor = app.user("poor", 10).await;
    let too_big = poor.code(100).to_text();
    for _ in 0..2 {
        let error = first.validate(&too_big).await.unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::InsufficientPoints));
    }
    assert_eq!(
        second.validate(&too_big).await.unwrap_err().code(),
        Some(ErrorCode::AlreadyUsed)
    );
}

#[tokio::test]
async fn expired_future_dated_and_forged_codes_are_refused_without_charge() {
    let app = spawn_app().await;
    let user = app.user("fay", 1000).await;
    let machine = app.machine("m_guard").await;
    let now = unix_now();

    let expired = user.code_issued_at(100, now - 400, 300);
    let future = user.code_issued_at(100, now + 120, 300);
    let within_skew = user.code_issued_at(100, now + 10, 300);
    let too_long_ttl = user.code_issued_at(100, now, 3600);
    let mut forged = user.code(100);
    forged.payload.points = Points(1);
    let cases = [
        (expired.to_text(), ErrorCode::CodeExpired),
        (future.to_text(), ErrorCode::CodeFromFuture),
        (too_long_ttl.to_text(), ErrorCode::MalformedCode),
        (forged.to_text(), ErrorCode::InvalidSignature),
        ("not a code".to_owned(), ErrorCode::MalformedCode),
        ("GP9:AAAA".to_owned(), ErrorCode::UnsupportedCodeVersion),
    ];
    for (text, expected) in cases {
        let error = machine.validate(&text).await.unwrap_err();
        assert_eq!(error.code(), Some(expected), "{error}");
    }
    assert_eq!(user.balance().await, 1000);
    let view = user
        .client
        .transaction(expired.payload.transaction_id, None, None)
        .await
        .unwrap();
    assert_eq!(view.status, TransactionStatus::Rejected);
    assert_eq!(view.error.map(|e| e.error), Some(ErrorCode::CodeExpired));

    machine.validate(&within_skew.to_text()).await.unwrap();
    assert_eq!(user.balance().await, 900);
}

#[tokio::test]
async fn webhooks_are_checked_for_signature_owner_and_conflicts_and_replays_have_no_effect() {
    let app = spawn_app().await;
    let user = app.user("gus", 1000).await;
    let owner = app.machine("m_owner").await;
    let other = app.machine("m_other").await;
    let code = user.code(100);
    let txn = code.payload.transaction_id;
    owner.validate(&code.to_text()).await.unwrap();

    let not_yours = other
        .send_report("evt_1", txn, DispenseOutcome::Failed, None)
        .await
        .unwrap_err();
    assert_eq!(not_yours.code(), Some(ErrorCode::Forbidden));

    let ack = owner
        .send_report("evt_1", txn, DispenseOutcome::Dispensed, None)
        .await
        .unwrap();
    assert_eq!(ack.status, TransactionStatus::Completed);
    let replay = owner
        .send_report("evt_1", txn, DispenseOutcome::Dispensed, None)
        .await
        .unwrap();
    assert_eq!(replay, ack);
    let conflict = owner
        .send_report("evt_2", txn, DispenseOutcome::Failed, None)
        .await
        .unwrap_err();
    assert_eq!(conflict.code(), Some(ErrorCode::OutcomeConflict));
    assert_eq!(user.balance().await, 900);

    let unknown = owner
        .send_report(
            "evt_3",
            gashapay_core::TransactionId::new_random(),
            DispenseOutcome::Dispensed,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some(ErrorCode::NotFound));

    // A webhook signed with the wrong secret.
    let impostor = gashapay_machine::MachineClient::new(
        &app.base_url(),
        gashapay_core::MachineId("m_owner".into()),
        gashapay_core::Redacted::new("gpk.m_owner.wrong"),
        gashapay_core::webhook::WebhookSecret::generate(),
    );
    let forged = impostor
        .send_report("evt_4", txn, DispenseOutcome::Failed, None)
        .await
        .unwrap_err();
    assert_eq!(forged.code(), Some(ErrorCode::InvalidWebhookSignature));
    assert_eq!(user.balance().await, 900);
    assert!(app.audit().is_empty());
}

#[tokio::test]
async fn webhooks_signed_too_far_from_now_are_refused_and_the_event_id_stays_usable() {
    let app = spawn_app().await;
    let user = app.user("hal", 1000).await;
    let machine = app.machine("m_clock").await;
    let code = user.code(100);
    let txn = code.payload.transaction_id;
    machine.validate(&code.to_text()).await.unwrap();

    let now = unix_now();
    let tolerance = gashapay_core::webhook::TIMESTAMP_TOLERANCE_SECONDS;
    for (timestamp, what) in [
        (now - tolerance - 5, "stale"),
        (now + tolerance + 5, "future"),
    ] {
        let refused = machine
            .send_report_at(timestamp, "evt_clock", txn, DispenseOutcome::Failed, None)
            .await
            .unwrap_err();
        assert_eq!(
            refused.code(),
            Some(ErrorCode::WebhookTimestampOutOfRange),
            "{what}"
        );
    }
    // Nothing was refunded or recorded: the play is still pending, and the same
    // event id, sent now, is processed as new.
    assert_eq!(user.balance().await, 900);
    let ack = machine
        .send_report("evt_clock", txn, DispenseOutcome::Dispensed, None)
        .await
        .unwrap();
    assert_eq!(ack.status, TransactionStatus::Completed);
    assert_eq!(user.balance().await, 900);
    assert!(app.audit().is_empty());
}
