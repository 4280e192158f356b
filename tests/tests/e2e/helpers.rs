use gashapay_backend_mock::admin::{create_user, register_machine_of_kind};
use gashapay_backend_mock::budgets::RateLimit;
use gashapay_backend_mock::config::Settings;
use gashapay_backend_mock::store::postgres::test_database::TestDatabase;
use gashapay_backend_mock::{start, RunningBackend, StartOptions};
use gashapay_core::api::{paths, MachineKind};
use gashapay_core::client::{ApiClient, ClientConfig, PollConfig};
use gashapay_core::clock::{unix_now, SettableClock};
use gashapay_core::qr::SignedCode;
use gashapay_core::retry::Backoff;
use gashapay_core::secrets::MemorySecretStore;
use gashapay_core::Points;
use gashapay_machine::MachineClient;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub const PASSWORD: &str = "correct horse battery";
/// The operator key every test backend starts with.
pub const ADMIN_KEY: &str = "gpo_test-operator-key-0123456789";

/// The variable choosing the engine the end-to-end tests' backends run on:
/// `postgres` (a database of its own per test on `GASHAPAY_TEST_POSTGRES`), or unset
/// for SQLite files.
pub const ENGINE_VARIABLE: &str = "GASHAPAY_TEST_ENGINE";

/// Where a test backend keeps its data, on the engine the run is for.
pub enum TestDb {
    Sqlite {
        path: PathBuf,
        _dir: tempfile::TempDir,
    },
    Postgres(TestDatabase),
}

impl TestDb {
    pub fn new() -> Self {
        match std::env::var(ENGINE_VARIABLE).as_deref() {
            Ok("postgres") => Self::Postgres(TestDatabase::create()),
            Ok(other) if !other.is_empty() => {
                panic!("{ENGINE_VARIABLE}={other}: sqlite or postgres")
            }
            _ => {
                let dir = tempfile::tempdir().unwrap();
                Self::Sqlite {
                    path: dir.path().join("gashapay.db"),
                    _dir: dir,
                }
            }
        }
    }

    /// What `--db` takes.
    pub fn url(&self) -> String {
        match self {
            Self::Sqlite { path, .. } => path.display().to_string(),
            Self::Postgres(database) => database.url.clone(),
        }
    }

    /// Audits the data on a connection of its own: the ledger against balances,
    /// transactions, sessions and payouts (and SQLite's integrity check).
    pub fn audit(&self) -> Vec<String> {
        use gashapay_backend_mock::store::postgres::{test_database::off_runtime, PostgresStore};
        use gashapay_backend_mock::store::sqlite::SqliteStore;
        match self {
            Self::Sqlite { .. } => SqliteStore::open(&self.url()).unwrap().audit().unwrap(),
            Self::Postgres(database) => {
                off_runtime(|| PostgresStore::open(&database.url).unwrap().audit().unwrap())
            }
        }
    }
}

pub struct TestApp {
    backend: Option<RunningBackend>,
    pub db: TestDb,
    /// The backend's clock: `advance` it to live through a time-out at once.
    pub clock: Arc<SettableClock>,
    settings: Settings,
    /// Where the backend listened before `stop`.
    stopped_at: Option<std::net::SocketAddr>,
}

/// Settings for tests: real defaults, but a sweeper that looks often, and request
/// budgets (still checked on every request) wide enough for the tests that send
/// hundreds of requests at once. `limits.rs` tests the budgets themselves.
pub fn test_settings() -> Settings {
    let wide = RateLimit::new(1_000_000, Duration::from_millis(1));
    Settings {
        sweep_interval: Duration::from_millis(100),
        sign_in_limit: wide,
        validate_limit: wide,
        ..Settings::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(test_settings()).await
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    let db = TestDb::new();
    let clock = SettableClock::new();
    let backend = start_on(&db.url(), settings.clone(), clock.clone()).await;
    TestApp {
        backend: Some(backend),
        db,
        clock,
        settings,
        stopped_at: None,
    }
}

async fn start_on(db: &str, settings: Settings, clock: Arc<SettableClock>) -> RunningBackend {
    let any_port = "127.0.0.1:0".parse().unwrap();
    start_on_address(db, any_port, settings, clock).await
}

async fn start_on_address(
    db: &str,
    listen: std::net::SocketAddr,
    settings: Settings,
    clock: Arc<SettableClock>,
) -> RunningBackend {
    start(StartOptions {
        listen,
        db: db.to_owned(),
        settings,
        payment_secret: Some("sk_test_only_in_the_backend".into()),
        seed_demo: false,
        clock,
        admin_key: Some(gashapay_core::Redacted::new(ADMIN_KEY)),
    })
    .await
    .expect("backend starts")
}

pub struct User {
    pub client: ApiClient,
    pub store: Arc<MemorySecretStore>,
}

impl User {
    /// A fresh, valid code for `points`, signed on the device.
    pub fn code(&self, points: u64) -> SignedCode {
        self.code_issued_at(points, unix_now(), 300)
    }

    pub fn code_issued_at(&self, points: u64, issued_at: u64, ttl: u16) -> SignedCode {
        self.client
            .device_credentials()
            .unwrap()
            .make_code(Points(points), issued_at, ttl)
            .unwrap()
    }

    pub async fn balance(&self) -> u64 {
        self.client.balance().await.unwrap().balance.0
    }
}

pub fn client_for(base_url: &str, store: Arc<MemorySecretStore>) -> ApiClient {
    ApiClient::new(
        base_url,
        store,
        ClientConfig {
            request_timeout: Duration::from_secs(10),
            ..ClientConfig::default()
        },
    )
    .unwrap()
}

pub fn fast_polling() -> PollConfig {
    PollConfig {
        long_poll: Duration::from_secs(10),
        backoff: Backoff::new(Duration::from_millis(50), Duration::from_millis(200)),
        expiry_grace: Duration::from_secs(1),
    }
}

impl TestApp {
    pub fn backend(&self) -> &RunningBackend {
        self.backend.as_ref().expect("running")
    }

    pub fn base_url(&self) -> String {
        self.backend().base_url()
    }

    /// A user with `points`, signed in on a new device with an in-memory keychain.
    pub async fn user(&self, name: &str, points: u64) -> User {
        create_user(&self.backend().state, name, PASSWORD, Points(points))
            .await
            .unwrap();
        let store = Arc::new(MemorySecretStore::new());
        let client = client_for(&self.base_url(), store.clone());
        client.login(name, PASSWORD).await.unwrap();
        User { client, store }
    }

    /// A new user with `points`, signed in over plain HTTP: the login answer's JSON.
    pub async fn sign_in_raw_new(&self, username: &str, points: u64) -> serde_json::Value {
        create_user(&self.backend().state, username, PASSWORD, Points(points))
            .await
            .unwrap();
        self.sign_in_raw(username).await
    }

    /// Signs `username` in over plain HTTP and returns the login answer's JSON, for
    /// tests that send requests by hand.
    pub async fn sign_in_raw(&self, username: &str) -> serde_json::Value {
        reqwest::Client::new()
            .post(format!("{}{}", self.base_url(), paths::LOGIN))
            .json(&serde_json::json!({
                "username": username,
                "password": PASSWORD,
                "device": { "name": username },
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn machine(&self, id: &str) -> MachineClient {
        self.machine_of_kind(id, MachineKind::Dispenser).await
    }

    /// A machine of `kind` (an arcade reader's plays start games).
    pub async fn machine_of_kind(&self, id: &str, kind: MachineKind) -> MachineClient {
        let name = format!("Machine {id}");
        let credentials = register_machine_of_kind(&self.backend().state, id, &name, kind)
            .await
            .unwrap();
        MachineClient::new(
            &self.base_url(),
            credentials.machine_id,
            credentials.api_key,
            credentials.webhook_secret,
        )
    }

    /// Stops the backend and starts a new one on the same database.
    pub async fn restart(&mut self) {
        self.backend.take().expect("running").stop().await;
        self.backend =
            Some(start_on(&self.db.url(), self.settings.clone(), self.clock.clone()).await);
    }

    /// Stops the backend (its address refuses connections) until `start_again`.
    pub async fn stop(&mut self) {
        let backend = self.backend.take().expect("running");
        self.stopped_at = Some(backend.addr);
        backend.stop().await;
    }

    /// Starts the backend stopped by `stop` again, on the same database and address.
    pub async fn start_again(&mut self) {
        let listen = self.stopped_at.take().expect("stopped");
        self.backend = Some(
            start_on_address(
                &self.db.url(),
                listen,
                self.settings.clone(),
                self.clock.clone(),
            )
            .await,
        );
    }

    /// Audits the database on a connection of its own (see [`TestDb::audit`]).
    pub fn audit(&self) -> Vec<String> {
        self.db.audit()
    }
}
