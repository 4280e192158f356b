use super::ServerForm;
use dioxus::prelude::*;
use gashapay_core::app::language::Language;
use gashapay_core::app::server::{ServerEvent, ServerView};
use gashapay_core::app::settings::SettingsView;
use gashapay_core::app::text::texts;

#[component]
pub fn SettingsScreen(
    view: SettingsView,
    server: ServerView,
    on_server: EventHandler<ServerEvent>,
    on_language: EventHandler<Language>,
    on_sign_out: EventHandler<()>,
) -> Element {
    let t = texts();
    let editable = server.editable;
    rsx! {
        section { class: "screen settings",
            h1 { "{t.settings_title}" }
            if editable {
                ServerForm { view: server, on_event: on_server }
            }
            h2 { id: "language-label", "{t.language_choice}" }
            div { class: "choices", role: "radiogroup", aria_labelledby: "language-label",
                for (language, name, chosen) in view.languages.clone() {
                    button {
                        class: if chosen { "choice selected" } else { "choice" },
                        role: "radio",
                        lang: language.as_str(),
                        aria_checked: "{chosen}",
                        onclick: move |_| on_language.call(language),
                        "{name}"
                    }
                }
            }
            dl {
                if !editable {
                    dt { "{t.server}" }
                    dd { "{view.server_text}" }
                }
                dt { "{t.this_device}" }
                dd { "{view.device_text}" }
                dt { "{t.secrets_stored_in}" }
                dd { "{view.keychain_text}" }
            }
            button { class: "button secondary", onclick: move |_| on_sign_out.call(()), "{t.sign_out}" }
        }
    }
}
