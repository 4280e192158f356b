//! Provisioning: users, machines, devices, the operator credential and the demo
//! data, for the operator's endpoints, `--seed-demo`, tests and the app's demo mode.
//! Issued machine credentials are returned once; only the API key's hash is kept.

use crate::credentials::hash_password;
use crate::state::AppState;
use crate::store::{MachineKind, Store, StoreError, StoreResult, UnixMillis};
use gashapay_core::ids::{DeviceId, MachineId, Points, UserId};
use gashapay_core::qr::DeviceSecret;
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::Redacted;

pub mod machine_codes;
pub mod machines;
pub mod operator;
pub mod partners;
pub mod users;

pub use machines::{revoke_device, revoke_machine, rotate_webhook_secret};

/// Why a provisioning step did nothing.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("machine ids are 1-64 characters of a-z, 0-9, _ and -")]
    InvalidMachineId,
    #[error("{0}")]
    InvalidField(&'static str),
    #[error(transparent)]
    AccountRule(#[from] gashapay_core::accounts::AccountRuleError),
    #[error("no machine {0}")]
    NoSuchMachine(MachineId),
    #[error("no device {0}")]
    NoSuchDevice(DeviceId),
    #[error("no machine code {0}")]
    NoSuchCode(String),
    #[error("no partner {0}")]
    NoSuchPartner(String),
    #[error("a partner {0} already exists")]
    PartnerExists(String),
    #[error("a machine {0} already exists")]
    MachineExists(MachineId),
    #[error("no user {0}")]
    NoSuchUser(UserId),
    #[error("a user {0} already exists")]
    UserExists(String),
    #[error("cannot hash the password: {0}")]
    PasswordHash(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type AdminResult<T> = Result<T, AdminError>;

pub const DEMO_USERNAME: &str = "demo";
pub const DEMO_PASSWORD: &str = "demo-password";
pub const DEMO_WELCOME_POINTS: Points = Points(1000);
pub const DEMO_MACHINE_ID: &str = "m_demo";
pub const DEMO_MACHINE_NAME: &str = "Demo capsule machine";

/// What a machine's operator is given once.
#[derive(Debug, Clone)]
pub struct MachineCredentials {
    pub machine_id: MachineId,
    pub api_key: Redacted,
    pub webhook_secret: WebhookSecret,
}

/// Creates a user with an initial grant of points (labelled "Welcome points").
pub async fn create_user(
    state: &AppState,
    username: &str,
    password: &str,
    points: Points,
) -> AdminResult<UserId> {
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|error| AdminError::PasswordHash(error.to_string()))?
        .map_err(|error| AdminError::PasswordHash(error.to_string()))?;
    let (username, now) = (username.to_owned(), state.clock.now_millis());
    Ok(state
        .db(move |store| welcome(store, &username, &hash, points, now))
        .await?)
}

/// A user and their welcome points, granted only if there are some.
fn welcome(
    store: &dyn Store,
    username: &str,
    password_hash: &str,
    points: Points,
    now: UnixMillis,
) -> StoreResult<UserId> {
    let user = store.accounts().create_user(username, password_hash, now)?;
    if points.0 > 0 {
        store.ledger().grant(user, points, "Welcome points", now)?;
    }
    Ok(user)
}

/// A player who never signs in (benchmarks, tests): a user with welcome points and
/// one device, straight into the store. No password is set, so none is hashed.
pub fn create_player(
    store: &dyn Store,
    username: &str,
    points: Points,
    now: UnixMillis,
) -> StoreResult<(UserId, DeviceId, DeviceSecret)> {
    let user = welcome(store, username, "-", points, now)?;
    let secret = DeviceSecret::generate();
    let device = store
        .devices()
        .register_device(user, "phone", &secret, now)?;
    Ok((user, device, secret))
}

/// Registers a dispensing machine, or issues new credentials to an existing one
/// (revoking the old ones).
pub async fn register_machine(
    state: &AppState,
    id: &str,
    name: &str,
) -> AdminResult<MachineCredentials> {
    register_machine_of_kind(state, id, name, MachineKind::Dispenser).await
}

/// [`register_machine`] for a machine of `kind`.
pub async fn register_machine_of_kind(
    state: &AppState,
    id: &str,
    name: &str,
    kind: MachineKind,
) -> AdminResult<MachineCredentials> {
    if !machines::valid_machine_id(id) {
        return Err(AdminError::InvalidMachineId);
    }
    let (api_key, key_hash) = machines::new_api_key(id);
    let webhook_secret = WebhookSecret::generate();
    let (machine_id, name, hook) = (
        MachineId(id.to_owned()),
        name.to_owned(),
        webhook_secret.clone(),
    );
    state
        .db(move |store| {
            store
                .machines()
                .upsert_machine(&machine_id, &name, kind, &key_hash, &hook)
        })
        .await?;
    Ok(MachineCredentials {
        machine_id: MachineId(id.to_owned()),
        api_key,
        webhook_secret,
    })
}

/// The demo data a tester plays with.
#[derive(Debug, Clone)]
pub struct DemoSeed {
    pub username: String,
    pub password: String,
    pub machine: MachineCredentials,
    /// The demo machine's printed code (PROTOCOL §10.1), made once and kept.
    pub machine_code: String,
}

/// Creates the demo user (once, with welcome points), (re)issues the demo machine's
/// credentials, and gives the demo machine a printed code (once).
pub async fn seed_demo(state: &AppState) -> AdminResult<DemoSeed> {
    let exists = state
        .db(|store| store.accounts().user_by_name(DEMO_USERNAME))
        .await?
        .is_some();
    // An earlier run's demo user keeps its balance and history.
    if !exists {
        create_user(state, DEMO_USERNAME, DEMO_PASSWORD, DEMO_WELCOME_POINTS).await?;
    }
    let machine = register_machine(state, DEMO_MACHINE_ID, DEMO_MACHINE_NAME).await?;
    let demo_machine = machine.machine_id.clone();
    let kept = state
        .db(|store| store.machine_codes().all())
        .await?
        .into_iter()
        .find(|code| code.machine_id == demo_machine && code.active);
    let machine_code = match kept {
        Some(code) => code.id,
        None => machine_codes::create(state, demo_machine).await?.id,
    };
    Ok(DemoSeed {
        username: DEMO_USERNAME.into(),
        password: DEMO_PASSWORD.into(),
        machine,
        machine_code,
    })
}
