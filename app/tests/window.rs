//! The desktop app in a real window (Xvfb), driven like a tester would: click Play,
//! show a code, photograph the screen, decode the QR with zbarimg, have a machine
//! validate the decoded text against the app's own demo backend, and read the
//! outcome and new balance off the screen (tesseract OCR). Screenshots are kept in
//! `target/artifacts/window/`.
//!
//! Needs Xvfb, xdotool, zbarimg, ImageMagick and tesseract: `scripts/test.sh`
//! installs them.

use gashapay_backend_mock::credentials::{hash_secret, random_secret};
use gashapay_backend_mock::store::sqlite::SqliteStore;
use gashapay_backend_mock::store::Store;
use gashapay_core::qr::SignedCode;
use gashapay_core::status::DispenseOutcome;
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::{MachineId, Points, Redacted, TransactionStatus};
use gashapay_machine::{MachineClient, RetryPolicy};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn require(tool: &str) {
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

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts/window");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Screen {
    display: String,
}

/// One word tesseract read, with its box in screen pixels.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    x: u32,
    y: u32,
    w: u32,
    h: u32,
}

/// How much a screenshot is enlarged for OCR, a different size at each look.
const OCR_SCALES: [u32; 3] = [3, 4, 2];

/// How a screenshot is prepared for each of tesseract's readings of it: grey
/// (light-on-colour text such as the balance card, small grey text), then black and
/// white at two levels (coloured buttons; the outlined "Sign out" only at the lower).
const OCR_FILTERS: [&[&str]; 3] = [
    &["-colorspace", "Gray"],
    &["-colorspace", "Gray", "-threshold", "50%"],
    &["-colorspace", "Gray", "-threshold", "35%"],
];

fn joined(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Screen {
    fn shot(&self, name: &str) -> PathBuf {
        let path = artifacts().join(format!("{name}.png"));
        let status = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success(), "screenshot failed");
        path
    }

    /// One reading of the shot by tesseract, enlarged `scale` times through `filter`.
    fn read(shot: &Path, scale: u32, filter: &[&str]) -> Vec<Word> {
        let big = shot.with_extension("ocr.png");
        Command::new("convert")
            .arg(shot)
            .args(["-resize", &format!("{}%", scale * 100)])
            .args(filter)
            .arg(&big)
            .status()
            .unwrap();
        let out = Command::new("tesseract")
            .arg(&big)
            .args(["-", "--psm", "11", "tsv"])
            .stderr(Stdio::null())
            .output()
            .unwrap();
        let _ = std::fs::remove_file(&big);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .skip(1)
            .filter_map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let text = f.get(11)?.trim();
                if text.is_empty() {
                    return None;
                }
                let n = |i: usize| f[i].parse::<u32>().ok().map(|v| v / scale);
                Some(Word {
                    text: text.to_owned(),
                    x: n(6)?,
                    y: n(7)?,
                    w: n(8)?,
                    h: n(9)?,
                })
            })
            .collect()
    }

    /// Looks at the screen until `found` accepts the words read so far, or `timeout`
    /// passes (then panics with `what` and the last words read). A screenshot can
    /// catch the window halfway through a repaint, and tesseract can miss a word at
    /// one size and read it at another, so each look takes a fresh screenshot at
    /// another enlargement, and reads it through each filter only until `found`.
    fn look<T>(
        &self,
        name: &str,
        what: &str,
        timeout: Duration,
        found: impl Fn(&[Word]) -> Option<T>,
    ) -> T {
        let started = Instant::now();
        let mut scales = OCR_SCALES.into_iter().cycle();
        loop {
            let scale = scales.next().expect("the scales cycle forever");
            let shot = self.shot(name);
            let mut words = Vec::new();
            for filter in OCR_FILTERS {
                words.extend(Self::read(&shot, scale, filter));
                if let Some(result) = found(&words) {
                    return result;
                }
            }
            assert!(
                started.elapsed() < timeout,
                "{what}; the screen says: {}",
                joined(&words)
            );
            std::thread::sleep(Duration::from_millis(700));
        }
    }

    /// Waits until every one of `needles` is on screen; returns the screen's text.
    fn wait_for(&self, name: &str, needles: &[&str], timeout: Duration) -> String {
        self.look(name, &format!("waited for {needles:?}"), timeout, |words| {
            let text = joined(words);
            needles.iter().all(|n| text.contains(n)).then_some(text)
        })
    }

    /// Clicks the word `pick` chooses among those that equal `label`.
    fn click(&self, name: &str, label: &str, pick: fn(&[Word]) -> Option<&Word>) {
        let word = self.look(
            name,
            &format!("no '{label}' on screen"),
            Duration::from_secs(20),
            |words| {
                let matching: Vec<Word> =
                    words.iter().filter(|w| w.text == label).cloned().collect();
                pick(&matching).cloned()
            },
        );
        let (x, y) = (word.x + word.w / 2, word.y + word.h / 2);
        let status = Command::new("xdotool")
            .env("DISPLAY", &self.display)
            .args(["mousemove", &x.to_string(), &y.to_string(), "click", "1"])
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(Duration::from_millis(600));
    }

    /// Types `text` into whatever has the keyboard focus, then presses `finish`
    /// (e.g. `Tab`, `Return`).
    fn type_text(&self, text: &str, finish: &str) {
        let status = Command::new("xdotool")
            .env("DISPLAY", &self.display)
            .args(["type", "--delay", "40", text])
            .status()
            .unwrap();
        assert!(status.success());
        let status = Command::new("xdotool")
            .env("DISPLAY", &self.display)
            .args(["key", finish])
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn first(words: &[Word]) -> Option<&Word> {
    words.first()
}
fn lowest(words: &[Word]) -> Option<&Word> {
    words.iter().max_by_key(|w| w.y)
}

fn start_xvfb() -> (Killed, String) {
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

#[tokio::test(flavor = "multi_thread")]
async fn a_tester_plays_the_demo_machine_from_the_desktop_window() {
    for tool in [
        "Xvfb",
        "xdotool",
        "zbarimg",
        "import",
        "convert",
        "tesseract",
    ] {
        require(tool);
    }
    let (_xvfb, display) = start_xvfb();
    let data = tempfile::tempdir().unwrap();
    let mut app = Command::new(env!("CARGO_BIN_EXE_gashapay-app"))
        .env("DISPLAY", &display)
        .env("GASHAPAY_DATA_DIR", data.path())
        .env_remove("GASHAPAY_SERVER")
        // Reading the screen takes seconds a look: the test's own machine must not be
        // refunded while the test waits to see "Processing".
        .env("GASHAPAY_DEMO_OUTCOME_TIMEOUT_SECS", "180")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = app.stdout.take().unwrap();
    let mut app_stderr = app.stderr.take().unwrap();
    let app = Killed(app);
    let mut server = None;
    let mut database = None;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some(url) = line.strip_prefix("GASHAPAY_DEMO_SERVER=") {
            server = Some(url.to_owned());
        }
        if let Some(path) = line.strip_prefix("GASHAPAY_DEMO_DATABASE=") {
            database = Some(PathBuf::from(path));
            break;
        }
    }
    let (server, database) = (
        server.expect("demo server"),
        database.expect("demo database"),
    );
    let screen = Screen { display };

    // Home: the demo user is signed in with the welcome points.
    screen.wait_for("1-home", &["balance", "1,000"], Duration::from_secs(90));
    screen.click("1-home", "Play", first);
    screen.wait_for(
        "2-play-choose",
        &["How", "many", "points?"],
        Duration::from_secs(20),
    );
    screen.click("2-play-choose", "Show", first);
    let qr_screen = screen.wait_for(
        "3-play-qr",
        &["Waiting", "scan", "expires"],
        Duration::from_secs(20),
    );
    // The tab bar stays on screen under a tall page.
    assert!(qr_screen.contains("Settings"), "{qr_screen}");

    // The QR on screen, decoded by a real decoder.
    let shot = screen.shot("3-play-qr");
    let decoded = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&shot)
        .output()
        .unwrap();
    let text = String::from_utf8(decoded.stdout).unwrap().trim().to_owned();
    let code = SignedCode::parse(&text).unwrap_or_else(|e| panic!("zbarimg read {text:?}: {e}"));
    assert_eq!(code.payload.points, Points(100));

    // A second machine, registered in the demo backend's database as an operator
    // would, validates what it read off the screen.
    let secret = random_secret();
    let hook = WebhookSecret::generate();
    let machine_id = MachineId("m_window_test".into());
    SqliteStore::open(&database.display().to_string())
        .unwrap()
        .upsert_machine(
            &machine_id,
            "Window test machine",
            &hash_secret(&secret),
            &hook,
        )
        .unwrap();
    let machine = MachineClient::new(
        &server,
        machine_id,
        Redacted::new(format!("gpk.m_window_test.{secret}")),
        hook,
    );
    let validated = machine
        .validate(&text)
        .await
        .expect("the decoded code validates");
    assert_eq!(validated.transaction_id, code.payload.transaction_id);
    screen.wait_for(
        "4-play-processing",
        &["Processing"],
        // A loaded machine has been seen to hold the window's repaint for 20 s; the
        // play stays pending for the demo's outcome time-out set above (180 s).
        Duration::from_secs(60),
    );
    let ack = machine
        .report(
            validated.transaction_id,
            DispenseOutcome::Dispensed,
            None,
            &RetryPolicy::default(),
            |_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(ack.status, TransactionStatus::Completed);

    // The window learns the outcome by itself and shows the new balance.
    screen.wait_for(
        "5-play-dispensed",
        &["Dispensed!", "900"],
        Duration::from_secs(20),
    );

    // A tester's second play, through the emulated machine panel: it jams.
    screen.click("5-play-dispensed", "again", first);
    screen.click("5b-play-choose", "Show", first);
    screen.wait_for("5c-play-qr", &["Waiting", "scan"], Duration::from_secs(20));
    screen.click("5c-play-qr", "Jam", first);
    screen.click("5c-play-qr", "Scan", first);
    screen.wait_for(
        "5d-play-jammed",
        &["failed:", "refunded", "900"],
        Duration::from_secs(30),
    );

    // The other screens, for the record (and a look at what they say).
    screen.click("5-play-dispensed", "History", lowest);
    screen.wait_for(
        "6-history",
        &["Window", "Welcome", "+1,000", "Refund:"],
        Duration::from_secs(20),
    );
    screen.click("6-history", "Settings", lowest);
    screen.wait_for(
        "7-settings",
        &["Server", "This", "device", "Sign-in"],
        Duration::from_secs(20),
    );
    screen.click("7-settings", "Top", lowest);
    screen.wait_for(
        "8-top-up",
        &["Test", "payment", "token"],
        Duration::from_secs(20),
    );
    screen.click("8-top-up", "Settings", lowest);
    screen.wait_for(
        "9-settings",
        &["Server", "Sign-in"],
        Duration::from_secs(20),
    );
    screen.click("9-settings", "Sign", lowest);
    screen.wait_for(
        "10-sign-in",
        &["GashaPay", "Username", "Password"],
        Duration::from_secs(20),
    );

    // A new player makes an account from the sign-in screen and lands on their
    // welcome points.
    screen.click("10-sign-in", "Create", lowest);
    screen.wait_for(
        "11-sign-up",
        &["Create", "account", "characters"],
        Duration::from_secs(20),
    );
    screen.click("11-sign-up", "Username", first);
    screen.type_text("newplayer", "Tab");
    screen.type_text("a long password", "Return");
    screen.wait_for(
        "12-new-account-home",
        &["1,000", "Play"],
        Duration::from_secs(30),
    );

    drop(app);
    let mut log = String::new();
    let _ = app_stderr.read_to_string(&mut log);
    assert!(
        !log.contains(&secret),
        "the app's log shows a machine secret"
    );
}

#[test]
fn pointed_at_a_real_server_the_app_has_no_demo_panel_and_asks_to_sign_in() {
    for tool in ["Xvfb", "import", "convert", "tesseract"] {
        require(tool);
    }
    // A real (mock) server in its own process, as a deployment would have.
    let (_xvfb, display) = start_xvfb();
    let data = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    let _app = Killed(
        Command::new(env!("CARGO_BIN_EXE_gashapay-app"))
            .args(["--server", &server])
            .env("DISPLAY", &display)
            .env("GASHAPAY_DATA_DIR", data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let screen = Screen { display };
    let text = screen.wait_for(
        "real-server-sign-in",
        &["GashaPay", "Username", "Password"],
        Duration::from_secs(90),
    );
    assert!(
        !text.contains("Emulated"),
        "no demo panel with a real server: {text}"
    );
    assert!(
        !data.path().join("demo.db").exists(),
        "no demo backend was started"
    );
    drop(listener);
}
