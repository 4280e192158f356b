//! The desktop app in a real window (Xvfb), driven like a tester would: click Play,
//! show a code, photograph the screen, decode the QR with zbarimg, have a machine
//! validate the decoded text against the app's own demo backend, and read the
//! outcome and new balance off the screen (tesseract OCR). Screenshots are kept in
//! `target/artifacts/window/`.
//!
//! Needs Xvfb, xdotool, zbarimg, ImageMagick and tesseract: `scripts/test.sh`
//! installs them.

mod app_log;
mod app_process;
mod appearance;
mod arcade;
mod japanese;
mod machine_code;
mod play;
mod rewards;
mod screen;
