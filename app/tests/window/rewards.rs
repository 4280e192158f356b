//! The reward stand (seed 003) in the demo panel: a tester photographs the stand's
//! visit code, zbarimg reads it, the link goes to the app as a phone's camera would
//! ("Scan with the phone"), and the points earned are read off the screen; then the
//! start code starts the clock and the home screen shows the running card.

use super::app_process::*;
use super::screen::*;
use gashapay_core::links::AppLink;
use std::time::Duration;

#[test]
fn a_tester_scans_the_stands_visit_code_and_earns_then_starts_the_clock() {
    let window = open_demo_window("en_US.UTF-8", "eng", &[]);
    let screen = &window.screen;
    let server = window.app.server.clone();
    screen.wait_for("r1-home", &["balance", "1,000"], Duration::from_secs(90));

    // Down the panel until the stand's first code (the visit code) can be read.
    let link = screen.scroll_to_code("r2-stand", Duration::from_secs(90), |text| {
        text.lines()
            .find(|line| matches!(AppLink::parse(line), Ok(AppLink::Reward { .. })))
            .map(str::to_owned)
    });
    assert!(link.starts_with(&format!("{server}/l/r/rc_")), "{link}");

    // A visit code dies with its wall-clock minute (PROTOCOL §12), and finding and
    // clicking a button takes this machine seconds: the click happens early in a
    // minute, after the stand has put up that minute's code.
    wait_for_early_in_a_minute();
    // Its button is the lowest "Scan with the phone" in view (the next code's is below).
    screen.click("r2-stand", "Scan with the phone", lowest);
    screen.read_screen_for(
        "r3-earned",
        &["Demo cafe", "10 pts earned at Demo cafe"],
        Duration::from_secs(20),
    );
    screen.click("r3-earned", "Home", lowest);
    screen.wait_for(
        "r4-home",
        &["1,010", "Reward from Demo cafe"],
        Duration::from_secs(20),
    );

    // The start code, the stand's second: once it can be read, its button is the
    // lowest "Scan with the phone" in view (the end code's is below it).
    screen.scroll_to_code("r5-start", Duration::from_secs(60), |text| {
        let links: std::collections::HashSet<&str> = text
            .lines()
            .filter(|line| matches!(AppLink::parse(line), Ok(AppLink::Reward { .. })))
            .collect();
        (links.len() >= 2).then_some(())
    });
    screen.click("r5-start", "Scan with the phone", lowest);
    screen.wait_for(
        "r6-started",
        &["Time started at Demo cafe"],
        Duration::from_secs(20),
    );
    screen.click("r6-started", "Home", lowest);
    screen.wait_for(
        "r7-card",
        &["Earning at Demo cafe", "Scan the end code when you leave."],
        Duration::from_secs(20),
    );
}

/// Returns at once with at least 30 s of the current minute left; otherwise sleeps
/// until 4 s into the next one (the stand renews its code within 2 s of the old one
/// dying).
fn wait_for_early_in_a_minute() {
    let into_minute = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is past 1970")
        .as_secs()
        % 60;
    if into_minute > 30 {
        std::thread::sleep(Duration::from_secs(60 - into_minute + 4));
    }
}
