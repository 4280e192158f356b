use dioxus::prelude::*;
use gashapay_core::app::demo::{self, plan_label};
use gashapay_core::status::DispensePlan;

/// The emulated machine beside the phone view (desktop demo only).
#[component]
#[allow(
    clippy::too_many_arguments,
    reason = "a component's props are its arguments"
)]
pub fn DemoPanel(
    can_scan: bool,
    plan: DispensePlan,
    log: Vec<String>,
    on_plan: EventHandler<DispensePlan>,
    on_scan: EventHandler<()>,
    /// The machine's printed code, drawn (a `data:` URL of its SVG).
    machine_code_image: String,
    /// The code of the order on the machine's screen, drawn, if one is.
    order_image: Option<String>,
    /// "Scan with the phone": the printed code (`false`) or the order's (`true`).
    on_phone_scans: EventHandler<bool>,
    /// Sell `DEMO_ITEMS[index]` against the customer's session.
    on_sell: EventHandler<usize>,
    /// Start an order for `DEMO_ITEMS[index]`.
    on_order: EventHandler<usize>,
    /// What the arcade cabinet's screen says.
    cabinet: String,
    /// The cabinet's start button.
    on_press_start: EventHandler<()>,
    /// The cabinet's reader scans the code on the app's screen.
    on_pay_at_reader: EventHandler<()>,
    /// The reward stand's codes, drawn: visit, start, end.
    stand_images: Option<[String; 3]>,
    /// "Scan with the phone" of the stand's code `0` visit, `1` start, `2` end.
    on_phone_scans_reward: EventHandler<usize>,
) -> Element {
    rsx! {
        aside { class: "demo-panel", aria_label: demo::PANEL_TITLE,
            h2 { "{demo::PANEL_TITLE}" }
            p { class: "muted", "{demo::PANEL_ABOUT}" }
            fieldset {
                legend { "{demo::PLAN_LEGEND}" }
                for &choice in DispensePlan::ALL {
                    label { class: "radio",
                        input { r#type: "radio", name: "outcome", checked: choice == plan,
                            onchange: move |_| on_plan.call(choice) }
                        "{plan_label(choice)}"
                    }
                }
            }
            button { class: "button primary scan", disabled: !can_scan, onclick: move |_| on_scan.call(()),
                "{demo::SCAN}" }
            if !can_scan {
                p { class: "muted", "{demo::SCAN_NEEDS_CODE}" }
            }
            // The buttons come before each symbol: a tester (and OCR) reads them first.
            section { class: "demo-own-code",
                h3 { "{demo::OWN_CODE_TITLE}" }
                p { class: "muted", "{demo::OWN_CODE_ABOUT}" }
                button { class: "button primary", onclick: move |_| on_phone_scans.call(false),
                    "{demo::SCAN_WITH_PHONE}" }
                div { class: "demo-items",
                    for (index, (item, points)) in demo::DEMO_ITEMS.iter().enumerate() {
                        button { class: "button primary", onclick: move |_| on_sell.call(index),
                            "Sell {item} ({points})" }
                    }
                }
                div { class: "qr demo-qr", img { src: "{machine_code_image}", alt: "" } }
            }
            section { class: "demo-order",
                h3 { "{demo::ORDER_TITLE}" }
                div { class: "demo-items",
                    for (index, (item, points)) in demo::DEMO_ITEMS.iter().enumerate() {
                        button { class: "button primary", onclick: move |_| on_order.call(index),
                            "Order {item} ({points})" }
                    }
                }
                if let Some(image) = order_image {
                    button { class: "button primary", onclick: move |_| on_phone_scans.call(true),
                        "{demo::SCAN_WITH_PHONE}" }
                    div { class: "qr demo-qr", img { src: "{image}", alt: "" } }
                }
            }
            section { class: "demo-arcade",
                h3 { "{demo::ARCADE_TITLE}" }
                p { class: "muted", "{demo::ARCADE_ABOUT}" }
                p { class: "cabinet-screen", role: "status", "{cabinet}" }
                div { class: "demo-items",
                    button { class: "button primary", onclick: move |_| on_press_start.call(()),
                        "{demo::PRESS_START}" }
                    button { class: "button primary", disabled: !can_scan,
                        onclick: move |_| on_pay_at_reader.call(()), "{demo::PAY_AT_READER}" }
                }
            }
            section { class: "demo-rewards",
                h3 { "{demo::REWARD_STAND_TITLE}" }
                p { class: "muted", "{demo::REWARD_STAND_ABOUT}" }
                if let Some(images) = stand_images {
                    for (index, (label, image)) in [demo::VISIT_CODE, demo::START_CODE, demo::END_CODE]
                        .into_iter()
                        .zip(images)
                        .enumerate()
                    {
                        h4 { "{label}" }
                        button { class: "button primary", onclick: move |_| on_phone_scans_reward.call(index),
                            "{demo::SCAN_WITH_PHONE}" }
                        div { class: "qr demo-qr", img { src: "{image}", alt: "" } }
                    }
                }
            }
            ol { class: "demo-log",
                for line in log {
                    li { "{line}" }
                }
            }
        }
    }
}
