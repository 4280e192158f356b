use dioxus::prelude::*;
use gashapay_core::app::demo::{self, plan_label};
use gashapay_core::status::DispensePlan;

/// The emulated machine beside the phone view (desktop demo only).
#[component]
pub fn DemoPanel(
    can_scan: bool,
    plan: DispensePlan,
    log: Vec<String>,
    on_plan: EventHandler<DispensePlan>,
    on_scan: EventHandler<()>,
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
            ol { class: "demo-log",
                for line in log {
                    li { "{line}" }
                }
            }
        }
    }
}
