//! Launches the GashaPay app. The server, first found wins: `--server URL` (or
//! `GASHAPAY_SERVER`) on desktop; the one chosen in Settings on an earlier run; the
//! one the build carries (`GASHAPAY_APP_SERVER` when compiling, for phone builds);
//! on desktop, demo mode with the built-in backend. With none, the app asks.

use dioxus::prelude::*;
use gashapay_app::connection::connect;
use gashapay_app::pages::App;
use gashapay_app::services::Services;
use gashapay_core::app::saved::{SavedState, SavedStateFile, SavedStateStore};
use gashapay_core::app::scanner_screen::ScreenForCodes;
use gashapay_core::client::PollConfig;
use std::path::Path;
use std::sync::{Arc, RwLock};

/// The server a phone build carries, fixed when it was compiled.
const BUILD_SERVER: Option<&str> = option_env!("GASHAPAY_APP_SERVER");

fn server_from_args() -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--server" {
            return args.next();
        }
        if let Some(url) = arg.strip_prefix("--server=") {
            return Some(url.to_owned());
        }
    }
    std::env::var("GASHAPAY_SERVER")
        .ok()
        .filter(|s| !s.is_empty())
}

fn saved_state(data_dir: Option<&Path>) -> SavedStateStore {
    let Some(dir) = data_dir else {
        return SavedStateStore::in_memory(SavedState::default());
    };
    let (saved, problem) = SavedStateStore::open(SavedStateFile::in_dir(dir));
    if let Some(problem) = problem {
        eprintln!("gashapay-app: starting afresh: {problem}");
    }
    saved
}

#[cfg(feature = "demo")]
fn start_demo(data_dir: Option<&Path>) -> Arc<gashapay_app::demo::DemoEnv> {
    let dir = data_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| std::env::temp_dir().join("gashapay"));
    match gashapay_app::demo::start_backend(&dir) {
        Ok(env) => {
            // For testers and test scripts: where the demo lives.
            println!("GASHAPAY_DEMO_SERVER={}", env.server_url);
            println!("GASHAPAY_DEMO_DATABASE={}", env.database.display());
            Arc::new(env)
        }
        Err(error) => {
            eprintln!("gashapay-app: cannot start the demo backend: {error}");
            std::process::exit(1);
        }
    }
}

fn main() {
    gashapay_app::platform::paint_directly_without_gpu();
    // Info, not debug: the in-process demo backend logs every request at debug.
    dioxus::logger::init(dioxus::logger::tracing::Level::INFO).ok();
    let data_dir = gashapay_app::platform::data_dir();
    let saved = saved_state(data_dir.as_deref());
    let language = saved
        .get()
        .language
        .unwrap_or_else(gashapay_app::platform::system_language);
    gashapay_core::app::i18n::set_language(language);
    let chosen = server_from_args()
        .or_else(|| saved.get().server)
        .or_else(|| BUILD_SERVER.map(str::to_owned));
    #[cfg(feature = "demo")]
    let demo = chosen.is_none().then(|| start_demo(data_dir.as_deref()));
    #[cfg(feature = "demo")]
    let server = chosen.or_else(|| demo.as_ref().map(|env| env.server_url.clone()));
    #[cfg(not(feature = "demo"))]
    let server = chosen;

    let connection = match server.as_deref().map(connect).transpose() {
        Ok(connection) => connection,
        Err(error) => {
            eprintln!("gashapay-app: {error}");
            std::process::exit(1);
        }
    };
    let services = Services {
        connection: Arc::new(RwLock::new(connection)),
        poll: PollConfig::default(),
        saved: Arc::new(saved),
        watches: Default::default(),
        screen: Arc::new(ScreenForCodes::new(gashapay_app::platform::scanner_screen())),
        #[cfg(feature = "demo")]
        demo: demo.clone(),
    };

    let builder = LaunchBuilder::new().with_context(services);
    #[cfg(feature = "desktop")]
    let builder = {
        use dioxus::desktop::{Config, LogicalSize, WindowBuilder};
        #[cfg(feature = "demo")]
        let has_panel = demo.is_some();
        #[cfg(not(feature = "demo"))]
        let has_panel = false;
        let width = if has_panel { 820.0 } else { 420.0 };
        builder.with_cfg(
            Config::new().with_menu(None).with_window(
                WindowBuilder::new()
                    .with_title(&gashapay_core::app::text::texts().app_name)
                    .with_inner_size(LogicalSize::new(width, 760.0)),
            ),
        )
    };
    builder.launch(App);
}
