use super::*;
use crate::api::rewards::{RewardClaim, RewardCodeInfo, RewardKind, RewardRole};
use chrono::{TimeZone, Utc};

fn at(minute: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 10, minute, 0).unwrap()
}

const LINK: &str = "https://pay.gashapay.app/l/r/rc_abcdefghijklmnopqrst";

fn info(kind: RewardKind, role: RewardRole) -> RewardCodeInfo {
    RewardCodeInfo {
        code_id: "rc_abcdefghijklmnopqrst".into(),
        partner_name: "Cafe Seoul".into(),
        kind,
        role,
        point: Points(5),
        interval_minutes: 10,
        expires_at: at(59),
    }
}

fn session(status: RewardSessionStatus, earned: Option<u64>) -> RewardSessionView {
    RewardSessionView {
        session_id: 7,
        partner_name: "Cafe Seoul".into(),
        kind: RewardKind::TimedByPlayer,
        point: Points(5),
        interval_minutes: 10,
        status,
        started_at: at(0),
        ended_at: earned.map(|_| at(25)),
        earned: earned.map(Points),
        version: if earned.is_some() { 2 } else { 1 },
    }
}

#[test]
fn a_visit_code_is_read_claimed_at_once_and_its_points_shown() {
    let mut model = RewardModel::default();
    let effects = model.update(RewardEvent::Open(LINK.into()));
    assert_eq!(
        effects,
        [RewardEffect::FetchCode {
            code_id: "rc_abcdefghijklmnopqrst".into()
        }]
    );
    assert!(model.view().waiting);
    let effects = model.update(RewardEvent::CodeLoaded(info(
        RewardKind::Visit,
        RewardRole::Visit,
    )));
    assert_eq!(
        effects,
        [RewardEffect::Claim {
            code_id: "rc_abcdefghijklmnopqrst".into()
        }]
    );
    assert_eq!(model.view().gives.as_deref(), Some("5 pts for this visit"));
    let effects = model.update(RewardEvent::Claimed(RewardClaim::Earned {
        partner_name: "Cafe Seoul".into(),
        points: Points(5),
        balance: Points(105),
    }));
    assert_eq!(effects, [RewardEffect::RefreshBalance]);
    let view = model.view();
    assert_eq!(
        view.status_text.as_deref(),
        Some("5 pts earned at Cafe Seoul")
    );
    assert_eq!(view.tone, Tone::Success);
    assert_eq!(model.card(at(1)), None, "a visit has no timer card");
}

#[test]
fn a_timed_session_runs_on_the_home_card_until_it_ends_then_says_what_it_earned() {
    let mut model = RewardModel::default();
    model.update(RewardEvent::Open(LINK.into()));
    model.update(RewardEvent::CodeLoaded(info(
        RewardKind::TimedByPlayer,
        RewardRole::Start,
    )));
    let effects = model.update(RewardEvent::Claimed(RewardClaim::Started {
        session: session(RewardSessionStatus::Open, None),
    }));
    assert_eq!(
        effects,
        [RewardEffect::WatchSession {
            session_id: 7,
            since: 1
        }]
    );
    assert_eq!(
        model.view().status_text.as_deref(),
        Some("Time started at Cafe Seoul")
    );
    // The player goes elsewhere; the card keeps running.
    model.update(RewardEvent::Close);
    let card = model.card(at(12)).unwrap();
    assert_eq!(card.title, "Earning at Cafe Seoul");
    assert_eq!(card.detail, "5 pts for every 10 min · 12 min so far");
    assert_eq!(card.note, "Scan the end code when you leave.");
    assert_eq!(card.dismiss_text, None);

    let effects = model.update(RewardEvent::SessionChanged(session(
        RewardSessionStatus::Ended,
        Some(10),
    )));
    assert_eq!(effects, [RewardEffect::RefreshBalance]);
    let card = model.card(at(30)).unwrap();
    assert_eq!(card.note, "10 pts earned at Cafe Seoul for 25 min");
    assert_eq!(card.dismiss_text.as_deref(), Some("OK"));
    model.update(RewardEvent::DismissCard);
    assert_eq!(model.card(at(30)), None);
}

#[test]
fn a_refusal_says_what_happened_and_a_failed_watch_keeps_the_card() {
    let mut model = RewardModel::default();
    model.update(RewardEvent::Open(LINK.into()));
    let expired = UserMessage::for_code(crate::ErrorCode::RewardCodeExpired);
    model.update(RewardEvent::Failed(expired.clone()));
    assert_eq!(model.view().message, Some(expired));
    assert_eq!(model.view().tone, Tone::Failed);

    model.update(RewardEvent::Claimed(RewardClaim::Started {
        session: session(RewardSessionStatus::Open, None),
    }));
    model.update(RewardEvent::Failed(UserMessage::offline()));
    assert!(model.card(at(5)).is_some());
    assert!(matches!(model.phase, RewardPhase::Session { .. }));

    let mut other = RewardModel::default();
    other.update(RewardEvent::Open("https://example.com/not-ours".into()));
    assert!(matches!(other.phase, RewardPhase::Failed { .. }));
}

#[test]
fn a_running_session_read_after_a_restart_is_followed_on_the_card_once() {
    let mut model = RewardModel::default();
    let running = session(RewardSessionStatus::Open, None);
    assert_eq!(
        model.update(RewardEvent::Resume(running.clone())),
        [RewardEffect::WatchSession {
            session_id: 7,
            since: 1
        }]
    );
    assert_eq!(model.phase, RewardPhase::Idle, "no screen opens by itself");
    let card = model.card(at(12)).expect("the card shows");
    assert_eq!(card.detail, "5 pts for every 10 min · 12 min so far");
    assert!(
        model.update(RewardEvent::Resume(running)).is_empty(),
        "followed already"
    );
    let mut fresh = RewardModel::default();
    assert!(fresh
        .update(RewardEvent::Resume(session(
            RewardSessionStatus::Ended,
            Some(10)
        )))
        .is_empty());
    assert_eq!(fresh.card(at(30)), None);
}
