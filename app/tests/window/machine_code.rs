//! The machine shows the code (seed 001): a tester photographs the demo panel, decodes
//! the machine's printed code and an order's code with zbarimg, hands each link to the
//! app as a phone's camera would ("Scan with the phone"), and plays a pay-first
//! session and a buy-first order, reading the refund and the balance off the screen.

use super::app_process::*;
use super::screen::*;
use gashapay_core::links::AppLink;
use std::time::Duration;

/// Every GashaPay link zbarimg reads in a screenshot.
fn links_in(shot: &std::path::Path) -> Vec<AppLink> {
    decode_qr(shot)
        .lines()
        .filter_map(|line| AppLink::parse(line).ok())
        .collect()
}

#[test]
fn a_tester_scans_the_machines_own_code_and_an_orders_code_and_pays_both_ways() {
    let window = open_demo_window("en_US.UTF-8", "eng", &[]);
    let screen = &window.screen;
    let server = window.app.server.clone();
    screen.wait_for("m1-home", &["balance", "1,000"], Duration::from_secs(90));

    // The panel's printed code, as a camera reads it: a link to this backend. (Beside a
    // symbol tesseract reads no words, so each symbol is photographed, then scrolled
    // out of view before a button is read and clicked.)
    screen.scroll(600, 400, 5);
    let shot = screen.shot("m2-panel-code");
    let printed: Vec<_> = links_in(&shot)
        .into_iter()
        .filter(|link| matches!(link, AppLink::MachineCode { .. }))
        .collect();
    assert_eq!(printed.len(), 1, "one printed code on screen");
    assert!(printed[0]
        .https_link(&server)
        .starts_with(&format!("{server}/l/m/mc_")));

    // Pay first: load 500, buy a capsule on the machine, end, get the rest back.
    screen.scroll(600, 400, -3);
    screen.click("m2b-panel-buttons", "Scan with the phone", first);
    screen.wait_for(
        "m3-load",
        &["Demo capsule machine", "How many points", "Load"],
        Duration::from_secs(20),
    );
    screen.click("m3-load", "500", first);
    screen.click("m3-load", "Load", lowest);
    screen.wait_for(
        "m4-session",
        &["Buy on the machine", "500 pts left", "End session"],
        Duration::from_secs(30),
    );
    screen.click("m4-session", "Sell Capsule A", first);
    screen.wait_for(
        "m5-sold",
        &["400 pts left", "Capsule A"],
        Duration::from_secs(30),
    );
    screen.click("m5-sold", "End session", first);
    screen.read_screen_for(
        "m6-ended",
        &["Session ended", "400 pts", "back to your balance"],
        Duration::from_secs(30),
    );

    // Buy first: the machine shows an order's code; the phone scans and pays it.
    screen.scroll(600, 400, 10);
    screen.click("m7-panel-orders", "Order Capsule B", first);
    // Down to the order's code; its button is then the lowest "Scan with the phone"
    // in view (the next ones, the reward stand's, are further down than a screen).
    let orders = screen.scroll_to_code("m8-order-code", Duration::from_secs(60), |text| {
        let orders: Vec<_> = text
            .lines()
            .filter_map(|line| match AppLink::parse(line) {
                Ok(AppLink::Order(order)) => Some(order),
                _ => None,
            })
            .collect();
        (!orders.is_empty()).then_some(orders)
    });
    assert_eq!(orders.len(), 1, "one order's code on screen");
    assert_eq!(
        (orders[0].item.as_str(), orders[0].amount.0),
        ("Capsule B", 150)
    );
    screen.click("m8b-order-button", "Scan with the phone", lowest);
    screen.wait_for(
        "m9-confirm",
        &["Pay 150 pts for Capsule B", "Demo capsule machine?"],
        Duration::from_secs(20),
    );
    screen.click("m9-confirm", "Confirm payment", first);
    screen.wait_for(
        "m10-dispensed",
        &["Capsule B", "Dispensed!"],
        Duration::from_secs(40),
    );

    // 1,000 − 500 + 400 − 150, and each step in the history with its own label.
    screen.click("m10-dispensed", "Home", lowest);
    screen.wait_for(
        "m11-home",
        &[
            "750",
            "Capsule B at Demo",
            "Unused points back",
            "Points loaded",
        ],
        Duration::from_secs(30),
    );
}
