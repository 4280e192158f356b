//! The app on a Japanese system: it speaks Japanese from the first screen (CJK glyphs
//! drawn, as tesseract reads them back), shows a code a real decoder reads, and
//! switches to English from Settings.

use super::app_process::*;
use super::screen::*;
use gashapay_core::app::language::Language;
use gashapay_core::app::saved::SavedStateFile;
use gashapay_core::qr::SignedCode;
use gashapay_core::Points;
use std::time::Duration;

#[test]
fn on_a_japanese_system_the_app_speaks_japanese_and_settings_switch_it_to_english() {
    let window = open_demo_window("ja_JP.UTF-8", "jpn+eng", &[]);
    let screen = &window.screen;

    // Read off the screen: the Japanese glyphs are drawn (a font has them).
    screen.read_screen_for(
        "ja-1-home",
        &["残高", "1,000", "最近"],
        Duration::from_secs(90),
    );
    screen.click("ja-1-home", "プレイ", lowest);
    screen.wait_for("ja-2-play-choose", &["使いますか"], Duration::from_secs(20));
    screen.click("ja-2-play-choose", "表示", first);
    screen.wait_for(
        "ja-3-play-qr",
        &["スキャン待ち", "自動更新"],
        Duration::from_secs(20),
    );
    let shot = screen.shot("ja-3-play-qr");
    let text = decode_qr(&shot);
    let code = SignedCode::parse(&text).unwrap_or_else(|e| panic!("zbarimg read {text:?}: {e}"));
    assert_eq!(code.payload.points, Points(100));

    screen.click("ja-3-play-qr", "設定", lowest);
    screen.wait_for(
        "ja-4-settings",
        &["English", "サーバー"],
        Duration::from_secs(20),
    );
    screen.click("ja-4-settings", "English", first);
    screen.wait_for(
        "ja-5-settings-in-english",
        // Words tesseract reads every time (the outlined "Sign out" it sometimes drops).
        &["Settings", "Language", "Server", "This device"],
        Duration::from_secs(20),
    );
    // The choice is kept for the next start.
    let file = SavedStateFile::in_dir(window.data.path());
    assert_eq!(file.load().unwrap().language, Some(Language::En));
}
