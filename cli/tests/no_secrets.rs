//! The CLI binary carries no machine API key, webhook secret or payment secret.

#[test]
fn the_cli_binary_contains_no_credentials() {
    let binary = std::fs::read(env!("CARGO_BIN_EXE_gashapay")).unwrap();
    assert!(binary.len() > 100_000);
    let found = gashapay_core::redact::credential_shapes(&binary);
    assert!(
        found.is_empty(),
        "credential-shaped strings in the binary: {found:?}"
    );
    assert!(!binary.windows(16).any(|w| w == b"sk_test_only_in_"));
}
