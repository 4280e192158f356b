use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::messages::UserMessage;

#[component]
pub fn SignInScreen(
    server: String,
    busy: bool,
    message: Option<UserMessage>,
    on_submit: EventHandler<(String, String)>,
) -> Element {
    let mut username = use_signal(String::new);
    let mut password = use_signal(String::new);
    rsx! {
        section { class: "screen sign-in",
            h1 { "Sign in to GashaPay" }
            p { class: "muted", "Server: {server}" }
            if let Some(message) = message {
                MessageBox { message }
            }
            form {
                onsubmit: move |event| {
                    event.prevent_default();
                    on_submit.call((username(), password()));
                },
                label { r#for: "username", "Username" }
                input { id: "username", r#type: "text", autocomplete: "username", value: "{username}",
                    oninput: move |e| username.set(e.value()) }
                label { r#for: "password", "Password" }
                input { id: "password", r#type: "password", autocomplete: "current-password", value: "{password}",
                    oninput: move |e| password.set(e.value()) }
                button { class: "button primary", r#type: "submit", disabled: busy,
                    if busy { "Signing in…" } else { "Sign in" }
                }
            }
        }
    }
}
