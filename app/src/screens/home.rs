use super::MessageBox;
use dioxus::prelude::*;
use gashapay_core::app::machine_pay::MachineSessionCardView;
use gashapay_core::app::reward::RewardCardView;
use gashapay_core::app::text::texts;
use gashapay_core::app::views::{BalanceView, HistoryRowView};

#[component]
pub fn HomeScreen(
    balance: BalanceView,
    recent: Vec<HistoryRowView>,
    /// Time earning points at a partner, if any.
    reward_card: Option<RewardCardView>,
    /// A session open on a machine, if any.
    session_card: Option<MachineSessionCardView>,
    on_play: EventHandler<()>,
    on_refresh: EventHandler<()>,
    on_dismiss_reward: EventHandler<()>,
    on_show_session: EventHandler<()>,
) -> Element {
    let t = texts();
    rsx! {
        section { class: "screen home",
            div { class: if balance.stale { "balance-card stale" } else { "balance-card" },
                p { class: "balance-label", "{t.your_balance}" }
                p { class: "balance-amount", aria_live: "polite", "{balance.amount_text}" }
                p { class: "balance-updated", "{balance.updated_text}" }
                if let Some(stale) = balance.stale_text {
                    p { class: "stale-marker", "{stale}" }
                }
            }
            if let Some(problem) = balance.problem {
                MessageBox { message: problem, on_action: move |_| on_refresh.call(()) }
            }
            if let Some(card) = reward_card {
                super::RewardCard { card, on_dismiss: move |_| on_dismiss_reward.call(()) }
            }
            if let Some(card) = session_card {
                div { class: "status session-card tone-working", role: "status", aria_live: "polite",
                    p { class: "status-label", "{card.title}" }
                    p { class: "status-points", "{card.detail}" }
                    button { class: "button secondary", onclick: move |_| on_show_session.call(()), "{card.show_text}" }
                }
            }
            button { class: "button primary play-action", aria_label: t.play_action_label.clone(),
                onclick: move |_| on_play.call(()), "{t.play}" }
            h2 { "{t.recent_activity}" }
            if recent.is_empty() {
                p { class: "muted", "{t.no_plays_yet}" }
            }
            ul { class: "history-list",
                for row in recent {
                    super::history::HistoryRow { row }
                }
            }
        }
    }
}
