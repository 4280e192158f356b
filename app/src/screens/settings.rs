use dioxus::prelude::*;

#[component]
pub fn SettingsScreen(
    server: String,
    device: String,
    keychain: String,
    demo: bool,
    on_sign_out: EventHandler<()>,
) -> Element {
    rsx! {
        section { class: "screen settings",
            h1 { "Settings" }
            dl {
                dt { "Server" }
                dd { "{server}" if demo { " (built-in demo server)" } }
                dt { "This device" }
                dd { "{device}" }
                dt { "Sign-in stored in" }
                dd { "{keychain}" }
            }
            button { class: "button secondary", onclick: move |_| on_sign_out.call(()), "Sign out" }
        }
    }
}
