use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::messages::UserMessage;
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
pub fn HistoryScreen(
    rows: Vec<HistoryRowView>,
    has_more: bool,
    loading: bool,
    problem: Option<UserMessage>,
    on_more: EventHandler<()>,
    on_refresh: EventHandler<()>,
) -> Element {
    rsx! {
        section { class: "screen history",
            h1 { "History" }
            if let Some(problem) = problem {
                MessageBox { message: problem, on_action: move |_| on_refresh.call(()) }
            }
            if rows.is_empty() && !loading {
                p { class: "muted", "Nothing here yet: plays, refunds and top-ups will show up here." }
            }
            ul { class: "history-list",
                for row in rows {
                    HistoryRow { row }
                }
            }
            if loading {
                p { class: "muted", "Loading…" }
            } else if has_more {
                button { class: "button secondary", onclick: move |_| on_more.call(()), "Show older" }
            }
        }
    }
}
