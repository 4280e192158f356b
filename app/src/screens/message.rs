use dioxus::prelude::*;
use gashapay_core::app::messages::UserMessage;

/// An error or warning: what happened, and the next step as a button when one is
/// offered (`on_action`), or as a hint; neither when nothing the user does would help.
#[component]
pub fn MessageBox(message: UserMessage, on_action: Option<EventHandler<()>>) -> Element {
    rsx! {
        div { class: "message", role: "alert",
            p { class: "message-title", "{message.title}" }
            p { class: "message-detail", "{message.detail}" }
            if let Some(label) = message.next_step.label() {
                if let Some(action) = on_action {
                    button { class: "button secondary", onclick: move |_| action.call(()), "{label}" }
                } else {
                    p { class: "message-hint", "{label}" }
                }
            }
        }
    }
}
