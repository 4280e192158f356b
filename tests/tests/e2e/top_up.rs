use crate::helpers::spawn_app;
use gashapay_core::api::HistoryKind;
use gashapay_core::{ErrorCode, Points};

#[tokio::test]
async fn a_top_up_credits_once_per_idempotency_key_and_shows_in_history() {
    let app = spawn_app().await;
    let user = app.user("pia", 0).await;
    let first = user
        .client
        .top_up(Points(500), "tok_test_success", "key-1")
        .await
        .unwrap();
    assert_eq!(first.balance, Points(500));
    assert!(first.top_up_id.starts_with("ch_"));

    let retry = user
        .client
        .top_up(Points(500), "tok_test_success", "key-1")
        .await
        .unwrap();
    assert_eq!(retry, first);
    assert_eq!(user.balance().await, 500);

    let misuse = user
        .client
        .top_up(Points(700), "tok_test_success", "key-1")
        .await
        .unwrap_err();
    assert_eq!(misuse.code(), Some(ErrorCode::IdempotencyKeyReused));

    let entry = &user.client.history(5, None).await.unwrap().entries[0];
    assert_eq!(entry.kind, HistoryKind::TopUp);
    assert_eq!(entry.delta, 500);
    assert_eq!(entry.label, "Top-up by card");
    assert!(app.audit().is_empty());
}

#[tokio::test]
async fn declined_and_unknown_payments_add_nothing_and_answer_the_same_on_retry() {
    let app = spawn_app().await;
    let user = app.user("quy", 20).await;
    for _ in 0..2 {
        let declined = user
            .client
            .top_up(Points(100), "tok_test_decline", "d-1")
            .await
            .unwrap_err();
        assert_eq!(declined.code(), Some(ErrorCode::PaymentDeclined));
    }
    let unknown = user
        .client
        .top_up(Points(100), "tok_made_up", "d-2")
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some(ErrorCode::InvalidPaymentToken));
    let zero = user
        .client
        .top_up(Points(0), "tok_test_success", "d-3")
        .await
        .unwrap_err();
    assert_eq!(zero.code(), Some(ErrorCode::BadRequest));
    assert_eq!(user.balance().await, 20);
}

#[tokio::test]
async fn concurrent_retries_of_one_top_up_charge_once() {
    let app = spawn_app().await;
    let user = std::sync::Arc::new(app.user("ria", 0).await);
    let attempts = (0..20).map(|_| {
        user.client
            .top_up(Points(300), "tok_test_success", "same-key")
    });
    let results = futures::future::join_all(attempts).await;
    let ids: std::collections::HashSet<_> =
        results.into_iter().map(|r| r.unwrap().top_up_id).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(user.balance().await, 300);
}
