//! The phone app quits and starts again with no network: what it kept (secrets in
//! the keystore, the rest in its data folder) is enough to show the last balance,
//! marked stale, and to make a code the machine accepts once the backend is back —
//! on the same device registration.

use crate::helpers::{spawn_app, ADMIN_KEY, PASSWORD};
use gashapay_core::api::admin::NewUser;
use gashapay_core::app::history::{HistoryEvent, HistoryModel};
use gashapay_core::app::play::{PlayEvent, PlayModel};
use gashapay_core::app::saved::{SavedAccount, SavedStateFile, SavedStateStore};
use gashapay_core::app::views::BalanceModel;
use gashapay_core::client::admin::AdminClient;
use gashapay_core::client::{ApiClient, ClientConfig, ClientError};
use gashapay_core::clock::unix_now;
use gashapay_core::qr::SignedCode;
use gashapay_core::secrets::{KeyringSecretStore, SecretStore};
use gashapay_core::{Points, Redacted};
use keyring_core::mock;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// One launch of the app: its client over the keystore, and its saved state.
struct Launch {
    client: ApiClient,
    saved: SavedStateStore,
}

fn launch(server: &str, keystore: &Arc<mock::Store>, data_dir: &Path) -> Launch {
    let secrets: Arc<dyn SecretStore> = Arc::new(KeyringSecretStore::in_store(
        keystore.clone(),
        format!("gashapay-app {server}"),
    ));
    let client = ApiClient::new(
        server,
        secrets,
        ClientConfig {
            request_timeout: Duration::from_secs(2),
            ..ClientConfig::default()
        },
    )
    .unwrap();
    let (saved, problem) = SavedStateStore::open(SavedStateFile::in_dir(data_dir));
    assert!(problem.is_none(), "{problem:?}");
    Launch { client, saved }
}

#[tokio::test]
async fn after_a_restart_offline_the_app_shows_the_stale_balance_and_its_code_is_accepted_later() {
    let mut app = spawn_app().await;
    let user = AdminClient::new(&app.base_url(), Redacted::new(ADMIN_KEY))
        .unwrap()
        .create_user(&NewUser {
            username: "traveller".into(),
            password: Redacted::new(PASSWORD),
            points: Points(1000),
        })
        .await
        .unwrap();
    // The keystore outlives the app (it is the phone's); the data folder too.
    let keystore = mock::Store::new().unwrap();
    let data = tempfile::tempdir().unwrap();
    let server = app.base_url();

    // First run: sign in, load the account, which the app saves as it shows it.
    let first = launch(&server, &keystore, data.path());
    first.client.login("traveller", PASSWORD).await.unwrap();
    let answer = first.client.balance().await.unwrap();
    let (mut balance, mut history) = (BalanceModel::default(), HistoryModel::default());
    balance.loaded(answer.balance, answer.as_of);
    history.update(HistoryEvent::Refresh);
    history.update(HistoryEvent::Loaded {
        page: first.client.history(20, None).await.unwrap(),
        appended: false,
    });
    let device = first.client.device_credentials().unwrap();
    let account = SavedAccount::capture(device.user_id, device.device_id, &balance, &history);
    first
        .saved
        .update(|saved| saved.account = Some(account))
        .unwrap();
    drop(first);

    // The network goes: the backend stops. Second run, offline.
    app.stop().await;
    let second = launch(&server, &keystore, data.path());
    assert!(second.client.has_sign_in().unwrap());
    let device = second.client.device_credentials().unwrap();
    let (mut balance, mut history) = (BalanceModel::default(), HistoryModel::default());
    let account = second.saved.get().account.expect("the account was saved");
    assert!(account.restore_into(device.user_id, &mut balance, &mut history));
    let offline = second.client.balance().await.unwrap_err();
    assert!(matches!(offline, ClientError::Network(_)), "{offline:?}");
    balance.failed(gashapay_core::app::messages::UserMessage::for_client_error(
        &offline,
    ));
    let zone = chrono::FixedOffset::east_opt(0).unwrap();
    let shown = balance.view(&zone);
    assert_eq!(shown.amount_text, "1,000 pts");
    assert!(shown.stale && shown.stale_text.is_some(), "{shown:?}");

    // Play still makes a code, signed with the device secret from the keystore.
    let mut play = PlayModel::default();
    play.update(PlayEvent::Start, Some(&device), unix_now());
    let text = play
        .view(unix_now())
        .code_text
        .expect("a code on screen while offline");
    let code = SignedCode::parse(&text).unwrap();

    // The backend is back, at the same address: the machine scans the code and it
    // is accepted.
    app.start_again().await;
    assert_eq!(app.base_url(), server);
    let machine = app.machine("m_after_restart").await;
    let accepted = machine.validate(&text).await.unwrap();
    assert_eq!(accepted.transaction_id, code.payload.transaction_id);
    assert_eq!(accepted.points, Points(100));

    // Online again: the session refreshes, the balance is fresh, and the device is
    // the one registered on the first run.
    let fresh = second.client.balance().await.unwrap();
    balance.loaded(fresh.balance, fresh.as_of);
    assert_eq!(balance.view(&zone).amount_text, "900 pts");
    assert!(!balance.view(&zone).stale);
    let admin = AdminClient::new(&app.base_url(), Redacted::new(ADMIN_KEY)).unwrap();
    let devices = admin.devices(user.user_id).await.unwrap();
    assert_eq!(devices.devices.len(), 1, "{devices:?}");
    assert_eq!(devices.devices[0].device_id, device.device_id);
}
