//! The router, the shell around every page, and the page containers that connect
//! screens to state and services.

use crate::screens::*;
use crate::services::{self, dispatch, use_services};
use crate::state::{use_app_state, AppState};
use dioxus::prelude::*;
use gashapay_core::app::model::AppEvent;
use gashapay_core::app::play::PlayEvent;
use gashapay_core::app::server::ServerModel;
use gashapay_core::app::settings::{settings_view, Keychain};
use gashapay_core::app::sign_in::SignIn;
use gashapay_core::app::text::texts;
use gashapay_core::clock::unix_now;

#[derive(Routable, Clone, PartialEq, Debug)]
#[rustfmt::skip]
pub enum Route {
    #[layout(Shell)]
        #[route("/")]
        Home {},
        #[route("/play")]
        Play {},
        #[route("/history")]
        History {},
        #[route("/topup")]
        TopUp {},
        #[route("/settings")]
        Settings {},
        #[route("/machine")]
        Machine {},
        #[route("/reward")]
        Reward {},
}

/// The root: state, the clock, start-up, the stylesheet, the router.
#[component]
pub fn App() -> Element {
    let services = use_services();
    let server = ServerModel::new(
        services.client().map(|client| client.base_url().to_owned()),
        services.is_demo(),
    );
    let state = use_context_provider(|| AppState::new(server));
    let start_services = services.clone();
    use_hook(move || services::start(state, &start_services));
    #[cfg(feature = "desktop")]
    crate::page_text::use_page_text();
    use_future(move || {
        let services = services.clone();
        async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                // A shown code changes by itself once a minute and at its renewal:
                // the model is woken (and the screen redrawn) only then.
                let due = state.model.peek().play_changes_at();
                if due.is_some_and(|at| unix_now() >= at) {
                    dispatch(state, &services, AppEvent::Play(PlayEvent::Tick));
                }
            }
        }
    });
    rsx! {
        // The page may draw under a phone's notch and home bar; the stylesheet keeps
        // content inside the safe area.
        document::Meta {
            name: "viewport",
            content: "width=device-width, initial-scale=1, viewport-fit=cover",
        }
        style { {crate::STYLESHEET} }
        if let Some(percent) = crate::platform::text_scale() {
            style { ":root {{ font-size: {percent}%; }}" }
        }
        Router::<Route> {}
    }
}

fn local_zone() -> chrono::FixedOffset {
    *chrono::Local::now().offset()
}

#[component]
fn Shell() -> Element {
    let state = use_app_state();
    let services = use_services();
    use_opened_links(state, services.clone());
    let t = texts();
    // Read so that a new language redraws the shell; the keyed list of one below
    // remounts every screen under it (a key counts only in a list), so each page
    // builds its view and texts again.
    let language = use_memo(move || state.model.read().language)();
    let route = use_route::<Route>();
    let tabs = [
        (Route::Home {}, &t.tab_home),
        (Route::Play {}, &t.tab_play),
        (Route::History {}, &t.tab_history),
        (Route::TopUp {}, &t.tab_top_up),
        (Route::Settings {}, &t.tab_settings),
    ];
    // Memos: the shell redraws when the sign-in or the server changes, not at every
    // change of the model.
    let sign_in = use_memo(move || state.model.read().sign_in.clone());
    let server = use_memo(move || state.model.read().server.clone());
    let (sign_in, server) = (sign_in(), server());
    let address = server.address.clone().unwrap_or_default();
    let phone = match sign_in.sign_in_view(&address) {
        _ if server.needs_server() => rsx! {
            ServerScreen {
                view: server.view(),
                on_event: move |event| dispatch(state, &services, AppEvent::Server(event)),
            }
        },
        Some(view) => rsx! {
            SignInScreen {
                view,
                on_event: move |event| dispatch(state, &services, AppEvent::SignInForm(event)),
            }
        },
        None if sign_in == SignIn::Starting => {
            rsx! { p { class: "screen muted", "{t.starting}" } }
        }
        None => rsx! {
            main { class: "page", Outlet::<Route> {} }
            nav { class: "tabs", aria_label: t.main_navigation.clone(),
                for (to, label) in tabs {
                    Link {
                        class: "tab",
                        active_class: "active",
                        aria_current: if to == route { "page" } else { "false" },
                        to: to.clone(),
                        "{label}"
                    }
                }
            }
        },
    };
    rsx! {
        div { class: "layout",
            for spoken in [language] {
                div { class: "phone", key: "{spoken.as_str()}", lang: spoken.as_str(), {phone.clone()} }
            }
            DemoSide {}
        }
    }
}

/// Links the system hands the app (a phone's camera, another app) open on the machine
/// page, through the same handler as the demo's "Scan with the phone". iOS and macOS
/// tell the event loop; Android gives the link as the activity's intent, read at start
/// and at each resume.
fn use_opened_links(state: AppState, services: services::Services) {
    #[cfg(feature = "desktop")]
    use dioxus::desktop as shell;
    #[cfg(all(feature = "mobile", not(feature = "desktop")))]
    use dioxus::mobile as shell;
    let navigator = use_navigator();
    let open = move |link: String| {
        navigator.push(crate::links::open_link(state, &services, link));
    };
    let open_at_start = open.clone();
    use_hook(move || {
        if let Some(link) = crate::platform::take_opened_link() {
            open_at_start(link);
        }
    });
    shell::use_wry_event_handler(move |event, _| match event {
        shell::tao::event::Event::Opened { urls } => {
            for url in urls {
                open(url.to_string());
            }
        }
        shell::tao::event::Event::Resumed => {
            if let Some(link) = crate::platform::take_opened_link() {
                open(link);
            }
        }
        _ => {}
    });
}

/// The emulated machine panel, in demo mode only.
#[cfg(feature = "demo")]
#[component]
fn DemoSide() -> Element {
    use gashapay_core::status::DispensePlan;
    let state = use_app_state();
    let services = use_services();
    let mut plan = use_signal(|| DispensePlan::Ok);
    let mut log = use_signal(Vec::<String>::new);
    let Some(demo) = services.demo.clone() else {
        return rsx! {};
    };
    let code_on_screen = use_memo(move || match &state.model.read().account.play.phase {
        gashapay_core::app::play::PlayPhase::Showing { code } => Some(code.to_text()),
        _ => None,
    })();
    let mut order = use_signal(|| None::<String>);
    let machine_code_link = demo.machine_code_link();
    let machine_code_image = use_hook(|| {
        gashapay_core::qr::render::svg_data_url(&machine_code_link).unwrap_or_default()
    });
    let order_image = order
        .read()
        .as_deref()
        .and_then(|link| gashapay_core::qr::render::svg_data_url(link).ok());
    let navigator = use_navigator();
    let mut cabinet = use_signal(|| gashapay_core::app::demo::CabinetShows::PressStart);
    let arcade = demo.arcade.clone();
    // The cabinet's game asks its reader while it waits for a coin (every 0.1 s, as
    // the seed's games do); its screen and the reader's log follow.
    use_future(move || {
        let arcade = arcade.clone();
        async move {
            loop {
                let shows = arcade.tick().await;
                if *cabinet.peek() != shows {
                    cabinet.set(shows);
                }
                let lines = arcade.take_log();
                if !lines.is_empty() {
                    log.write().extend(lines);
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    });
    let (start_arcade, pay_arcade) = (demo.arcade.clone(), demo.arcade.clone());
    // The reward stand's codes; the visit code is renewed when it dies, as a stand's
    // screen would.
    let mut stand = use_signal(|| None::<crate::demo_rewards::StandCodes>);
    let stand_demo = demo.reward_stand.clone();
    use_future(move || {
        let stand_demo = stand_demo.clone();
        async move {
            loop {
                let current = stand.peek().clone();
                let now = chrono::Utc::now().timestamp();
                let next = match current {
                    None => stand_demo.codes().await.map(Some),
                    Some(mut codes) if codes.visit_expires <= now => stand_demo
                        .renew_visit(&mut codes)
                        .await
                        .map(|_| Some(codes)),
                    Some(_) => Ok(None),
                };
                match next {
                    Ok(Some(codes)) => stand.set(Some(codes)),
                    Ok(None) => {}
                    Err(error) => log.write().push(gashapay_core::app::demo::log_line(
                        &gashapay_core::app::demo::DemoStep::Failed { error },
                    )),
                }
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
        }
    });
    let stand_codes = stand.read().clone();
    let stand_images = use_memo(move || {
        stand().map(|codes| {
            [codes.visit, codes.start, codes.end]
                .map(|link| gashapay_core::qr::render::svg_data_url(&link).unwrap_or_default())
        })
    });
    let reward_services = services.clone();
    let code_for_reader = code_on_screen.clone();
    let (sell_demo, order_demo, scan_services) = (demo.clone(), demo.clone(), services.clone());
    rsx! {
        DemoPanel {
            can_scan: code_on_screen.is_some(),
            plan: plan(),
            log: log(),
            on_plan: move |choice| plan.set(choice),
            on_scan: move |_| {
                let Some(code) = code_on_screen.clone() else { return };
                let demo = demo.clone();
                log.set(Vec::new());
                spawn(async move {
                    demo.scan(&code, plan(), |line| log.write().push(line)).await;
                });
            },
            machine_code_image,
            order_image,
            // The same handler a phone's camera hands a link to.
            on_phone_scans: move |of_order: bool| {
                let link = if of_order { order.read().clone() } else { Some(machine_code_link.clone()) };
                let Some(link) = link else { return };
                navigator.push(crate::links::open_link(state, &scan_services, link));
            },
            on_sell: move |index: usize| {
                let (item, points) = gashapay_core::app::demo::DEMO_ITEMS[index];
                let demo = sell_demo.clone();
                spawn(async move {
                    demo.sell(item, gashapay_core::Points(points), |line| log.write().push(line)).await;
                });
            },
            on_order: move |index: usize| {
                let (item, points) = gashapay_core::app::demo::DEMO_ITEMS[index];
                let demo = order_demo.clone();
                let new_order = demo.new_order(item, gashapay_core::Points(points));
                order.set(Some(demo.machine.order_link(&new_order)));
                log.set(Vec::new());
                spawn(async move {
                    demo.sell_order(&new_order, plan(), |line| log.write().push(line)).await;
                });
            },
            cabinet: cabinet().line(),
            on_press_start: move |_| {
                let arcade = start_arcade.clone();
                spawn(async move { arcade.press_start().await });
            },
            stand_images: stand_images(),
            on_phone_scans_reward: move |index: usize| {
                let Some(codes) = stand_codes.clone() else { return };
                let link = [codes.visit, codes.start, codes.end][index.min(2)].clone();
                navigator.push(crate::links::open_link(state, &reward_services, link));
            },
            on_pay_at_reader: move |_| {
                let Some(code) = code_for_reader.clone() else { return };
                let arcade = pay_arcade.clone();
                spawn(async move { arcade.pay(&code).await });
            },
        }
    }
}

#[cfg(not(feature = "demo"))]
#[component]
fn DemoSide() -> Element {
    rsx! {}
}

/// Earning a partner's reward whose code was opened (a link).
#[component]
fn Reward() -> Element {
    let state = use_app_state();
    let services = use_services();
    let view = state.model.read().account.reward.view();
    rsx! {
        RewardScreen {
            view,
            on_event: move |event| dispatch(state, &services, AppEvent::Reward(event)),
        }
    }
}

/// Paying at a machine whose code was opened (a link), or the open session.
#[component]
fn Machine() -> Element {
    let state = use_app_state();
    let services = use_services();
    let view = state.model.read().account.machine_pay.view(&local_zone());
    rsx! {
        MachineScreen {
            view,
            on_event: move |event| dispatch(state, &services, AppEvent::MachinePay(event)),
        }
    }
}

#[component]
fn Home() -> Element {
    let state = use_app_state();
    let services = use_services();
    let navigator = use_navigator();
    let zone = local_zone();
    // The reward card counts minutes: redraw twice a minute while one shows.
    let mut ticks = use_signal(|| 0u64);
    use_future(move || async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            if state.model.peek().account.reward.running.is_some() {
                ticks += 1;
            }
        }
    });
    let _ = ticks();
    let (balance, recent, reward_card, session_card) = {
        let model = state.model.read();
        let account = &model.account;
        (
            account.balance.view(&zone),
            account.history.recent(&zone),
            account.reward.card(chrono::Utc::now()),
            account.machine_pay.card(),
        )
    };
    let (reward_services, session_services) = (services.clone(), services.clone());
    rsx! {
        HomeScreen {
            balance,
            recent,
            reward_card,
            session_card,
            on_play: move |_| {
                navigator.push(Route::Play {});
            },
            on_refresh: move |_| dispatch(state, &services, AppEvent::RefreshBalance),
            on_dismiss_reward: move |_| {
                let event = gashapay_core::app::reward::RewardEvent::DismissCard;
                dispatch(state, &reward_services, AppEvent::Reward(event));
            },
            on_show_session: move |_| {
                let event = gashapay_core::app::machine_pay::MachinePayEvent::ShowOpenSession;
                dispatch(state, &session_services, AppEvent::MachinePay(event));
                navigator.push(Route::Machine {});
            },
        }
    }
}

#[component]
fn Play() -> Element {
    let state = use_app_state();
    let services = use_services();
    let view = state.model.read().play_view();
    // Brighten while a code shows; `follow` acts only when that changes, so each
    // redraw may ask. Leaving the page takes the code off screen, and puts a finished
    // play away.
    let screen = services.screen.clone();
    screen.follow(view.wants_full_brightness);
    let brightens = screen.brightens();
    let leave_services = services.clone();
    use_drop(move || {
        screen.follow(false);
        dispatch(state, &leave_services, AppEvent::LeftPlay);
    });
    rsx! {
        PlayScreen {
            view,
            brightens,
            on_event: move |event| dispatch(state, &services, AppEvent::Play(event)),
        }
    }
}

#[component]
fn History() -> Element {
    let state = use_app_state();
    let services = use_services();
    let view = state.model.read().account.history.view(&local_zone());
    rsx! {
        HistoryScreen {
            view,
            on_event: move |event| dispatch(state, &services, AppEvent::History(event)),
        }
    }
}

#[component]
fn TopUp() -> Element {
    let state = use_app_state();
    let services = use_services();
    let view = state.model.read().account.top_up.view();
    rsx! {
        TopUpScreen {
            view,
            on_event: move |event| dispatch(state, &services, AppEvent::TopUp(event)),
        }
    }
}

#[component]
fn Settings() -> Element {
    let state = use_app_state();
    let services = use_services();
    let navigator = use_navigator();
    let device = services.client().and_then(|c| c.device_credentials().ok());
    let server = state.model.read().server.clone();
    let keychain = services.keychain().unwrap_or(Keychain::System);
    let view = settings_view(
        server.address.as_deref().unwrap_or_default(),
        server.demo,
        device.as_ref(),
        &keychain,
    );
    let server_services = services.clone();
    let language_services = services.clone();
    rsx! {
        SettingsScreen {
            view,
            server: server.view(),
            on_server: move |event| dispatch(state, &server_services, AppEvent::Server(event)),
            on_language: move |language| {
                dispatch(state, &language_services, AppEvent::ChooseLanguage(language))
            },
            on_sign_out: move |_| {
                dispatch(state, &services, AppEvent::SignOut);
                // Whoever signs in next starts at home.
                navigator.replace(Route::Home {});
            },
        }
    }
}
