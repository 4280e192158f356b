use crate::helpers::spawn_app;
use gashapay_core::api::HistoryKind;
use gashapay_core::ErrorCode;
use std::sync::Arc;

#[tokio::test]
async fn two_hundred_concurrent_validates_of_one_code_deduct_exactly_once() {
    let app = spawn_app().await;
    let user = app.user("hal", 1000).await;
    let machines = [
        Arc::new(app.machine("m_c1").await),
        Arc::new(app.machine("m_c2").await),
    ];
    let code = user.code(100).to_text();

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let machine = machines[i % 2].clone();
        let code = code.clone();
        tasks.spawn(async move { (machine.machine_id().clone(), machine.validate(&code).await) });
    }
    let mut winners = std::collections::HashSet::new();
    while let Some(joined) = tasks.join_next().await {
        let (machine, result) = joined.unwrap();
        match result {
            Ok(_) => {
                winners.insert(machine);
            }
            Err(error) => assert_eq!(error.code(), Some(ErrorCode::AlreadyUsed), "{error}"),
        }
    }
    // Only one machine won; its duplicates got the same "yes".
    assert_eq!(winners.len(), 1);
    assert_eq!(user.balance().await, 900);
    let plays = user.client.history(100, None).await.unwrap().entries;
    assert_eq!(
        plays.iter().filter(|e| e.kind == HistoryKind::Play).count(),
        1
    );
    assert!(app.audit().is_empty());
}

#[tokio::test]
async fn a_hundred_concurrent_plays_with_points_for_ten_charge_exactly_ten() {
    // With group commit (the default) and with every play committed alone.
    for group_commit in [true, false] {
        hundred_plays_with_points_for_ten(group_commit).await;
    }
}

async fn hundred_plays_with_points_for_ten(group_commit: bool) {
    let mut settings = crate::helpers::test_settings();
    settings.group_commit = group_commit;
    let app = crate::helpers::spawn_app_with(settings).await;
    let user = app.user("ivy", 100).await;
    let machine = Arc::new(app.machine("m_rush").await);
    let codes: Vec<String> = (0..100).map(|_| user.code(10).to_text()).collect();

    let mut tasks = tokio::task::JoinSet::new();
    for code in codes {
        let machine = machine.clone();
        tasks.spawn(async move { machine.validate(&code).await });
    }
    let (mut accepted, mut refused) = (0, 0);
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            Ok(_) => accepted += 1,
            Err(error) => {
                assert_eq!(error.code(), Some(ErrorCode::InsufficientPoints), "{error}");
                refused += 1;
            }
        }
    }
    assert_eq!((accepted, refused), (10, 90));
    assert_eq!(user.balance().await, 0);
    let history = user.client.history(100, None).await.unwrap().entries;
    assert!(history.iter().all(|e| e.balance_after.0 <= 100));
    assert!(app.audit().is_empty(), "{:?}", app.audit());
}
