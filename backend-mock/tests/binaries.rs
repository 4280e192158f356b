//! The shipped binaries, as an operator runs them: `gashapay-backend --seed-demo`
//! prints the demo machine's credentials, `gashapay-machine scan --png` plays with
//! them, and the backend's log never shows a secret, a token or a whole code.

use gashapay_core::client::{ApiClient, ClientConfig};
use gashapay_core::device::unix_now;
use gashapay_core::qr::render;
use gashapay_core::secrets::{keys, MemorySecretStore, SecretStore};
use gashapay_core::Points;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::Arc;

struct Backend {
    child: std::process::Child,
    url: String,
    env: Vec<(String, String)>,
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
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = None;
    let mut env = Vec::new();
    for line in lines {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("GashaPay mock backend on ") {
            url = rest.split_whitespace().next().map(str::to_owned);
        }
        if let Some(assignment) = line.trim().strip_prefix("export ") {
            let (name, value) = assignment.split_once('=').unwrap();
            env.push((name.to_owned(), value.to_owned()));
        }
        if line.contains("GASHAPAY_WEBHOOK_SECRET") {
            break;
        }
    }
    Backend {
        child,
        url: url.expect("the backend prints its URL"),
        env,
    }
}

fn machine_binary(backend: &Backend, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gashapay-machine"))
        .args(args)
        .envs(backend.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_demo_backend_and_the_machine_binary_play_a_png_code_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let mut backend = start_backend(&dir.path().join("demo.db"));
    let store = Arc::new(MemorySecretStore::new());
    let client = ApiClient::new(&backend.url, store.clone(), ClientConfig::default()).unwrap();
    client.login("demo", "demo-password").await.unwrap();
    assert_eq!(client.balance().await.unwrap().balance, Points(1000));

    let code = client
        .device_credentials()
        .unwrap()
        .make_code(Points(100), unix_now(), 300)
        .unwrap();
    let png = dir.path().join("code.png");
    std::fs::write(&png, render::png(&code.to_text(), 8).unwrap()).unwrap();

    let png_arg = png.display().to_string();
    let machine = machine_binary(
        &backend,
        &[
            "scan",
            "--outcome",
            "fail",
            "--delay-ms",
            "50",
            "--png",
            &png_arg,
        ],
    );
    assert!(machine.status.success(), "{machine:?}");
    let steps: Vec<serde_json::Value> = String::from_utf8(machine.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let names: Vec<_> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(names, ["scanned", "validated", "dispensing", "reported"]);
    assert_eq!(steps[3]["status"], "refunded");
    assert_eq!(client.balance().await.unwrap().balance, Points(1000));

    // The same code from the same machine: its first answer again (accepted), and
    // the report of the (already refunded) failure changes nothing.
    let again = machine_binary(
        &backend,
        &[
            "scan",
            "--code",
            &code.to_text(),
            "--outcome",
            "fail",
            "--delay-ms",
            "0",
        ],
    );
    assert!(again.status.success(), "{again:?}");
    assert_eq!(client.balance().await.unwrap().balance, Points(1000));

    // A forged code: refused, exit code 3, the reason on stdout.
    let mut forged = code;
    forged.payload.points = Points(1);
    let refused = machine_binary(&backend, &["scan", "--code", &forged.to_text()]);
    assert_eq!(refused.status.code(), Some(3), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stdout).contains("invalid_signature"));

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
        .env
        .iter()
        .map(|(_, v)| v.clone())
        .filter(|v| v.starts_with("gpk.") || v.starts_with("whsec_"))
        .collect();
    assert_eq!(secrets.len(), 2);
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
    let own_limit = gashapay_backend_mock::serve::descriptors::raise_soft_limit().unwrap();
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
    let addr: std::net::SocketAddr = backend.url.trim_start_matches("http://").parse().unwrap();

    let mut silent = Vec::new();
    for _ in 0..1124 {
        silent.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(3))
        .build()
        .unwrap();
    let health = http
        .get(format!("{}/health", backend.url))
        .send()
        .await
        .expect("health answers with 1,124 silent connections open");
    assert_eq!(health.status(), 200);

    // The money path too: a player signs in and a machine takes a code.
    let store = Arc::new(MemorySecretStore::new());
    let client = ApiClient::new(&backend.url, store, ClientConfig::default()).unwrap();
    client.login("demo", "demo-password").await.unwrap();
    let code = client
        .device_credentials()
        .unwrap()
        .make_code(Points(100), unix_now(), 300)
        .unwrap();
    let machine = machine_binary(
        &backend,
        &["scan", "--code", &code.to_text(), "--delay-ms", "0"],
    );
    assert!(machine.status.success(), "{machine:?}");
    assert_eq!(client.balance().await.unwrap().balance, Points(900));
    drop(silent);
}
