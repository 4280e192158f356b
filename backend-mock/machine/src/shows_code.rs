//! The machine that shows the code (PROTOCOL §10): it follows its pay-first session
//! and reports purchases against it, or signs an order's code, waits for the payment
//! and reports the dispense like a play.

use super::{read_answer, MachineClient, MachineError};
use gashapay_core::api::machine_pay::{
    MachineSession, OrderView, PurchaseReport, SessionEndReport, SessionQuery, SessionStatus,
    SessionView,
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

/// Pay first: waits up to `wait` for a customer's session, sells `items` against it in
/// order (a refused sale is a step, and the rest are still tried), then ends the
/// session if `end` (else the customer or the idle timeout does).
pub async fn serve_session(
    client: &MachineClient,
    items: &[(String, Points)],
    end: bool,
    wait: Duration,
    mut on_step: impl FnMut(&super::Step),
) -> Result<Option<SessionView>, MachineError> {
    use super::Step;
    let deadline = tokio::time::Instant::now() + wait;
    let session = loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match client.current_session(left, None).await? {
            Some(session) if session.status == SessionStatus::Open => break session,
            _ if left.is_zero() => return Ok(None),
            _ => {}
        }
    };
    on_step(&Step::SessionOpened {
        session_id: session.session_id,
        credit: session.remaining,
    });
    let mut last = session.clone();
    for (index, (item, points)) in items.iter().enumerate() {
        let event = format!("sale_{}_{index}", session.session_id.simple());
        match client
            .report_purchase(session.session_id, &event, item, *points)
            .await
        {
            Ok(view) => {
                on_step(&Step::Sold {
                    item: item.clone(),
                    points: *points,
                    remaining: view.remaining,
                });
                last = view;
            }
            Err(MachineError::Refused { code, message, .. }) => on_step(&Step::Refused {
                error: code,
                message,
            }),
            Err(error) => return Err(error),
        }
    }
    if end && last.status == SessionStatus::Open {
        last = client.end_session(session.session_id).await?;
    }
    if last.status == SessionStatus::Ended {
        on_step(&Step::SessionEnded {
            refunded: last.refunded,
            ended_by: last.ended_by,
        });
    }
    Ok(Some(last))
}

/// Buy first: shows the order's link, waits until it is paid or expires, then
/// dispenses as `dispense` says and reports like a play.
pub async fn sell_order(
    client: &MachineClient,
    order: &OrderCode,
    dispense: gashapay_core::status::DispensePlan,
    delay: Duration,
    policy: &super::RetryPolicy,
    mut on_step: impl FnMut(&super::Step),
) -> Result<Option<OrderView>, MachineError> {
    use super::Step;
    on_step(&Step::OrderShown {
        order_id: order.order_id.clone(),
        link: client.order_link(order),
    });
    let paid = loop {
        let now = gashapay_core::clock::unix_now();
        let left = Duration::from_secs(order.expires.saturating_sub(now));
        let view = client.wait_for_order(&order.order_id, left).await?;
        if view.transaction_id.is_some() {
            break view;
        }
        if left.is_zero() {
            return Ok(None);
        }
    };
    let Some(transaction_id) = paid.transaction_id else {
        return Ok(None);
    };
    on_step(&Step::OrderPaid { transaction_id });
    super::dispense_and_report(client, transaction_id, dispense, delay, policy, on_step).await?;
    Ok(Some(paid))
}
