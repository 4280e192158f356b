use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::server::{ServerEvent, ServerView};
use gashapay_core::app::text::texts;

/// The server address form: on its own screen before anything else when no server is
/// set, and in Settings.
#[component]
pub fn ServerForm(view: ServerView, on_event: EventHandler<ServerEvent>) -> Element {
    let t = texts();
    let start = view.address.clone();
    let mut typed = use_signal(move || start);
    rsx! {
        form { class: "server-form",
            onsubmit: move |event| {
                event.prevent_default();
                on_event.call(ServerEvent::Submit(typed()));
            },
            label { r#for: "server", "{t.server}" }
            // Uncontrolled, as the sign-in fields: a re-render never overwrites typing.
            input { id: "server", r#type: "url", inputmode: "url", autocomplete: "url",
                autocapitalize: "none", spellcheck: "false",
                initial_value: "{view.address}", disabled: !view.editable,
                oninput: move |e| typed.set(e.value()) }
            if view.editable {
                p { class: "muted field-hint", "{view.hint}" }
            }
            if let Some(message) = view.problem {
                MessageBox { message }
            }
            if let Some(confirmation) = view.confirmation {
                p { class: "confirmation", role: "status", "{confirmation}" }
            }
            if view.editable {
                button { class: "button secondary", r#type: "submit", disabled: view.busy,
                    "{view.button_text}"
                }
            }
        }
    }
}

/// Shown instead of sign-in while no server is set.
#[component]
pub fn ServerScreen(view: ServerView, on_event: EventHandler<ServerEvent>) -> Element {
    rsx! {
        section { class: "screen server",
            h1 { "{view.title}" }
            ServerForm { view, on_event }
        }
    }
}
