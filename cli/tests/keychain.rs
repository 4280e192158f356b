//! `gashapay login` exits 0 only if the next command will find the session. On Linux
//! the keychain is the kernel's session keyring: in a shell without one (a
//! container, cron, ssh without `pam_keyinit`) sign-in is refused before the server
//! is asked, with the way out in the message; inside `keyctl session` it works.

#![allow(
    unsafe_code,
    reason = "the test asks the kernel for keyring ids through keyctl"
)]
#![cfg(target_os = "linux")]

use gashapay_backend_mock::admin::create_user;
use gashapay_backend_mock::config::Settings;
use gashapay_backend_mock::{start, StartOptions};
use gashapay_core::{DeviceId, Points};
use std::process::{Command, Output};

fn gashapay(server: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gashapay"))
        .args(["--server", server])
        .args(args)
        .env_remove("GASHAPAY_PASSWORD")
        .output()
        .unwrap()
}

fn error_of(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stderr).unwrap_or_default()
}

/// Gives this thread, and the processes it starts from now on, a new session
/// keyring of their own: what `keyctl session -` does for a shell.
fn join_new_session_keyring() {
    const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;
    // SAFETY: a null name asks for a new anonymous keyring; no other pointer.
    let id = unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            KEYCTL_JOIN_SESSION_KEYRING,
            std::ptr::null::<libc::c_char>(),
        )
    };
    assert!(id > 0, "keyctl join: {}", std::io::Error::last_os_error());
}

#[test]
fn sign_in_succeeds_only_where_the_next_command_finds_the_session() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let backend = runtime.block_on(async {
        let backend = start(StartOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            db: dir.path().join("cli.db").display().to_string(),
            settings: Settings::default(),
            payment_secret: None,
            seed_demo: false,
            clock: gashapay_core::clock::SystemClock::shared(),
            admin_key: None,
        })
        .await
        .unwrap();
        create_user(&backend.state, "mo", "correct horse battery", Points(70))
            .await
            .unwrap();
        backend
    });
    let server = backend.base_url();
    let login = [
        "login",
        "--username",
        "mo",
        "--password",
        "correct horse battery",
    ];

    // As this process was started (a test runner in a container has no keyring
    // session; a developer's desktop has one).
    let first = gashapay(&server, &login);
    if first.status.success() {
        let balance = gashapay(&server, &["balance"]);
        assert!(
            balance.status.success(),
            "login said yes, then: {balance:?}"
        );
        assert!(gashapay(&server, &["logout"]).status.success());
    } else {
        let error = error_of(&first);
        assert_eq!(error["error"], "keychain_not_lasting", "{first:?}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("keyctl session - bash"),
            "{error}"
        );
        // Refused before the server was asked: no device was registered.
        let first_device = runtime.block_on(async {
            backend
                .state
                .db(|store| store.devices().device(DeviceId(1)))
                .await
                .unwrap()
        });
        assert!(first_device.is_none(), "a device was registered");
    }

    // Following the message: inside a keyring session of its own, the session
    // outlives the sign-in command.
    join_new_session_keyring();
    let signed_in = gashapay(&server, &login);
    assert!(signed_in.status.success(), "{signed_in:?}");
    let balance = gashapay(&server, &["balance"]);
    assert!(balance.status.success(), "{balance:?}");
    let shown: serde_json::Value = serde_json::from_slice(&balance.stdout).unwrap();
    assert_eq!(shown["balance"], 70);
    assert!(gashapay(&server, &["logout"]).status.success());
    runtime.block_on(backend.stop());
}
