#!/usr/bin/env bash
# Starts the mock backend with the demo user and the demo machine on
# http://127.0.0.1:8080 and explains how to play with the CLI and the emulated machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_packages "${BUILD_PACKAGES[@]}" keyutils
ensure_rust

cargo build --locked --bins
mkdir -p .gashapay
cat <<'HELP'
==> In another terminal, with the exports printed below:
      target/debug/gashapay login --username demo --password demo-password
      target/debug/gashapay qr --points 100 --png /tmp/code.png
      target/debug/gashapay-machine scan --png /tmp/code.png --outcome ok   # or fail, none
      target/debug/gashapay status <transaction_id> --wait
      target/debug/gashapay balance
      target/debug/gashapay history
    The CLI keeps its session in the OS keychain (the kernel keyring on Linux). A
    desktop login has one; in a bare shell (ssh, container) start one first with
    `keyctl session - bash`, then run the commands in that shell.
HELP
exec target/debug/gashapay-backend --seed-demo --db .gashapay/demo.db "$@"
