use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::views::{BalanceView, HistoryRowView};

#[component]
pub fn HomeScreen(
    balance: BalanceView,
    recent: Vec<HistoryRowView>,
    on_play: EventHandler<()>,
    on_refresh: EventHandler<()>,
) -> Element {
    rsx! {
        section { class: "screen home",
            div { class: if balance.stale { "balance-card stale" } else { "balance-card" },
                p { class: "balance-label", "Your balance" }
                p { class: "balance-amount", aria_live: "polite", "{balance.amount_text}" }
                p { class: "balance-updated", "{balance.updated_text}" }
                if let Some(stale) = balance.stale_text {
                    p { class: "stale-marker", "{stale}" }
                }
            }
            if let Some(problem) = balance.problem {
                MessageBox { message: problem, on_action: move |_| on_refresh.call(()) }
            }
            button { class: "button primary play-action", aria_label: "Play a machine: show a QR code",
                onclick: move |_| on_play.call(()), "Play" }
            h2 { "Recent activity" }
            if recent.is_empty() {
                p { class: "muted", "No plays yet." }
            }
            ul { class: "history-list",
                for row in recent {
                    super::history::HistoryRow { row }
                }
            }
        }
    }
}
