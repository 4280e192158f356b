//! The app binary carries no machine API key, webhook secret or payment secret. (In
//! demo mode the in-process backend generates its secrets at start.)

#[test]
fn the_app_binary_contains_no_credentials() {
    let binary = std::fs::read(env!("CARGO_BIN_EXE_gashapay-app")).unwrap();
    assert!(binary.len() > 100_000);
    let found = gashapay_core::redact::credential_shapes(&binary);
    assert!(
        found.is_empty(),
        "credential-shaped strings in the binary: {found:?}"
    );
}
