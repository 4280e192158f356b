//! Rewards (seed 003, PROTOCOL §12): partners provisioned by the operator request
//! signed codes; players earn by visits and by time, ended by themselves or by the
//! partner's server — on the real backend, its clock moved to cross interval
//! boundaries, with the ledger audited after each.

use crate::helpers::*;
use gashapay_core::api::rewards::{
    NewPartner, RewardClaim, RewardCodeAnswer, RewardKind, RewardSessionStatus,
};
use gashapay_core::api::HistoryKind;
use gashapay_core::client::admin::AdminClient;
use gashapay_core::clock::Clock;
use gashapay_core::links::AppLink;
use gashapay_core::reward_request::PartnerSecret;
use gashapay_core::{ErrorCode, Points, Redacted};
use gashapay_machine::partner::{CodeOrder, PartnerClient};
use std::time::Duration;

fn operator(app: &TestApp) -> AdminClient {
    AdminClient::new(&app.base_url(), Redacted::new(ADMIN_KEY)).unwrap()
}

pub(crate) async fn partner_with(
    app: &TestApp,
    app_id: &str,
    budget: u64,
    cap: u64,
) -> PartnerClient {
    let created = operator(app)
        .create_partner(&NewPartner {
            app_id: app_id.into(),
            name: format!("Cafe {app_id}"),
            daily_budget: Points(budget),
            player_daily_cap: Points(cap),
        })
        .await
        .unwrap();
    let secret = PartnerSecret::parse(created.secret.as_deref().unwrap()).unwrap();
    PartnerClient::new(&app.base_url(), app_id, secret)
}

pub(crate) async fn partner(app: &TestApp) -> PartnerClient {
    partner_with(app, "cafe", 100_000, 100_000).await
}

/// The backend's clock, in Unix seconds: requests are dated by it.
fn now(app: &TestApp) -> u64 {
    app.clock.now_secs()
}

/// Moves the backend's clock to a second into the next interval of `minutes`: a visit
/// code dies with the interval it is made in, so a test that makes one and claims it
/// must not straddle the interval's end (its clock runs on from the system's).
fn at_start_of_interval(app: &TestApp, minutes: u64) {
    let interval = minutes * 60;
    app.clock
        .advance(Duration::from_secs(interval - now(app) % interval + 1));
}

pub(crate) fn order(kind: RewardKind, point: u64, interval: u32, token: Option<&str>) -> CodeOrder {
    CodeOrder {
        kind,
        point,
        interval_minutes: interval,
        failure_minutes: None,
        token: token.map(str::to_owned),
    }
}

/// A code requested now; the clock moves a second first, since a partner's requests
/// are told apart by their time (and token).
pub(crate) async fn code(
    app: &TestApp,
    partner: &PartnerClient,
    order: &CodeOrder,
) -> RewardCodeAnswer {
    app.clock.advance(Duration::from_secs(1));
    let answer = partner
        .send(&partner.code_request(order, now(app)))
        .await
        .unwrap();
    assert_eq!(answer.code, 0, "{answer:?}");
    answer
}

/// The code id in a link, as the app reads it off the QR.
pub(crate) fn code_id(link: &str) -> String {
    match AppLink::parse(link).unwrap() {
        AppLink::Reward { code_id } => code_id,
        other => panic!("not a reward link: {other:?}"),
    }
}

fn refused<T: std::fmt::Debug>(result: Result<T, gashapay_core::client::ClientError>) -> ErrorCode {
    result.expect_err("refused").code().expect("an API error")
}

fn audit_clean(app: &TestApp) {
    assert_eq!(app.audit(), Vec::<String>::new());
}

#[tokio::test]
async fn a_visit_pays_once_per_interval_and_an_old_code_earns_nothing() {
    let app = spawn_app().await;
    let cafe = partner(&app).await;
    let alice = app.user("alice", 0).await;
    let bob = app.user("bob", 0).await;
    at_start_of_interval(&app, 10);
    let visit = order(RewardKind::Visit, 10, 10, None);
    let answer = code(&app, &cafe, &visit).await;
    assert!(answer
        .message
        .starts_with(&format!("{}/l/r/rc_", app.base_url())));
    let first = code_id(&answer.message);

    let info = alice.client.reward_code(&first).await.unwrap();
    assert_eq!(
        (info.partner_name.as_str(), info.kind, info.point),
        ("Cafe cafe", RewardKind::Visit, Points(10))
    );
    let earned = alice.client.claim_reward(&first).await.unwrap();
    assert!(
        matches!(
            earned,
            RewardClaim::Earned {
                points: Points(10),
                balance: Points(10),
                ..
            }
        ),
        "{earned:?}"
    );
    assert_eq!(
        refused(alice.client.claim_reward(&first).await),
        ErrorCode::AlreadyClaimed
    );
    // Another code of the same interval pays nothing more either.
    let again = code_id(&code(&app, &cafe, &visit).await.message);
    assert_eq!(
        refused(alice.client.claim_reward(&again).await),
        ErrorCode::AlreadyClaimed
    );

    // The last second of the interval still counts; at its end the code is dead.
    let expires = answer.expires_at.unwrap().timestamp() as u64;
    app.clock
        .advance(Duration::from_secs(expires - 1 - now(&app)));
    bob.client.claim_reward(&first).await.unwrap();
    app.clock.advance(Duration::from_secs(1));
    assert_eq!(
        refused(alice.client.claim_reward(&first).await),
        ErrorCode::RewardCodeExpired
    );
    assert_eq!(
        refused(alice.client.reward_code(&first).await),
        ErrorCode::RewardCodeExpired
    );

    // The next interval's code pays again.
    let next = code_id(&code(&app, &cafe, &visit).await.message);
    alice.client.claim_reward(&next).await.unwrap();
    assert_eq!((alice.balance().await, bob.balance().await), (20, 10));
    let history = alice.client.history(5, None).await.unwrap();
    let reward = &history.entries[0];
    assert_eq!((reward.kind, reward.delta), (HistoryKind::Reward, 10));
    assert_eq!(reward.partner_name.as_deref(), Some("Cafe cafe"));
    audit_clean(&app);
}

#[tokio::test]
async fn time_ended_by_the_player_pays_each_whole_interval_and_ends_once() {
    let app = spawn_app().await;
    let cafe = partner(&app).await;
    let alice = app.user("alice", 0).await;
    let answer = code(&app, &cafe, &order(RewardKind::TimedByPlayer, 5, 10, None)).await;
    let (start, end) = (
        code_id(&answer.message),
        code_id(&answer.end.unwrap().message),
    );

    // Ending with nothing running, then starting twice.
    assert_eq!(
        refused(alice.client.claim_reward(&end).await),
        ErrorCode::NoRewardSession
    );
    let RewardClaim::Started { session } = alice.client.claim_reward(&start).await.unwrap() else {
        panic!("not started")
    };
    assert_eq!(
        refused(alice.client.claim_reward(&start).await),
        ErrorCode::RewardSessionOpen
    );
    // 9 min 59 s: no whole interval yet.
    app.clock.advance(Duration::from_secs(9 * 60 + 59));
    let RewardClaim::Ended {
        session: ended,
        balance,
    } = alice.client.claim_reward(&end).await.unwrap()
    else {
        panic!("not ended")
    };
    assert_eq!((ended.earned, balance), (Some(Points(0)), Points(0)));
    assert_eq!(ended.session_id, session.session_id);

    // Exactly 30 minutes: three intervals, 15 points; ending again pays nothing more.
    alice.client.claim_reward(&start).await.unwrap();
    app.clock.advance(Duration::from_secs(30 * 60));
    let (first, second) = tokio::join!(
        alice.client.claim_reward(&end),
        alice.client.claim_reward(&end)
    );
    let ended: Vec<_> = [first, second].into_iter().filter_map(Result::ok).collect();
    assert_eq!(ended.len(), 1, "ended twice");
    assert!(
        matches!(&ended[0], RewardClaim::Ended { session, balance: Points(15) } if session.earned == Some(Points(15)))
    );
    assert_eq!(alice.balance().await, 15);

    // Never ended for 30 hours, then with the stand's end code of that day: paid for
    // a day, 144 intervals.
    alice.client.claim_reward(&start).await.unwrap();
    app.clock.advance(Duration::from_secs(30 * 3600));
    let today = code(&app, &cafe, &order(RewardKind::TimedByPlayer, 5, 10, None)).await;
    let end_today = code_id(&today.end.unwrap().message);
    let RewardClaim::Ended { session: long, .. } =
        alice.client.claim_reward(&end_today).await.unwrap()
    else {
        panic!("not ended")
    };
    assert_eq!(long.earned, Some(Points(144 * 5)));
    audit_clean(&app);
}

#[tokio::test]
async fn time_ended_by_the_partners_server_pays_by_the_time_between_and_once() {
    let app = spawn_app().await;
    let cafe = partner(&app).await;
    let alice = app.user("alice", 0).await;
    let bob = app.user("bob", 0).await;
    let answer = code(
        &app,
        &cafe,
        &order(RewardKind::TimedByPartner, 7, 10, Some("pc-07-a")),
    )
    .await;
    assert_eq!(answer.token.as_deref(), Some("pc-07-a"));
    let start = code_id(&answer.message);
    let RewardClaim::Started { session } = alice.client.claim_reward(&start).await.unwrap() else {
        panic!("not started")
    };
    // The same player again gets the same session; someone else cannot take it.
    assert!(
        matches!(alice.client.claim_reward(&start).await.unwrap(), RewardClaim::Started { session: s } if s.session_id == session.session_id)
    );
    assert_eq!(
        refused(bob.client.claim_reward(&start).await),
        ErrorCode::AlreadyUsed
    );

    app.clock.advance(Duration::from_secs(25 * 60));
    let ended = cafe
        .send_end(&cafe.end_request("pc-07-a", now(&app)))
        .await
        .unwrap();
    assert_eq!(
        (ended.code, ended.earned, ended.minutes),
        (0, Some(Points(14)), Some(25))
    );
    let view = alice
        .client
        .reward_session(session.session_id, None, None)
        .await
        .unwrap();
    assert_eq!(
        (view.status, view.earned),
        (RewardSessionStatus::Ended, Some(Points(14)))
    );
    // Ended twice pays once; an unknown token is told so.
    let twice = cafe
        .send_end(&cafe.end_request("pc-07-a", now(&app)))
        .await
        .unwrap();
    assert_eq!(
        (twice.code, twice.error),
        (1, Some(ErrorCode::RewardSessionEnded))
    );
    let unknown = cafe
        .send_end(&cafe.end_request("pc-99", now(&app)))
        .await
        .unwrap();
    assert_eq!(
        (unknown.code, unknown.message.as_str()),
        (1, "unknown_token")
    );
    assert_eq!(alice.balance().await, 14);

    // Ended before anyone scanned: closed, a later scan earns nothing.
    let unscanned = code(
        &app,
        &cafe,
        &order(RewardKind::TimedByPartner, 7, 10, Some("pc-08-b")),
    )
    .await;
    let closed = cafe
        .send_end(&cafe.end_request("pc-08-b", now(&app)))
        .await
        .unwrap();
    assert_eq!(closed.error, Some(ErrorCode::RewardNotStarted));
    assert_eq!(
        refused(bob.client.claim_reward(&code_id(&unscanned.message)).await),
        ErrorCode::RewardCodeExpired
    );
    audit_clean(&app);
}

#[tokio::test]
async fn one_player_scanning_a_hundred_times_at_once_is_paid_once_and_a_hundred_players_within_the_budget(
) {
    let app = spawn_app().await;
    let cafe = partner_with(&app, "cafe", 1010, 1000).await;
    let alice = app.user("alice", 0).await;
    at_start_of_interval(&app, 60);
    let visit = code_id(
        &code(&app, &cafe, &order(RewardKind::Visit, 10, 60, None))
            .await
            .message,
    );
    let claims =
        futures::future::join_all((0..100).map(|_| alice.client.claim_reward(&visit))).await;
    assert_eq!(claims.iter().filter(|c| c.is_ok()).count(), 1);
    assert!(claims
        .iter()
        .filter_map(|c| c.as_ref().err())
        .all(|e| e.code() == Some(ErrorCode::AlreadyClaimed)));
    assert_eq!(alice.balance().await, 10);

    // 100 players at once, the budget room for exactly them; the 101st is told it
    // is spent.
    let mut players = Vec::new();
    for n in 0..101 {
        players.push(app.user(&format!("player{n}"), 0).await);
    }
    let claims =
        futures::future::join_all(players[..100].iter().map(|p| p.client.claim_reward(&visit)))
            .await;
    assert!(claims.iter().all(Result::is_ok), "{claims:?}");
    for player in &players[..100] {
        assert_eq!(player.balance().await, 10);
    }
    assert_eq!(
        refused(players[100].client.claim_reward(&visit).await),
        ErrorCode::BudgetExhausted
    );
    let partners = operator(&app).partners().await.unwrap();
    assert_eq!(partners.partners[0].given_today, Points(1010));
    audit_clean(&app);
}

#[tokio::test]
async fn a_players_daily_cap_stops_visits_and_cuts_timed_earnings() {
    let app = spawn_app().await;
    let cafe = partner_with(&app, "cafe", 100_000, 25).await;
    let alice = app.user("alice", 0).await;
    at_start_of_interval(&app, 1);
    let visit = order(RewardKind::Visit, 10, 1, None);
    for _ in 0..2 {
        let id = code_id(&code(&app, &cafe, &visit).await.message);
        alice.client.claim_reward(&id).await.unwrap();
        app.clock.advance(Duration::from_secs(60));
    }
    let third = code_id(&code(&app, &cafe, &visit).await.message);
    assert_eq!(
        refused(alice.client.claim_reward(&third).await),
        ErrorCode::DailyCapReached
    );
    // Time worth 30 pays the 5 left today.
    let timed = code(&app, &cafe, &order(RewardKind::TimedByPlayer, 10, 1, None)).await;
    alice
        .client
        .claim_reward(&code_id(&timed.message))
        .await
        .unwrap();
    app.clock.advance(Duration::from_secs(3 * 60));
    let RewardClaim::Ended { session, balance } = alice
        .client
        .claim_reward(&code_id(&timed.end.unwrap().message))
        .await
        .unwrap()
    else {
        panic!("not ended")
    };
    assert_eq!((session.earned, balance), (Some(Points(5)), Points(25)));
    audit_clean(&app);
}

#[tokio::test]
async fn forged_stale_replayed_and_unknown_requests_are_refused_and_make_nothing() {
    let app = spawn_app().await;
    let cafe = partner(&app).await;
    let visit = order(RewardKind::Visit, 10, 10, None);
    let signed = cafe.code_request(&visit, now(&app));

    let mut tampered = signed.clone();
    tampered.point = 10_000;
    let stale = cafe.code_request(&visit, now(&app) - 301);
    let future = cafe.code_request(&visit, now(&app) + 301);
    let stranger = PartnerClient::new(&app.base_url(), "nobody", PartnerSecret::generate());
    let mut no_token = cafe.code_request(&order(RewardKind::TimedByPartner, 1, 1, None), now(&app));
    no_token.token = None;
    for (request, client, expected, status) in [
        (&tampered, &cafe, ErrorCode::InvalidPartnerSignature, 401),
        (&stale, &cafe, ErrorCode::StaleRequest, 401),
        (&future, &cafe, ErrorCode::StaleRequest, 401),
        (
            &stranger.code_request(&visit, now(&app)),
            &stranger,
            ErrorCode::UnknownPartner,
            401,
        ),
        (&no_token, &cafe, ErrorCode::BadRequest, 400),
    ] {
        let answer = client.send(request).await.unwrap();
        assert_eq!(
            (answer.code, answer.message.as_str()),
            (1, expected.as_str()),
            "{answer:?}"
        );
        assert_eq!(answer.error, Some(expected));
        assert!(answer.quickid.is_none());
        assert_eq!(status, expected.http_status());
    }
    // The genuine request once; its replay makes nothing.
    let made = cafe.send(&signed).await.unwrap();
    assert_eq!(made.code, 0);
    let replay = cafe.send(&signed).await.unwrap();
    assert_eq!(
        (replay.code, replay.error),
        (1, Some(ErrorCode::ReplayedRequest))
    );
    // A kind-3 token is used once, whatever the time.
    let first = cafe.code_request(
        &order(RewardKind::TimedByPartner, 1, 1, Some("t-1")),
        now(&app),
    );
    assert_eq!(cafe.send(&first).await.unwrap().code, 0);
    let reuse = cafe.code_request(
        &order(RewardKind::TimedByPartner, 1, 1, Some("t-1")),
        now(&app) + 1,
    );
    assert_eq!(
        cafe.send(&reuse).await.unwrap().error,
        Some(ErrorCode::ReplayedRequest)
    );

    // A revoked partner is unknown from the next request on; its codes open nothing.
    let alice = app.user("alice", 0).await;
    let link = code_id(&made.message);
    let http = reqwest::Client::new();
    let revoke = http
        .post(format!(
            "{}/api/v1/admin/partners/cafe/revoke",
            app.base_url()
        ))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    let after = cafe.request_code(&visit).await.unwrap();
    assert_eq!(after.error, Some(ErrorCode::UnknownPartner));
    assert_eq!(
        refused(alice.client.claim_reward(&link).await),
        ErrorCode::RewardCodeExpired
    );
    assert_eq!(
        refused(alice.client.reward_code(&link).await),
        ErrorCode::RewardCodeExpired
    );
    // Bad JSON is refused in the same shape.
    let bad = http
        .post(format!("{}/api/v1/rewards/request", app.base_url()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(
        (body["code"].as_u64(), body["message"].as_str()),
        (Some(1), Some("bad_request"))
    );
    assert_eq!(alice.balance().await, 0);
    audit_clean(&app);
}

#[tokio::test]
async fn a_rotated_secret_keeps_the_old_one_for_the_grace_window_only() {
    let app = spawn_app().await;
    let old = partner(&app).await;
    let rotated = operator(&app)
        .rotate_partner_secret("cafe", 60)
        .await
        .unwrap();
    let new = PartnerClient::new(
        &app.base_url(),
        "cafe",
        PartnerSecret::parse(rotated.secret.as_deref().unwrap()).unwrap(),
    );
    let visit = order(RewardKind::Visit, 1, 10, None);
    assert_eq!(code(&app, &old, &visit).await.code, 0);
    app.clock.advance(Duration::from_secs(1));
    assert_eq!(code(&app, &new, &visit).await.code, 0);
    app.clock.advance(Duration::from_secs(60));
    let late = old
        .send(&old.code_request(&visit, now(&app)))
        .await
        .unwrap();
    assert_eq!(late.error, Some(ErrorCode::InvalidPartnerSignature));
    // The QR image of a code, as PNG, decodes to its link.
    let answer = code(&app, &new, &order(RewardKind::Visit, 1, 10, None)).await;
    let png = reqwest::get(answer.qrcode.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    let text = gashapay_machine::decode_qr_image(&png.bytes().await.unwrap()).unwrap();
    assert_eq!(text, answer.message);
}
