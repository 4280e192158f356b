# Shared by scripts/run.sh and scripts/test.sh: install what a fresh Debian machine
# lacks. Sourced, not run.

# ensure_packages PKG...: installs the Debian packages that are not installed yet.
ensure_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "==> installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "error: cargo is not installed. Install Rust 1.85 or newer (https://rustup.rs) and run this again." >&2
        exit 1
    fi
    # The test command checks formatting and lints before it tests.
    if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
        rustup component add rustfmt clippy
    fi
}

# What every build needs: a C compiler (SQLite, ring), pkg-config, CA certificates,
# and for the desktop app WebKitGTK, GTK and xdo.
BUILD_PACKAGES=(build-essential pkg-config ca-certificates libwebkit2gtk-4.1-dev libgtk-3-dev libxdo-dev)
# The real-window test: a virtual X server, clicks, screenshots, QR decoding, OCR.
WINDOW_TEST_PACKAGES=(xvfb xauth xdotool imagemagick zbar-tools tesseract-ocr tesseract-ocr-eng
    tesseract-ocr-jpn fonts-noto-cjk)
# The phone target checks: clang and the arm64 libc headers compile ring's C files
# for a type check of the Android build (nothing is linked, so no NDK is needed).
MOBILE_CHECK_PACKAGES=(clang llvm libc6-dev-arm64-cross)
# The API conformance run: Python to install Schemathesis into a venv.
API_TEST_PACKAGES=(python3 python3-venv)
# The PostgreSQL engine's tests: a server to start throwaway clusters with.
POSTGRES_PACKAGES=(postgresql)
SCHEMATHESIS_VERSION=4.32.5

# ensure_schemathesis: installs Schemathesis (pinned) into target/tools and prints the
# path of its `st` program.
ensure_schemathesis() {
    local venv="target/tools/schemathesis-$SCHEMATHESIS_VERSION"
    if [ ! -x "$venv/bin/st" ]; then
        echo "==> installing Schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
        rm -rf "$venv"
        python3 -m venv "$venv" >&2
        "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
    fi
    echo "$PWD/$venv/bin/st"
}

# check_phone_targets: type-checks the app's Android build and what of the core can be
# checked for iOS. The app's iOS build cannot be checked off a Mac: its C dependencies
# (ring, objc2-exception-helper) need Apple's SDK (xcrun, TargetConditionals.h); so
# does the core's HTTP client (ring, through rustls).
check_phone_targets() {
    rustup target add aarch64-linux-android aarch64-apple-ios >/dev/null
    CC_aarch64_linux_android=clang AR_aarch64_linux_android=llvm-ar \
        CFLAGS_aarch64_linux_android="--target=aarch64-linux-android21 -isystem /usr/aarch64-linux-gnu/include" \
        cargo check --locked -p gashapay-app --no-default-features --features mobile \
        --target aarch64-linux-android
    cargo check --locked -p gashapay-core --features app,render,keyring --target aarch64-apple-ios
}

# Starts a throwaway PostgreSQL cluster on a free local port (as the postgres user when
# run as root: initdb refuses root), stopped when the calling script exits, and points
# GASHAPAY_TEST_POSTGRES at it. fsync is off (the tests' data is thrown away) unless
# the first argument is `durable` (for the bench: every commit on disk).
start_test_postgres() {
    local fsync=off
    [ "${1:-}" = durable ] && fsync=on
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    if [ ! -x "$bin/initdb" ]; then
        echo "error: PostgreSQL's initdb is missing (install the postgresql package)" >&2
        exit 1
    fi
    TEST_POSTGRES_DIR="$(mktemp -d /tmp/gashapay-postgres.XXXXXX)"
    TEST_POSTGRES_BIN="$bin"
    local port
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    TEST_POSTGRES_AS=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$TEST_POSTGRES_DIR"
        TEST_POSTGRES_AS=(runuser -u postgres --)
    fi
    "${TEST_POSTGRES_AS[@]}" "$bin/initdb" -D "$TEST_POSTGRES_DIR/data" -U postgres \
        --auth=trust -E UTF8 --no-sync >/dev/null
    "${TEST_POSTGRES_AS[@]}" "$bin/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -l "$TEST_POSTGRES_DIR/log" -w \
        -o "-p $port -k $TEST_POSTGRES_DIR -c listen_addresses=127.0.0.1 -c fsync=$fsync -c max_connections=400" \
        start >/dev/null
    trap stop_test_postgres EXIT
    export GASHAPAY_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
    echo "==> a throwaway PostgreSQL on 127.0.0.1:$port"
}

stop_test_postgres() {
    [ -n "${TEST_POSTGRES_DIR:-}" ] || return 0
    "${TEST_POSTGRES_AS[@]}" "$TEST_POSTGRES_BIN/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -m immediate stop \
        >/dev/null 2>&1 || true
    rm -rf "$TEST_POSTGRES_DIR"
}
