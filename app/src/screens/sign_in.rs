use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::sign_in::{SignInEvent, SignInView};
use gashapay_core::app::text::texts;

/// Signing in, or creating an account (`view.new_account`).
///
/// The fields are uncontrolled (no `value` attribute): a re-render that wrote the
/// signal back into the field would overwrite keys typed since the last input
/// event, and fast typing would lose characters.
#[component]
pub fn SignInScreen(view: SignInView, on_event: EventHandler<SignInEvent>) -> Element {
    let t = texts();
    let mut username = use_signal(String::new);
    let mut password = use_signal(String::new);
    let password_kind = if view.new_account {
        "new-password"
    } else {
        "current-password"
    };
    rsx! {
        section { class: "screen sign-in",
            h1 { "{view.title}" }
            p { class: "muted", "{view.server_text}" }
            if let Some(message) = view.message {
                MessageBox { message }
            }
            form {
                onsubmit: move |event| {
                    event.prevent_default();
                    on_event.call(SignInEvent::SignIn {
                        username: username(),
                        password: password().into(),
                    });
                },
                label { r#for: "username", "{t.username}" }
                input { id: "username", r#type: "text", autocomplete: "username",
                    oninput: move |e| username.set(e.value()) }
                if let Some(hint) = view.username_hint {
                    p { class: "muted field-hint", "{hint}" }
                }
                label { r#for: "password", "{t.password}" }
                input { id: "password", r#type: "password", autocomplete: password_kind,
                    oninput: move |e| password.set(e.value()) }
                if let Some(hint) = view.password_hint {
                    p { class: "muted field-hint", "{hint}" }
                }
                button { class: "button primary", r#type: "submit", disabled: view.busy,
                    "{view.button_text}"
                }
            }
            button { class: "button link", r#type: "button", disabled: view.busy,
                onclick: move |_| on_event.call(SignInEvent::SwitchForm),
                "{view.switch_text}"
            }
        }
    }
}
