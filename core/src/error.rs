//! The stable, machine-readable error codes of the GashaPay API.
//!
//! Every error the backend returns is `{ "error": <code>, "message": <text> }` with one
//! of these codes; `docs/PROTOCOL.md` lists them with their HTTP statuses, and a test
//! keeps that table and this enum in step.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! error_codes {
    ($( $variant:ident = $code:literal, $status:literal, $message:literal; )*) => {
        /// A stable error code. The string form never changes once published.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $variant, )*
            /// A code this version does not know (a newer server). Never sent.
            #[serde(other)]
            Unknown,
        }

        impl ErrorCode {
            /// Every code the server may send, in documentation order.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self {
                    $( ErrorCode::$variant => $code, )*
                    ErrorCode::Unknown => "unknown",
                }
            }

            /// The HTTP status the backend answers this code with.
            pub fn http_status(self) -> u16 {
                match self {
                    $( ErrorCode::$variant => $status, )*
                    ErrorCode::Unknown => 500,
                }
            }

            /// A default human message, for when there is nothing more specific to say.
            pub fn default_message(self) -> &'static str {
                match self {
                    $( ErrorCode::$variant => $message, )*
                    ErrorCode::Unknown => "The server reported an error this version does not know.",
                }
            }

            pub fn parse(code: &str) -> ErrorCode {
                match code {
                    $( $code => ErrorCode::$variant, )*
                    _ => ErrorCode::Unknown,
                }
            }
        }
    };
}

error_codes! {
    BadRequest = "bad_request", 400, "The request is not valid.";
    PayloadTooLarge = "payload_too_large", 413, "The request body is too large.";
    UriTooLong = "uri_too_long", 414, "The request's path and query are too long.";
    HeadersTooLarge = "headers_too_large", 431, "The request's headers are too large.";
    Unauthorized = "unauthorized", 401, "Missing or invalid credentials.";
    TokenExpired = "token_expired", 401, "The access token has expired; refresh it.";
    InvalidCredentials = "invalid_credentials", 401, "Wrong username or password.";
    Forbidden = "forbidden", 403, "You may not act on this resource.";
    AccountBanned = "account_banned", 403, "This account is suspended.";
    NotFound = "not_found", 404, "No such resource.";
    AlreadyExists = "already_exists", 409, "Something with this id already exists.";
    MethodNotAllowed = "method_not_allowed", 405, "This endpoint does not accept that method.";
    MalformedCode = "malformed_code", 422, "This is not a GashaPay code.";
    UnsupportedCodeVersion = "unsupported_code_version", 422, "This code was made by a newer app version.";
    UnknownApp = "unknown_app", 422, "This code was made for another app.";
    UnknownDevice = "unknown_device", 422, "The device that made this code is unknown or signed out.";
    InvalidSignature = "invalid_signature", 422, "The code's signature is not valid.";
    CodeExpired = "code_expired", 422, "The code has expired; show a new one.";
    CodeFromFuture = "code_from_future", 422, "The code is dated in the future; check the phone's clock.";
    AlreadyUsed = "already_used", 409, "This code has already been used.";
    InsufficientPoints = "insufficient_points", 402, "Not enough points for this play.";
    InvalidWebhookSignature = "invalid_webhook_signature", 401, "The webhook signature is not valid.";
    WebhookTimestampOutOfRange = "webhook_timestamp_out_of_range", 401, "The webhook timestamp is too far from the server's clock.";
    OutcomeConflict = "outcome_conflict", 409, "A different outcome was already recorded for this transaction.";
    PaymentDeclined = "payment_declined", 402, "The payment was declined.";
    InvalidPaymentToken = "invalid_payment_token", 422, "The payment token is not valid.";
    IdempotencyKeyReused = "idempotency_key_reused", 422, "This idempotency key was already used with a different request.";
    CodeDisabled = "code_disabled", 410, "This machine's code is switched off; ask the operator or use another machine.";
    MachineBusy = "machine_busy", 409, "Someone else is using this machine; try again when they are done.";
    InsufficientCredit = "insufficient_credit", 402, "The session has too few points left for this item.";
    SessionEnded = "session_ended", 409, "This session has ended.";
    InvalidOrderSignature = "invalid_order_signature", 422, "The order's code is not valid; ask the machine for a new one.";
    OrderExpired = "order_expired", 422, "This order has expired; ask the machine for a new one.";
    UnknownPartner = "unknown_partner", 401, "The partner's appid is unknown or revoked.";
    InvalidPartnerSignature = "invalid_partner_signature", 401, "The partner request's signature is not valid.";
    StaleRequest = "stale_request", 401, "The request's time is too far from the server's clock.";
    ReplayedRequest = "replayed_request", 409, "This request (its kind, time and token) was already made.";
    BudgetExhausted = "budget_exhausted", 409, "This store has given all its points for today; try again tomorrow.";
    DailyCapReached = "daily_cap_reached", 409, "You have earned all the points this store gives a player today.";
    RewardCodeExpired = "reward_code_expired", 410, "This reward code has expired; scan the one on display now.";
    AlreadyClaimed = "already_claimed", 409, "You already earned this visit's points; come back after the code changes.";
    RewardSessionOpen = "reward_session_open", 409, "Your time at this store is already running; scan its end code when you leave.";
    NoRewardSession = "no_reward_session", 409, "You have no running time at this store to end; scan its start code first.";
    UnknownToken = "unknown_token", 404, "No reward code was requested with this token.";
    RewardSessionEnded = "reward_session_ended", 409, "This reward session has already ended.";
    RewardNotStarted = "reward_not_started", 409, "Nobody scanned this start code; it is closed now.";
    RateLimited = "rate_limited", 429, "Too many requests; slow down.";
    RequestTimeout = "request_timeout", 408, "The request took too long; try again.";
    Internal = "internal", 500, "Something went wrong on the server.";
}

/// The schema lists the codes the server sends; `Unknown` is the client's name for a
/// code from a newer server and never goes on the wire.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .enum_values(Some(ErrorCode::ALL.iter().map(|code| code.as_str())))
            .description(Some("A stable error code; see docs/PROTOCOL.md section 2."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ErrorCode {}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_round_trip_through_serde_and_parse() {
        for &code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
            assert_eq!(ErrorCode::parse(code.as_str()), code);
            assert!(code
                .as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn an_unknown_code_from_a_newer_server_is_not_a_parse_failure() {
        let code: ErrorCode = serde_json::from_str("\"brand_new_code\"").unwrap();
        assert_eq!(code, ErrorCode::Unknown);
    }

    #[test]
    fn every_code_is_documented_in_the_protocol_with_its_status() {
        let protocol = include_str!("../../docs/PROTOCOL.md");
        for &code in ErrorCode::ALL {
            let row = format!("| `{}` | {} |", code.as_str(), code.http_status());
            assert!(
                protocol.contains(&row),
                "docs/PROTOCOL.md lacks the row starting {row}"
            );
        }
    }
}
