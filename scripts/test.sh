#!/usr/bin/env bash
# Runs every test of the workspace, installing what a fresh Debian machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${WINDOW_TEST_PACKAGES[@]}" "${API_TEST_PACKAGES[@]}"
ensure_rust
schemathesis="$(ensure_schemathesis)"

echo "==> cargo test (core, backend-mock, machine, CLI, app screens, real window, end-to-end)"
cargo test --workspace --locked

echo "==> Schemathesis against the running backend's OpenAPI document"
GASHAPAY_SCHEMATHESIS="$schemathesis" cargo test --locked -p gashapay-backend-mock --test openapi \
    -- --ignored --nocapture
