use crate::helpers::spawn_app;
use gashapay_core::status::DispenseOutcome;
use gashapay_core::Points;
use gashapay_machine::RetryPolicy;

#[tokio::test]
async fn balances_history_and_spent_codes_survive_a_restart_on_the_same_file() {
    let mut app = spawn_app().await;
    let user = app.user("sam", 1000).await;
    let machine = app.machine("m_persist").await;
    let code = user.code(250);
    machine.validate(&code.to_text()).await.unwrap();
    machine
        .report(
            code.payload.transaction_id,
            DispenseOutcome::Failed,
            None,
            &RetryPolicy::default(),
            |_, _| {},
        )
        .await
        .unwrap();
    let spent = user.code(100);
    machine.validate(&spent.to_text()).await.unwrap();
    user.client
        .top_up(Points(40), "tok_test_success", "persist")
        .await
        .unwrap();
    let history_before = user.client.history(50, None).await.unwrap();
    assert_eq!(user.balance().await, 940);

    app.restart().await;
    let user = crate::helpers::User {
        client: crate::helpers::client_for(&app.base_url(), user.store.clone()),
        store: user.store,
    };

    // The stored session survives; the client refreshes into it.
    assert_eq!(user.balance().await, 940);
    assert_eq!(user.client.history(50, None).await.unwrap(), history_before);
    let machine = app.machine("m_persist").await;
    let again = machine.validate(&spent.to_text()).await.unwrap();
    assert_eq!(again.transaction_id, spent.payload.transaction_id);
    assert_eq!(user.balance().await, 940);
    assert!(app.audit().is_empty());
}
