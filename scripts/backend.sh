#!/usr/bin/env bash
# The mock backend alone, for machine integrators and the CLI: demo user and demo
# machine on http://127.0.0.1:8080, credentials printed at start.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_packages build-essential pkg-config ca-certificates keyutils
ensure_rust
cargo build --locked -p gashapay-backend-mock -p gashapay-machine -p gashapay-cli --bins
mkdir -p .gashapay
exec target/debug/gashapay-backend --seed-demo --db .gashapay/demo.db "$@"
