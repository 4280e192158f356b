use dioxus::prelude::*;

/// What the emulated machine does after it takes the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    Dispense,
    Jam,
    NoAnswer,
}

impl DemoOutcome {
    pub const ALL: [DemoOutcome; 3] = [
        DemoOutcome::Dispense,
        DemoOutcome::Jam,
        DemoOutcome::NoAnswer,
    ];
    pub fn label(self) -> &'static str {
        match self {
            DemoOutcome::Dispense => "Dispense",
            DemoOutcome::Jam => "Jam → refund",
            DemoOutcome::NoAnswer => "No answer → refund by timeout",
        }
    }
}

/// The emulated machine beside the phone view (desktop demo only).
#[component]
pub fn DemoPanel(
    can_scan: bool,
    outcome: DemoOutcome,
    log: Vec<String>,
    on_outcome: EventHandler<DemoOutcome>,
    on_scan: EventHandler<()>,
) -> Element {
    rsx! {
        aside { class: "demo-panel", aria_label: "Emulated machine",
            h2 { "Emulated machine" }
            p { class: "muted", "Demo capsule machine (m_demo) on the built-in server." }
            fieldset {
                legend { "When it scans a code" }
                for choice in DemoOutcome::ALL {
                    label { class: "radio",
                        input { r#type: "radio", name: "outcome", checked: choice == outcome,
                            onchange: move |_| on_outcome.call(choice) }
                        "{choice.label()}"
                    }
                }
            }
            button { class: "button primary scan", disabled: !can_scan, onclick: move |_| on_scan.call(()),
                "Scan the QR on screen" }
            if !can_scan {
                p { class: "muted", "Show a QR code in the app first." }
            }
            ol { class: "demo-log",
                for line in log {
                    li { "{line}" }
                }
            }
        }
    }
}
