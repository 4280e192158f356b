//! Webhook signatures in the Standard Webhooks style, shared by the backend (which
//! verifies) and machines (which sign).
//!
//! Headers: `webhook-id` (unique per event; the idempotency key), `webhook-timestamp`
//! (Unix seconds) and `webhook-signature`: space-separated `v1,<base64 tag>` entries,
//! where tag = HMAC-SHA256(secret, "{id}.{timestamp}.{raw body}"). Several entries let
//! a sender sign with an old and a new secret while a rotation is under way. Secrets
//! are written `whsec_<base64 of the key bytes>`.

use crate::ErrorCode;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

pub const HEADER_ID: &str = "webhook-id";
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// Events whose timestamp is further than this from the receiver's clock are refused,
/// which bounds how long a captured request can be replayed.
pub const TIMESTAMP_TOLERANCE_SECONDS: u64 = 300;
const SECRET_PREFIX: &str = "whsec_";
/// Longest event id accepted; ids are stored.
pub const MAX_EVENT_ID_LEN: usize = 128;

type HmacSha256 = Hmac<Sha256>;

/// A machine's webhook signing key, in a `secrecy` box: never printed, wiped from
/// memory when dropped.
#[derive(Clone)]
pub struct WebhookSecret(SecretSlice<u8>);

impl WebhookSecret {
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes.into())
    }

    fn bytes(&self) -> &[u8] {
        self.0.expose_secret()
    }

    /// The key itself, for the other things a machine signs with it (orders,
    /// PROTOCOL §10.3). Never to be logged or sent.
    pub fn expose_bytes(&self) -> &[u8] {
        self.bytes()
    }

    /// Parses `whsec_<base64>`.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = STANDARD
            .decode(text.trim().strip_prefix(SECRET_PREFIX)?)
            .ok()?;
        (!bytes.is_empty()).then(|| Self(bytes.into()))
    }

    /// The `whsec_` form, to hand to the machine's operator once.
    pub fn to_text(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(self.bytes()))
    }

    #[allow(clippy::expect_used, reason = "HMAC takes a key of any length")]
    fn tag(&self, id: &str, timestamp: u64, body: &[u8]) -> HmacSha256 {
        let mut mac =
            HmacSha256::new_from_slice(self.bytes()).expect("HMAC accepts any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

/// Constant-time, like every comparison of secrets.
impl PartialEq for WebhookSecret {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.bytes().ct_eq(other.bytes()).into()
    }
}

impl Eq for WebhookSecret {}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

/// The `webhook-signature` header value for one event.
pub fn sign(secret: &WebhookSecret, id: &str, timestamp: u64, body: &[u8]) -> String {
    let tag = secret.tag(id, timestamp, body).finalize().into_bytes();
    format!("v1,{}", STANDARD.encode(tag))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the webhook-id header is missing, empty or too long")]
    BadId,
    #[error("the webhook-timestamp header is missing or not a number")]
    BadTimestamp,
    #[error("the webhook timestamp is more than {TIMESTAMP_TOLERANCE_SECONDS} s from now")]
    TimestampOutOfRange,
    #[error("no webhook signature matches")]
    BadSignature,
}

impl WebhookError {
    pub fn code(self) -> ErrorCode {
        match self {
            WebhookError::BadId | WebhookError::BadTimestamp => ErrorCode::BadRequest,
            WebhookError::TimestampOutOfRange => ErrorCode::WebhookTimestampOutOfRange,
            WebhookError::BadSignature => ErrorCode::InvalidWebhookSignature,
        }
    }
}

/// The three headers of a received event, as text.
#[derive(Debug, Clone, Copy)]
pub struct SignedHeaders<'a> {
    pub id: &'a str,
    pub timestamp: &'a str,
    pub signature: &'a str,
}

/// Verifies an event against any of `secrets` (more than one during a rotation).
/// Checks the id and the timestamp window first, then every `v1` signature entry in
/// constant time. `now` is Unix seconds.
pub fn verify(
    secrets: &[WebhookSecret],
    headers: SignedHeaders<'_>,
    body: &[u8],
    now: u64,
) -> Result<(), WebhookError> {
    if headers.id.is_empty() || headers.id.len() > MAX_EVENT_ID_LEN {
        return Err(WebhookError::BadId);
    }
    let timestamp: u64 = headers
        .timestamp
        .trim()
        .parse()
        .map_err(|_| WebhookError::BadTimestamp)?;
    if now.abs_diff(timestamp) > TIMESTAMP_TOLERANCE_SECONDS {
        return Err(WebhookError::TimestampOutOfRange);
    }
    let candidate_tags: Vec<Vec<u8>> = headers
        .signature
        .split_ascii_whitespace()
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .collect();
    // Try every pair rather than stopping at the first match, so that timing says
    // nothing about which secret or entry matched.
    let mut matched = false;
    for secret in secrets {
        for tag in &candidate_tags {
            matched |= secret
                .tag(headers.id, timestamp, body)
                .verify_slice(tag)
                .is_ok();
        }
    }
    if matched {
        Ok(())
    } else {
        Err(WebhookError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;
    const BODY: &[u8] = br#"{"transaction_id":"x","outcome":"dispensed"}"#;

    fn headers<'a>(id: &'a str, ts: &'a str, sig: &'a str) -> SignedHeaders<'a> {
        SignedHeaders {
            id,
            timestamp: ts,
            signature: sig,
        }
    }

    #[test]
    fn a_signed_event_verifies_and_any_change_breaks_it() {
        let secret = WebhookSecret::generate();
        let sig = sign(&secret, "evt_1", NOW, BODY);
        let ts = NOW.to_string();
        let ok = verify(
            std::slice::from_ref(&secret),
            headers("evt_1", &ts, &sig),
            BODY,
            NOW,
        );
        assert_eq!(ok, Ok(()));

        let bad = |id, ts: &str, body: &[u8]| {
            verify(
                std::slice::from_ref(&secret),
                headers(id, ts, &sig),
                body,
                NOW,
            )
        };
        assert_eq!(bad("evt_2", &ts, BODY), Err(WebhookError::BadSignature));
        let other_ts = (NOW + 1).to_string();
        assert_eq!(
            bad("evt_1", &other_ts, BODY),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(bad("evt_1", &ts, b"{}"), Err(WebhookError::BadSignature));
        let wrong = verify(
            &[WebhookSecret::generate()],
            headers("evt_1", &ts, &sig),
            BODY,
            NOW,
        );
        assert_eq!(wrong, Err(WebhookError::BadSignature));
    }

    #[test]
    fn matches_the_standard_webhooks_reference_vector() {
        // From the Standard Webhooks specification's published example.
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        let sig = sign(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn timestamps_outside_five_minutes_either_way_are_refused() {
        let secret = WebhookSecret::generate();
        for (ts, expected) in [
            (NOW - 300, Ok(())),
            (NOW + 300, Ok(())),
            (NOW - 301, Err(WebhookError::TimestampOutOfRange)),
            (NOW + 301, Err(WebhookError::TimestampOutOfRange)),
        ] {
            let sig = sign(&secret, "evt", ts, BODY);
            let ts_text = ts.to_string();
            let got = verify(
                std::slice::from_ref(&secret),
                headers("evt", &ts_text, &sig),
                BODY,
                NOW,
            );
            assert_eq!(got, expected, "timestamp {ts}");
        }
        let got = verify(&[secret], headers("evt", "yesterday", "v1,AAAA"), BODY, NOW);
        assert_eq!(got, Err(WebhookError::BadTimestamp));
    }

    #[test]
    fn during_rotation_either_secret_is_accepted() {
        let old = WebhookSecret::generate();
        let new = WebhookSecret::generate();
        let ts = NOW.to_string();
        for signer in [&old, &new] {
            let sig = sign(signer, "evt", NOW, BODY);
            let both = [old.clone(), new.clone()];
            assert_eq!(verify(&both, headers("evt", &ts, &sig), BODY, NOW), Ok(()));
        }
        let multi = format!("v1,bm9wZQ== {}", sign(&new, "evt", NOW, BODY));
        assert_eq!(
            verify(&[new], headers("evt", &ts, &multi), BODY, NOW),
            Ok(())
        );
    }

    #[test]
    fn secrets_round_trip_and_hide_in_debug() {
        let secret = WebhookSecret::generate();
        assert_eq!(
            WebhookSecret::parse(&secret.to_text()),
            Some(secret.clone())
        );
        assert!(!format!("{secret:?}").contains(&secret.to_text()[6..]));
        assert_eq!(WebhookSecret::parse("nope"), None);
    }
}
