use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::session::SignInView;
use gashapay_core::app::text::texts;

#[component]
pub fn SignInScreen(view: SignInView, on_submit: EventHandler<(String, String)>) -> Element {
    let t = texts();
    let mut username = use_signal(String::new);
    let mut password = use_signal(String::new);
    rsx! {
        section { class: "screen sign-in",
            h1 { "{t.sign_in_title}" }
            p { class: "muted", "{view.server_text}" }
            if let Some(message) = view.message {
                MessageBox { message }
            }
            form {
                onsubmit: move |event| {
                    event.prevent_default();
                    on_submit.call((username(), password()));
                },
                label { r#for: "username", "{t.username}" }
                input { id: "username", r#type: "text", autocomplete: "username", value: "{username}",
                    oninput: move |e| username.set(e.value()) }
                label { r#for: "password", "{t.password}" }
                input { id: "password", r#type: "password", autocomplete: "current-password", value: "{password}",
                    oninput: move |e| password.set(e.value()) }
                button { class: "button primary", r#type: "submit", disabled: view.busy,
                    "{view.button_text}"
                }
            }
        }
    }
}
