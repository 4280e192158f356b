//! Every screen rendered from fixed view models (dioxus-ssr), asserting what a user
//! would read.

use chrono::{FixedOffset, TimeZone, Utc};
use dioxus::prelude::*;
use gashapay_app::screens::*;
use gashapay_core::api::machine_pay::{MachineCodeInfo, PurchaseView, SessionStatus, SessionView};
use gashapay_core::api::{
    ErrorBody, HistoryEntry, HistoryKind, HistoryPage, TopUpResponse, TransactionView,
};
use gashapay_core::app::failure::CallFailure;
use gashapay_core::app::history::{HistoryEvent, HistoryModel, HistoryView};
use gashapay_core::app::i18n::{speaking, MISSING};
use gashapay_core::app::language::Language;
use gashapay_core::app::machine_pay::{MachinePayEvent, MachinePayModel, MachineSessionCardView};
use gashapay_core::app::messages::UserMessage;
use gashapay_core::app::play::{PlayEvent, PlayModel, PlayPhase, PlayView};
use gashapay_core::app::reward::{RewardEvent, RewardModel};
use gashapay_core::app::server::{ServerEvent, ServerModel};
use gashapay_core::app::settings::{settings_view, Keychain};
use gashapay_core::app::sign_in::{SignIn, SignInEvent};
use gashapay_core::app::text::Texts;
use gashapay_core::app::top_up::{TopUpEvent, TopUpModel};
use gashapay_core::app::views::{history_row, BalanceModel, BalanceView, HistoryRowView};
use gashapay_core::device::DeviceCredentials;
use gashapay_core::ids::{AppId, DeviceId, UserId};
use gashapay_core::qr::DeviceSecret;
use gashapay_core::status::DispensePlan;
use gashapay_core::{ErrorCode, Points, RefundReason, TransactionStatus};

const T0: u64 = 1_800_000_000;

fn render<P: Clone + 'static>(component: fn(P) -> Element, props: P) -> String {
    render_dom(VirtualDom::new_with_props(component, props))
}

fn render_dom(mut dom: VirtualDom) -> String {
    dom.rebuild_in_place();
    unescape(&dioxus_ssr::render(&dom))
}

/// Entities back to characters, so assertions read like what a user sees.
fn unescape(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn zone() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap()
}

fn creds() -> DeviceCredentials {
    DeviceCredentials {
        app_id: AppId(1),
        user_id: UserId(1),
        device_id: DeviceId(1),
        secret: DeviceSecret::generate(),
    }
}

fn entry(
    id: i64,
    kind: HistoryKind,
    delta: i64,
    outcome: Option<TransactionStatus>,
) -> HistoryEntry {
    HistoryEntry {
        id,
        kind,
        label: match kind {
            HistoryKind::Play => "Play at Demo capsule machine".into(),
            HistoryKind::Refund => "Refund: Demo capsule machine failed to dispense".into(),
            HistoryKind::TopUp => "Top-up by card".into(),
            HistoryKind::MachineCredit => "Points loaded into Demo capsule machine".into(),
            HistoryKind::MachineRefund => "Unused points back from Demo capsule machine".into(),
            HistoryKind::Purchase => "Capsule A at Demo capsule machine".into(),
            HistoryKind::Reward => "Reward from Cafe Seoul".into(),
        },
        delta,
        balance_after: Points(900),
        at: Utc.with_ymd_and_hms(2026, 11, 23, 10, 2, 7).unwrap(),
        transaction_id: None,
        machine_id: None,
        machine_name: (!matches!(kind, HistoryKind::TopUp | HistoryKind::Reward))
            .then(|| "Demo capsule machine".into()),
        machine_kind: None,
        item: None,
        outcome,
        refund_reason: None,
        partner_name: (kind == HistoryKind::Reward).then(|| "Cafe Seoul".into()),
    }
}

#[component]
fn HomeHarness(
    balance: BalanceView,
    recent: Vec<HistoryRowView>,
    session_card: Option<MachineSessionCardView>,
) -> Element {
    rsx! {
        HomeScreen {
            balance,
            recent,
            reward_card: None,
            session_card,
            on_play: |_| {},
            on_refresh: |_| {},
            on_dismiss_reward: |_| {},
            on_show_session: |_| {},
        }
    }
}

/// The home screen's card of a session open on a machine.
fn session_card() -> MachineSessionCardView {
    let mut model = MachinePayModel::default();
    model.update(MachinePayEvent::Resume(open_machine_session()), T0);
    model.card().expect("a card while the session is open")
}

#[component]
fn RewardHarness(model: RewardModel) -> Element {
    let card = model.card(Utc.with_ymd_and_hms(2026, 12, 3, 10, 12, 0).unwrap());
    rsx! {
        RewardScreen { view: model.view(), on_event: |_| {} }
        if let Some(card) = card {
            RewardCard { card, on_dismiss: |_| {} }
        }
    }
}

/// A partner-ended session, started by scanning its code at 10:00.
fn running_reward() -> RewardModel {
    use gashapay_core::api::rewards::{
        RewardClaim, RewardCodeInfo, RewardKind, RewardRole, RewardSessionStatus, RewardSessionView,
    };
    let mut model = RewardModel::default();
    model.update(RewardEvent::Open(
        "gashapay://r/rc_abcdefghijklmnopqrst".into(),
    ));
    model.update(RewardEvent::CodeLoaded(RewardCodeInfo {
        code_id: "rc_abcdefghijklmnopqrst".into(),
        partner_name: "Cafe Seoul".into(),
        kind: RewardKind::TimedByPartner,
        role: RewardRole::Start,
        point: Points(5),
        interval_minutes: 10,
        expires_at: Utc.with_ymd_and_hms(2026, 12, 3, 11, 0, 0).unwrap(),
    }));
    model.update(RewardEvent::Claimed(RewardClaim::Started {
        session: RewardSessionView {
            session_id: 1,
            partner_name: "Cafe Seoul".into(),
            kind: RewardKind::TimedByPartner,
            point: Points(5),
            interval_minutes: 10,
            status: RewardSessionStatus::Open,
            started_at: Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap(),
            ended_at: None,
            earned: None,
            version: 1,
        },
    }));
    model
}

#[test]
fn a_reward_screen_names_the_store_and_a_running_session_shows_its_card() {
    let model = running_reward();
    let html = render(RewardHarness, RewardHarnessProps { model });
    for expected in [
        "Cafe Seoul",
        "5 pts for every 10 min",
        "Time started at Cafe Seoul",
        "Earning at Cafe Seoul",
        "12 min so far",
        "The store ends it when you are done.",
    ] {
        assert!(html.contains(expected), "{expected} missing in {html}");
    }
}

#[test]
fn home_shows_the_balance_when_it_was_updated_and_recent_activity() {
    let mut model = BalanceModel::default();
    model.loaded(
        Points(1_250),
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 2, 7).unwrap(),
    );
    let recent = vec![history_row(
        &entry(
            1,
            HistoryKind::Play,
            -100,
            Some(TransactionStatus::Completed),
        ),
        &zone(),
    )];
    let html = render(
        HomeHarness,
        HomeHarnessProps {
            balance: model.view(&zone()),
            recent,
            session_card: None,
        },
    );
    assert!(html.contains("1,250 pts"), "{html}");
    assert!(html.contains("Updated 10:02:07"));
    assert!(!html.contains("out of date"));
    assert!(html.contains("Play at Demo capsule machine"));
    assert!(html.contains("Dispensed"));
    assert!(html.contains("aria-label=\"Play a machine: show a QR code\""));
}

#[test]
fn home_shows_a_session_open_on_a_machine_with_a_way_back_to_it() {
    let html = render(
        HomeHarness,
        HomeHarnessProps {
            balance: BalanceModel::default().view(&zone()),
            recent: vec![],
            session_card: Some(session_card()),
        },
    );
    assert!(
        html.contains("Session open at Demo capsule machine"),
        "{html}"
    );
    assert!(html.contains("350 pts left"));
    assert!(html.contains(">Show session</button>"));
}

#[test]
fn home_offline_keeps_the_balance_marked_stale_with_a_retry() {
    let mut model = BalanceModel::default();
    model.loaded(
        Points(900),
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 2, 7).unwrap(),
    );
    model.failed(UserMessage::offline());
    let html = render(
        HomeHarness,
        HomeHarnessProps {
            balance: model.view(&zone()),
            recent: vec![],
            session_card: None,
        },
    );
    assert!(html.contains("900 pts"));
    assert!(html.contains("Offline: this balance may be out of date"));
    assert!(html.contains("balance-card stale"));
    assert!(html.contains("You're offline"));
    assert!(html.contains(">Try again</button>"));
    assert!(html.contains("No plays yet."));
}

#[component]
fn PlayHarness(view: PlayView) -> Element {
    rsx! { PlayScreen { view, brightens: true, on_event: |_| {} } }
}

#[component]
fn DesktopPlayHarness(view: PlayView) -> Element {
    rsx! { PlayScreen { view, brightens: false, on_event: |_| {} } }
}

fn play_view(setup: impl FnOnce(&mut PlayModel, &DeviceCredentials), now: u64) -> PlayView {
    let creds = creds();
    let mut model = PlayModel::default();
    setup(&mut model, &creds);
    model.view(now)
}

/// The play screen five seconds after a code for 100 points appeared.
fn code_on_screen() -> PlayView {
    play_view(
        |m, c| {
            m.update(PlayEvent::Start, Some(c), T0);
        },
        T0 + 5,
    )
}

fn transaction(model: &PlayModel, status: TransactionStatus, balance: u64) -> TransactionView {
    let PlayPhase::Showing { code } = &model.phase else {
        panic!("no code")
    };
    TransactionView {
        transaction_id: code.payload.transaction_id,
        status,
        points: Some(code.payload.points),
        machine_id: None,
        machine_name: None,
        machine_kind: None,
        refund_reason: None,
        error: None,
        balance: Points(balance),
        updated_at: None,
    }
}

#[test]
fn play_offers_point_choices_before_a_code() {
    let html = render(
        PlayHarness,
        PlayHarnessProps {
            view: play_view(|_, _| {}, T0),
        },
    );
    for points in ["50", "100", "200", "500"] {
        assert!(html.contains(&format!(">{points}</button>")), "{html}");
    }
    assert!(html.contains("Show QR code for 100 pts"));
    assert!(!html.contains("data:image/svg+xml"));
}

#[test]
fn play_shows_the_qr_countdown_and_text_form_while_waiting_for_the_scan() {
    let view = code_on_screen();
    let code = view.code_blocks.clone().unwrap();
    let html = render(PlayHarness, PlayHarnessProps { view });
    assert!(
        html.contains("src=\"data:image/svg+xml;base64,"),
        "the QR symbol is drawn"
    );
    assert!(html.contains("expires in 5\u{a0}min"));
    assert!(html.contains(&code));
    assert!(html.contains("aria-label=\"QR code to pay 100 pts. Hold it up to the machine"));
    assert!(html.contains("stays bright and awake"));
    // A desktop leaves the monitor alone, and does not say otherwise.
    let view = code_on_screen();
    let desktop = render(DesktopPlayHarness, DesktopPlayHarnessProps { view });
    assert!(!desktop.contains("stays bright"));
    assert!(html.contains(">Cancel</button>"));
}

#[test]
fn play_shows_processing_then_the_outcome_and_new_balance() {
    let processing = play_view(
        |m, c| {
            m.update(PlayEvent::Start, Some(c), T0);
            let pending = transaction(m, TransactionStatus::Pending, 900);
            m.update(PlayEvent::StatusChanged(pending), Some(c), T0);
        },
        T0,
    );
    let html = render(PlayHarness, PlayHarnessProps { view: processing });
    assert!(html.contains("Processing…"));
    assert!(html.contains("tone-working"));

    let dispensed = play_view(
        |m, c| {
            m.update(PlayEvent::Start, Some(c), T0);
            let done = transaction(m, TransactionStatus::Completed, 900);
            m.update(PlayEvent::StatusChanged(done), Some(c), T0);
        },
        T0,
    );
    let html = render(PlayHarness, PlayHarnessProps { view: dispensed });
    assert!(html.contains("Dispensed! Enjoy your prize."));
    assert!(html.contains("New balance: 900 pts"));
    assert!(html.contains(">Play again</button>"));

    let refunded = play_view(
        |m, c| {
            m.update(PlayEvent::Start, Some(c), T0);
            let mut view = transaction(m, TransactionStatus::Refunded, 1000);
            view.refund_reason = Some(RefundReason::NoOutcome);
            m.update(PlayEvent::StatusChanged(view), Some(c), T0);
        },
        T0,
    );
    let html = render(PlayHarness, PlayHarnessProps { view: refunded });
    assert!(html.contains("The machine did not answer: points refunded"));
    assert!(html.contains("New balance: 1,000 pts"));
}

#[test]
fn play_explains_a_refusal_and_the_next_step() {
    let refused = play_view(
        |m, c| {
            m.update(PlayEvent::Start, Some(c), T0);
            let mut view = transaction(m, TransactionStatus::Rejected, 40);
            view.error = Some(ErrorBody::new(ErrorCode::InsufficientPoints, "x"));
            m.update(PlayEvent::StatusChanged(view), Some(c), T0);
        },
        T0,
    );
    let html = render(PlayHarness, PlayHarnessProps { view: refused });
    assert!(html.contains("Refused: Not enough points"));
    assert!(html.contains("Nothing was charged."));
    assert!(html.contains("Top up"));
}

#[component]
fn HistoryHarness(view: HistoryView) -> Element {
    rsx! { HistoryScreen { view, on_event: |_| {} } }
}

/// The history screen's view after a page of `entries` (and `next_before`) and,
/// optionally, a failed refresh.
fn history_view(
    entries: Vec<HistoryEntry>,
    next_before: Option<i64>,
    problem: Option<UserMessage>,
) -> HistoryView {
    let mut model = HistoryModel::default();
    model.update(HistoryEvent::Loaded {
        page: HistoryPage {
            entries,
            next_before,
        },
        appended: false,
    });
    if let Some(problem) = problem {
        model.update(HistoryEvent::Refresh);
        model.update(HistoryEvent::Failed(problem));
    }
    model.view(&zone())
}

#[test]
fn history_lists_plays_refunds_and_top_ups_with_dates_and_signs() {
    let entries = vec![
        entry(
            3,
            HistoryKind::Refund,
            100,
            Some(TransactionStatus::Refunded),
        ),
        entry(
            2,
            HistoryKind::Play,
            -100,
            Some(TransactionStatus::Refunded),
        ),
        entry(1, HistoryKind::TopUp, 500, None),
    ];
    let html = render(
        HistoryHarness,
        HistoryHarnessProps {
            view: history_view(entries, Some(1), None),
        },
    );
    assert!(html.contains("Refund: Demo capsule machine failed to dispense"));
    assert!(html.contains("+100"));
    assert!(html.contains("\u{2212}100"));
    assert!(html.contains("Not dispensed"));
    assert!(html.contains("Top-up by card"));
    assert!(html.contains("+500"));
    assert!(html.contains("23 Nov 10:02"));
    assert!(html.contains("Show older"));

    let empty = render(
        HistoryHarness,
        HistoryHarnessProps {
            view: history_view(vec![], None, Some(UserMessage::offline())),
        },
    );
    assert!(empty.contains("Nothing here yet"));
    assert!(empty.contains("You're offline"));
    assert!(!empty.contains("Show older"));
}

#[component]
fn SignInHarness(message: Option<UserMessage>) -> Element {
    let view = SignIn::signed_out(message)
        .sign_in_view("http://127.0.0.1:8080")
        .unwrap();
    rsx! { SignInScreen { view, on_event: |_| {} } }
}

#[test]
fn sign_in_names_the_server_and_explains_a_refusal() {
    let html = render(
        SignInHarness,
        SignInHarnessProps {
            message: Some(UserMessage::for_code(ErrorCode::InvalidCredentials)),
        },
    );
    assert!(html.contains("Server: http://127.0.0.1:8080"));
    assert!(html.contains("Wrong username or password"));
    assert!(html.contains("autocomplete=\"current-password\""));
    assert!(html.contains("New here? Create an account"));
}

#[component]
fn SignUpHarness() -> Element {
    let mut session = SignIn::signed_out(None);
    session.update(SignInEvent::SwitchForm);
    let view = session.sign_in_view("http://127.0.0.1:8080").unwrap();
    rsx! { SignInScreen { view, on_event: |_| {} } }
}

#[test]
fn the_create_an_account_form_shows_the_rules_and_asks_for_a_new_password() {
    let html = render_dom(VirtualDom::new(SignUpHarness));
    assert!(html.contains("Create your GashaPay account"));
    assert!(html.contains("3 to 32 characters"));
    assert!(html.contains("At least 8 characters"));
    assert!(html.contains("autocomplete=\"new-password\""));
    assert!(html.contains(">Create account</button>"));
    assert!(html.contains("I already have an account"));
}

#[component]
fn TopUpHarness(answer: Option<TopUpEvent>) -> Element {
    let mut model = TopUpModel::default();
    if let Some(answer) = answer {
        model.update(TopUpEvent::Pay);
        model.update(answer);
    }
    rsx! { TopUpScreen { view: model.view(), on_event: |_| {} } }
}

#[test]
fn top_up_shows_the_result_or_the_decline() {
    let ok = render(
        TopUpHarness,
        TopUpHarnessProps {
            answer: Some(TopUpEvent::Paid(TopUpResponse {
                top_up_id: "tu_1".into(),
                amount: Points(500),
                balance: Points(1400),
            })),
        },
    );
    assert!(ok.contains("Added 500 pts. New balance: 1,400 pts"));
    assert!(ok.contains("Test card (declined)"));
    let declined = render(
        TopUpHarness,
        TopUpHarnessProps {
            answer: Some(TopUpEvent::Failed(CallFailure {
                message: UserMessage::for_code(ErrorCode::PaymentDeclined),
                ends_session: false,
                transient: false,
            })),
        },
    );
    assert!(declined.contains("Payment declined"));
    assert!(declined.contains("Check the card details or use another card"));
}

#[component]
fn MessageHarness(message: UserMessage) -> Element {
    rsx! { MessageBox { message } }
}

#[test]
fn every_error_the_core_can_return_renders_with_its_next_step_if_any() {
    for &code in ErrorCode::ALL {
        let message = UserMessage::for_code(code);
        let html = render(
            MessageHarness,
            MessageHarnessProps {
                message: message.clone(),
            },
        );
        assert!(html.contains(&message.title), "{code}");
        match message.next_step.label() {
            Some(label) => assert!(html.contains(&label), "{code}: {html}"),
            // A refusal no retry can change: the detail says what holds, nothing more.
            None => assert!(
                !html.contains("message-hint") && !html.contains("<button"),
                "{code}: {html}"
            ),
        }
        assert!(html.contains("role=\"alert\""));
    }
}

#[component]
fn SettingsHarness(server: ServerModel) -> Element {
    let device = DeviceCredentials {
        device_id: DeviceId(3),
        ..creds()
    };
    let address = server.address.clone().unwrap_or_default();
    let view = settings_view(&address, server.demo, Some(&device), &Keychain::System);
    rsx! { SettingsScreen { view, server: server.view(), on_server: |_| {}, on_language: |_| {}, on_sign_out: |_| {} } }
}

#[test]
fn settings_show_server_device_keychain_and_sign_out() {
    let demo = ServerModel::new(Some("http://127.0.0.1:9".into()), true);
    let html = render(SettingsHarness, SettingsHarnessProps { server: demo });
    assert!(html.contains("http://127.0.0.1:9"));
    assert!(html.contains("built-in demo server"));
    assert!(
        !html.contains("<input"),
        "the demo server is not edited: {html}"
    );
    assert!(html.contains("Device 3 of user 1"));
    assert!(html.contains("The system keychain"));
    assert!(html.contains(">Sign out</button>"));
}

#[test]
fn settings_offer_to_change_a_real_server_and_say_when_it_was_not_kept() {
    let mut server = ServerModel::new(Some("https://pay.example.com".into()), false);
    let html = render(
        SettingsHarness,
        SettingsHarnessProps {
            server: server.clone(),
        },
    );
    assert!(html.contains("value=\"https://pay.example.com\""), "{html}");
    assert!(html.contains(">Check and use</button>"));

    server.update(ServerEvent::Submit("https://other.example".into()));
    let html = render(
        SettingsHarness,
        SettingsHarnessProps {
            server: server.clone(),
        },
    );
    assert!(html.contains(">Checking…</button>"));
    server.update(ServerEvent::Checked {
        address: "https://other.example".into(),
        answer: Err(UserMessage::server_unreachable()),
    });
    let html = render(SettingsHarness, SettingsHarnessProps { server });
    assert!(html.contains("No GashaPay server answers there"));
    assert!(html.contains("value=\"https://pay.example.com\""));
}

#[component]
fn ServerHarness(server: ServerModel) -> Element {
    rsx! { ServerScreen { view: server.view(), on_event: |_| {} } }
}

#[test]
fn with_no_server_set_the_app_asks_for_one() {
    let html = render(
        ServerHarness,
        ServerHarnessProps {
            server: ServerModel::new(None, false),
        },
    );
    assert!(html.contains("Which GashaPay server?"));
    assert!(html.contains("e.g. https://pay.example.com"));
    assert!(html.contains("type=\"url\""));
    assert!(!html.contains("api.gashapay.example"));
}

#[component]
fn DemoHarness(can_scan: bool) -> Element {
    rsx! {
        DemoPanel {
            can_scan,
            plan: DispensePlan::Fail,
            log: vec!["Backend accepted: 100 pts taken".to_string()],
            on_plan: |_| {},
            on_scan: |_| {},
            machine_code_image: "data:image/svg+xml;base64,AAAA".to_string(),
            order_image: None,
            on_phone_scans: |_| {},
            on_sell: |_| {},
            on_order: |_| {},
            cabinet: "Show your code at the reader: 100 pts".to_string(),
            on_press_start: |_| {},
            on_pay_at_reader: |_| {},
            stand_images: Some([
                "data:image/svg+xml;base64,VVVV".to_string(),
                "data:image/svg+xml;base64,SSSS".to_string(),
                "data:image/svg+xml;base64,EEEE".to_string(),
            ]),
            on_phone_scans_reward: |_| {},
        }
    }
}

#[test]
fn the_demo_panel_scans_only_when_a_code_is_on_screen() {
    let idle = render(DemoHarness, DemoHarnessProps { can_scan: false });
    assert!(idle.contains("Emulated machine"));
    assert!(idle.contains("disabled"));
    assert!(idle.contains("Show a QR code in the app first."));
    let ready = render(DemoHarness, DemoHarnessProps { can_scan: true });
    assert!(!ready.contains("first."));
    assert!(ready.contains("Jam → refund"));
    assert!(ready.contains("No answer → refund by timeout"));
    assert!(ready.contains("Backend accepted: 100 pts taken"));
    // The machine's own printed code, and what it sells.
    assert!(ready.contains("The machine's own code"));
    assert!(ready.contains("src=\"data:image/svg+xml;base64,AAAA\""));
    assert!(ready.contains("Scan with the phone"));
    assert!(ready.contains("Sell Capsule A (100)") && ready.contains("Order Big prize (500)"));
    // The arcade cabinet: its screen, its start button, and its reader, which takes
    // the code in the app only when one is on screen.
    assert!(ready.contains("Arcade cabinet"));
    assert!(ready.contains("Show your code at the reader: 100 pts"));
    assert!(ready.contains("Press start"));
    let pay_button = |html: &str| {
        let at = html.find("Pay at the reader").expect("the reader's button");
        let opening = html[..at].rfind("<button").expect("a button");
        html[opening..at].contains("disabled")
    };
    assert!(pay_button(&idle), "no code in the app, nothing to pay with");
    // The reward stand: a visit code, and a start / end pair, each to scan.
    assert!(ready.contains("Reward stand"));
    for (label, image) in [
        ("Visit code", "VVVV"),
        ("Start code", "SSSS"),
        ("End code", "EEEE"),
    ] {
        let at = ready.find(label).expect(label);
        assert!(ready[at..].contains(image), "{label}");
    }
    assert!(!pay_button(&ready));
}

#[component]
fn MachineHarness(model: MachinePayModel) -> Element {
    rsx! { MachineScreen { view: model.view(&zone()), on_event: |_| {} } }
}

/// The machine screen after `events`.
fn machine_screen(events: Vec<MachinePayEvent>) -> String {
    let mut model = MachinePayModel::default();
    for event in events {
        model.update(event, T0);
    }
    render(MachineHarness, MachineHarnessProps { model })
}

fn printed_code_info() -> MachineCodeInfo {
    MachineCodeInfo {
        code_id: "mc_abcdefghij234567klmn".into(),
        machine_id: gashapay_core::MachineId("m_demo".into()),
        machine_name: "Demo capsule machine".into(),
        load_choices: vec![Points(100), Points(500)],
        busy: false,
    }
}

fn open_machine_session() -> SessionView {
    SessionView {
        session_id: uuid::Uuid::nil(),
        machine_id: gashapay_core::MachineId("m_demo".into()),
        machine_name: "Demo capsule machine".into(),
        status: SessionStatus::Open,
        loaded: Points(500),
        spent: Points(150),
        remaining: Points(350),
        purchases: vec![PurchaseView {
            item: "Capsule A".into(),
            points: Points(150),
            at: Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap(),
        }],
        ended_by: None,
        refunded: None,
        idle_deadline: Some(Utc.with_ymd_and_hms(2026, 12, 3, 10, 5, 0).unwrap()),
        version: 2,
        balance: Some(Points(500)),
    }
}

#[test]
fn the_machine_screen_offers_amounts_then_shows_the_session_with_its_purchases() {
    let choosing = machine_screen(vec![
        MachinePayEvent::MachineCodeLoaded(printed_code_info()),
    ]);
    assert!(choosing.contains("Demo capsule machine"));
    assert!(choosing.contains("aria-checked=\"true\""));
    assert!(choosing.contains("Load 100 pts") && choosing.contains("Cancel"));
    // The session as the server has it (after a restart, or the machine screen left
    // and opened again from the home screen's card).
    let live = machine_screen(vec![
        MachinePayEvent::Resume(open_machine_session()),
        MachinePayEvent::ShowOpenSession,
    ]);
    assert!(live.contains("350 pts left"));
    assert!(live.contains("Capsule A · 150 pts"));
    assert!(live.contains("End session"));
    let foreign = machine_screen(vec![MachinePayEvent::Open("https://example.com/".into())]);
    assert!(foreign.contains("This is not a GashaPay code"));
}

/// Every screen, in every state a user meets, as the html a user would read.
fn every_screen() -> Vec<(&'static str, String)> {
    let balance = {
        let mut model = BalanceModel::default();
        model.loaded(
            Points(12_500),
            Utc.with_ymd_and_hms(2026, 11, 23, 10, 2, 7).unwrap(),
        );
        model.failed(UserMessage::offline());
        model.view(&zone())
    };
    let rows: Vec<_> = [
        entry(
            3,
            HistoryKind::Refund,
            100,
            Some(TransactionStatus::Refunded),
        ),
        entry(
            2,
            HistoryKind::Play,
            -100,
            Some(TransactionStatus::Completed),
        ),
    ]
    .iter()
    .map(|e| history_row(e, &zone()))
    .collect();
    let showing = code_on_screen();
    let finished = play_view(
        |m, c| {
            m.update(PlayEvent::Start, Some(c), T0);
            let mut refused = transaction(m, TransactionStatus::Rejected, 40);
            refused.error = Some(ErrorBody::new(ErrorCode::InsufficientPoints, "no"));
            m.update(PlayEvent::StatusChanged(refused), Some(c), T0);
        },
        T0 + 5,
    );
    vec![
        (
            "home",
            render(
                HomeHarness,
                HomeHarnessProps {
                    balance,
                    recent: rows,
                    session_card: Some(session_card()),
                },
            ),
        ),
        (
            "play, choosing",
            render(
                PlayHarness,
                PlayHarnessProps {
                    view: play_view(|_, _| {}, T0),
                },
            ),
        ),
        (
            "play, code on screen",
            render(PlayHarness, PlayHarnessProps { view: showing }),
        ),
        (
            "play, refused",
            render(PlayHarness, PlayHarnessProps { view: finished }),
        ),
        (
            "history",
            render(
                HistoryHarness,
                HistoryHarnessProps {
                    view: history_view(
                        vec![entry(
                            1,
                            HistoryKind::Play,
                            -100,
                            Some(TransactionStatus::Refunded),
                        )],
                        Some(1),
                        None,
                    ),
                },
            ),
        ),
        (
            "sign in",
            render(
                SignInHarness,
                SignInHarnessProps {
                    message: Some(UserMessage::for_code(ErrorCode::InvalidCredentials)),
                },
            ),
        ),
        ("sign up", render_dom(VirtualDom::new(SignUpHarness))),
        (
            "top up",
            render(TopUpHarness, TopUpHarnessProps { answer: None }),
        ),
        (
            "settings",
            render(
                SettingsHarness,
                SettingsHarnessProps {
                    server: ServerModel::new(Some("https://pay.example.com".into()), false),
                },
            ),
        ),
        (
            "server",
            render(
                ServerHarness,
                ServerHarnessProps {
                    server: ServerModel::new(None, false),
                },
            ),
        ),
        (
            "machine, choosing the points to load",
            machine_screen(vec![
                MachinePayEvent::MachineCodeLoaded(printed_code_info()),
            ]),
        ),
        (
            "machine, a foreign link",
            machine_screen(vec![MachinePayEvent::Open("https://example.com/".into())]),
        ),
        (
            "reward, time running",
            render(
                RewardHarness,
                RewardHarnessProps {
                    model: running_reward(),
                },
            ),
        ),
    ]
}

#[test]
fn every_screen_renders_in_every_language_with_no_missing_message() {
    let english = every_screen();
    for &language in Language::ALL {
        let t = Texts::of(language);
        let screens = speaking(language, every_screen);
        for ((name, html), (_, english_html)) in screens.iter().zip(&english) {
            assert!(!html.contains(MISSING), "{name} in {language:?}: {html}");
            assert!(
                !html.contains("{$"),
                "{name} in {language:?}: an unfilled value: {html}"
            );
            if language != Language::En {
                assert_ne!(
                    html, english_html,
                    "{name} in {language:?} is still English"
                );
            }
        }
        let play = &screens[1].1;
        assert!(play.contains(&t.how_many_points), "{language:?}: {play}");
        let settings = &screens[8].1;
        assert!(
            settings.contains("日本語") && settings.contains("한국어"),
            "{settings}"
        );
        assert!(
            settings.contains(&format!("aria-checked=\"true\">{}", language.own_name())),
            "{language:?}: the language spoken is the one chosen: {settings}"
        );
    }
    let japanese = speaking(Language::Ja, every_screen);
    assert!(japanese[0].1.contains("12,500 pt"), "{}", japanese[0].1);
    assert!(japanese[1].1.contains("何ポイント使いますか？"));
    let spanish = speaking(Language::Es, every_screen);
    assert!(spanish[0].1.contains("12.500 puntos"), "{}", spanish[0].1);
    assert!(spanish[0].1.contains("23 nov 10:02"), "{}", spanish[0].1);
}
