#!/usr/bin/env bash
# Runs every test of the workspace, installing what a fresh Debian machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
# One build, never edited: incremental caches would only take disk.
export CARGO_INCREMENTAL=0

ensure_packages "${BUILD_PACKAGES[@]}" "${WINDOW_TEST_PACKAGES[@]}" "${API_TEST_PACKAGES[@]}" \
    "${MOBILE_CHECK_PACKAGES[@]}" "${POSTGRES_PACKAGES[@]}"
ensure_rust
schemathesis="$(ensure_schemathesis)"

echo "==> cargo fmt --check, cargo clippy (warnings are errors)"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> phone targets: the app for Android (mobile feature), the core for iOS"
check_phone_targets

# The PostgreSQL engine's tests (its store suite, and the end-to-end run on it) each
# make a database of their own on this cluster.
start_test_postgres

echo "==> cargo test (core, backend-mock, machine, CLI, app screens, real window, end-to-end)"
cargo test --workspace --locked

echo "==> the end-to-end tests again, each backend on a PostgreSQL database of its own"
# --workspace, not -p: the same feature set as above, so nothing is rebuilt.
GASHAPAY_TEST_ENGINE=postgres cargo test --workspace --locked --test e2e

echo "==> Schemathesis against the running backend's OpenAPI document"
# --workspace, not -p: the same feature set as above, so nothing is rebuilt.
GASHAPAY_SCHEMATHESIS="$schemathesis" cargo test --workspace --locked --test openapi \
    -- --ignored --nocapture
