//! The app's calls for machine-shown codes (PROTOCOL §10): what a printed code opens,
//! a pay-first session (load, follow, end), and a buy-first order (check, pay).

use super::{to_json, ApiClient, Call, ClientError};
use crate::api::machine_pay::{
    MachineCodeInfo, OrderRequest, OrderView, SessionQuery, SessionView, StartSession,
};
use crate::api::{paths, MAX_LONG_POLL_SECONDS};
use crate::ids::Points;
use crate::order_code::OrderCode;
use std::time::Duration;
use uuid::Uuid;

impl ApiClient {
    /// The machine a printed code opens, and the amounts to load.
    pub async fn machine_code(&self, code_id: &str) -> Result<MachineCodeInfo, ClientError> {
        self.call(Call::get(paths::with_param(paths::MACHINE_CODE, code_id)))
            .await
    }

    /// Loads `points` into a session on the code's machine. `session_id` is made by
    /// the caller and kept: sending the same request again answers the same session.
    pub async fn start_session(
        &self,
        session_id: Uuid,
        code_id: &str,
        points: Points,
    ) -> Result<SessionView, ClientError> {
        let body = to_json(&StartSession {
            session_id,
            code_id: code_id.to_owned(),
            points,
        })?;
        self.call(Call::post(paths::SESSIONS, body)).await
    }

    /// The session; with `wait`, held until its version differs from `since`.
    pub async fn session(
        &self,
        session_id: Uuid,
        wait: Option<Duration>,
        since: Option<u64>,
    ) -> Result<SessionView, ClientError> {
        let query = SessionQuery {
            wait: wait.map(|wait| wait.as_secs().min(MAX_LONG_POLL_SECONDS)),
            since,
        };
        let path = paths::with_param(paths::SESSION, &session_id.to_string());
        let mut call = Call::get(path).with_query(&query)?;
        call.extra_timeout = Duration::from_secs(query.wait.unwrap_or(0));
        self.call(call).await
    }

    /// Ends the session: what is left comes back.
    pub async fn end_session(&self, session_id: Uuid) -> Result<SessionView, ClientError> {
        let path = paths::with_param(paths::SESSION_END, &session_id.to_string());
        self.call(Call::post(path, serde_json::json!({}))).await
    }

    /// What an order asks, and whether it is paid. Nothing changes.
    pub async fn check_order(&self, order: &OrderCode) -> Result<OrderView, ClientError> {
        let body = to_json(&OrderRequest {
            order: order.clone(),
        })?;
        self.call(Call::post(paths::ORDER_CHECK, body)).await
    }

    /// Pays the order; follow its `transaction_id` like a play.
    pub async fn pay_order(&self, order: &OrderCode) -> Result<OrderView, ClientError> {
        let body = to_json(&OrderRequest {
            order: order.clone(),
        })?;
        self.call(Call::post(paths::ORDER_PAY, body)).await
    }
}
