use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::reward::{RewardCardView, RewardEvent, RewardView};

/// Earning a partner's reward: the store, what the code gives, and what came of it.
#[component]
pub fn RewardScreen(view: RewardView, on_event: EventHandler<RewardEvent>) -> Element {
    rsx! {
        section { class: "screen reward",
            h1 { "{view.title}" }
            if let Some(name) = &view.partner_name {
                p { class: "machine-name", "{name}" }
            }
            if let Some(gives) = &view.gives {
                p { class: "machine-prompt", "{gives}" }
            }
            if let Some(status) = &view.status_text {
                div { class: "status tone-{view.tone.as_str()}", role: "status", aria_live: "polite",
                    p { class: "status-label", "{status}" }
                }
            }
            if let Some(message) = view.message.clone() {
                MessageBox { message }
            }
            if !view.waiting {
                button { class: "button secondary",
                    onclick: move |_| on_event.call(RewardEvent::Close), "{view.close_text}" }
            }
        }
    }
}

/// The home screen's card while time earns points at a partner, and once after.
#[component]
pub fn RewardCard(card: RewardCardView, on_dismiss: EventHandler<()>) -> Element {
    rsx! {
        div { class: "status reward-card tone-{card.tone.as_str()}", role: "status", aria_live: "polite",
            p { class: "status-label", "{card.title}" }
            p { class: "status-points", "{card.detail}" }
            p { "{card.note}" }
            if let Some(dismiss) = card.dismiss_text.clone() {
                button { class: "button secondary", onclick: move |_| on_dismiss.call(()), "{dismiss}" }
            }
        }
    }
}
