//! The HTTP client for the GashaPay API, used by the app and the CLI.
//!
//! - The base URL is injected, so tests point it at wiremock or a backend on port 0.
//! - The access token lives in memory only; the refresh token and the device's
//!   credentials live in the [`SecretStore`] (the OS keychain on devices).
//! - An expired access token is refreshed once, transparently, and only one refresh
//!   runs at a time: refresh tokens rotate, so two racing refreshes would spend the
//!   same token twice.
//! - Only safe requests (GET) are retried, with exponential backoff, on transient
//!   failures. A top-up is never retried here: its caller retries with the same
//!   idempotency key.

pub mod admin;
mod error;
mod machine_pay;
mod poller;
mod rewards;

pub use error::ClientError;
pub use poller::{watch_transaction, PollConfig, PollEnd};

use crate::api::{self, paths};
use crate::device::DeviceCredentials;
use crate::ids::{AppId, Points, TransactionId};
use crate::qr::DeviceSecret;
use crate::retry::Backoff;
use crate::secrets::{keys, SecretStore};
use crate::status::TransactionStatus;
use crate::{ErrorCode, Redacted};
use serde::de::DeserializeOwned;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Per request, on top of any long-poll wait.
    pub request_timeout: Duration,
    /// How many times a safe request is retried after a transient failure.
    pub safe_retries: u32,
    /// The waits between those retries.
    pub retry_backoff: Backoff,
    /// Shown in the account's device list.
    pub device_name: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(10),
            safe_retries: 3,
            retry_backoff: Backoff::new(Duration::from_millis(250), Duration::from_secs(2)),
            device_name: "GashaPay device".into(),
        }
    }
}

pub struct ApiClient {
    http: reqwest::Client,
    base_url: String,
    secrets: Arc<dyn SecretStore>,
    config: ClientConfig,
    access_token: Mutex<Option<Redacted>>,
    refresh_lock: tokio::sync::Mutex<()>,
    /// HTTP requests sent so far (diagnostics, and the status-cost benchmark).
    requests_sent: std::sync::atomic::AtomicU64,
}

/// One HTTP call, described as data.
struct Call {
    method: reqwest::Method,
    path: String,
    body: Option<serde_json::Value>,
    /// Query parameters, as a JSON object of scalars.
    query: Option<serde_json::Value>,
    idempotency_key: Option<String>,
    authenticated: bool,
    extra_timeout: Duration,
}

impl Call {
    fn get(path: impl Into<String>) -> Self {
        Self {
            method: reqwest::Method::GET,
            path: path.into(),
            body: None,
            query: None,
            idempotency_key: None,
            authenticated: true,
            extra_timeout: Duration::ZERO,
        }
    }
    fn post(path: impl Into<String>, body: serde_json::Value) -> Self {
        Self {
            method: reqwest::Method::POST,
            body: Some(body),
            ..Self::get(path)
        }
    }
    fn with_query<Q: serde::Serialize>(mut self, query: &Q) -> Result<Self, ClientError> {
        self.query = Some(to_json(query)?);
        Ok(self)
    }
    fn anonymous(mut self) -> Self {
        self.authenticated = false;
        self
    }
    fn is_safe(&self) -> bool {
        self.method == reqwest::Method::GET
    }
}

impl ApiClient {
    pub fn new(
        base_url: &str,
        secrets: Arc<dyn SecretStore>,
        config: ClientConfig,
    ) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.request_timeout)
            .build()
            .map_err(ClientError::from_transport)?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            secrets,
            config,
            access_token: Mutex::new(None),
            refresh_lock: tokio::sync::Mutex::new(()),
            requests_sent: Default::default(),
        })
    }

    /// How many HTTP requests this client has sent.
    pub fn requests_sent(&self) -> u64 {
        self.requests_sent
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn secrets(&self) -> &Arc<dyn SecretStore> {
        &self.secrets
    }

    /// Whether a sign-in is stored (it may still have been revoked server-side).
    pub fn has_sign_in(&self) -> Result<bool, ClientError> {
        Ok(self.secrets.get(keys::REFRESH_TOKEN)?.is_some())
    }

    /// The credentials to sign codes with, offline.
    pub fn device_credentials(&self) -> Result<DeviceCredentials, ClientError> {
        Ok(DeviceCredentials::load(self.secrets.as_ref())?)
    }

    /// Signs in. Reuses this device's registration when the store has one; otherwise
    /// the server registers the device and its secret is stored here.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<api::LoginResponse, ClientError> {
        self.sign_in_at(paths::LOGIN, username, password).await
    }

    /// Creates an account and signs it in on a new device (it has none yet).
    pub async fn signup(
        &self,
        username: &str,
        password: &str,
    ) -> Result<api::LoginResponse, ClientError> {
        self.sign_in_at(paths::SIGNUP, username, password).await
    }

    async fn sign_in_at(
        &self,
        path: &str,
        username: &str,
        password: &str,
    ) -> Result<api::LoginResponse, ClientError> {
        let known_device = match path {
            paths::SIGNUP => None,
            _ => DeviceCredentials::load(self.secrets.as_ref()).ok(),
        };
        let request = api::LoginRequest {
            username: username.to_owned(),
            password: Redacted::new(password.to_owned()),
            device: api::DeviceLogin {
                device_id: known_device.as_ref().map(|d| d.device_id),
                name: self.config.device_name.clone(),
            },
        };
        let response: api::LoginResponse = self
            .call(Call::post(path, to_json(&request)?).anonymous())
            .await?;

        let secret = match (&response.device_secret, known_device) {
            (Some(fresh), _) => DeviceSecret::from_base64(fresh.expose()).ok_or_else(|| {
                ClientError::InvalidResponse("the device secret is not 32 bytes of base64".into())
            })?,
            (None, Some(known)) if known.device_id == response.device_id => known.secret,
            (None, _) => {
                return Err(ClientError::InvalidResponse(
                    "the server kept a device this client has no secret for".into(),
                ))
            }
        };
        DeviceCredentials {
            app_id: response.app_id,
            user_id: response.user_id,
            device_id: response.device_id,
            secret,
        }
        .save(self.secrets.as_ref())?;
        self.store_tokens(&response.tokens)?;
        Ok(response)
    }

    /// Ends the session on the server (best effort) and forgets it here. The device
    /// registration stays, so the next sign-in reuses it.
    pub async fn logout(&self) -> Result<(), ClientError> {
        let server_result = if self.has_sign_in()? {
            self.call::<serde_json::Value>(Call::post(paths::LOGOUT, serde_json::json!({})))
                .await
                .map(|_| ())
        } else {
            Ok(())
        };
        *self.token_slot() = None;
        self.secrets.delete(keys::REFRESH_TOKEN)?;
        match server_result {
            Err(ClientError::NotSignedIn) => Ok(()),
            Err(ClientError::Api { status: 401, .. }) => Ok(()),
            other => other,
        }
    }

    /// Whether a GashaPay server answers at this client's address (`GET /health`
    /// with `{"status": "ok"}`); any other answer is `InvalidResponse`.
    pub async fn health(&self) -> Result<(), ClientError> {
        let health: api::Health = self.call(Call::get(paths::HEALTH).anonymous()).await?;
        match health.status.as_str() {
            "ok" => Ok(()),
            other => Err(ClientError::InvalidResponse(format!(
                "the health check says {other:?}"
            ))),
        }
    }

    pub async fn balance(&self) -> Result<api::BalanceResponse, ClientError> {
        self.call(Call::get(paths::BALANCE)).await
    }

    /// The player's open pay-first sessions and running timed rewards.
    pub async fn running(&self) -> Result<api::RunningView, ClientError> {
        self.call(Call::get(paths::RUNNING)).await
    }

    /// A page of history, newest first; `before` is the previous page's `next_before`.
    pub async fn history(
        &self,
        limit: u32,
        before: Option<i64>,
    ) -> Result<api::HistoryPage, ClientError> {
        let query = api::HistoryQuery {
            limit: Some(limit),
            before,
        };
        self.call(Call::get(paths::HISTORY).with_query(&query)?)
            .await
    }

    /// Adds points paid with `payment_token`. Retrying with the same
    /// `idempotency_key` and body returns the first answer and charges once.
    pub async fn top_up(
        &self,
        amount: Points,
        payment_token: &str,
        idempotency_key: &str,
    ) -> Result<api::TopUpResponse, ClientError> {
        let body = to_json(&api::TopUpRequest {
            amount,
            payment_token: payment_token.to_owned(),
        })?;
        let mut call = Call::post(paths::TOP_UP, body);
        call.idempotency_key = Some(idempotency_key.to_owned());
        self.call(call).await
    }

    /// The status of one play. With `wait`, the server holds the request until the
    /// status differs from `since` (or the status at arrival) or `wait` runs out.
    pub async fn transaction(
        &self,
        id: TransactionId,
        wait: Option<Duration>,
        since: Option<TransactionStatus>,
    ) -> Result<api::TransactionView, ClientError> {
        let query = api::StatusQuery {
            wait: wait.map(|wait| wait.as_secs().min(api::MAX_LONG_POLL_SECONDS)),
            since,
        };
        let mut call = Call::get(format!("{}/{id}", paths::TRANSACTION)).with_query(&query)?;
        call.extra_timeout = Duration::from_secs(query.wait.unwrap_or(0));
        self.call(call).await
    }

    /// The app id this device signs codes for, once signed in.
    pub fn app_id(&self) -> Result<AppId, ClientError> {
        Ok(self.device_credentials()?.app_id)
    }

    async fn call<T: DeserializeOwned>(&self, call: Call) -> Result<T, ClientError> {
        let mut refreshed = false;
        let mut replaced = false;
        let mut retries = 0;
        loop {
            let token = if call.authenticated {
                Some(self.current_access_token().await?)
            } else {
                None
            };
            match self.send_once(&call, token.as_ref()).await {
                Err(ClientError::Api {
                    code: ErrorCode::TokenExpired,
                    ..
                }) if call.authenticated && !refreshed => {
                    refreshed = true;
                    self.refresh_unless_replaced(token.as_ref()).await?;
                }
                // Another call refreshed while this one was on its way: the token it
                // carried was retired, not the session. Once more with the new one.
                Err(ClientError::Api {
                    code: ErrorCode::Unauthorized,
                    ..
                }) if call.authenticated && !replaced && *self.token_slot() != token => {
                    replaced = true;
                }
                Err(error)
                    if call.is_safe()
                        && error.is_transient()
                        && retries < self.config.safe_retries =>
                {
                    tokio::time::sleep(self.config.retry_backoff.delay(retries)).await;
                    retries += 1;
                }
                result => return result,
            }
        }
    }

    async fn send_once<T: DeserializeOwned>(
        &self,
        call: &Call,
        token: Option<&Redacted>,
    ) -> Result<T, ClientError> {
        let url = format!("{}{}", self.base_url, call.path);
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .timeout(self.config.request_timeout + call.extra_timeout);
        if let Some(token) = token {
            request = request.bearer_auth(token.expose());
        }
        if let Some(key) = &call.idempotency_key {
            request = request.header(api::IDEMPOTENCY_KEY_HEADER, key);
        }
        if let Some(query) = &call.query {
            request = request.query(query);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        self.requests_sent
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let response = request.send().await.map_err(ClientError::from_transport)?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(ClientError::from_transport)?;
        decode(status, &bytes)
    }

    /// The access token in memory. Whatever a panicking holder left is a token or
    /// none, both of which the next call handles.
    fn token_slot(&self) -> std::sync::MutexGuard<'_, Option<Redacted>> {
        self.access_token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn current_access_token(&self) -> Result<Redacted, ClientError> {
        if let Some(token) = self.token_slot().clone() {
            return Ok(token);
        }
        self.refresh_unless_replaced(None).await?;
        self.access_token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or(ClientError::NotSignedIn)
    }

    /// Refreshes the session, unless another task already replaced `stale` while this
    /// one waited for the lock.
    async fn refresh_unless_replaced(&self, stale: Option<&Redacted>) -> Result<(), ClientError> {
        let _guard = self.refresh_lock.lock().await;
        let current = self.token_slot().clone();
        if current.is_some() && current.as_ref() != stale {
            return Ok(());
        }
        self.refresh().await
    }

    /// Trades the stored refresh token for a new pair. A rejected refresh token means
    /// the session is over: it is forgotten and the caller must sign in again.
    pub async fn refresh(&self) -> Result<(), ClientError> {
        let refresh_token = self
            .secrets
            .get(keys::REFRESH_TOKEN)?
            .ok_or(ClientError::NotSignedIn)?;
        let body = to_json(&api::RefreshRequest {
            refresh_token: Redacted::new(refresh_token),
        })?;
        match self
            .send_once::<api::TokenPair>(&Call::post(paths::REFRESH, body).anonymous(), None)
            .await
        {
            Ok(tokens) => self.store_tokens(&tokens),
            Err(ClientError::Api { status: 401, .. }) => {
                *self.token_slot() = None;
                self.secrets.delete(keys::REFRESH_TOKEN)?;
                Err(ClientError::NotSignedIn)
            }
            Err(other) => Err(other),
        }
    }

    fn store_tokens(&self, tokens: &api::TokenPair) -> Result<(), ClientError> {
        self.secrets
            .set(keys::REFRESH_TOKEN, tokens.refresh_token.expose())?;
        *self.token_slot() = Some(tokens.access_token.clone());
        Ok(())
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, ClientError> {
    serde_json::to_value(value).map_err(|e| ClientError::InvalidResponse(e.to_string()))
}

/// An answer's body: the JSON of a success (an empty body reads as `null`), or the
/// error it carries.
pub(crate) fn decode<T: DeserializeOwned>(status: u16, bytes: &[u8]) -> Result<T, ClientError> {
    if (200..300).contains(&status) {
        let bytes: &[u8] = if bytes.is_empty() { b"null" } else { bytes };
        return serde_json::from_slice(bytes)
            .map_err(|e| ClientError::InvalidResponse(e.to_string()));
    }
    Err(match serde_json::from_slice::<api::ErrorBody>(bytes) {
        Ok(body) => ClientError::Api {
            status,
            code: body.error,
            message: body.message,
        },
        Err(_) => ClientError::Api {
            status,
            code: ErrorCode::Unknown,
            message: format!("the server answered HTTP {status} without an error body"),
        },
    })
}
