//! The app's calls for rewards (PROTOCOL §12): what a code gives, claiming it, and
//! following a timed session.

use super::{ApiClient, Call, ClientError};
use crate::api::machine_pay::SessionQuery;
use crate::api::rewards::{RewardClaim, RewardCodeInfo, RewardSessionView};
use crate::api::{paths, MAX_LONG_POLL_SECONDS};
use std::time::Duration;

impl ApiClient {
    /// The partner and what the code gives.
    pub async fn reward_code(&self, code_id: &str) -> Result<RewardCodeInfo, ClientError> {
        self.call(Call::get(paths::with_param(paths::REWARD_CODE, code_id)))
            .await
    }

    /// Claims the code: a visit pays, a start code starts the clock, an end code stops
    /// it and pays.
    pub async fn claim_reward(&self, code_id: &str) -> Result<RewardClaim, ClientError> {
        let path = paths::with_param(paths::REWARD_CLAIM, code_id);
        self.call(Call::post(path, serde_json::json!({}))).await
    }

    /// A timed session, held up to `wait` while its version is still `since`.
    pub async fn reward_session(
        &self,
        session_id: u64,
        wait: Option<Duration>,
        since: Option<u64>,
    ) -> Result<RewardSessionView, ClientError> {
        let query = SessionQuery {
            wait: wait.map(|wait| wait.as_secs().min(MAX_LONG_POLL_SECONDS)),
            since,
        };
        let path = paths::with_param(paths::REWARD_SESSION, &session_id.to_string());
        let mut call = Call::get(path).with_query(&query)?;
        call.extra_timeout = Duration::from_secs(query.wait.unwrap_or(0));
        self.call(call).await
    }
}
