use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::machine_pay::{MachinePayEvent, MachinePayView};
use gashapay_core::app::text::texts;

/// Paying at a machine that shows the code: the amounts to load or the order to
/// confirm, then the live session card or the order's status.
#[component]
pub fn MachineScreen(view: MachinePayView, on_event: EventHandler<MachinePayEvent>) -> Element {
    let t = texts();
    let end = t.message("session_end_button", &[]);
    rsx! {
        section { class: "screen machine",
            h1 { "{view.title}" }
            if let Some(name) = &view.machine_name {
                p { class: "machine-name", "{name}" }
            }
            if let Some(prompt) = &view.prompt {
                p { class: "machine-prompt", "{prompt}" }
            }
            if !view.choices.is_empty() {
                div { class: "choices", role: "radiogroup", aria_label: t.points_to_play.clone(),
                    for (points, label, selected) in view.choices.clone() {
                        button {
                            class: if selected { "choice selected" } else { "choice" },
                            role: "radio",
                            aria_checked: "{selected}",
                            onclick: move |_| on_event.call(MachinePayEvent::ChooseLoad(points)),
                            "{label}"
                        }
                    }
                }
            }
            if let Some(confirm) = &view.confirm_text {
                button { class: "button primary", disabled: view.waiting,
                    onclick: move |_| on_event.call(MachinePayEvent::Confirm), "{confirm}" }
            }
            if view.credit_text.is_some() || view.status_text.is_some() {
                div { class: "status tone-{view.tone.as_str()}", role: "status", aria_live: "polite",
                    if let Some(status) = &view.status_text {
                        p { class: "status-label", "{status}" }
                    }
                    if let Some(credit) = &view.credit_text {
                        p { class: "status-points", "{credit}" }
                    }
                    if !view.purchases.is_empty() {
                        ul { class: "purchases",
                            for line in view.purchases.clone() {
                                li { "{line}" }
                            }
                        }
                    }
                }
            }
            if let Some(note) = &view.note {
                p { class: "muted", "{note}" }
            }
            if let Some(message) = view.message.clone() {
                MessageBox { message }
            }
            if view.can_end_session {
                button { class: "button primary",
                    onclick: move |_| on_event.call(MachinePayEvent::EndSession), "{end}" }
            } else if !view.waiting {
                button { class: "button secondary",
                    onclick: move |_| on_event.call(MachinePayEvent::Close), "{view.close_text}" }
            }
        }
    }
}
