//! Launches the GashaPay app. Desktop: `--server URL` (or `GASHAPAY_SERVER`) points
//! it at a real server; without one it runs demo mode with the built-in backend.

use dioxus::prelude::*;
use gashapay_app::pages::App;
use gashapay_app::services::Services;
use gashapay_core::app::saved::{SavedState, SavedStateFile, SavedStateStore};
use gashapay_core::app::settings::Keychain;
use gashapay_core::client::{ApiClient, ClientConfig, PollConfig};
use gashapay_core::secrets::{MemorySecretStore, SecretStore};
use std::sync::Arc;

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

/// The platform's keystore if it works here, else memory (with the reason, shown in
/// settings).
fn secret_store(server: &str) -> (Arc<dyn SecretStore>, Keychain) {
    #[cfg(any(feature = "desktop", feature = "mobile"))]
    {
        use gashapay_core::secrets::KeyringSecretStore;
        match KeyringSecretStore::open(format!("gashapay-app {server}")) {
            Ok(store) => (Arc::new(store), Keychain::System),
            Err(error) => memory(&error.to_string()),
        }
    }
    #[cfg(not(any(feature = "desktop", feature = "mobile")))]
    {
        let _ = server;
        memory("no keychain support in this build")
    }
}

fn memory(reason: &str) -> (Arc<dyn SecretStore>, Keychain) {
    eprintln!("gashapay-app: secrets kept in memory only: {reason}");
    (
        Arc::new(MemorySecretStore::new()),
        Keychain::MemoryOnly {
            reason: reason.to_owned(),
        },
    )
}

fn main() {
    // Info, not debug: the in-process demo backend logs every request at debug.
    dioxus::logger::init(dioxus::logger::tracing::Level::INFO).ok();
    let data_dir = gashapay_app::platform::data_dir();
    let saved = match &data_dir {
        Some(dir) => {
            let (saved, problem) = SavedStateStore::open(SavedStateFile::in_dir(dir));
            if let Some(problem) = problem {
                eprintln!("gashapay-app: starting afresh: {problem}");
            }
            saved
        }
        None => SavedStateStore::in_memory(SavedState::default()),
    };
    #[cfg(feature = "demo")]
    let mut demo = None;
    let server_url = match server_from_args() {
        Some(url) => url,
        #[cfg(feature = "demo")]
        None => {
            let dir = data_dir
                .clone()
                .unwrap_or_else(|| std::env::temp_dir().join("gashapay"));
            match gashapay_app::demo::start_backend(&dir) {
                Ok(env) => {
                    // For testers and test scripts: where the demo lives.
                    println!("GASHAPAY_DEMO_SERVER={}", env.server_url);
                    println!("GASHAPAY_DEMO_DATABASE={}", env.database.display());
                    let url = env.server_url.clone();
                    demo = Some(Arc::new(env));
                    url
                }
                Err(error) => {
                    eprintln!("gashapay-app: cannot start the demo backend: {error}");
                    std::process::exit(1);
                }
            }
        }
        #[cfg(not(feature = "demo"))]
        None => "https://api.gashapay.example".to_owned(),
    };

    let (secrets, keychain) = secret_store(&server_url);
    let client = match ApiClient::new(
        &server_url,
        secrets,
        ClientConfig {
            device_name: gashapay_core::app::text::texts().device_name.into(),
            ..ClientConfig::default()
        },
    ) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("gashapay-app: {error}");
            std::process::exit(1);
        }
    };
    let services = Services {
        client: Arc::new(client),
        server_url,
        keychain,
        poll: PollConfig::default(),
        saved: Arc::new(saved),
        watches: Default::default(),
        #[cfg(feature = "demo")]
        demo,
    };

    let builder = LaunchBuilder::new().with_context(services);
    #[cfg(feature = "desktop")]
    let builder = {
        use dioxus::desktop::{Config, LogicalSize, WindowBuilder};
        let has_panel = builder_has_demo();
        let width = if has_panel { 820.0 } else { 420.0 };
        builder.with_cfg(
            Config::new().with_menu(None).with_window(
                WindowBuilder::new()
                    .with_title(gashapay_core::app::text::texts().app_name)
                    .with_inner_size(LogicalSize::new(width, 760.0)),
            ),
        )
    };
    builder.launch(App);
}

#[cfg(feature = "desktop")]
fn builder_has_demo() -> bool {
    server_from_args().is_none()
}
