use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::play::{PlayEvent, PlayView};
use gashapay_core::qr::render;

#[component]
pub fn PlayScreen(view: PlayView, on_event: EventHandler<PlayEvent>) -> Element {
    let qr_svg = view
        .code_text
        .as_deref()
        .and_then(|text| render::svg(text).ok());
    rsx! {
        section { class: "screen play",
            h1 { "Play" }
            if view.can_start {
                p { "How many points?" }
                div { class: "choices", role: "radiogroup", aria_label: "Points to play",
                    for (points, selected) in view.choices.clone() {
                        button {
                            class: if selected { "choice selected" } else { "choice" },
                            role: "radio",
                            aria_checked: "{selected}",
                            onclick: move |_| on_event.call(PlayEvent::Choose(points)),
                            "{points}"
                        }
                    }
                }
                button { class: "button primary", onclick: move |_| on_event.call(PlayEvent::Start),
                    "Show QR code for {view.points_text}" }
            }
            if let Some(svg) = qr_svg {
                div { class: "qr-card", role: "img",
                    aria_label: "QR code to pay {view.points_text}. Hold it up to the machine's scanner.",
                    div { class: "qr", dangerous_inner_html: "{svg}" }
                    if let Some(countdown) = &view.countdown_text {
                        p { class: "countdown", aria_live: "off", "Renews automatically · expires in {countdown}" }
                    }
                    if let Some(blocks) = &view.code_blocks {
                        p { class: "code-text", aria_label: "The code as text", "{blocks}" }
                    }
                }
                if view.wants_full_brightness {
                    p { class: "muted brightness-hint", "Turn the screen brightness up for the scanner." }
                }
            }
            if !view.can_start {
                div { class: "status tone-{view.tone.as_str()}", role: "status", aria_live: "polite",
                    p { class: "status-label", "{view.status_text}" }
                    p { class: "status-points", "{view.points_text}" }
                    if let Some(result) = &view.result_text {
                        p { class: "status-result", "{result}" }
                    }
                }
            }
            if let Some(message) = view.message.clone() {
                MessageBox { message }
            }
            if view.can_play_again {
                button { class: "button primary", onclick: move |_| on_event.call(PlayEvent::Reset), "Play again" }
            } else if view.code_text.is_some() {
                button { class: "button secondary", onclick: move |_| on_event.call(PlayEvent::Reset), "Cancel" }
            }
        }
    }
}
