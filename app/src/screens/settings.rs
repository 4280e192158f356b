use dioxus::prelude::*;
use gashapay_core::app::settings::SettingsView;
use gashapay_core::app::text::texts;

#[component]
pub fn SettingsScreen(view: SettingsView, on_sign_out: EventHandler<()>) -> Element {
    let t = texts();
    rsx! {
        section { class: "screen settings",
            h1 { "{t.settings_title}" }
            dl {
                dt { "{t.server}" }
                dd { "{view.server_text}" }
                dt { "{t.this_device}" }
                dd { "{view.device_text}" }
                dt { "{t.secrets_stored_in}" }
                dd { "{view.keychain_text}" }
            }
            button { class: "button secondary", onclick: move |_| on_sign_out.call(()), "{t.sign_out}" }
        }
    }
}
