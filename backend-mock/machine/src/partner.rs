//! The emulated partner (PROTOCOL §12): a store's or service's server that asks the
//! backend for reward codes (signed with its secret) and ends kind-3 sessions.

use gashapay_core::api::paths;
use gashapay_core::api::rewards::{RewardCodeAnswer, RewardEndAnswer, RewardKind};
use gashapay_core::reward_request::{PartnerSecret, RewardCodeRequest, RewardEndRequest};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum PartnerError {
    #[error("cannot reach the backend: {0}")]
    Transport(String),
    #[error("unexpected answer: {0}")]
    Answer(String),
}

/// What to ask for: the seed's fields but the signature.
#[derive(Debug, Clone)]
pub struct CodeOrder {
    pub kind: RewardKind,
    pub point: u64,
    pub interval_minutes: u32,
    pub failure_minutes: Option<u32>,
    /// Kind 3: the handle to end the session with; new for every request.
    pub token: Option<String>,
}

#[derive(Clone)]
pub struct PartnerClient {
    http: reqwest::Client,
    base_url: String,
    app_id: String,
    secret: PartnerSecret,
}

impl PartnerClient {
    pub fn new(base_url: &str, app_id: &str, secret: PartnerSecret) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("a default HTTP client builds"),
            base_url: base_url.trim_end_matches('/').to_owned(),
            app_id: app_id.to_owned(),
            secret,
        }
    }

    /// The signed request for `order`, made at `time` (Unix seconds).
    pub fn code_request(&self, order: &CodeOrder, time: u64) -> RewardCodeRequest {
        RewardCodeRequest {
            appid: self.app_id.clone(),
            point: order.point,
            point_type: order.kind.point_type(),
            interval_time: order.interval_minutes,
            failure_time: order.failure_minutes,
            time,
            token: order.token.clone(),
            signature: String::new(),
        }
        .signed(&self.secret)
    }

    /// Sends a code request as it is (signed or tampered with); the answer in the
    /// seed's shape, refusals included.
    pub async fn send(
        &self,
        request: &RewardCodeRequest,
    ) -> Result<RewardCodeAnswer, PartnerError> {
        self.post(paths::REWARD_REQUEST, request).await
    }

    /// Asks for a code now.
    pub async fn request_code(&self, order: &CodeOrder) -> Result<RewardCodeAnswer, PartnerError> {
        let request = self.code_request(order, gashapay_core::clock::unix_now());
        self.send(&request).await
    }

    /// The signed end of the kind-3 session `token` started, made at `time`.
    pub fn end_request(&self, token: &str, time: u64) -> RewardEndRequest {
        RewardEndRequest {
            appid: self.app_id.clone(),
            token: token.to_owned(),
            time,
            signature: String::new(),
        }
        .signed(&self.secret)
    }

    pub async fn send_end(
        &self,
        request: &RewardEndRequest,
    ) -> Result<RewardEndAnswer, PartnerError> {
        self.post(paths::REWARD_END, request).await
    }

    /// Ends the kind-3 session `token` started, now.
    pub async fn end(&self, token: &str) -> Result<RewardEndAnswer, PartnerError> {
        let request = self.end_request(token, gashapay_core::clock::unix_now());
        self.send_end(&request).await
    }

    async fn post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, PartnerError> {
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .json(body)
            .send()
            .await
            .map_err(|e| PartnerError::Transport(e.without_url().to_string()))?;
        // Refusals come in the same shape as successes (`code` 1), with a 4xx status.
        let bytes = response
            .bytes()
            .await
            .map_err(|e| PartnerError::Transport(e.without_url().to_string()))?;
        serde_json::from_slice(&bytes).map_err(|e| PartnerError::Answer(e.to_string()))
    }
}
