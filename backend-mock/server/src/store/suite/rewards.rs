//! Partners' reward codes: visits paid once per window, daily caps and budgets that
//! hold under racing claims, timed sessions paid once.

use super::{balance, player, NOW};
use crate::store::{
    ClaimDecision, ClaimRequest, NewCodesDecision, NewRewardCodes, PartnerRecord, Store,
};
use gashapay_core::api::rewards::{RewardKind, RewardRole, RewardSessionStatus};
use gashapay_core::ids::{Points, UserId};
use gashapay_core::reward_request::PartnerSecret;
use std::sync::atomic::{AtomicU64, Ordering};

const NOW_SECS: u64 = (NOW / 1000) as u64;
const HOUR: u64 = 3_600;
static SENT: AtomicU64 = AtomicU64::new(0);

fn partner(store: &dyn Store, daily_budget: u64, player_daily_cap: u64) -> String {
    let partner = PartnerRecord {
        app_id: "cafe".into(),
        name: "Cafe".into(),
        secret: PartnerSecret::generate(),
        previous_secret: None,
        daily_budget: Points(daily_budget),
        player_daily_cap: Points(player_daily_cap),
        revoked: false,
    };
    assert!(store.partners().create(&partner, NOW).unwrap());
    assert!(
        !store.partners().create(&partner, NOW).unwrap(),
        "created twice"
    );
    partner.app_id
}

/// The codes of one partner request; their ids, in `roles`' order.
fn codes(
    store: &dyn Store,
    app_id: &str,
    kind: RewardKind,
    point: u64,
    window_start: Option<u64>,
    roles: &[(&str, RewardRole)],
) -> Vec<String> {
    let request = NewRewardCodes {
        app_id: app_id.into(),
        kind,
        point: Points(point),
        interval_minutes: 10,
        window_start,
        expires_at: NOW_SECS + 24 * HOUR,
        token: None,
        // Each request a second apart: a partner's repeated request is a replay.
        request_time: NOW_SECS + SENT.fetch_add(1, Ordering::Relaxed),
        codes: roles
            .iter()
            .map(|(id, role)| (id.to_string(), *role))
            .collect(),
        now: NOW,
    };
    let decision = store.rewards().create_codes(&request).unwrap();
    assert!(
        matches!(decision, NewCodesDecision::Created(_)),
        "{decision:?}"
    );
    assert_eq!(
        store.rewards().create_codes(&request).unwrap(),
        NewCodesDecision::Replayed
    );
    roles.iter().map(|(id, _)| id.to_string()).collect()
}

fn visit(store: &dyn Store, app_id: &str, id: &str, point: u64, window: u64) -> String {
    let window_start = NOW_SECS - NOW_SECS % HOUR + window * HOUR;
    codes(
        store,
        app_id,
        RewardKind::Visit,
        point,
        Some(window_start),
        &[(id, RewardRole::Visit)],
    )
    .remove(0)
}

fn claim(store: &dyn Store, code: &str, user: UserId, at: i64) -> ClaimDecision {
    let request = ClaimRequest {
        code_id: code.into(),
        user_id: user,
        now: NOW + at,
    };
    store.rewards().claim(&request).unwrap()
}

pub fn a_visit_is_paid_once_per_window(store: &dyn Store) {
    let app = partner(store, 10_000, 10_000);
    let (ann, _) = player(store, "ann", 0);
    let first = visit(store, &app, "gpr_first", 10, 0);
    let same_window = visit(store, &app, "gpr_same", 10, 0);
    let next_window = visit(store, &app, "gpr_next", 10, 1);
    assert_eq!(
        claim(store, &first, ann, 0),
        ClaimDecision::Earned {
            partner_name: "Cafe".into(),
            points: Points(10),
            balance: Points(10),
        }
    );
    assert_eq!(claim(store, &first, ann, 1), ClaimDecision::AlreadyClaimed);
    assert_eq!(
        claim(store, &same_window, ann, 2),
        ClaimDecision::AlreadyClaimed
    );
    assert!(matches!(
        claim(store, &next_window, ann, 3),
        ClaimDecision::Earned { .. }
    ));
    assert_eq!(claim(store, "gpr_none", ann, 4), ClaimDecision::UnknownCode);
    assert_eq!(balance(store, ann), 20);
    assert_eq!(
        store.partners().given_on(&app, NOW_SECS / 86_400).unwrap(),
        Points(20)
    );
}

pub fn a_partners_budget_is_never_exceeded_by_racing_claims(store: &dyn Store) {
    let app = partner(store, 100, 10_000);
    let code = visit(store, &app, "gpr_shared", 30, 0);
    let players: Vec<UserId> = (0..8)
        .map(|n| player(store, &format!("p{n}"), 0).0)
        .collect();
    let decisions: Vec<ClaimDecision> = std::thread::scope(|scope| {
        let claims: Vec<_> = players
            .iter()
            .map(|user| scope.spawn(|| claim(store, &code, *user, 0)))
            .collect();
        claims.into_iter().map(|c| c.join().unwrap()).collect()
    });
    let earned = decisions
        .iter()
        .filter(|d| matches!(d, ClaimDecision::Earned { .. }))
        .count();
    assert_eq!(earned, 3, "{decisions:?}");
    assert!(decisions.iter().all(|d| matches!(
        d,
        ClaimDecision::Earned { .. } | ClaimDecision::BudgetExhausted
    )));
    let paid: u64 = players.iter().map(|user| balance(store, *user)).sum();
    assert_eq!(paid, 90);
}

pub fn a_players_daily_cap_holds(store: &dyn Store) {
    let app = partner(store, 10_000, 25);
    let (ann, _) = player(store, "ann", 0);
    let (bob, _) = player(store, "bob", 0);
    let windows: Vec<String> = (0..3)
        .map(|w| visit(store, &app, &format!("gpr_w{w}"), 10, w))
        .collect();
    assert!(matches!(
        claim(store, &windows[0], ann, 0),
        ClaimDecision::Earned { .. }
    ));
    assert!(matches!(
        claim(store, &windows[1], ann, 0),
        ClaimDecision::Earned { .. }
    ));
    assert_eq!(
        claim(store, &windows[2], ann, 0),
        ClaimDecision::DailyCapReached
    );
    assert_eq!(balance(store, ann), 20);
    // The cap is each player's: Bob still earns.
    assert!(matches!(
        claim(store, &windows[2], bob, 0),
        ClaimDecision::Earned { .. }
    ));
}

pub fn a_timed_session_pays_its_whole_intervals_once(store: &dyn Store) {
    let app = partner(store, 10_000, 10_000);
    let (ann, _) = player(store, "ann", 0);
    let ids = codes(
        store,
        &app,
        RewardKind::TimedByPlayer,
        5,
        None,
        &[
            ("gpr_start", RewardRole::Start),
            ("gpr_end", RewardRole::End),
        ],
    );
    let ClaimDecision::Started(session) = claim(store, &ids[0], ann, 0) else {
        panic!("not started");
    };
    assert_eq!(session.status, RewardSessionStatus::Open);
    assert_eq!(
        store.rewards().open_sessions_of(ann).unwrap(),
        vec![session.clone()]
    );
    assert_eq!(claim(store, &ids[0], ann, 1), ClaimDecision::SessionOpen);
    // 25 minutes at 5 points per whole 10 minutes: 10 points.
    let ClaimDecision::Ended {
        session: ended,
        balance: after,
    } = claim(store, &ids[1], ann, 25 * 60_000)
    else {
        panic!("not ended");
    };
    assert_eq!((ended.earned, after), (Some(Points(10)), Points(10)));
    assert_eq!(
        claim(store, &ids[1], ann, 26 * 60_000),
        ClaimDecision::NoSession
    );
    assert_eq!(balance(store, ann), 10);
    assert!(store.rewards().open_sessions_of(ann).unwrap().is_empty());
    let stored = store.rewards().get_session(session.id).unwrap().unwrap();
    assert_eq!(stored.status, RewardSessionStatus::Ended);
    // The stand's start code starts the player's next session, and twice more after.
    for round in 1..=2 {
        let at = round * 30 * 60_000;
        let ClaimDecision::Started(next) = claim(store, &ids[0], ann, at) else {
            panic!("round {round} not started");
        };
        assert_ne!(next.id, session.id);
        let ended = claim(store, &ids[1], ann, at + 10 * 60_000);
        assert!(matches!(ended, ClaimDecision::Ended { .. }), "{ended:?}");
    }
    assert_eq!(balance(store, ann), 20);
}
