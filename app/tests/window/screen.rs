//! The window under test: Xvfb, the page's text as the web view has it (the app
//! writes it to a file, `GASHAPAY_PAGE_TEXT`), screenshots, tesseract's reading of
//! them (once a flow, for what a person really sees), clicks and typing through
//! xdotool.

use super::app_log::AppLog;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts/window");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct Screen {
    pub display: String,
    /// Tesseract's languages for reading it: `eng`, or `jpn+eng`.
    pub ocr: &'static str,
    /// Where the app writes what its page shows (`GASHAPAY_PAGE_TEXT`).
    pub page: PathBuf,
    /// What the app has said: a wait that gives up shows its end.
    pub app_log: AppLog,
}

/// What the web view shows: its visible text, and its controls' boxes.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Page {
    texts: Vec<Shown>,
    controls: Vec<Shown>,
    ratio: f64,
}

/// A text or control on screen, its box in CSS pixels (the visible part of it).
#[derive(Debug, Clone, serde::Deserialize)]
struct Shown {
    text: String,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    /// The whole box's height, of which `h` is visible.
    full_h: f64,
}

impl Page {
    /// The visible text, in the page's order.
    pub fn text(&self) -> String {
        let parts: Vec<&str> = self.texts.iter().map(|t| t.text.as_str()).collect();
        parts.join(" ")
    }

    /// The controls (buttons, links, fields, labels) that read `label` and are mostly
    /// in view, as boxes in screen pixels.
    fn controls(&self, label: &str) -> Vec<Word> {
        let ratio = if self.ratio > 0.0 { self.ratio } else { 1.0 };
        self.controls
            .iter()
            .filter(|c| c.text.contains(label) && c.h >= 0.6 * c.full_h)
            .map(|c| Word {
                text: c.text.clone(),
                x: (c.x * ratio) as u32,
                y: (c.y * ratio) as u32,
                w: (c.w * ratio).max(1.0) as u32,
                h: (c.h * ratio).max(1.0) as u32,
            })
            .collect()
    }
}

/// Whether `text` holds every one of `needles`; spaces do not count (tesseract
/// splits Japanese into pieces, and a page's lines break where they will).
fn holds_all(text: &str, needles: &[&str]) -> bool {
    let compact = text.replace(' ', "");
    needles
        .iter()
        .all(|n| text.contains(n) || compact.contains(&n.replace(' ', "")))
}

/// One word tesseract read, with its box in screen pixels.
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// How much a screenshot is enlarged for OCR, a different size at each look.
pub const OCR_SCALES: [u32; 3] = [3, 4, 2];

/// How a screenshot is prepared for each of tesseract's readings of it, and how
/// tesseract segments it: grey (light-on-colour text such as the balance card, small
/// grey text), then black and white at two levels (coloured buttons; the outlined
/// "Sign out" only at the lower), each as sparse words; last the negative read as
/// blocks, the one reading that finds Japanese in white on a coloured button.
pub const OCR_PASSES: [(&[&str], &str); 4] = [
    (&["-colorspace", "Gray"], "11"),
    (&["-colorspace", "Gray", "-threshold", "50%"], "11"),
    (&["-colorspace", "Gray", "-threshold", "35%"], "11"),
    (&["-colorspace", "Gray", "-negate"], "3"),
];

/// The app's filled buttons: boxes (x, y, w, h) of the brand colour (`--brand`,
/// #c2185b), found on a grid of 4-pixel cells, at least a small button's size.
fn brand_boxes(shot: &Path) -> Vec<(u32, u32, u32, u32)> {
    const CELL: u32 = 4;
    let Ok(image) = image::open(shot) else {
        return Vec::new();
    };
    let image = image.to_rgb8();
    let (cols, rows) = (image.width() / CELL, image.height() / CELL);
    let brand = |x: u32, y: u32| {
        let p = image.get_pixel(x, y).0;
        p[0].abs_diff(0xc2) < 24 && p[1].abs_diff(0x18) < 24 && p[2].abs_diff(0x5b) < 24
    };
    let mut filled = vec![false; (cols * rows) as usize];
    for row in 0..rows {
        for col in 0..cols {
            let hits = (0..CELL)
                .flat_map(|dy| (0..CELL).map(move |dx| (dx, dy)))
                .filter(|&(dx, dy)| brand(col * CELL + dx, row * CELL + dy))
                .count();
            filled[(row * cols + col) as usize] = hits * 2 >= (CELL * CELL) as usize;
        }
    }
    let mut seen = vec![false; filled.len()];
    let mut boxes = Vec::new();
    for start in 0..filled.len() {
        if !filled[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        let (mut left, mut top, mut right, mut bottom) = (u32::MAX, u32::MAX, 0, 0);
        let mut stack = vec![start];
        while let Some(cell) = stack.pop() {
            let (col, row) = (cell as u32 % cols, cell as u32 / cols);
            (left, top) = (left.min(col), top.min(row));
            (right, bottom) = (right.max(col), bottom.max(row));
            let neighbours = [
                (col > 0).then(|| cell - 1),
                (col + 1 < cols).then(|| cell + 1),
                (row > 0).then(|| cell - cols as usize),
                (row + 1 < rows).then(|| cell + cols as usize),
            ];
            for next in neighbours.into_iter().flatten() {
                if filled[next] && !seen[next] {
                    seen[next] = true;
                    stack.push(next);
                }
            }
        }
        let (w, h) = ((right - left + 1) * CELL, (bottom - top + 1) * CELL);
        if w >= 60 && h >= 28 {
            boxes.push((left * CELL, top * CELL, w, h));
        }
    }
    boxes
}

pub fn joined(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Screen {
    pub fn shot(&self, name: &str) -> PathBuf {
        let path = artifacts().join(format!("{name}.png"));
        let status = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success(), "screenshot failed");
        path
    }

    /// One reading of the shot by tesseract, enlarged `scale` times, in one pass.
    fn read(&self, shot: &Path, scale: u32, (filter, psm): (&[&str], &str)) -> Vec<Word> {
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
            .args(["-", "-l", self.ocr, "--psm", psm, "tsv"])
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

    /// The label of each filled button (the brand colour) in the shot, read from its
    /// own crop as one line, its words spread over the button's width.
    fn read_buttons(&self, shot: &Path) -> Vec<Word> {
        let mut words = Vec::new();
        for (x, y, w, h) in brand_boxes(shot) {
            let crop = shot.with_extension("button.png");
            Command::new("convert")
                .arg(shot)
                .args(["-crop", &format!("{w}x{h}+{x}+{y}"), "+repage"])
                .args(["-resize", "200%", "-colorspace", "Gray", "-negate"])
                .arg(&crop)
                .status()
                .unwrap();
            let out = Command::new("tesseract")
                .arg(&crop)
                .args(["-", "-l", self.ocr, "--psm", "7"])
                .stderr(Stdio::null())
                .output()
                .unwrap();
            let _ = std::fs::remove_file(&crop);
            let text = String::from_utf8_lossy(&out.stdout);
            let tokens: Vec<&str> = text.split_whitespace().collect();
            let each = w / (tokens.len().max(1) as u32);
            for (i, token) in tokens.iter().enumerate() {
                words.push(Word {
                    text: (*token).to_owned(),
                    x: x + each * i as u32,
                    y,
                    w: each,
                    h,
                });
            }
        }
        words
    }

    /// Looks at the screen until `found` accepts the words read so far, or `timeout`
    /// passes (then panics with `what` and the last words read). A screenshot can
    /// catch the window halfway through a repaint, and tesseract can miss a word at
    /// one size and read it at another, so each look takes a fresh screenshot at
    /// another enlargement, and reads it through each filter only until `found`; it
    /// gives up only after each enlargement had its look.
    fn look<T>(
        &self,
        name: &str,
        what: &str,
        timeout: Duration,
        found: impl Fn(&[Word]) -> Option<T>,
    ) -> T {
        let started = Instant::now();
        let mut scales = OCR_SCALES.into_iter().cycle();
        let mut looks = 0;
        loop {
            let scale = scales.next().expect("the scales cycle forever");
            looks += 1;
            let shot = self.shot(name);
            let mut words = Vec::new();
            for pass in OCR_PASSES {
                words.extend(self.read(&shot, scale, pass));
                if let Some(result) = found(&words) {
                    return result;
                }
            }
            // Tesseract's page layout can pass over a whole coloured button; read each
            // one on its own.
            words.extend(self.read_buttons(&shot));
            if let Some(result) = found(&words) {
                return result;
            }
            // Every enlargement gets its look, however slow tesseract is on a busy
            // machine: a word missed at one size is often read at another.
            assert!(
                started.elapsed() < timeout || looks < OCR_SCALES.len(),
                "{what}; the screen says: {}\nthe app's log ends:\n{}",
                joined(&words),
                self.app_log.tail()
            );
            std::thread::sleep(Duration::from_millis(700));
        }
    }

    /// What the page shows now, as the app last wrote it (an empty page until it
    /// has).
    pub fn page(&self) -> Page {
        std::fs::read(&self.page)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Waits until the page shows `found`'s answer, or panics after `timeout` with
    /// `what` and the page's text.
    fn watch<T>(&self, what: &str, timeout: Duration, found: impl Fn(&Page) -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            let page = self.page();
            if let Some(result) = found(&page) {
                return result;
            }
            assert!(
                started.elapsed() < timeout,
                "{what}; the page shows: {}\nthe app's log ends:\n{}",
                page.text(),
                self.app_log.tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until every one of `needles` is on the page, then keeps a screenshot of
    /// it as `name`; returns the page's text.
    pub fn wait_for(&self, name: &str, needles: &[&str], timeout: Duration) -> String {
        let text = self.watch(
            &format!("{name}: waited for {needles:?}"),
            timeout,
            |page| {
                let text = page.text();
                holds_all(&text, needles).then_some(text)
            },
        );
        self.shot(name);
        text
    }

    /// Waits until every one of `needles` can be read off a screenshot by tesseract:
    /// what a person sees, pixels and all (a flow does this once; the page's text
    /// answers the rest). Returns what was read.
    pub fn read_screen_for(&self, name: &str, needles: &[&str], timeout: Duration) -> String {
        self.look(name, &format!("waited for {needles:?}"), timeout, |words| {
            let text = joined(words);
            holds_all(&text, needles).then_some(text)
        })
    }

    /// Clicks the control (button, link, field, label) that reads `label`, the one
    /// `pick` chooses when several do; `name` says where the test is.
    pub fn click(&self, name: &str, label: &str, pick: fn(&[Word]) -> Option<&Word>) {
        let word = self.watch(
            &format!("{name}: no '{label}' to click"),
            Duration::from_secs(20),
            |page| pick(&page.controls(label)).cloned(),
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

    /// Scrolls the demo panel down, two notches at a time, until `found` accepts what
    /// zbarimg reads in a screenshot (each symbol's text on a line); panics after
    /// `timeout`. The symbol that comes into view first is the first one down the panel.
    pub fn scroll_to_code<T>(
        &self,
        name: &str,
        timeout: Duration,
        found: impl Fn(&str) -> Option<T>,
    ) -> T {
        let started = Instant::now();
        loop {
            let shot = self.shot(name);
            if let Some(result) = found(&decode_qr(&shot)) {
                return result;
            }
            assert!(
                started.elapsed() < timeout,
                "{name}: the code never came into view"
            );
            self.scroll(600, 400, 2);
        }
    }

    /// Scrolls the demo panel down, two notches at a time, until every one of
    /// `needles` is in view; panics after `timeout`.
    pub fn scroll_to_words(&self, name: &str, needles: &[&str], timeout: Duration) {
        let started = Instant::now();
        loop {
            if holds_all(&self.page().text(), needles) {
                self.shot(name);
                return;
            }
            assert!(
                started.elapsed() < timeout,
                "{name}: {needles:?} never came into view"
            );
            self.scroll(600, 400, 2);
        }
    }

    /// Turns the mouse wheel over the point (`x`, `y`): `notches` down, or up when
    /// negative.
    pub fn scroll(&self, x: u32, y: u32, notches: i32) {
        let button = if notches < 0 { "4" } else { "5" };
        let status = Command::new("xdotool")
            .env("DISPLAY", &self.display)
            .args(["mousemove", &x.to_string(), &y.to_string()])
            .args([
                "click",
                "--repeat",
                &notches.unsigned_abs().to_string(),
                button,
            ])
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(Duration::from_millis(600));
    }

    /// Types `text` into whatever has the keyboard focus, then presses `finish`
    /// (e.g. `Tab`, `Return`).
    pub fn type_text(&self, text: &str, finish: &str) {
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

pub fn first(words: &[Word]) -> Option<&Word> {
    words.first()
}
pub fn lowest(words: &[Word]) -> Option<&Word> {
    words.iter().max_by_key(|w| w.y)
}

/// The QR code in a screenshot, read by zbarimg.
pub fn decode_qr(shot: &Path) -> String {
    let decoded = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(shot)
        .output()
        .unwrap();
    String::from_utf8(decoded.stdout).unwrap().trim().to_owned()
}
