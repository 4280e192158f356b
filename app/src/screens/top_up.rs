use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::text::texts;
use gashapay_core::app::top_up::{TopUpEvent, TopUpView};

#[component]
pub fn TopUpScreen(view: TopUpView, on_event: EventHandler<TopUpEvent>) -> Element {
    let t = texts();
    let chosen_token = view
        .tokens
        .iter()
        .find(|(_, _, chosen)| *chosen)
        .map(|(value, _, _)| *value)
        .unwrap_or_default();
    rsx! {
        section { class: "screen top-up",
            h1 { "{t.top_up_title}" }
            div { class: "choices", role: "radiogroup", aria_label: t.top_up_amount.clone(),
                for (amount, chosen) in view.amounts.clone() {
                    button {
                        class: if chosen { "choice selected" } else { "choice" },
                        role: "radio",
                        aria_checked: "{chosen}",
                        onclick: move |_| on_event.call(TopUpEvent::ChooseAmount(amount)),
                        "{amount}"
                    }
                }
            }
            label { r#for: "token", "{t.test_payment_token}" }
            select { id: "token", value: chosen_token,
                onchange: move |e| on_event.call(TopUpEvent::ChooseToken(e.value())),
                for (value, words, _) in view.tokens.clone() {
                    option { value, "{words}" }
                }
            }
            button { class: "button primary", disabled: view.busy,
                onclick: move |_| on_event.call(TopUpEvent::Pay),
                "{view.pay_text}"
            }
            if let Some(result) = view.result {
                p { class: "result", role: "status", "{result}" }
            }
            if let Some(problem) = view.problem {
                MessageBox { message: problem, on_action: move |_| on_event.call(TopUpEvent::Pay) }
            }
        }
    }
}
