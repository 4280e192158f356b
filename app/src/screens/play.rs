use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::play::{PlayEvent, PlayView};
use gashapay_core::app::text::texts;
use gashapay_core::qr::render;
use std::cell::RefCell;
use std::rc::Rc;

#[component]
/// `brightens`: whether this platform turns the screen up while a code shows (the
/// sentence saying so is shown only then).
pub fn PlayScreen(view: PlayView, brightens: bool, on_event: EventHandler<PlayEvent>) -> Element {
    let t = texts();
    // The screen is redrawn when the minutes left change; the symbol is drawn once per code.
    let drawn = use_hook(|| Rc::new(RefCell::new(None::<(String, String)>)));
    let qr_svg = view.code_text.as_deref().and_then(|text| {
        let mut drawn = drawn.borrow_mut();
        if drawn.as_ref().map(|(code, _)| code.as_str()) != Some(text) {
            *drawn = render::svg_data_url(text)
                .ok()
                .map(|url| (text.to_owned(), url));
        }
        drawn.as_ref().map(|(_, svg)| svg.clone())
    });
    rsx! {
        section { class: "screen play",
            h1 { "{t.play_title}" }
            if view.can_start {
                p { "{t.how_many_points}" }
                div { class: "choices", role: "radiogroup", aria_label: t.points_to_play.clone(),
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
                    "{view.start_text}" }
            }
            if let Some(svg) = qr_svg {
                div { class: "qr-card", role: "img",
                    aria_label: "{view.code_label}",
                    div { class: "qr", img { src: "{svg}", alt: "" } }
                    if let Some(renew) = &view.renew_text {
                        p { class: "countdown", aria_live: "off", "{renew}" }
                    }
                    if let Some(blocks) = &view.code_blocks {
                        p { class: "code-text", aria_label: t.code_as_text.clone(), "{blocks}" }
                    }
                }
                if view.wants_full_brightness && brightens {
                    p { class: "muted brightness-hint", "{t.brightness_hint}" }
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
                button { class: "button primary", onclick: move |_| on_event.call(PlayEvent::Reset), "{t.play_again}" }
            } else if view.code_text.is_some() {
                button { class: "button secondary", onclick: move |_| on_event.call(PlayEvent::Reset), "{t.cancel}" }
            }
        }
    }
}
