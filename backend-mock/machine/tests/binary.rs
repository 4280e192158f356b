//! `gashapay-machine scan`, as an operator runs it with the exports the demo backend
//! prints: one JSON line a step on stdout, exit code 3 with the reason when the backend
//! refuses, and a repeated scan answered as the first without taking points twice.

use gashapay_backend_mock::admin::DemoSeed;
use gashapay_backend_mock::config::Settings;
use gashapay_backend_mock::{start, RunningBackend, StartOptions};
use gashapay_core::client::{ApiClient, ClientConfig};
use gashapay_core::clock::unix_now;
use gashapay_core::qr::render;
use gashapay_core::secrets::MemorySecretStore;
use gashapay_core::Points;
use std::process::Output;
use std::sync::Arc;

async fn demo_backend(dir: &std::path::Path) -> RunningBackend {
    start(StartOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        db: dir.join("demo.db").display().to_string(),
        settings: Settings::default(),
        payment_secret: None,
        seed_demo: true,
        clock: gashapay_core::clock::SystemClock::shared(),
        admin_key: None,
    })
    .await
    .unwrap()
}

/// The demo user's phone, signed in to the backend at `url`.
async fn demo_phone(url: &str, demo: &DemoSeed) -> ApiClient {
    let client = ApiClient::new(
        url,
        Arc::new(MemorySecretStore::new()),
        ClientConfig::default(),
    )
    .unwrap();
    client.login(&demo.username, &demo.password).await.unwrap();
    client
}

/// Runs the binary with the demo machine's exports, off the runtime's threads so the
/// in-process backend keeps answering.
async fn machine_binary(url: &str, demo: &DemoSeed, args: &[&str]) -> Output {
    spawn_machine_binary(url, demo, args).await.unwrap()
}

fn steps(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_machine_binary_plays_a_png_code_and_reports_refusals_by_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let backend = demo_backend(dir.path()).await;
    let demo = backend.demo.as_ref().unwrap();
    let url = backend.base_url();
    let client = demo_phone(&url, demo).await;
    assert_eq!(client.balance().await.unwrap().balance, Points(1000));

    let code = client
        .device_credentials()
        .unwrap()
        .make_code(Points(100), unix_now(), 300)
        .unwrap();
    let png = dir.path().join("code.png");
    std::fs::write(&png, render::png(&code.to_text(), 8).unwrap()).unwrap();
    let png_arg = png.display().to_string();

    // Dispensed: the points are taken once.
    let played = machine_binary(
        &url,
        demo,
        &[
            "scan",
            "--outcome",
            "ok",
            "--delay-ms",
            "50",
            "--png",
            &png_arg,
        ],
    )
    .await;
    assert!(played.status.success(), "{played:?}");
    let played_steps = steps(&played);
    let names: Vec<_> = played_steps
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["scanned", "validated", "dispensing", "reported"]);
    assert_eq!(played_steps[1]["points"], 100);
    assert_eq!(played_steps[3]["status"], "completed");
    assert_eq!(client.balance().await.unwrap().balance, Points(900));

    // The same code again from the same machine: its first answer, nothing taken twice.
    let again = machine_binary(
        &url,
        demo,
        &["scan", "--code", &code.to_text(), "--delay-ms", "0"],
    )
    .await;
    assert!(again.status.success(), "{again:?}");
    assert_eq!(client.balance().await.unwrap().balance, Points(900));

    // A forged code: refused, exit code 3, the reason on stdout, nothing taken.
    let mut forged = code;
    forged.payload.points = Points(1);
    let refused = machine_binary(&url, demo, &["scan", "--code", &forged.to_text()]).await;
    assert_eq!(refused.status.code(), Some(3), "{refused:?}");
    assert_eq!(
        steps(&refused).last().unwrap()["error"],
        "invalid_signature"
    );
    assert_eq!(client.balance().await.unwrap().balance, Points(900));

    // A file that is not an image: one error line and a failure exit.
    let not_an_image = dir.path().join("notes.png");
    std::fs::write(&not_an_image, b"not an image").unwrap();
    let unreadable = machine_binary(
        &url,
        demo,
        &["scan", "--png", &not_an_image.display().to_string()],
    )
    .await;
    assert_eq!(unreadable.status.code(), Some(1), "{unreadable:?}");
    assert_eq!(steps(&unreadable)[0]["step"], "error");

    backend.stop().await;
}

/// Runs the binary in the background (it may wait for a customer), off the runtime.
fn spawn_machine_binary(
    url: &str,
    demo: &DemoSeed,
    args: &[&str],
) -> tokio::task::JoinHandle<Output> {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gashapay-machine"));
    command
        .args(args)
        .env("GASHAPAY_SERVER", url)
        .env("GASHAPAY_MACHINE_ID", demo.machine.machine_id.to_string())
        .env("GASHAPAY_MACHINE_API_KEY", demo.machine.api_key.expose())
        .env(
            "GASHAPAY_WEBHOOK_SECRET",
            demo.machine.webhook_secret.to_text(),
        );
    tokio::task::spawn_blocking(move || command.output().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_machine_binary_sells_against_a_session_and_shows_an_order_that_a_phone_pays() {
    use gashapay_core::links::AppLink;
    let dir = tempfile::tempdir().unwrap();
    let backend = demo_backend(dir.path()).await;
    let demo = backend.demo.as_ref().unwrap();
    let url = backend.base_url();
    let client = demo_phone(&url, demo).await;

    // Pay first: the machine waits; the phone loads 300 from the printed code.
    let selling = spawn_machine_binary(
        &url,
        demo,
        &[
            "session",
            "--sell",
            "Capsule A=100",
            "--sell",
            "Big prize=500",
            "--end",
            "--wait-secs",
            "20",
        ],
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    client
        .start_session(uuid::Uuid::now_v7(), &demo.machine_code, Points(300))
        .await
        .unwrap();
    let sold = selling.await.unwrap();
    assert!(sold.status.success(), "{sold:?}");
    let names: Vec<String> = steps(&sold)
        .iter()
        .map(|s| s["step"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["session_opened", "sold", "refused", "session_ended"]
    );
    let ended = steps(&sold).pop().unwrap();
    assert_eq!(
        (ended["refunded"].as_u64(), ended["ended_by"].as_str()),
        (Some(200), Some("machine"))
    );
    assert_eq!(client.balance().await.unwrap().balance, Points(900));

    // Buy first: the machine writes the order's QR; the phone decodes it and pays.
    let png = dir.path().join("order.png");
    let png_arg = png.display().to_string();
    let ordering = spawn_machine_binary(
        &url,
        demo,
        &[
            "order",
            "--order-id",
            "o-42",
            "--item",
            "Capsule B",
            "--amount",
            "150",
            "--png",
            &png_arg,
            "--delay-ms",
            "10",
        ],
    );
    let mut waited = 0;
    while !png.exists() && waited < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    let scanned = gashapay_machine::decode_qr_image(&std::fs::read(&png).unwrap()).unwrap();
    let AppLink::Order(order) = AppLink::parse(&scanned).unwrap() else {
        panic!("an order link: {scanned}");
    };
    assert_eq!(
        (order.item.as_str(), order.amount),
        ("Capsule B", Points(150))
    );
    client.pay_order(&order).await.unwrap();
    let dispensed = ordering.await.unwrap();
    assert!(dispensed.status.success(), "{dispensed:?}");
    let last = steps(&dispensed).pop().unwrap();
    assert_eq!(
        (last["step"].as_str(), last["status"].as_str()),
        (Some("reported"), Some("completed"))
    );
    assert_eq!(client.balance().await.unwrap().balance, Points(750));
    backend.stop().await;
}

/// The arcade reader on the command line: a game polls its API, the player's code
/// arrives as the path of a photo of the phone's screen on standard input.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reader_binary_serves_a_game_and_takes_a_photographed_code_from_standard_input() {
    use gashapay_machine::arcade::game::{self, ReaderClient};
    use std::io::{BufRead, Write};
    let dir = tempfile::tempdir().unwrap();
    let backend = demo_backend(dir.path()).await;
    let demo = backend.demo.as_ref().unwrap();
    let url = backend.base_url();
    let client = demo_phone(&url, demo).await;

    let mut reader = std::process::Command::new(env!("CARGO_BIN_EXE_gashapay-machine"))
        .args(["reader", "--listen", "127.0.0.1:0", "--price", "space=100"])
        .env("GASHAPAY_SERVER", &url)
        .env("GASHAPAY_MACHINE_ID", demo.machine.machine_id.to_string())
        .env("GASHAPAY_MACHINE_API_KEY", demo.machine.api_key.expose())
        .env(
            "GASHAPAY_WEBHOOK_SECRET",
            demo.machine.webhook_secret.to_text(),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut scanner = reader.stdin.take().unwrap();
    let (lines_in, mut lines) = tokio::sync::mpsc::unbounded_channel();
    let stdout = reader.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let step: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            if lines_in.send(step).is_err() {
                break;
            }
        }
    });
    let mut next_step = async || {
        tokio::time::timeout(std::time::Duration::from_secs(20), lines.recv())
            .await
            .expect("the reader prints its steps")
            .expect("the reader is running")
    };
    let listening = next_step().await;
    assert_eq!(listening["step"], "reader_listening");
    let api = format!("http://{}/", listening["address"].as_str().unwrap());

    let playing = tokio::spawn(async move {
        game::single_player(
            &ReaderClient::new(&api),
            "space",
            std::time::Duration::from_secs(20),
        )
        .await
    });
    assert_eq!(next_step().await["step"], "accepting");
    let code = client
        .device_credentials()
        .unwrap()
        .make_code(Points(100), unix_now(), 300)
        .unwrap();
    let png = dir.path().join("phone.png");
    std::fs::write(&png, render::png(&code.to_text(), 8).unwrap()).unwrap();
    writeln!(scanner, "{}", png.display()).unwrap();

    let reserved = next_step().await;
    assert_eq!(reserved["step"], "reserved");
    assert_eq!(reserved["payment"]["points"], 100);
    let payment = playing.await.unwrap().unwrap();
    assert_eq!(payment.client_payment_id.game_id, "space");
    assert_eq!(next_step().await["step"], "committed");
    assert_eq!(client.balance().await.unwrap().balance, Points(900));

    // A line that is neither a code nor an image of one is refused and logged.
    writeln!(scanner, "not a code").unwrap();
    let refused = next_step().await;
    assert_eq!(
        (refused["step"].as_str(), refused["code"].as_str()),
        (Some("scan_refused"), Some("not_accepting"))
    );
    reader.kill().unwrap();
    reader.wait().unwrap();
    backend.stop().await;
}

/// The emulated partner on the command line: a visit code written as a PNG, decoded
/// and claimed by a phone; a kind-3 start code, claimed, then ended by its token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_partner_binary_shows_codes_a_phone_claims_and_ends_a_session_by_its_token() {
    use gashapay_core::api::rewards::{NewPartner, RewardClaim};
    use gashapay_core::links::AppLink;
    let dir = tempfile::tempdir().unwrap();
    let backend = demo_backend(dir.path()).await;
    let demo = backend.demo.as_ref().unwrap();
    let url = backend.base_url();
    let partner = gashapay_backend_mock::admin::partners::create(
        &backend.state,
        NewPartner {
            app_id: "cafe".into(),
            name: "Cafe".into(),
            daily_budget: Points(1000),
            player_daily_cap: Points(1000),
        },
    )
    .await
    .unwrap();
    let client = demo_phone(&url, demo).await;
    let partner_binary = |args: Vec<String>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gashapay-partner"));
        command
            .args(args)
            .env("GASHAPAY_SERVER", &url)
            .env("GASHAPAY_PARTNER_APP_ID", "cafe")
            .env("GASHAPAY_PARTNER_SECRET", partner.secret.to_text());
        tokio::task::spawn_blocking(move || command.output().unwrap())
    };
    let code_id = |link: &str| match AppLink::parse(link).unwrap() {
        AppLink::Reward { code_id } => code_id,
        other => panic!("not a reward link: {other:?}"),
    };

    let png = dir.path().join("visit.png");
    let args = ["visit", "--point", "10", "--rotations", "1", "--png"];
    let mut argv: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    argv.push(png.display().to_string());
    let shown = partner_binary(argv).await.unwrap();
    assert!(shown.status.success(), "{shown:?}");
    assert_eq!(steps(&shown)[0]["step"], "visit_code");
    let link = gashapay_machine::decode_qr_image(&std::fs::read(&png).unwrap()).unwrap();
    assert_eq!(link, steps(&shown)[0]["link"].as_str().unwrap());
    let earned = client.claim_reward(&code_id(&link)).await.unwrap();
    assert!(matches!(
        earned,
        RewardClaim::Earned {
            points: Points(10),
            ..
        }
    ));

    let args = [
        "start",
        "--token",
        "pc-1",
        "--point",
        "5",
        "--interval",
        "1",
    ];
    let started = partner_binary(args.iter().map(|a| a.to_string()).collect())
        .await
        .unwrap();
    let start = steps(&started)[0]["link"].as_str().unwrap().to_owned();
    client.claim_reward(&code_id(&start)).await.unwrap();
    let ended = partner_binary(vec!["end".into(), "--token".into(), "pc-1".into()])
        .await
        .unwrap();
    assert!(ended.status.success(), "{ended:?}");
    assert_eq!(steps(&ended)[0]["step"], "ended");
    // Ended again: refused, exit code 3, the reason on stdout.
    let again = partner_binary(vec!["end".into(), "--token".into(), "pc-1".into()])
        .await
        .unwrap();
    assert_eq!(again.status.code(), Some(3));
    assert!(steps(&again)[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("reward_session_ended"));
    backend.stop().await;
}
