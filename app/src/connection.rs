//! The connection to the server in use: the core's client for its address, with the
//! secrets of that server's profile in the platform's keystore. Each server has its
//! own profile, so switching back to a server finds its session again.

use gashapay_core::app::messages::UserMessage;
use gashapay_core::app::settings::Keychain;
use gashapay_core::app::text::texts;
use gashapay_core::client::{ApiClient, ClientConfig, ClientError};
use gashapay_core::secrets::{MemorySecretStore, SecretStore};
use std::sync::Arc;

pub struct Connection {
    pub client: Arc<ApiClient>,
    pub keychain: Keychain,
}

/// A client for `server`, its secrets in the keystore profile of that server.
pub fn connect(server: &str) -> Result<Connection, ClientError> {
    let (secrets, keychain) = secret_store(server);
    let client = ApiClient::new(server, secrets, client_config())?;
    Ok(Connection {
        client: Arc::new(client),
        keychain,
    })
}

fn client_config() -> ClientConfig {
    ClientConfig {
        device_name: texts().device_name.clone(),
        ..ClientConfig::default()
    }
}

/// Whether a GashaPay server answers at `address`, asked without any secret.
pub async fn check_server(address: &str) -> Result<(), UserMessage> {
    let probe = ApiClient::new(address, Arc::new(MemorySecretStore::new()), client_config())
        .map_err(|error| UserMessage::for_client_error(&error))?;
    probe
        .health()
        .await
        .map_err(|_| UserMessage::server_unreachable())
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
    dioxus::logger::tracing::warn!("secrets kept in memory only: {reason}");
    (
        Arc::new(MemorySecretStore::new()),
        Keychain::MemoryOnly {
            reason: reason.to_owned(),
        },
    )
}
