//! How the app looks under the system's settings. At 200% text (the size a phone's
//! large-text setting reaches; previewed on the desktop with `GASHAPAY_TEXT_SCALE`)
//! the screens still fit: every tab stays on screen and readable, the play screen's
//! button is reachable, and the code shown still decodes. In dark mode (GTK's dark
//! theme here, the system's setting on a phone) the page is dark and the code stays
//! dark on white.

use super::app_process::*;
use super::screen::*;
use gashapay_core::qr::SignedCode;
use std::time::Duration;

#[test]
fn at_twice_the_text_size_the_tabs_stay_and_a_code_still_scans() {
    let window = open_demo_window("en_US.UTF-8", "eng", &[("GASHAPAY_TEXT_SCALE", "200")]);
    let screen = &window.screen;
    screen.read_screen_for(
        "large-1-home",
        &["balance", "1,000", "Home", "History", "Top", "Settings"],
        Duration::from_secs(90),
    );
    screen.click("large-1-home", "Play", lowest);
    screen.wait_for(
        "large-2-play-choose",
        &["How", "many", "Settings"],
        Duration::from_secs(20),
    );
    // The button is below the fold at this size: the page scrolls to it.
    screen.scroll(200, 300, 5);
    screen.click("large-2-play-choose", "Show", first);
    screen.wait_for(
        "large-3-play-qr",
        &["expires", "Settings"],
        Duration::from_secs(20),
    );
    screen.scroll(200, 300, -10);
    let text = decode_qr(&screen.shot("large-3-play-qr"));
    SignedCode::parse(&text).unwrap_or_else(|e| panic!("zbarimg read {text:?}: {e}"));
}

/// The colour of one pixel of a screenshot, as (red, green, blue).
fn pixel(shot: &std::path::Path, x: u32, y: u32) -> (u8, u8, u8) {
    let out = std::process::Command::new("convert")
        .arg(shot)
        .args(["-format", &format!("%[fx:int(255*p{{{x},{y}}}.r)],%[fx:int(255*p{{{x},{y}}}.g)],%[fx:int(255*p{{{x},{y}}}.b)]"), "info:"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let parts: Vec<u8> = text.trim().split(',').map(|v| v.parse().unwrap()).collect();
    (parts[0], parts[1], parts[2])
}

fn brightness((r, g, b): (u8, u8, u8)) -> u32 {
    (u32::from(r) + u32::from(g) + u32::from(b)) / 3
}

#[test]
fn in_dark_mode_the_page_is_dark_and_the_code_stays_dark_on_white() {
    let window = open_demo_window("en_US.UTF-8", "eng", &[("GTK_THEME", "Adwaita:dark")]);
    let screen = &window.screen;
    screen.read_screen_for(
        "dark-1-home",
        &["balance", "1,000", "Recent"],
        Duration::from_secs(90),
    );
    // Empty page below the recent activity, inside the phone.
    let page = pixel(&screen.shot("dark-1-home"), 200, 600);
    assert!(brightness(page) < 60, "the page is dark: {page:?}");
    screen.click("dark-1-home", "Play", lowest);
    screen.wait_for(
        "dark-2-play-choose",
        &["How", "many"],
        Duration::from_secs(20),
    );
    screen.click("dark-2-play-choose", "Show", first);
    screen.wait_for(
        "dark-3-play-qr",
        &["Waiting", "expires"],
        Duration::from_secs(20),
    );
    let shot = screen.shot("dark-3-play-qr");
    let card = pixel(&shot, 50, 100);
    assert!(brightness(card) > 240, "the code's card is white: {card:?}");
    let text = decode_qr(&shot);
    SignedCode::parse(&text).unwrap_or_else(|e| panic!("zbarimg read {text:?}: {e}"));
}
