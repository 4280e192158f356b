//! GashaPay's shared core.
//!
//! Everything the app, the CLI, the mock backend and the emulated machine must agree
//! on lives here: domain types, the stable error codes, the QR payload format and its
//! signature, webhook signing, the JSON shapes of every endpoint, and (behind
//! features) the HTTP client, the status poller and secret storage.
//!
//! The core knows nothing of any UI or of axum.

#![deny(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod wire_text;

pub mod accounts;
pub mod api;
#[cfg(feature = "app")]
pub mod app;
pub mod arcade;
pub mod clock;
pub mod device;
pub mod error;
pub mod history;
pub mod ids;
pub mod links;
pub mod order_code;
pub mod qr;
pub mod redact;
pub mod retry;
pub mod reward_request;
pub mod secrets;
pub mod status;
pub mod webhook;

#[cfg(feature = "client")]
pub mod client;

pub use error::ErrorCode;
pub use ids::{AppId, DeviceId, MachineId, Points, TransactionId, UserId};
pub use redact::Redacted;
pub use status::{RefundReason, TransactionStatus};
