use super::*;
use crate::api::machine_pay::{PurchaseView, SessionEnd};
use crate::ids::MachineId;
use crate::status::TransactionStatus;
use crate::webhook::WebhookSecret;
use chrono::{TimeZone, Utc};

const NOW: u64 = 1_800_000_000;
const CODE: &str = "mc_abcdefghij234567klmn";

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap()
}

fn info(busy: bool) -> MachineCodeInfo {
    MachineCodeInfo {
        code_id: CODE.into(),
        machine_id: MachineId("m_demo".into()),
        machine_name: "Demo capsule machine".into(),
        load_choices: vec![Points(100), Points(200), Points(500)],
        busy,
    }
}

fn session(id: Uuid, status: SessionStatus, spent: u64, version: u64) -> SessionView {
    SessionView {
        session_id: id,
        machine_id: MachineId("m_demo".into()),
        machine_name: "Demo capsule machine".into(),
        status,
        loaded: Points(500),
        spent: Points(spent),
        remaining: Points(500 - spent),
        purchases: (spent > 0)
            .then(|| PurchaseView {
                item: "Capsule A".into(),
                points: Points(spent),
                at: Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap(),
            })
            .into_iter()
            .collect(),
        ended_by: (status == SessionStatus::Ended).then_some(SessionEnd::Customer),
        refunded: (status == SessionStatus::Ended).then_some(Points(500 - spent)),
        idle_deadline: (status == SessionStatus::Open)
            .then(|| Utc.with_ymd_and_hms(2026, 12, 3, 10, 5, 0).unwrap()),
        version,
        balance: Some(Points(500)),
    }
}

#[test]
fn a_printed_code_offers_amounts_then_opens_a_session_the_app_follows_and_ends() {
    let mut model = MachinePayModel::default();
    let effects = model.update(MachinePayEvent::Open(format!("gashapay://m/{CODE}")), NOW);
    assert_eq!(
        effects,
        [MachinePayEffect::FetchMachineCode {
            code_id: CODE.into()
        }]
    );
    assert!(model.view(&utc()).waiting);
    model.update(MachinePayEvent::MachineCodeLoaded(info(false)), NOW);
    model.update(MachinePayEvent::ChooseLoad(Points(500)), NOW);
    let view = model.view(&utc());
    assert_eq!(view.machine_name.as_deref(), Some("Demo capsule machine"));
    assert_eq!(view.confirm_text.as_deref(), Some("Load 500 pts"));
    assert_eq!(view.choices.iter().filter(|c| c.2).count(), 1);
    assert_eq!(view.note, None);
    assert_eq!(view.close_text, "Cancel");

    let effects = model.update(MachinePayEvent::Confirm, NOW);
    let [MachinePayEffect::StartSession {
        session_id,
        code_id,
        points,
    }] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    assert_eq!((code_id.as_str(), *points), (CODE, Points(500)));
    // A second tap while sending starts nothing more.
    assert!(model.update(MachinePayEvent::Confirm, NOW).is_empty());

    let open = session(*session_id, SessionStatus::Open, 150, 2);
    let effects = model.update(MachinePayEvent::SessionChanged(open), NOW);
    assert_eq!(
        effects,
        [
            MachinePayEffect::WatchSession {
                session_id: *session_id,
                since: 2
            },
            MachinePayEffect::RefreshBalance
        ],
        "followed, and the balance fetched: the load was taken from it"
    );
    let view = model.view(&utc());
    assert_eq!(view.credit_text.as_deref(), Some("350 pts left"));
    assert_eq!(view.purchases, ["Capsule A · 150 pts"]);
    assert!(view.can_end_session);
    assert_eq!(
        view.note.as_deref(),
        Some("Ends by itself at 3 Dec 10:05 if nothing is bought")
    );
    assert_eq!(
        model.update(MachinePayEvent::EndSession, NOW),
        [MachinePayEffect::EndSession {
            session_id: *session_id
        }]
    );
    let ended = session(*session_id, SessionStatus::Ended, 150, 3);
    let effects = model.update(MachinePayEvent::SessionChanged(ended), NOW);
    assert_eq!(effects, [MachinePayEffect::RefreshBalance]);
    let view = model.view(&utc());
    assert_eq!(
        view.status_text.as_deref(),
        Some("Session ended: 350 pts back to your balance")
    );
    assert_eq!(view.tone, Tone::Refunded);
    assert_eq!(view.credit_text, None, "the refund says what is left");
    assert!(!view.can_end_session);
    assert_eq!(view.close_text, "Done");
}

#[test]
fn an_order_asks_before_paying_and_follows_the_play_to_its_outcome() {
    let order = OrderCode::signed(
        MachineId("m_demo".into()),
        "o-1",
        "Capsule A",
        Points(150),
        NOW + 120,
        &WebhookSecret::generate(),
    );
    let mut model = MachinePayModel::default();
    let link = AppLink::Order(order.clone()).https_link("https://pay.gashapay.app");
    assert_eq!(
        model.update(MachinePayEvent::Open(link), NOW),
        [MachinePayEffect::CheckOrder {
            order: order.clone()
        }]
    );
    let mut checked = OrderView {
        machine_id: order.machine_id.clone(),
        machine_name: "Demo capsule machine".into(),
        order_id: "o-1".into(),
        item: "Capsule A".into(),
        amount: Points(150),
        expires: NOW + 120,
        status: OrderStatus::Unpaid,
        transaction_id: None,
    };
    model.update(MachinePayEvent::OrderChecked(checked.clone()), NOW);
    let view = model.view(&utc());
    assert_eq!(
        view.prompt.as_deref(),
        Some("Pay 150 pts for Capsule A at Demo capsule machine?")
    );
    assert_eq!(
        model.update(MachinePayEvent::Confirm, NOW),
        [MachinePayEffect::PayOrder { order }],
        "the code as signed is paid"
    );
    let id = TransactionId::new_random();
    checked.status = OrderStatus::Pending;
    checked.transaction_id = Some(id);
    let effects = model.update(MachinePayEvent::OrderPaid(checked), NOW);
    assert_eq!(
        effects,
        [
            MachinePayEffect::RefreshBalance,
            MachinePayEffect::WatchPlay {
                id,
                expires_at: NOW + 60
            }
        ]
    );
    let refunded = TransactionView {
        transaction_id: id,
        status: TransactionStatus::Refunded,
        points: Some(Points(150)),
        machine_id: None,
        machine_name: None,
        machine_kind: None,
        refund_reason: Some(crate::status::RefundReason::DispenseFailed),
        error: None,
        balance: Points(1000),
        updated_at: None,
    };
    let effects = model.update(MachinePayEvent::PlayChanged(refunded), NOW);
    assert_eq!(effects, [MachinePayEffect::RefreshBalance]);
    let view = model.view(&utc());
    assert_eq!(view.tone, Tone::Refunded);
}

#[test]
fn a_foreign_link_and_a_failed_call_say_what_happened_in_every_language() {
    for &language in crate::app::language::Language::ALL {
        crate::app::i18n::speaking(language, foreign_link_and_failure_have_words);
    }
}

fn foreign_link_and_failure_have_words() {
    let mut model = MachinePayModel::default();
    model.update(MachinePayEvent::Open("https://example.com/".into()), NOW);
    let view = model.view(&utc());
    let message = view.message.expect("a message");
    assert!(!message.title.is_empty() && !message.title.contains(crate::app::i18n::MISSING));
    for text in [view.title, model.view(&utc()).title] {
        assert!(!text.contains(crate::app::i18n::MISSING));
    }
    model.update(MachinePayEvent::Open(format!("gashapay://m/{CODE}")), NOW);
    model.update(MachinePayEvent::MachineCodeLoaded(info(true)), NOW);
    let busy = model.view(&utc());
    assert!(busy
        .note
        .is_some_and(|n| !n.contains(crate::app::i18n::MISSING)));
    model.update(MachinePayEvent::Confirm, NOW);
    model.update(
        MachinePayEvent::Failed(UserMessage::for_code(crate::ErrorCode::MachineBusy)),
        NOW,
    );
    assert_eq!(model.view(&utc()).tone, Tone::Failed);
}

#[test]
fn an_open_session_outlives_its_screen_on_the_home_card_and_comes_back_after_a_restart() {
    let id = Uuid::now_v7();
    let mut model = MachinePayModel::default();
    model.update(MachinePayEvent::Open(format!("gashapay://m/{CODE}")), NOW);
    model.update(MachinePayEvent::MachineCodeLoaded(info(false)), NOW);
    model.phase = MachinePayPhase::Sending {
        session_id: Some(id),
    };
    model.update(
        MachinePayEvent::SessionChanged(session(id, SessionStatus::Open, 0, 1)),
        NOW,
    );
    // Leaving the screen keeps the session followed and on the home screen's card.
    model.update(MachinePayEvent::Close, NOW);
    let card = model.card().expect("a card while the session is open");
    assert_eq!(card.title, "Session open at Demo capsule machine");
    assert_eq!(card.detail, "500 pts left");
    let effects = model.update(
        MachinePayEvent::SessionChanged(session(id, SessionStatus::Open, 150, 2)),
        NOW,
    );
    assert_eq!(
        effects,
        [MachinePayEffect::WatchSession {
            session_id: id,
            since: 2
        }]
    );
    assert_eq!(
        model.phase,
        MachinePayPhase::Idle,
        "the screen stays closed"
    );
    assert_eq!(model.card().unwrap().detail, "350 pts left");
    model.update(MachinePayEvent::ShowOpenSession, NOW);
    assert_eq!(
        model.view(&utc()).credit_text.as_deref(),
        Some("350 pts left")
    );
    // Ended (by the machine, or by itself): the card goes, the balance is fetched.
    let effects = model.update(
        MachinePayEvent::SessionChanged(session(id, SessionStatus::Ended, 150, 3)),
        NOW,
    );
    assert_eq!(effects, [MachinePayEffect::RefreshBalance]);
    assert_eq!(model.card(), None);

    // After a restart the server's open session is followed again, once.
    let mut restarted = MachinePayModel::default();
    let open = session(id, SessionStatus::Open, 150, 2);
    assert_eq!(
        restarted.update(MachinePayEvent::Resume(open.clone()), NOW),
        [MachinePayEffect::WatchSession {
            session_id: id,
            since: 2
        }]
    );
    assert!(restarted.card().is_some());
    assert!(
        restarted
            .update(MachinePayEvent::Resume(open), NOW)
            .is_empty(),
        "followed already"
    );
    assert!(restarted
        .update(
            MachinePayEvent::Resume(session(Uuid::now_v7(), SessionStatus::Ended, 0, 9)),
            NOW
        )
        .is_empty());
}
