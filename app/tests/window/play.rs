//! A tester plays the demo machine in English, and the app pointed at a real server.

use super::app_process::*;
use super::screen::*;

use gashapay_backend_mock::credentials::{hash_secret, random_secret};
use gashapay_backend_mock::store::sqlite::SqliteStore;
use gashapay_backend_mock::store::Store;
use gashapay_core::qr::SignedCode;
use gashapay_core::status::DispenseOutcome;
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::{MachineId, Points, Redacted, TransactionStatus};
use gashapay_machine::{MachineClient, RetryPolicy};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
#[allow(
    clippy::await_holding_lock,
    reason = "the turn is held for the whole test, on this test's own runtime"
)]
async fn a_tester_plays_the_demo_machine_from_the_desktop_window() {
    let window = open_demo_window("en_US.UTF-8", "eng", &[]);
    let screen = &window.screen;
    // The app is taken out to be stopped before its log is read; the window's X
    // server and turn stay until the end.
    let DemoApp {
        process: app,
        server,
        database,
        log: app_log,
    } = window.app;

    // Home: the demo user is signed in with the welcome points.
    screen.wait_for("1-home", &["balance", "1,000"], Duration::from_secs(90));
    screen.click("1-home", "Play", first);
    screen.wait_for(
        "2-play-choose",
        &["How", "many", "points?"],
        Duration::from_secs(20),
    );
    screen.click("2-play-choose", "Show", first);
    let qr_screen = screen.wait_for(
        "3-play-qr",
        &["Waiting", "scan", "expires"],
        Duration::from_secs(20),
    );
    // The tab bar stays on screen under a tall page.
    assert!(qr_screen.contains("Settings"), "{qr_screen}");

    // The QR on screen, decoded by a real decoder.
    let shot = screen.shot("3-play-qr");
    let text = decode_qr(&shot);
    let code = SignedCode::parse(&text).unwrap_or_else(|e| panic!("zbarimg read {text:?}: {e}"));
    assert_eq!(code.payload.points, Points(100));

    // A second machine, registered in the demo backend's database as an operator
    // would, validates what it read off the screen.
    let secret = random_secret();
    let hook = WebhookSecret::generate();
    let machine_id = MachineId("m_window_test".into());
    SqliteStore::open(&database.display().to_string())
        .unwrap()
        .machines()
        .upsert_machine(
            &machine_id,
            "Window test machine",
            gashapay_core::api::MachineKind::Dispenser,
            &hash_secret(&secret),
            &hook,
        )
        .unwrap();
    let machine = MachineClient::new(
        &server,
        machine_id,
        Redacted::new(format!("gpk.m_window_test.{secret}")),
        hook,
    );
    let validated = machine
        .validate(&text)
        .await
        .expect("the decoded code validates");
    assert_eq!(validated.transaction_id, code.payload.transaction_id);
    screen.wait_for(
        "4-play-processing",
        &["Processing"],
        // A loaded machine has been seen to hold the window's repaint for 20 s; the
        // play stays pending for the demo's outcome time-out set above (180 s).
        Duration::from_secs(60),
    );
    let ack = machine
        .report(
            validated.transaction_id,
            DispenseOutcome::Dispensed,
            None,
            &RetryPolicy::default(),
            |_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(ack.status, TransactionStatus::Completed);

    // The window learns the outcome by itself and shows the new balance, read off
    // the screen itself.
    screen.read_screen_for(
        "5-play-dispensed",
        &["Dispensed!", "900"],
        Duration::from_secs(20),
    );

    // A tester's second play, through the emulated machine panel: it jams.
    screen.click("5-play-dispensed", "again", first);
    screen.click("5b-play-choose", "Show", first);
    screen.wait_for("5c-play-qr", &["Waiting", "scan"], Duration::from_secs(20));
    screen.click("5c-play-qr", "Jam", first);
    screen.click("5c-play-qr", "Scan", first);
    screen.wait_for(
        "5d-play-jammed",
        &["failed:", "refunded", "900"],
        Duration::from_secs(30),
    );

    // The other screens, for the record (and a look at what they say).
    screen.click("5-play-dispensed", "History", lowest);
    screen.wait_for(
        "6-history",
        &["Window", "Welcome", "+1,000", "Refund:"],
        Duration::from_secs(20),
    );
    screen.click("6-history", "Settings", lowest);
    screen.wait_for(
        "7-settings",
        &["Server", "This", "device", "Sign-in"],
        Duration::from_secs(20),
    );
    screen.click("7-settings", "Top", lowest);
    screen.wait_for(
        "8-top-up",
        &["Test", "payment", "token"],
        Duration::from_secs(20),
    );
    screen.click("8-top-up", "Settings", lowest);
    screen.wait_for(
        "9-settings",
        &["Server", "Sign-in"],
        Duration::from_secs(20),
    );
    screen.click("9-settings", "Sign", lowest);
    screen.wait_for(
        "10-sign-in",
        &["GashaPay", "Username", "Password"],
        Duration::from_secs(20),
    );

    // A new player makes an account from the sign-in screen and lands on their
    // welcome points.
    screen.click("10-sign-in", "Create", lowest);
    screen.wait_for(
        "11-sign-up",
        &["Create", "account", "characters"],
        Duration::from_secs(20),
    );
    screen.click("11-sign-up", "Username", first);
    screen.type_text("newplayer", "Tab");
    screen.type_text("a long password", "Return");
    screen.wait_for(
        "12-new-account-home",
        &["1,000", "Play"],
        Duration::from_secs(30),
    );

    drop(app);
    let log = app_log.whole_after_exit();
    // The log read is the one the backend writes its requests to: the jam's refund
    // is in it.
    assert!(
        log.contains("outcome recorded: refunded"),
        "the jam's refund is not in the app's log:\n{log}"
    );
    assert!(
        !log.contains(&secret),
        "the app's log shows a machine secret"
    );
}

#[test]
fn pointed_at_a_real_server_the_app_has_no_demo_panel_and_asks_to_sign_in() {
    for tool in ["Xvfb", "import", "convert", "tesseract"] {
        require(tool);
    }
    // A real (mock) server in its own process, as a deployment would have.
    let _turn = one_window_at_a_time();
    let (_xvfb, display) = start_xvfb();
    let data = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    let (_app, app_log) = start_app_for_server(&display, data.path(), &server);
    let screen = Screen {
        display,
        ocr: "eng",
        page: data.path().join("page.json"),
        app_log,
    };
    let text = screen.read_screen_for(
        "real-server-sign-in",
        &["GashaPay", "Username", "Password"],
        Duration::from_secs(90),
    );
    assert!(
        !text.contains("Emulated"),
        "no demo panel with a real server: {text}"
    );
    assert!(
        !data.path().join("demo.db").exists(),
        "no demo backend was started"
    );
    drop(listener);
}
