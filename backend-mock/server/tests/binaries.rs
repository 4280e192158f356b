//! The shipped binary, as an operator runs it: `gashapay-backend --seed-demo` prints
//! the demo machine's credentials, a machine plays with them, and the backend's log
//! never shows a secret, a token or a whole code.

#![allow(
    unsafe_code,
    reason = "the tests signal the backend and lower its descriptor limit through libc"
)]

use gashapay_core::client::{ApiClient, ClientConfig};
use gashapay_core::clock::unix_now;
use gashapay_core::qr::render;
use gashapay_core::secrets::{keys, MemorySecretStore, SecretStore};
use gashapay_core::status::DispensePlan;
use gashapay_core::{ErrorCode, Points, TransactionStatus};
use gashapay_machine::{decode_qr_image, play, MachineClient, MachineError, RetryPolicy};
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use support::Printed;

mod support;

struct Backend {
    child: std::process::Child,
    printed: Printed,
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_backend(db: &std::path::Path) -> Backend {
    start_backend_from(Command::new(env!("CARGO_BIN_EXE_gashapay-backend")), db)
}

fn start_backend_from(mut command: Command, db: &std::path::Path) -> Backend {
    let mut child = command
        .args(["--listen", "127.0.0.1:0", "--seed-demo", "--db"])
        .arg(db)
        // Our most talkative level, so the check below covers every line we write.
        .env("RUST_LOG", "info,gashapay_backend_mock=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let printed = Printed::read(child.stdout.take().unwrap(), true);
    Backend { child, printed }
}

/// The demo machine, from the credentials the backend printed.
fn demo_machine(backend: &Backend) -> MachineClient {
    backend
        .printed
        .demo_machine(&backend.printed.exports["GASHAPAY_SERVER"])
}

#[tokio::test]
async fn the_demo_backend_plays_with_the_printed_credentials_and_logs_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut backend = start_backend(&dir.path().join("demo.db"));
    let store = Arc::new(MemorySecretStore::new());
    let client =
        ApiClient::new(&backend.printed.url, store.clone(), ClientConfig::default()).unwrap();
    client.login("demo", "demo-password").await.unwrap();
    assert_eq!(client.balance().await.unwrap().balance, Points(1000));

    let code = client
        .device_credentials()
        .unwrap()
        .make_code(Points(100), unix_now(), 300)
        .unwrap();
    let png = dir.path().join("code.png");
    std::fs::write(&png, render::png(&code.to_text(), 8).unwrap()).unwrap();

    let machine = demo_machine(&backend);
    let scanned = decode_qr_image(&std::fs::read(&png).unwrap()).unwrap();
    let quick = Duration::from_millis(50);
    let policy = RetryPolicy::default();
    let ack = play(
        &machine,
        &scanned,
        DispensePlan::Fail,
        quick,
        &policy,
        |_| {},
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(ack.status, TransactionStatus::Refunded);
    assert_eq!(client.balance().await.unwrap().balance, Points(1000));

    // The same code from the same machine: its first answer again (accepted), and
    // the report of the (already refunded) failure changes nothing.
    play(
        &machine,
        &scanned,
        DispensePlan::Fail,
        quick,
        &policy,
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(client.balance().await.unwrap().balance, Points(1000));

    // A forged code is refused with its reason.
    let mut forged = code;
    forged.payload.points = Points(1);
    let refused = machine.validate(&forged.to_text()).await.unwrap_err();
    assert!(
        matches!(
            refused,
            MachineError::Refused {
                code: ErrorCode::InvalidSignature,
                ..
            }
        ),
        "{refused:?}"
    );

    // The log: stop the server as an operator does (Ctrl-C) and read everything it
    // wrote. Lines are written by a thread of their own; stopping must flush them.
    let pid = backend.child.id() as libc::pid_t;
    // SAFETY: a plain signal to our own child, which has not been waited for yet.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let stopped = backend.child.wait().unwrap();
    assert!(
        stopped.success(),
        "the backend stops cleanly on Ctrl-C: {stopped:?}"
    );
    let mut log = String::new();
    backend
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(log.contains("play accepted"), "unexpected log: {log}");
    let mut secrets: Vec<String> = backend
        .printed
        .exports
        .values()
        .filter(|v| v.starts_with("gpk.") || v.starts_with("whsec_"))
        .cloned()
        .collect();
    assert_eq!(secrets.len(), 2);
    secrets.push(
        backend
            .printed
            .operator_key
            .clone()
            .expect("a first start prints the operator key"),
    );
    secrets.push(store.get(keys::REFRESH_TOKEN).unwrap().unwrap());
    secrets.push(store.get(keys::DEVICE_SECRET).unwrap().unwrap());
    secrets.push(code.to_text()[4..40].to_owned());
    for secret in secrets {
        assert!(
            !log.contains(&secret),
            "the log contains a secret or a code"
        );
    }
    let shapes = gashapay_core::redact::credential_shapes(log.as_bytes());
    assert!(shapes.is_empty(), "credential-shaped strings in the log");
}

/// The backend started as `prlimit --nofile=1024:1024 gashapay-backend` would be: it
/// cannot raise its limit, so it caps its connections below it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_1024_open_files_the_backend_answers_through_1124_silent_connections() {
    use std::os::unix::process::CommandExt;
    // This process holds the client ends.
    let own_limit = gashapay_backend_mock::http::serve::descriptors::raise_soft_limit().unwrap();
    assert!(
        own_limit >= 1400,
        "the test needs 1,400 open files, has {own_limit}"
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_gashapay-backend"));
    // SAFETY: setrlimit is async-signal-safe and touches only the child's limits.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1024,
                rlim_max: 1024,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let backend = start_backend_from(command, &dir.path().join("limited.db"));
    let addr: std::net::SocketAddr = backend
        .printed
        .url
        .trim_start_matches("http://")
        .parse()
        .unwrap();

    let mut silent = Vec::new();
    for _ in 0..1124 {
        silent.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let health = http
        .get(format!("{}/health", backend.printed.url))
        .send()
        .await
        .expect("health answers with 1,124 silent connections open");
    assert_eq!(health.status(), 200);

    // The money path too: a player signs in and a machine takes a code.
    let store = Arc::new(MemorySecretStore::new());
    let client = ApiClient::new(&backend.printed.url, store, ClientConfig::default()).unwrap();
    client.login("demo", "demo-password").await.unwrap();
    let code = client
        .device_credentials()
        .unwrap()
        .make_code(Points(100), unix_now(), 300)
        .unwrap();
    let ack = play(
        &demo_machine(&backend),
        &code.to_text(),
        DispensePlan::Ok,
        Duration::ZERO,
        &RetryPolicy::default(),
        |_| {},
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(ack.status, TransactionStatus::Completed);
    assert_eq!(client.balance().await.unwrap().balance, Points(900));
    drop(silent);
}

#[test]
fn a_short_operator_key_is_refused_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_gashapay-backend"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--admin-key",
            "too-short",
            "--db",
        ])
        .arg(dir.path().join("short.db"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("--admin-key must be at least 24 characters"),
        "{said}"
    );
    assert!(!dir.path().join("short.db").exists(), "nothing was created");
}
