//! The app's processes under test: its X server, the demo app with its backend and
//! log, and the turn the window tests take.

use super::app_log::AppLog;
use super::screen::Screen;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct Killed(pub Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn require(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "{tool} is missing: run scripts/test.sh, which installs it"
    );
}

/// The window tests take turns: each drives a web view and reads its screen with
/// tesseract, and two at once on a small machine starve each other's repaints.
pub fn one_window_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub fn start_xvfb() -> (Killed, String) {
    let mut xvfb = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1024x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb starts");
    let mut number = String::new();
    BufReader::new(xvfb.stdout.take().unwrap())
        .read_line(&mut number)
        .unwrap();
    (Killed(xvfb), format!(":{}", number.trim()))
}

/// The desktop app in demo mode on `display`, its files in `data`, speaking the
/// locale `locale` says (as the system's `LANG` would), with `env` set.
pub struct DemoApp {
    pub process: Killed,
    pub server: String,
    pub database: PathBuf,
    /// Its output, its backend's log included.
    pub log: AppLog,
}

/// Starts `app` with its stdout and stderr read into a log; hands stdout to `first`
/// first, which reads the lines it needs (they go into the log too).
fn start_logged<T>(
    app: &mut Command,
    first: impl FnOnce(&mut dyn Iterator<Item = String>) -> T,
) -> (Killed, AppLog, T) {
    let mut child = app
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let stderr = child.stderr.take().unwrap();
    let process = Killed(child);
    let log = AppLog::default();
    log.collect(stderr);
    let mut lines = std::iter::from_fn(|| {
        let mut line = String::new();
        stdout.read_line(&mut line).ok().filter(|&read| read > 0)?;
        let line = line.trim_end().to_owned();
        log.push(line.clone());
        Some(line)
    });
    let answer = first(&mut lines);
    log.collect(stdout);
    (process, log, answer)
}

/// Starts [`DemoApp`]; returns once it has said where its backend and database are.
pub fn start_demo_app_with(
    display: &str,
    data: &Path,
    locale: &str,
    env: &[(&str, &str)],
) -> DemoApp {
    let mut app = Command::new(env!("CARGO_BIN_EXE_gashapay-app"));
    app.envs(env.iter().copied())
        .env("DISPLAY", display)
        .env("GASHAPAY_DATA_DIR", data)
        .env("GASHAPAY_PAGE_TEXT", data.join("page.json"))
        .env_remove("GASHAPAY_SERVER")
        .env("LC_ALL", locale)
        .env("LANG", locale)
        // Reading the screen takes seconds a look: the test's own machine must not be
        // refunded while the test waits to see "Processing".
        .env("GASHAPAY_DEMO_OUTCOME_TIMEOUT_SECS", "180");
    let (process, log, (server, database)) = start_logged(&mut app, |lines| {
        let mut server = None;
        for line in lines {
            if let Some(url) = line.strip_prefix("GASHAPAY_DEMO_SERVER=") {
                server = Some(url.to_owned());
            }
            if let Some(path) = line.strip_prefix("GASHAPAY_DEMO_DATABASE=") {
                return (server, Some(PathBuf::from(path)));
            }
        }
        (server, None)
    });
    DemoApp {
        process,
        server: server.unwrap_or_else(|| panic!("no demo server; the app said:\n{}", log.tail())),
        database: database
            .unwrap_or_else(|| panic!("no demo database; the app said:\n{}", log.tail())),
        log,
    }
}

/// Starts the app pointed at `server` on `display`, its files in `data`.
pub fn start_app_for_server(display: &str, data: &Path, server: &str) -> (Killed, AppLog) {
    let mut app = Command::new(env!("CARGO_BIN_EXE_gashapay-app"));
    app.args(["--server", server])
        .env("DISPLAY", display)
        .env("GASHAPAY_DATA_DIR", data)
        .env("GASHAPAY_PAGE_TEXT", data.join("page.json"))
        .env("LC_ALL", "en_US.UTF-8");
    let (process, log, ()) = start_logged(&mut app, |_| ());
    (process, log)
}

/// Every tool a window test drives.
const TOOLS: [&str; 6] = [
    "Xvfb",
    "xdotool",
    "zbarimg",
    "import",
    "convert",
    "tesseract",
];

/// The demo app in a window of its own, with everything a test needs to drive it. The
/// fields go in this order: the app quits before its X server, and the turn is
/// given back last.
pub struct DemoWindow {
    pub screen: Screen,
    pub app: DemoApp,
    pub data: tempfile::TempDir,
    _xvfb: Killed,
    _turn: std::sync::MutexGuard<'static, ()>,
}

/// Opens the demo app for a test, speaking `locale`, with `env` set, read by
/// tesseract in the languages `ocr` names; waits for its turn first.
pub fn open_demo_window(locale: &str, ocr: &'static str, env: &[(&str, &str)]) -> DemoWindow {
    for tool in TOOLS {
        require(tool);
    }
    let turn = one_window_at_a_time();
    let (xvfb, display) = start_xvfb();
    let data = tempfile::tempdir().unwrap();
    let app = start_demo_app_with(&display, data.path(), locale, env);
    let page = data.path().join("page.json");
    let app_log = app.log.clone();
    DemoWindow {
        screen: Screen {
            display,
            ocr,
            page,
            app_log,
        },
        app,
        data,
        _xvfb: xvfb,
        _turn: turn,
    }
}
