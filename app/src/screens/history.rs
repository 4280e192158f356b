use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::history::{HistoryEvent, HistoryView};
use gashapay_core::app::text::texts;
use gashapay_core::app::views::HistoryRowView;

#[component]
pub fn HistoryRow(row: HistoryRowView) -> Element {
    rsx! {
        li { class: "history-row tone-{row.tone.as_str()}",
            div { class: "history-main",
                span { class: "history-title", "{row.title}" }
                span { class: "history-date", "{row.date_text}" }
            }
            div { class: "history-side",
                span { class: if row.credit { "delta credit" } else { "delta debit" }, "{row.delta_text}" }
                if let Some(outcome) = row.outcome_text {
                    span { class: "history-outcome", "{outcome}" }
                }
            }
        }
    }
}

#[component]
pub fn HistoryScreen(view: HistoryView, on_event: EventHandler<HistoryEvent>) -> Element {
    let t = texts();
    rsx! {
        section { class: "screen history",
            h1 { "{t.history_title}" }
            if let Some(problem) = view.problem {
                MessageBox { message: problem, on_action: move |_| on_event.call(HistoryEvent::Refresh) }
            }
            if let Some(empty) = view.empty_text {
                p { class: "muted", "{empty}" }
            }
            ul { class: "history-list",
                for row in view.rows {
                    HistoryRow { row }
                }
            }
            if view.loading {
                p { class: "muted", "{t.loading}" }
            } else if view.has_more {
                button { class: "button secondary", onclick: move |_| on_event.call(HistoryEvent::More), "{t.show_older}" }
            }
        }
    }
}
