//! The router, the shell around every page, and the page containers that connect
//! screens to state and services.

use crate::screens::*;
use crate::services::{self, use_services, Keychain};
use crate::state::{use_app_state, AppState, Session};
use dioxus::prelude::*;
use gashapay_core::app::play::PlayEvent;
use gashapay_core::app::views::history_row;
use gashapay_core::device::unix_now;

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
}

/// The root: state, the clock, start-up, the stylesheet, the router.
#[component]
pub fn App() -> Element {
    let services = use_services();
    let state = use_context_provider(AppState::new);
    let start_services = services.clone();
    use_hook(move || {
        spawn(services::start(state, start_services));
    });
    use_future(move || {
        let services = services.clone();
        async move {
            let mut now = state.now;
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                now.set(unix_now());
                // Ticks drive a shown code's renewal; nothing else needs them.
                let showing = matches!(
                    state.play.read().phase,
                    gashapay_core::app::play::PlayPhase::Showing { .. }
                );
                if showing {
                    services::play_event(state, services.clone(), PlayEvent::Tick);
                }
            }
        }
    });
    rsx! {
        style { {crate::STYLESHEET} }
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
    let mut busy = use_signal(|| false);
    let session = state.session.read().clone();
    let phone = match session {
        Session::Starting => rsx! { p { class: "screen muted", "Starting…" } },
        Session::SignedOut { message } => {
            let services = services.clone();
            rsx! {
                SignInScreen {
                    server: services.server_url.clone(),
                    busy: busy(),
                    message,
                    on_submit: move |(username, password): (String, String)| {
                        busy.set(true);
                        let services = services.clone();
                        spawn(async move {
                            services::sign_in(state, services, username, password).await;
                            busy.set(false);
                        });
                    },
                }
            }
        }
        Session::SignedIn => rsx! {
            main { class: "page", Outlet::<Route> {} }
            nav { class: "tabs", aria_label: "Main",
                Link { to: Route::Home {}, class: "tab", "Home" }
                Link { to: Route::Play {}, class: "tab", "Play" }
                Link { to: Route::History {}, class: "tab", "History" }
                Link { to: Route::TopUp {}, class: "tab", "Top up" }
                Link { to: Route::Settings {}, class: "tab", "Settings" }
            }
        },
    };
    rsx! {
        div { class: "layout",
            div { class: "phone", {phone} }
            DemoSide {}
        }
    }
}

/// The emulated machine panel, in demo mode only.
#[cfg(feature = "demo")]
#[component]
fn DemoSide() -> Element {
    let state = use_app_state();
    let services = use_services();
    let mut outcome = use_signal(|| DemoOutcome::Dispense);
    let mut log = use_signal(Vec::<String>::new);
    let Some(demo) = services.demo.clone() else {
        return rsx! {};
    };
    let code_on_screen = match &state.play.read().phase {
        gashapay_core::app::play::PlayPhase::Showing { code } => Some(code.to_text()),
        _ => None,
    };
    rsx! {
        DemoPanel {
            can_scan: code_on_screen.is_some(),
            outcome: outcome(),
            log: log(),
            on_outcome: move |choice| outcome.set(choice),
            on_scan: move |_| {
                let Some(code) = code_on_screen.clone() else { return };
                let demo = demo.clone();
                log.set(Vec::new());
                spawn(async move {
                    demo.scan(&code, outcome(), |line| log.write().push(line)).await;
                });
            },
        }
    }
}

#[cfg(not(feature = "demo"))]
#[component]
fn DemoSide() -> Element {
    rsx! {}
}

#[component]
fn Home() -> Element {
    let state = use_app_state();
    let services = use_services();
    let navigator = use_navigator();
    let zone = local_zone();
    let balance = state.balance.read().view(&zone);
    let recent = state
        .history
        .read()
        .entries
        .iter()
        .take(5)
        .map(|entry| history_row(entry, &zone))
        .collect::<Vec<_>>();
    rsx! {
        HomeScreen {
            balance,
            recent,
            on_play: move |_| {
                navigator.push(Route::Play {});
            },
            on_refresh: move |_| {
                spawn(services::refresh_balance(state, services.clone()));
            },
        }
    }
}

#[component]
fn Play() -> Element {
    let state = use_app_state();
    let services = use_services();
    let view = state.play.read().view((state.now)());
    rsx! {
        PlayScreen {
            view,
            on_event: move |event| services::play_event(state, services.clone(), event),
        }
    }
}

#[component]
fn History() -> Element {
    let state = use_app_state();
    let services = use_services();
    let zone = local_zone();
    let model = state.history.read().clone();
    let rows = model
        .entries
        .iter()
        .map(|e| history_row(e, &zone))
        .collect::<Vec<_>>();
    let (more, refresh) = (services.clone(), services.clone());
    rsx! {
        HistoryScreen {
            rows,
            has_more: model.next_before.is_some(),
            loading: model.loading,
            problem: model.problem,
            on_more: move |_| {
                spawn(services::load_history(state, more.clone(), true));
            },
            on_refresh: move |_| {
                spawn(services::load_history(state, refresh.clone(), false));
            },
        }
    }
}

#[component]
fn TopUp() -> Element {
    let state = use_app_state();
    let services = use_services();
    let model = state.top_up.read().clone();
    rsx! {
        TopUpScreen {
            busy: model.busy,
            result: model.result,
            problem: model.problem,
            on_submit: move |(amount, token): (u64, String)| {
                spawn(services::top_up(state, services.clone(), amount, token));
            },
        }
    }
}

#[component]
fn Settings() -> Element {
    let state = use_app_state();
    let services = use_services();
    let device = match services.client.device_credentials() {
        Ok(creds) => format!("Device {} of user {}", creds.device_id, creds.user_id),
        Err(_) => "Not registered".into(),
    };
    let keychain = match &services.keychain {
        Keychain::System => "The system keychain".to_owned(),
        Keychain::MemoryOnly { reason } => format!("Memory only, until the app quits ({reason})"),
    };
    rsx! {
        SettingsScreen {
            server: services.server_url.clone(),
            device,
            keychain,
            demo: services.is_demo(),
            on_sign_out: move |_| {
                spawn(services::sign_out(state, services.clone()));
            },
        }
    }
}
