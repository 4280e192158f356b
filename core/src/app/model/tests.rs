use super::*;
use crate::api::machine_pay::{SessionStatus, SessionView};
use crate::api::rewards::{RewardKind, RewardSessionStatus, RewardSessionView};
use crate::api::{HistoryPage, TransactionView};
use crate::app::language::Language;
use crate::app::play::PlayPhase;
use crate::app::saved::SavedBalance;
use crate::ids::{AppId, DeviceId, MachineId, Points};
use crate::qr::DeviceSecret;
use crate::status::TransactionStatus;
use crate::ErrorCode;
use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

const NOW: u64 = 1_800_000_000;
const ANA: UserId = UserId(5);
const BEA: UserId = UserId(7);

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 10, minute, 0).unwrap()
}

fn creds(user: UserId) -> DeviceCredentials {
    DeviceCredentials {
        app_id: AppId(1),
        user_id: user,
        device_id: DeviceId(2),
        secret: DeviceSecret::generate(),
    }
}

fn machine_session(id: Uuid) -> SessionView {
    SessionView {
        session_id: id,
        machine_id: MachineId("m_demo".into()),
        machine_name: "Demo capsule machine".into(),
        status: SessionStatus::Open,
        loaded: Points(500),
        spent: Points(150),
        remaining: Points(350),
        purchases: vec![],
        ended_by: None,
        refunded: None,
        idle_deadline: Some(at(5)),
        version: 2,
        balance: Some(Points(500)),
    }
}

fn reward_session() -> RewardSessionView {
    RewardSessionView {
        session_id: 7,
        partner_name: "Cafe Seoul".into(),
        kind: RewardKind::TimedByPlayer,
        point: Points(5),
        interval_minutes: 10,
        status: RewardSessionStatus::Open,
        started_at: at(0),
        ended_at: None,
        earned: None,
        version: 1,
    }
}

fn saved(user: UserId, points: u64) -> SavedAccount {
    SavedAccount {
        user_id: user,
        device_id: DeviceId(2),
        balance: Some(SavedBalance {
            points: Points(points),
            as_of: at(1),
        }),
        history: Some(HistoryPage {
            entries: vec![],
            next_before: None,
        }),
    }
}

fn failure(code: ErrorCode, ends_session: bool) -> CallFailure {
    CallFailure {
        message: UserMessage::for_code(code),
        ends_session,
        transient: false,
    }
}

/// Ana's app after a restart: her stored session, the balance the last run saved,
/// and what the server says still runs (a machine session and a timed reward).
fn ana_with_everything_running() -> (AppModel, Uuid) {
    let mut model = AppModel::new(
        Language::En,
        ServerModel::new(Some("http://s".into()), false),
        NOW,
    );
    let effects = model.update(
        AppEvent::Started {
            stored_sign_in: true,
            signed_in_user: Some(ANA),
            saved: Some(saved(ANA, 900)),
            demo_account: None,
        },
        NOW,
        None,
    );
    assert!(model.sign_in.is_signed_in());
    assert_eq!(
        effects,
        [
            Effect::Call(Call::FetchBalance),
            Effect::Call(Call::FetchHistory(crate::app::history::FetchHistory {
                limit: crate::app::history::HISTORY_PAGE,
                before: None,
                appended: false,
            })),
            Effect::Call(Call::FetchRunning),
        ]
    );
    let machine = Uuid::now_v7();
    let running = RunningView {
        machine_sessions: vec![machine_session(machine)],
        reward_sessions: vec![reward_session()],
    };
    let effects = model.update(AppEvent::RunningLoaded(running), NOW, None);
    assert_eq!(
        effects,
        [
            Effect::Call(Call::WatchMachineSession {
                session_id: machine,
                since: 2
            }),
            Effect::Call(Call::WatchRewardSession {
                session_id: 7,
                since: 1
            }),
        ]
    );
    let ana = creds(ANA);
    model.update(AppEvent::Play(PlayEvent::Start), NOW, Some(&ana));
    (model, machine)
}

fn assert_nothing_of_the_account_shows(model: &AppModel) {
    assert_eq!(model.account, AccountModels::default());
    assert_eq!(model.account.reward.card(at(10)), None);
    assert_eq!(model.account.machine_pay.card(), None);
}

#[test]
fn after_a_restart_the_running_reward_and_machine_session_show_again() {
    let (model, _) = ana_with_everything_running();
    let balance = model
        .account
        .balance
        .view(&chrono::FixedOffset::east_opt(0).unwrap());
    assert_eq!(balance.amount_text, "900 pts");
    assert!(
        balance.stale,
        "saved by the last run until the fetch answers"
    );
    let card = model.account.machine_pay.card().expect("the machine card");
    assert_eq!(card.title, "Session open at Demo capsule machine");
    assert_eq!(card.detail, "350 pts left");
    let reward = model.account.reward.card(at(12)).expect("the reward card");
    assert_eq!(reward.title, "Earning at Cafe Seoul");
}

#[test]
fn signing_out_clears_the_whole_account_and_drops_late_answers() {
    let (mut model, machine) = ana_with_everything_running();
    let before = model.epoch();
    let effects = model.update(AppEvent::SignOut, NOW, None);
    assert_eq!(
        effects,
        [
            Effect::StopWatching,
            Effect::ForgetSavedAccount,
            Effect::Call(Call::Logout)
        ]
    );
    assert!(!model.sign_in.is_signed_in());
    assert_nothing_of_the_account_shows(&model);
    // The long-polls made for Ana answer after she left: nothing comes back.
    let late = [
        AppEvent::Reward(RewardEvent::SessionChanged(reward_session())),
        AppEvent::MachinePay(MachinePayEvent::SessionChanged(machine_session(machine))),
        AppEvent::BalanceLoaded(BalanceResponse {
            balance: Points(900),
            as_of: at(2),
        }),
    ];
    for event in late {
        assert!(model.answer(before, event, NOW, None).is_empty());
    }
    assert_nothing_of_the_account_shows(&model);
}

#[test]
fn another_account_sees_nothing_of_the_one_before() {
    let (mut model, _) = ana_with_everything_running();
    model.update(AppEvent::SignOut, NOW, None);
    let effects = model.update(
        AppEvent::SignInForm(SignInEvent::SignIn {
            username: "bea".into(),
            password: Redacted::new("a long password"),
        }),
        NOW,
        None,
    );
    assert!(matches!(&effects[..], [Effect::Call(Call::SignIn(sent))] if sent.username == "bea"));
    let effects = model.update(AppEvent::SignedIn { user_id: BEA }, NOW, None);
    assert!(effects.contains(&Effect::Call(Call::FetchRunning)));
    // Bea's own account is on its way; nothing of Ana's shows meanwhile.
    let loading = AccountModels {
        history: model.account.history.clone(),
        ..AccountModels::default()
    };
    assert_eq!(model.account, loading);
    assert!(
        model
            .account
            .history
            .view(&chrono::FixedOffset::east_opt(0).unwrap())
            .loading
    );

    // Signed in as someone else while the last account still shows (a demo that signs
    // its user in, a session that ended on the server): cleared first.
    let (mut model, _) = ana_with_everything_running();
    let before = model.epoch();
    model.sign_in = SignIn::SigningIn { new_account: false };
    let effects = model.update(AppEvent::SignedIn { user_id: BEA }, NOW, None);
    assert_eq!(
        &effects[..2],
        [Effect::StopWatching, Effect::ForgetSavedAccount]
    );
    assert_ne!(model.epoch(), before);
    assert_eq!(model.account.reward.card(at(10)), None);
    assert_eq!(model.account.machine_pay.card(), None);
    assert_eq!(model.account.play.phase, PlayPhase::Choosing);
    // The same person again keeps what shows.
    let (mut model, _) = ana_with_everything_running();
    model.sign_in = SignIn::SigningIn { new_account: false };
    model.update(AppEvent::SignedIn { user_id: ANA }, NOW, None);
    assert!(model.account.machine_pay.card().is_some());
}

#[test]
fn switching_server_clears_the_account_and_starts_again_on_the_new_one() {
    let (mut model, _) = ana_with_everything_running();
    let effects = model.update(
        AppEvent::Server(ServerEvent::Submit("https://other.example".into())),
        NOW,
        None,
    );
    assert_eq!(
        effects,
        [Effect::CheckServer("https://other.example".into())]
    );
    let effects = model.update(
        AppEvent::Server(ServerEvent::Checked {
            address: "https://other.example".into(),
            answer: Ok(()),
        }),
        NOW,
        None,
    );
    assert_eq!(
        effects,
        [Effect::SwitchServer("https://other.example".into())]
    );
    // Nothing changes until the shell talks to the new server.
    assert!(model.account.machine_pay.card().is_some());
    let effects = model.update(
        AppEvent::ServerSwitched {
            stored_sign_in: false,
            signed_in_user: None,
        },
        NOW,
        None,
    );
    assert_eq!(effects, [Effect::StopWatching, Effect::ForgetSavedAccount]);
    assert_eq!(model.sign_in, SignIn::signed_out(None));
    assert_nothing_of_the_account_shows(&model);
    assert_eq!(
        model.server.address.as_deref(),
        Some("https://other.example")
    );
}

#[test]
fn a_lost_session_clears_the_account_and_other_failures_go_to_their_screen() {
    let (mut model, _) = ana_with_everything_running();
    let offline = CallFailure {
        message: UserMessage::offline(),
        ends_session: false,
        transient: true,
    };
    let effects = model.update(
        AppEvent::CallFailed {
            call: FailedCall::Balance,
            failure: offline,
        },
        NOW,
        None,
    );
    assert!(effects.is_empty());
    assert_eq!(model.account.balance.problem, Some(UserMessage::offline()));
    assert!(model.account.reward.card(at(10)).is_some());

    let effects = model.update(
        AppEvent::CallFailed {
            call: FailedCall::Reward,
            failure: failure(ErrorCode::Unauthorized, true),
        },
        NOW,
        None,
    );
    assert_eq!(effects, [Effect::StopWatching, Effect::ForgetSavedAccount]);
    assert!(matches!(
        &model.sign_in,
        SignIn::SignedOut { message: Some(m), .. } if m.title == "Please sign in again"
    ));
    assert_nothing_of_the_account_shows(&model);
}

#[test]
fn the_play_tab_never_shows_a_stale_balance() {
    let ana = creds(ANA);
    let (mut model, _) = ana_with_everything_running();
    let PlayPhase::Showing { code } = &model.account.play.phase else {
        panic!("{:?}", model.account.play.phase)
    };
    let id = code.payload.transaction_id;
    let completed = TransactionView {
        transaction_id: id,
        status: TransactionStatus::Completed,
        points: Some(Points(100)),
        machine_id: None,
        machine_name: None,
        machine_kind: None,
        refund_reason: None,
        error: None,
        balance: Points(800),
        updated_at: Some(at(3)),
    };
    let effects = model.update(
        AppEvent::Play(PlayEvent::StatusChanged(completed)),
        NOW,
        Some(&ana),
    );
    assert!(effects.contains(&Effect::Call(Call::FetchBalance)));
    // The play's answer moves the balance card at once, not only after the fetch.
    assert_eq!(model.account.balance.balance, Some(Points(800)));
    assert_eq!(
        model.play_view().result_text.as_deref(),
        Some("New balance: 800 pts")
    );
    // A top-up (or a reward) later: the result says the balance of now.
    model.update(
        AppEvent::BalanceLoaded(BalanceResponse {
            balance: Points(1300),
            as_of: at(4),
        }),
        NOW,
        None,
    );
    assert_eq!(
        model.play_view().result_text.as_deref(),
        Some("New balance: 1,300 pts")
    );
    // Coming back to the tab later starts a new play, not the old result.
    model.update(AppEvent::LeftPlay, NOW, None);
    assert_eq!(model.account.play.phase, PlayPhase::Choosing);
    assert!(model.play_view().can_start);
    assert_eq!(model.play_view().result_text, None);
}

#[test]
fn leaving_the_play_tab_keeps_a_code_that_is_still_on_screen() {
    let (mut model, _) = ana_with_everything_running();
    model.update(AppEvent::LeftPlay, NOW, None);
    assert!(matches!(
        model.account.play.phase,
        PlayPhase::Showing { .. }
    ));
}

#[test]
fn a_chosen_language_is_spoken_and_kept() {
    let (mut model, _) = ana_with_everything_running();
    let effects = model.update(AppEvent::ChooseLanguage(Language::Ko), NOW, None);
    assert_eq!(effects, [Effect::Speak(Language::Ko)]);
    assert_eq!(model.language, Language::Ko);
    // Not the account's: a sign-out keeps it.
    model.update(AppEvent::SignOut, NOW, None);
    assert_eq!(model.language, Language::Ko);
}

#[test]
fn the_play_screen_is_drawn_as_of_its_last_event() {
    let ana = creds(ANA);
    let (mut model, _) = ana_with_everything_running();
    // The code shown at NOW lasts 5 minutes: the screen changes by itself a minute on.
    assert_eq!(model.play_changes_at(), Some(NOW + 60));
    assert_eq!(model.play_view().minutes_left, Some(5));
    model.update(AppEvent::Play(PlayEvent::Tick), NOW + 60, Some(&ana));
    assert_eq!(model.play_view().minutes_left, Some(4));
    assert_eq!(model.play_changes_at(), Some(NOW + 120));
}

#[test]
fn links_open_on_their_own_screen() {
    let reward = "https://pay.gashapay.app/l/r/rc_abcdefghijklmnopqrst";
    assert_eq!(AppModel::link_screen(reward), LinkScreen::Reward);
    assert_eq!(
        AppModel::link_screen("gashapay://m/mc_abcdefghij234567klmn"),
        LinkScreen::Machine
    );
    assert_eq!(
        AppModel::link_screen("not a link"),
        LinkScreen::Machine,
        "the machine screen says it cannot be read"
    );
    let (mut model, _) = ana_with_everything_running();
    let effects = model.update(AppEvent::OpenLink(reward.into()), NOW, None);
    assert_eq!(
        effects,
        [Effect::Call(Call::FetchRewardCode {
            code_id: "rc_abcdefghijklmnopqrst".into()
        })]
    );
}
