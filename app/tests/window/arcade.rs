//! The arcade cabinet (seed 002) in the demo panel: a tester presses start, shows a
//! code in the app, pays at the cabinet's reader, and after the countdown the game
//! starts; the points are spent, read off the screen.

use super::app_process::*;
use super::screen::*;
use std::time::Duration;

#[test]
fn a_tester_pays_an_arcade_game_with_the_code_in_the_app() {
    let window = open_demo_window("en_US.UTF-8", "eng", &[]);
    let screen = &window.screen;
    screen.wait_for("a1-home", &["balance", "1,000"], Duration::from_secs(90));

    // Down the panel to the cabinet, its buttons in view (the next heading is).
    screen.scroll_to_words(
        "a2-cabinet",
        &["Arcade cabinet", "Reward stand"],
        Duration::from_secs(180),
    );
    screen.click("a2-cabinet", "Press start", lowest);
    screen.wait_for(
        "a3-cabinet-asks",
        &["Show your code at the reader: 100 pts"],
        Duration::from_secs(20),
    );

    screen.click("a3-cabinet-asks", "Play", first);
    screen.wait_for(
        "a4-play",
        &["How", "many", "points?"],
        Duration::from_secs(20),
    );
    screen.click("a4-play", "Show QR code", first);
    screen.wait_for("a5-code", &["Waiting", "scan"], Duration::from_secs(20));
    // The code the reader will take, as a scanner reads it off the screen (the
    // panel may show other symbols beside it).
    let decoded = decode_qr(&screen.shot("a5-code"));
    let code = decoded
        .lines()
        .find_map(|line| gashapay_core::qr::SignedCode::parse(line).ok())
        .unwrap_or_else(|| panic!("no code of the app's among {decoded:?}"));
    assert_eq!(code.payload.points, gashapay_core::Points(100));
    screen.click("a5-code", "Pay at the reader", first);
    screen.wait_for(
        "a6-countdown",
        &["1 player in; starting in"],
        Duration::from_secs(20),
    );
    // The countdown ends: the payment is committed and the game starts; the app
    // follows the play to its end and speaks of the game, not of a prize.
    screen.read_screen_for(
        "a7-game-on",
        &["Game on! 1 player", "Have fun", "New balance: 900"],
        Duration::from_secs(30),
    );
    screen.click("a7-game-on", "Home", lowest);
    screen.wait_for(
        "a8-home",
        &["900", "Demo arcade cabinet"],
        Duration::from_secs(30),
    );
}
