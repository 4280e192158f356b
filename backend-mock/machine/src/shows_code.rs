//! The machine that shows the code (PROTOCOL §10): it follows its pay-first session
//! and reports purchases against it, or signs an order's code, waits for the payment
//! and reports the dispense like a play.

use super::{read_answer, MachineClient, MachineError};
use gashapay_core::api::machine_pay::{
    MachineSession, OrderView, PurchaseReport, SessionEndReport, SessionQuery, SessionView,
};
use gashapay_core::api::{paths, StatusQuery, MAX_LONG_POLL_SECONDS};
use gashapay_core::links::AppLink;
use gashapay_core::order_code::OrderCode;
use gashapay_core::webhook;
use gashapay_core::Points;
use std::time::Duration;
use uuid::Uuid;

fn wait_seconds(wait: Duration) -> u64 {
    wait.as_secs().min(MAX_LONG_POLL_SECONDS)
}

impl MachineClient {
    /// A new order's code, signed with this machine's secret, payable for `ttl`.
    pub fn order_code(
        &self,
        order_id: &str,
        item: &str,
        amount: Points,
        ttl: Duration,
    ) -> OrderCode {
        OrderCode::signed(
            self.machine_id.clone(),
            order_id,
            item,
            amount,
            gashapay_core::clock::unix_now() + ttl.as_secs(),
            &self.webhook_secret,
        )
    }

    /// The order's link to show as a QR code (the https form, on this backend).
    pub fn order_link(&self, order: &OrderCode) -> String {
        AppLink::Order(order.clone()).https_link(&self.base_url)
    }

    /// The order as the backend has it, held up to `wait` until it is paid.
    pub async fn wait_for_order(
        &self,
        order_id: &str,
        wait: Duration,
    ) -> Result<OrderView, MachineError> {
        let query = StatusQuery {
            wait: Some(wait_seconds(wait)),
            since: None,
        };
        self.get_json(
            &paths::with_param(paths::MACHINE_ORDER, order_id),
            &query,
            wait,
        )
        .await
    }

    /// The open session (or the last), held up to `wait` until its version differs
    /// from `since` (without `since`: until a session is open).
    pub async fn current_session(
        &self,
        wait: Duration,
        since: Option<u64>,
    ) -> Result<Option<SessionView>, MachineError> {
        let query = SessionQuery {
            wait: Some(wait_seconds(wait)),
            since,
        };
        let answer: MachineSession = self
            .get_json(paths::MACHINE_CURRENT_SESSION, &query, wait)
            .await?;
        Ok(answer.session)
    }

    /// Reports one purchase against the session, once per `event_id`.
    pub async fn report_purchase(
        &self,
        session_id: Uuid,
        event_id: &str,
        item: &str,
        points: Points,
    ) -> Result<SessionView, MachineError> {
        let body = PurchaseReport {
            machine_id: self.machine_id.clone(),
            item: item.to_owned(),
            points,
        };
        let path = paths::with_param(paths::MACHINE_SESSION_PURCHASES, &session_id.to_string());
        self.post_signed(&path, event_id, &body).await
    }

    /// Ends the session: the backend gives the customer back what is left.
    pub async fn end_session(&self, session_id: Uuid) -> Result<SessionView, MachineError> {
        let body = SessionEndReport {
            machine_id: self.machine_id.clone(),
        };
        let path = paths::with_param(paths::MACHINE_SESSION_END, &session_id.to_string());
        let event_id = format!("end_{}", session_id.simple());
        self.post_signed(&path, &event_id, &body).await
    }

    async fn get_json<Q: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &Q,
        wait: Duration,
    ) -> Result<T, MachineError> {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .bearer_auth(self.api_key.expose())
            .query(query)
            .timeout(Duration::from_secs(10) + wait)
            .send()
            .await
            .map_err(|e| MachineError::Transport(e.without_url().to_string()))?;
        read_answer(response).await
    }

    /// A body signed with the webhook secret (PROTOCOL §3.8), sent once.
    pub(crate) async fn post_signed<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        event_id: &str,
        body: &B,
    ) -> Result<T, MachineError> {
        let timestamp = gashapay_core::clock::unix_now();
        self.post_signed_at(timestamp, path, event_id, body).await
    }

    /// [`Self::post_signed`] as of `timestamp` (Unix seconds).
    pub(crate) async fn post_signed_at<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        timestamp: u64,
        path: &str,
        event_id: &str,
        body: &B,
    ) -> Result<T, MachineError> {
        let body = serde_json::to_vec(body)
            .map_err(|e| MachineError::Transport(format!("cannot encode the report: {e}")))?;
        let signature = webhook::sign(&self.webhook_secret, event_id, timestamp, &body);
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header(webhook::HEADER_ID, event_id)
            .header(webhook::HEADER_TIMESTAMP, timestamp.to_string())
            .header(webhook::HEADER_SIGNATURE, signature)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| MachineError::Transport(e.without_url().to_string()))?;
        read_answer(response).await
    }
}
