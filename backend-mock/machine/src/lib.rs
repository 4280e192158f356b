//! The emulated machine: reads a QR code (text or image), asks the backend to
//! validate it, "dispenses" with a chosen outcome, and reports the outcome with a
//! signed webhook, retrying until the backend acknowledges it. It can also show the
//! code itself (`shows_code`): a pay-first session or a buy-first order.

use gashapay_core::api::{
    paths, DispenseReport, ErrorBody, ValidateRequest, ValidateResponse, WebhookAck,
};
use gashapay_core::qr::SignedCode;
use gashapay_core::retry::Backoff;
use gashapay_core::status::{DispenseOutcome, DispensePlan};
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::{ErrorCode, MachineId, Points, Redacted, TransactionId};
use serde::Serialize;
use std::time::Duration;

pub mod arcade;
pub mod partner;
mod shows_code;

pub use shows_code::{sell_order, serve_session};

#[derive(Debug, thiserror::Error)]
pub enum MachineError {
    #[error("the backend refused: {message} ({code})")]
    Refused {
        status: u16,
        code: ErrorCode,
        message: String,
    },
    #[error("cannot reach the backend: {0}")]
    Transport(String),
    #[error("no QR code found in the image: {0}")]
    Decode(String),
    #[error("the backend did not acknowledge the report after {attempts} attempts")]
    GaveUp { attempts: u32 },
}

impl MachineError {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            MachineError::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }
    fn is_transient(&self) -> bool {
        match self {
            MachineError::Transport(_) => true,
            MachineError::Refused { status, .. } => {
                gashapay_core::retry::is_transient_status(*status)
            }
            _ => false,
        }
    }
}

/// Reads the text of the (single) QR code in a PNG/JPEG image, with a real decoder.
pub fn decode_qr_image(bytes: &[u8]) -> Result<String, MachineError> {
    let image = image::load_from_memory(bytes)
        .map_err(|e| MachineError::Decode(e.to_string()))?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grid = prepared
        .detect_grids()
        .into_iter()
        .next()
        .ok_or_else(|| MachineError::Decode("no QR symbol detected".into()))?;
    let (_, text) = grid
        .decode()
        .map_err(|e| MachineError::Decode(e.to_string()))?;
    Ok(text)
}

#[derive(Debug, Clone)]
/// How a report is sent again until the backend acknowledges it.
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub backoff: Backoff,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            backoff: Backoff::new(Duration::from_millis(200), Duration::from_secs(5)),
        }
    }
}

#[derive(Clone)]
pub struct MachineClient {
    http: reqwest::Client,
    base_url: String,
    machine_id: MachineId,
    api_key: Redacted,
    webhook_secret: WebhookSecret,
}

impl MachineClient {
    pub fn new(
        base_url: &str,
        machine_id: MachineId,
        api_key: Redacted,
        webhook_secret: WebhookSecret,
    ) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("a default HTTP client builds"),
            base_url: base_url.trim_end_matches('/').to_owned(),
            machine_id,
            api_key,
            webhook_secret,
        }
    }

    pub fn machine_id(&self) -> &MachineId {
        &self.machine_id
    }

    /// Asks the backend to validate a scanned code and take the points.
    pub async fn validate(&self, code: &str) -> Result<ValidateResponse, MachineError> {
        let response = self
            .http
            .post(format!("{}{}", self.base_url, paths::VALIDATE))
            .bearer_auth(self.api_key.expose())
            .json(&ValidateRequest {
                code: code.to_owned(),
            })
            .send()
            .await
            .map_err(|e| MachineError::Transport(e.without_url().to_string()))?;
        read_answer(response).await
    }

    /// Sends one signed report with the given event id, once.
    pub async fn send_report(
        &self,
        event_id: &str,
        transaction_id: TransactionId,
        outcome: DispenseOutcome,
        detail: Option<String>,
    ) -> Result<WebhookAck, MachineError> {
        let now = gashapay_core::clock::unix_now();
        self.send_report_at(now, event_id, transaction_id, outcome, detail)
            .await
    }

    /// [`Self::send_report`] signed as of `timestamp` (Unix seconds): a machine with a
    /// wrong clock, or an attacker replaying an old event.
    pub async fn send_report_at(
        &self,
        timestamp: u64,
        event_id: &str,
        transaction_id: TransactionId,
        outcome: DispenseOutcome,
        detail: Option<String>,
    ) -> Result<WebhookAck, MachineError> {
        let report = DispenseReport {
            machine_id: self.machine_id.clone(),
            transaction_id,
            outcome,
            detail,
        };
        self.post_signed_at(timestamp, paths::WEBHOOK, event_id, &report)
            .await
    }

    /// Reports the outcome under one event id, retrying transient failures with
    /// backoff until the backend acknowledges. `on_retry` sees each failed attempt.
    pub async fn report(
        &self,
        transaction_id: TransactionId,
        outcome: DispenseOutcome,
        detail: Option<String>,
        policy: &RetryPolicy,
        mut on_retry: impl FnMut(u32, &MachineError),
    ) -> Result<WebhookAck, MachineError> {
        let event_id = format!("evt_{}", uuid::Uuid::new_v4().simple());
        for attempt in 1..=policy.max_attempts {
            match self
                .send_report(&event_id, transaction_id, outcome, detail.clone())
                .await
            {
                Ok(ack) => return Ok(ack),
                Err(error) if error.is_transient() && attempt < policy.max_attempts => {
                    on_retry(attempt, &error);
                    tokio::time::sleep(policy.backoff.delay(attempt - 1)).await;
                }
                Err(error) if error.is_transient() => {
                    on_retry(attempt, &error);
                    break;
                }
                Err(error) => return Err(error),
            }
        }
        Err(MachineError::GaveUp {
            attempts: policy.max_attempts,
        })
    }
}

async fn read_answer<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, MachineError> {
    let status = response.status().as_u16();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| MachineError::Transport(e.without_url().to_string()))?;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&bytes)
            .map_err(|e| MachineError::Transport(format!("unexpected answer: {e}")));
    }
    let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
        ErrorBody::new(
            ErrorCode::Unknown,
            format!("HTTP {status} without an error body"),
        )
    });
    Err(MachineError::Refused {
        status,
        code: body.error,
        message: body.message,
    })
}

/// One step of a play, printed by the CLI as a JSON line. Never the whole code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Scanned {
        #[serde(skip_serializing_if = "Option::is_none")]
        transaction_id: Option<TransactionId>,
        #[serde(skip_serializing_if = "Option::is_none")]
        points: Option<Points>,
    },
    Validated {
        transaction_id: TransactionId,
        points: Points,
    },
    Refused {
        error: ErrorCode,
        message: String,
    },
    Dispensing {
        outcome: DispensePlan,
    },
    ReportRetry {
        attempt: u32,
        error: String,
    },
    Reported {
        transaction_id: TransactionId,
        status: gashapay_core::TransactionStatus,
    },
    NotReporting {
        transaction_id: TransactionId,
    },
    /// A customer loaded points into a session on this machine.
    SessionOpened {
        session_id: uuid::Uuid,
        credit: Points,
    },
    Sold {
        item: String,
        points: Points,
        remaining: Points,
    },
    SessionEnded {
        #[serde(skip_serializing_if = "Option::is_none")]
        refunded: Option<Points>,
        #[serde(skip_serializing_if = "Option::is_none")]
        ended_by: Option<gashapay_core::api::machine_pay::SessionEnd>,
    },
    /// An order's code is on the machine's screen.
    OrderShown {
        order_id: String,
        link: String,
    },
    OrderPaid {
        transaction_id: TransactionId,
    },
}

/// A whole play: validate, wait `delay`, dispense as chosen, report.
pub async fn play(
    client: &MachineClient,
    code: &str,
    dispense: DispensePlan,
    delay: Duration,
    policy: &RetryPolicy,
    mut on_step: impl FnMut(&Step),
) -> Result<Option<WebhookAck>, MachineError> {
    // The machine can read the public fields without any secret.
    let parsed = SignedCode::parse(code).ok();
    on_step(&Step::Scanned {
        transaction_id: parsed.map(|c| c.payload.transaction_id),
        points: parsed.map(|c| c.payload.points),
    });
    let validated = match client.validate(code).await {
        Ok(validated) => validated,
        Err(error) => {
            if let MachineError::Refused { code, message, .. } = &error {
                on_step(&Step::Refused {
                    error: *code,
                    message: message.clone(),
                });
            }
            return Err(error);
        }
    };
    let txn = validated.transaction_id;
    on_step(&Step::Validated {
        transaction_id: txn,
        points: validated.points,
    });
    dispense_and_report(client, txn, dispense, delay, policy, on_step).await
}

/// After the points are taken: wait `delay`, dispense as chosen, report the outcome
/// (or, for `none`, stay silent and let the backend's timeout refund).
pub async fn dispense_and_report(
    client: &MachineClient,
    txn: TransactionId,
    dispense: DispensePlan,
    delay: Duration,
    policy: &RetryPolicy,
    mut on_step: impl FnMut(&Step),
) -> Result<Option<WebhookAck>, MachineError> {
    on_step(&Step::Dispensing { outcome: dispense });
    tokio::time::sleep(delay).await;
    let Some(outcome) = dispense.report() else {
        on_step(&Step::NotReporting {
            transaction_id: txn,
        });
        return Ok(None);
    };
    let detail =
        (outcome == DispenseOutcome::Failed).then(|| "emulated jam in the chute".to_owned());
    let ack = client
        .report(txn, outcome, detail, policy, |attempt, error| {
            on_step(&Step::ReportRetry {
                attempt,
                error: error.to_string(),
            })
        })
        .await?;
    on_step(&Step::Reported {
        transaction_id: txn,
        status: ack.status,
    });
    Ok(Some(ack))
}
