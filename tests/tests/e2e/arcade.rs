//! The arcade reader (seed 002, PROTOCOL §11): games ask the reader for a payment and
//! the player's GashaPay code is the coin — the real backend, the reader serving its API
//! on loopback, and the example game following the seed's flowcharts.

use crate::helpers::*;
use gashapay_core::api::MachineKind;
use gashapay_core::arcade::{ClientPaymentId, ReaderErrorCode};
use gashapay_core::{Points, RefundReason, TransactionStatus};
use gashapay_machine::arcade::game::{self, Cabinet, CabinetScreen, GameError, ReaderClient};
use gashapay_machine::arcade::{Reader, ReaderSettings, ReaderShows, ScanRefusal};
use gashapay_machine::RetryPolicy;
use std::time::{Duration, Instant};

const GAME: &str = "space_capsules";
const PRICE: u64 = 100;

struct Cabinetry {
    reader: Reader,
    game: ReaderClient,
    url: String,
    _server: tokio::task::JoinHandle<()>,
}

async fn reader_with_window(app: &TestApp, machine: &str, window: Duration) -> Cabinetry {
    let client = app.machine_of_kind(machine, MachineKind::Arcade).await;
    let settings = ReaderSettings {
        prices: [(GAME.to_owned(), Points(PRICE))].into_iter().collect(),
        accept_window: window,
        retry: RetryPolicy::default(),
    };
    let reader = Reader::new(client, settings, |_| {});
    let (address, server) =
        gashapay_machine::arcade::serve(reader.clone(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
    let url = format!("http://{address}/");
    Cabinetry {
        reader,
        game: ReaderClient::new(&url),
        url,
        _server: server,
    }
}

async fn reader(app: &TestApp) -> Cabinetry {
    reader_with_window(app, "arcade_1", Duration::from_secs(3)).await
}

fn id(n: &str) -> ClientPaymentId {
    ClientPaymentId::new(GAME, n)
}

fn reader_code(result: Result<impl std::fmt::Debug, GameError>) -> ReaderErrorCode {
    match result {
        Err(GameError::Reader(body)) => body.code,
        other => panic!("expected a reader error, got {other:?}"),
    }
}

async fn balance_becomes(user: &User, points: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while user.balance().await != points {
        assert!(
            Instant::now() < deadline,
            "balance stayed at {}",
            user.balance().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_single_player_pays_with_the_code_and_the_game_starts() {
    let app = spawn_app().await;
    let cab = reader(&app).await;
    let alice = app.user("alice", 1000).await;
    let game = tokio::spawn({
        let client = cab.game.clone();
        async move { game::single_player(&client, GAME, Duration::from_secs(20)).await }
    });
    // The reader takes a code only once the game asks.
    let deadline = Instant::now() + Duration::from_secs(5);
    while cab.reader.shows() == ReaderShows::Idle {
        assert!(Instant::now() < deadline, "the game never asked");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        cab.reader.shows(),
        ReaderShows::Accepting {
            game_id: GAME.into(),
            price: Points(PRICE)
        }
    );
    let coin = alice.code(PRICE);
    let paid = cab.reader.scan(&coin.to_text()).await.unwrap();
    let started = game.await.unwrap().unwrap();
    assert_eq!(started, paid);
    assert_eq!(started.points, Points(PRICE));
    // Committed: the points are spent, not refunded later; the player's app hears of a
    // game at an arcade machine (and says "Game on!", not that a prize was dispensed).
    assert_eq!(alice.balance().await, 900);
    let play = alice
        .client
        .transaction(coin.payload.transaction_id, None, None)
        .await
        .unwrap();
    assert_eq!(
        (play.status, play.machine_kind),
        (TransactionStatus::Completed, Some(MachineKind::Arcade))
    );
    assert_eq!(
        gashapay_core::app::views::play_status_label(&play).0,
        "Game on! Have fun."
    );
    let page = alice.client.history(1, None).await.unwrap();
    assert_eq!(page.entries[0].machine_kind, Some(MachineKind::Arcade));
    app.clock.advance(Duration::from_secs(5 * 60 + 1));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(alice.balance().await, 900);
    assert_eq!(app.audit(), Vec::<String>::new());
}

#[tokio::test]
async fn multi_player_a_second_player_changes_their_mind_and_is_refunded_the_first_plays() {
    let app = spawn_app().await;
    let cab = reader(&app).await;
    let alice = app.user("alice", 1000).await;
    let bob = app.user("bob", 1000).await;
    let mut cabinet = Cabinet::new(cab.game.clone(), GAME, Duration::from_secs(60), 2);
    let start = Instant::now();
    assert_eq!(cabinet.screen(start), CabinetScreen::NoPlayers);

    cabinet.press_start().await.unwrap();
    cabinet.tick(start).await.unwrap();
    cab.reader.scan(&alice.code(PRICE).to_text()).await.unwrap();
    cabinet.tick(start).await.unwrap();
    assert_eq!(
        cabinet.screen(start),
        CabinetScreen::Joining {
            players: 1,
            seconds_left: Some(60)
        }
    );
    // A second player joins during the countdown...
    cabinet.tick(start).await.unwrap();
    cab.reader.scan(&bob.code(PRICE).to_text()).await.unwrap();
    cabinet.tick(start).await.unwrap();
    assert!(matches!(
        cabinet.screen(start),
        CabinetScreen::Joining { players: 2, .. }
    ));
    assert_eq!((alice.balance().await, bob.balance().await), (900, 900));
    // ...and presses start again: released, refunded at once.
    cabinet.press_start().await.unwrap();
    assert!(matches!(
        cabinet.screen(start),
        CabinetScreen::Joining { players: 1, .. }
    ));
    assert_eq!(bob.balance().await, 1000);
    // Bob's history says he cancelled, not that the cabinet failed.
    let page = bob.client.history(5, None).await.unwrap();
    let refund = page
        .entries
        .iter()
        .find(|e| e.kind == gashapay_core::api::HistoryKind::Refund)
        .expect("a refund entry");
    assert_eq!(refund.refund_reason, Some(RefundReason::Cancelled));
    assert_eq!(
        gashapay_core::history::entry_label(
            refund.kind,
            None,
            refund.machine_name.as_deref(),
            refund.refund_reason
        ),
        "Refund: cancelled at Machine arcade_1"
    );

    // The countdown ends: the one who stayed is committed and the game starts.
    cabinet.tick(start + Duration::from_secs(61)).await.unwrap();
    assert_eq!(cabinet.screen(start), CabinetScreen::Playing { players: 1 });
    assert_eq!(cabinet.players()[0].points, Points(PRICE));
    assert_eq!((alice.balance().await, bob.balance().await), (900, 1000));
    // The reader stopped waiting for a third player when the game committed.
    assert_eq!(
        cab.reader.scan(&bob.code(PRICE).to_text()).await,
        Err(ScanRefusal::NotAccepting)
    );
    assert_eq!(app.audit(), Vec::<String>::new());
}

#[tokio::test]
async fn multi_player_the_only_player_leaves_during_the_countdown_and_the_cabinet_waits_again() {
    let app = spawn_app().await;
    let cab = reader(&app).await;
    let alice = app.user("alice", 1000).await;
    let mut cabinet = Cabinet::new(cab.game.clone(), GAME, Duration::from_secs(60), 4);
    let now = Instant::now();
    cabinet.press_start().await.unwrap();
    cabinet.tick(now).await.unwrap();
    cab.reader.scan(&alice.code(PRICE).to_text()).await.unwrap();
    cabinet.tick(now).await.unwrap();
    cabinet.press_start().await.unwrap();
    assert_eq!(cabinet.screen(now), CabinetScreen::NoPlayers);
    assert_eq!(alice.balance().await, 1000);
    // Nobody waits now: a code is not taken.
    assert_eq!(
        cab.reader.scan(&alice.code(PRICE).to_text()).await,
        Err(ScanRefusal::NotAccepting)
    );
    assert_eq!(alice.balance().await, 1000);
    assert_eq!(app.audit(), Vec::<String>::new());
}

#[tokio::test]
async fn a_new_request_replaces_the_unpaid_one_and_a_paid_id_answers_the_same_payment_forever() {
    let app = spawn_app().await;
    let cab = reader(&app).await;
    let alice = app.user("alice", 1000).await;
    assert_eq!(cab.game.ask_payment(&id("first")).await.unwrap(), None);
    assert_eq!(cab.game.ask_payment(&id("second")).await.unwrap(), None);
    let paid = cab.reader.scan(&alice.code(PRICE).to_text()).await.unwrap();
    assert_eq!(paid.client_payment_id, id("second"));
    assert_eq!(cab.game.ask_payment(&id("first")).await.unwrap(), None);
    for _ in 0..3 {
        assert_eq!(
            cab.game.ask_payment(&id("second")).await.unwrap(),
            Some(paid.clone())
        );
    }
    // Asking again for a paid id does not start accepting: a second code is not taken.
    let second_code = alice.code(PRICE);
    assert_eq!(
        cab.game.ask_payment(&id("second")).await.unwrap(),
        Some(paid.clone())
    );
    cab.game
        .commit_clear_payments(&[id("second")])
        .await
        .unwrap();
    assert_eq!(
        cab.reader.scan(&second_code.to_text()).await,
        Err(ScanRefusal::NotAccepting)
    );
    assert_eq!(alice.balance().await, 900);
    // Committing again is a no-op; the same payment is still answered.
    cab.game
        .commit_clear_payments(&[id("second")])
        .await
        .unwrap();
    assert_eq!(
        cab.game.ask_payment(&id("second")).await.unwrap(),
        Some(paid)
    );
    assert_eq!(alice.balance().await, 900);
    // The code that was refused is still good for the next game.
    assert_eq!(cab.game.ask_payment(&id("third")).await.unwrap(), None);
    cab.reader.scan(&second_code.to_text()).await.unwrap();
    assert_eq!(alice.balance().await, 800);
    assert_eq!(app.audit(), Vec::<String>::new());
}

#[tokio::test]
async fn the_reader_stops_accepting_when_no_game_asks_and_the_code_is_not_spent() {
    let app = spawn_app().await;
    let cab = reader_with_window(&app, "arcade_1", Duration::from_millis(600)).await;
    let alice = app.user("alice", 1000).await;
    let code = alice.code(PRICE);
    assert_eq!(
        cab.reader.scan(&code.to_text()).await,
        Err(ScanRefusal::NotAccepting),
        "nothing asked yet"
    );
    cab.game.ask_payment(&id("1")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(cab.reader.shows(), ReaderShows::Idle);
    assert_eq!(
        cab.reader.scan(&code.to_text()).await,
        Err(ScanRefusal::NotAccepting)
    );
    assert_eq!(alice.balance().await, 1000);
    // Polled again, it takes the very same code.
    cab.game.ask_payment(&id("1")).await.unwrap();
    cab.reader.scan(&code.to_text()).await.unwrap();
    assert_eq!(alice.balance().await, 900);
    assert_eq!(app.audit(), Vec::<String>::new());
}

#[tokio::test]
async fn a_code_for_another_amount_is_refused_before_the_backend_and_stays_usable() {
    let app = spawn_app().await;
    let cab = reader(&app).await;
    let alice = app.user("alice", 1000).await;
    let code = alice.code(200);
    cab.game.ask_payment(&id("1")).await.unwrap();
    let refused = cab.reader.scan(&code.to_text()).await.unwrap_err();
    assert_eq!(
        refused,
        ScanRefusal::WrongPrice {
            expected: Points(PRICE),
            offered: Points(200)
        }
    );
    assert_eq!(refused.code(), "wrong_price");
    assert_eq!(alice.balance().await, 1000);
    // Not spent: a machine that charges 200 takes it.
    let machine = app.machine("m_200").await;
    machine.validate(&code.to_text()).await.unwrap();
    assert_eq!(alice.balance().await, 800);
}

#[tokio::test]
async fn a_lost_reservation_is_released_by_commit_clear_payments() {
    let app = spawn_app().await;
    let cab = reader(&app).await;
    let alice = app.user("alice", 1000).await;
    let bob = app.user("bob", 1000).await;
    // Alice pays for a request the game then forgets (a bug), Bob for the next one.
    cab.game.ask_payment(&id("lost")).await.unwrap();
    cab.reader.scan(&alice.code(PRICE).to_text()).await.unwrap();
    cab.game.ask_payment(&id("kept")).await.unwrap();
    cab.reader.scan(&bob.code(PRICE).to_text()).await.unwrap();
    cab.game.commit_clear_payments(&[id("kept")]).await.unwrap();
    assert_eq!((alice.balance().await, bob.balance().await), (1000, 900));
    assert_eq!(
        reader_code(cab.game.commit_clear_payments(&[id("lost")]).await),
        ReaderErrorCode::PaymentReleased
    );
    assert_eq!(app.audit(), Vec::<String>::new());
}

#[tokio::test]
async fn a_reservation_never_committed_or_released_is_refunded_by_the_backends_timeout() {
    // A short outcome time-out: the machine's reports are signed with the real time,
    // which a backend clock advanced by minutes would refuse as stale.
    let app = spawn_app_with(gashapay_backend_mock::config::Settings {
        outcome_timeout: Duration::from_secs(2),
        ..test_settings()
    })
    .await;
    let cab = reader(&app).await;
    let alice = app.user("alice", 1000).await;
    cab.game.ask_payment(&id("1")).await.unwrap();
    cab.reader.scan(&alice.code(PRICE).to_text()).await.unwrap();
    assert_eq!(alice.balance().await, 900);
    // The game crashed; the backend's outcome time-out refunds.
    balance_becomes(&alice, 1000).await;
    // A game that comes back and commits learns it is too late; nothing is taken.
    assert_eq!(
        reader_code(cab.game.commit_clear_payments(&[id("1")]).await),
        ReaderErrorCode::ReservationExpired
    );
    assert_eq!(alice.balance().await, 1000);
    assert_eq!(app.audit(), Vec::<String>::new());
}

#[tokio::test]
async fn mistakes_get_stable_codes_in_the_envelope_and_change_nothing() {
    let app = spawn_app().await;
    let cab = reader(&app).await;
    let alice = app.user("alice", 1000).await;
    let http = reqwest::Client::new();
    for body in [
        "{not json",
        r#"{"v1": {"insert_coin": {}}}"#,
        r#"{"v2": {}}"#,
    ] {
        let response = http.post(&cab.url).body(body).send().await.unwrap();
        assert_eq!(response.status(), 400);
        let answer: serde_json::Value = response.json().await.unwrap();
        assert_eq!(answer["err"]["code"], "bad_request", "{body}");
        assert!(answer["err"]["message"].as_str().unwrap().len() > 10);
    }
    assert_eq!(
        reader_code(
            cab.game
                .ask_payment(&ClientPaymentId::new("pinball", "1"))
                .await
        ),
        ReaderErrorCode::UnknownGame
    );
    assert_eq!(
        reader_code(cab.game.release_payment(&id("never")).await),
        ReaderErrorCode::NoSuchPayment
    );

    cab.game.ask_payment(&id("1")).await.unwrap();
    cab.reader.scan(&alice.code(PRICE).to_text()).await.unwrap();
    // One unknown id refuses the whole commit: the reservation is neither spent nor
    // released.
    assert_eq!(
        reader_code(
            cab.game
                .commit_clear_payments(&[id("1"), id("never")])
                .await
        ),
        ReaderErrorCode::NoSuchPayment
    );
    assert_eq!(alice.balance().await, 900);
    cab.game.commit_clear_payments(&[id("1")]).await.unwrap();
    assert_eq!(
        reader_code(cab.game.release_payment(&id("1")).await),
        ReaderErrorCode::AlreadyCommitted
    );
    assert_eq!(alice.balance().await, 900);

    cab.game.ask_payment(&id("2")).await.unwrap();
    cab.reader.scan(&alice.code(PRICE).to_text()).await.unwrap();
    cab.game.release_payment(&id("2")).await.unwrap();
    cab.game.release_payment(&id("2")).await.unwrap();
    assert_eq!(alice.balance().await, 900, "refunded once");
    assert_eq!(
        reader_code(cab.game.commit_clear_payments(&[id("2")]).await),
        ReaderErrorCode::PaymentReleased
    );
    // A code the backend refuses (used already) is refused with the backend's code.
    cab.game.ask_payment(&id("3")).await.unwrap();
    let code = alice.code(PRICE);
    cab.reader.scan(&code.to_text()).await.unwrap();
    cab.game.ask_payment(&id("4")).await.unwrap();
    let again = cab.reader.scan(&code.to_text()).await.unwrap_err();
    assert_eq!(again.code(), "already_used");
    assert_eq!(alice.balance().await, 800);
    cab.game.commit_clear_payments(&[id("3")]).await.unwrap();
    assert_eq!(app.audit(), Vec::<String>::new());
}
