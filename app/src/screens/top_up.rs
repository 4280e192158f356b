use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::messages::UserMessage;

pub const TOP_UP_AMOUNTS: [u64; 3] = [500, 1000, 3000];

#[component]
pub fn TopUpScreen(
    busy: bool,
    result: Option<String>,
    problem: Option<UserMessage>,
    on_submit: EventHandler<(u64, String)>,
) -> Element {
    let mut amount = use_signal(|| TOP_UP_AMOUNTS[0]);
    let mut token = use_signal(|| "tok_test_success".to_string());
    rsx! {
        section { class: "screen top-up",
            h1 { "Top up" }
            div { class: "choices", role: "radiogroup", aria_label: "Amount",
                for choice in TOP_UP_AMOUNTS {
                    button {
                        class: if amount() == choice { "choice selected" } else { "choice" },
                        role: "radio",
                        aria_checked: "{amount() == choice}",
                        onclick: move |_| amount.set(choice),
                        "{choice}"
                    }
                }
            }
            label { r#for: "token", "Test payment token" }
            select { id: "token", value: "{token}", onchange: move |e| token.set(e.value()),
                option { value: "tok_test_success", "Test card (succeeds)" }
                option { value: "tok_test_decline", "Test card (declined)" }
            }
            button { class: "button primary", disabled: busy,
                onclick: move |_| on_submit.call((amount(), token())),
                if busy { "Paying…" } else { "Pay and add {amount} pts" }
            }
            if let Some(result) = result {
                p { class: "result", role: "status", "{result}" }
            }
            if let Some(problem) = problem {
                MessageBox { message: problem, on_action: move |_| on_submit.call((amount(), token())) }
            }
        }
    }
}
