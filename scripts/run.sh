#!/usr/bin/env bash
# Opens the GashaPay desktop app. With no server given it runs demo mode: the mock
# backend starts inside the app (its database in ~/.local/share/gashapay), the demo
# user is signed in, and an "Emulated machine" panel plays against it.
#   ./scripts/run.sh                          # demo mode
#   ./scripts/run.sh --server http://host:8080  # a real server, no demo panel
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_packages "${BUILD_PACKAGES[@]}"
ensure_rust

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "warning: no DISPLAY; the window needs a desktop session (or Xvfb)." >&2
fi
exec cargo run --locked -p gashapay-app -- "$@"
