//! The QR code the app shows and the machine scans (protocol version 1).
//!
//! Text form: `GP1:` followed by RFC 4648 base32 (uppercase, no padding) of
//! `body || tag`, where `body` is the fixed 46-byte big-endian record below and `tag`
//! is the first 16 bytes of `HMAC-SHA256(device_secret, "GP1" || body)`.
//! Uppercase base32 and `:` are all in QR alphanumeric mode, so the code fits a
//! version 5 symbol at error correction M. `docs/PROTOCOL.md` is the normative text;
//! `docs/qr-test-vectors.json` holds vectors that an independent implementation
//! (`docs/qr_vectors.py`) produced and the tests check.
//!
//! | offset | size | field          |
//! |-------:|-----:|----------------|
//! | 0      | 4    | app id         |
//! | 4      | 8    | user id        |
//! | 12     | 4    | device id      |
//! | 16     | 16   | transaction id (UUID bytes) |
//! | 32     | 4    | points (> 0)   |
//! | 36     | 8    | issued at, Unix seconds UTC |
//! | 44     | 2    | time to live, seconds (> 0) |

#[cfg(feature = "render")]
pub mod render;

use crate::ids::{AppId, DeviceId, Points, TransactionId, UserId};
use crate::ErrorCode;
use base64::Engine;
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{CloneableSecret, ExposeSecret, SecretBox};
use sha2::Sha256;
use uuid::Uuid;
use zeroize::Zeroize;

/// What every version-1 code starts with.
pub const PREFIX: &str = "GP1:";
/// Domain separation for the signature: the bytes signed are `SIGNING_DOMAIN || body`.
pub const SIGNING_DOMAIN: &[u8] = b"GP1";
pub const BODY_LEN: usize = 46;
/// The HMAC-SHA256 output is truncated to 128 bits (RFC 2104 §5 allows half): plenty
/// against forgery of a code that lives minutes and is accepted once, and it keeps the
/// symbol two versions smaller.
pub const TAG_LEN: usize = 16;
/// Longest text the parser looks at; anything longer is rejected before decoding.
pub const MAX_TEXT_LEN: usize = 256;
pub const DEVICE_SECRET_LEN: usize = 32;
/// The time to live the app uses: five minutes.
pub const DEFAULT_TTL_SECONDS: u16 = 300;

type HmacSha256 = Hmac<Sha256>;

/// The per-device key the backend issues at first sign-in; it never leaves the
/// device's keychain (and the backend's database). Held in a `secrecy` box: never
/// printed, and wiped from memory when dropped.
#[derive(Clone)]
pub struct DeviceSecret(SecretBox<SecretBytes>);

/// The key's bytes, as `secrecy` boxes them.
#[derive(Clone)]
struct SecretBytes([u8; DEVICE_SECRET_LEN]);

impl Zeroize for SecretBytes {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl CloneableSecret for SecretBytes {}

impl DeviceSecret {
    pub fn generate() -> Self {
        let mut bytes = [0u8; DEVICE_SECRET_LEN];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self::from_bytes(bytes)
    }
    pub fn from_bytes(mut bytes: [u8; DEVICE_SECRET_LEN]) -> Self {
        let secret = Self(SecretBox::new(Box::new(SecretBytes(bytes))));
        bytes.zeroize();
        secret
    }
    pub fn as_bytes(&self) -> &[u8; DEVICE_SECRET_LEN] {
        &self.0.expose_secret().0
    }
    /// Standard base64, the form it travels and is stored in.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.as_bytes())
    }
    pub fn from_base64(text: &str) -> Option<Self> {
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()?;
        let key = <[u8; DEVICE_SECRET_LEN]>::try_from(bytes.as_slice())
            .ok()
            .map(Self::from_bytes);
        bytes.zeroize();
        key
    }
}

/// Constant-time, like every comparison of secrets.
impl PartialEq for DeviceSecret {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.as_bytes().ct_eq(other.as_bytes()).into()
    }
}

impl Eq for DeviceSecret {}

impl std::fmt::Debug for DeviceSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceSecret([redacted])")
    }
}

/// The signed fields of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QrPayload {
    pub app_id: AppId,
    pub user_id: UserId,
    pub device_id: DeviceId,
    pub transaction_id: TransactionId,
    /// At most `u32::MAX`, never zero.
    pub points: Points,
    /// Unix seconds, UTC.
    pub issued_at: u64,
    pub ttl_seconds: u16,
}

/// Why a text is not an acceptable code. Each maps to one stable [`ErrorCode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    #[error("the code is longer than {MAX_TEXT_LEN} characters")]
    TooLong,
    #[error("the text is not a GashaPay code")]
    NotACode,
    #[error("the code uses protocol version {0}, which this version does not support")]
    UnsupportedVersion(u8),
    #[error("the code is not valid base32")]
    BadEncoding,
    #[error("the code has {0} bytes; version 1 has {expected}", expected = BODY_LEN + TAG_LEN)]
    WrongLength(usize),
    #[error("the code has a zero point amount or a zero time to live")]
    InvalidField,
    #[error("the code's signature does not match")]
    BadSignature,
    #[error("the code expired")]
    Expired,
    #[error("the code is dated in the future")]
    FromFuture,
    #[error("the point amount does not fit in a code")]
    PointsOutOfRange,
}

impl QrError {
    pub fn code(self) -> ErrorCode {
        match self {
            QrError::UnsupportedVersion(_) => ErrorCode::UnsupportedCodeVersion,
            QrError::BadSignature => ErrorCode::InvalidSignature,
            QrError::Expired => ErrorCode::CodeExpired,
            QrError::FromFuture => ErrorCode::CodeFromFuture,
            QrError::PointsOutOfRange => ErrorCode::BadRequest,
            QrError::TooLong
            | QrError::NotACode
            | QrError::BadEncoding
            | QrError::WrongLength(_)
            | QrError::InvalidField => ErrorCode::MalformedCode,
        }
    }
}

impl QrPayload {
    /// A payload for a new play, issued now with a fresh transaction id.
    pub fn new_play(
        app_id: AppId,
        user_id: UserId,
        device_id: DeviceId,
        points: Points,
        issued_at: u64,
        ttl_seconds: u16,
    ) -> Result<Self, QrError> {
        if points.0 == 0 || ttl_seconds == 0 {
            return Err(QrError::InvalidField);
        }
        if points.0 > u64::from(u32::MAX) {
            return Err(QrError::PointsOutOfRange);
        }
        Ok(Self {
            app_id,
            user_id,
            device_id,
            transaction_id: TransactionId::new_random(),
            points,
            issued_at,
            ttl_seconds,
        })
    }

    /// Unix second after which the code is expired (before clock-skew allowance).
    pub fn expires_at(&self) -> u64 {
        self.issued_at.saturating_add(u64::from(self.ttl_seconds))
    }

    /// The fixed-size record that the code carries and the signature covers.
    pub fn body(&self) -> [u8; BODY_LEN] {
        let points = u32::try_from(self.points.0).unwrap_or(u32::MAX);
        let mut body = [0u8; BODY_LEN];
        body[0..4].copy_from_slice(&self.app_id.0.to_be_bytes());
        body[4..12].copy_from_slice(&self.user_id.0.to_be_bytes());
        body[12..16].copy_from_slice(&self.device_id.0.to_be_bytes());
        body[16..32].copy_from_slice(self.transaction_id.0.as_bytes());
        body[32..36].copy_from_slice(&points.to_be_bytes());
        body[36..44].copy_from_slice(&self.issued_at.to_be_bytes());
        body[44..46].copy_from_slice(&self.ttl_seconds.to_be_bytes());
        body
    }

    #[allow(clippy::expect_used, reason = "fixed ranges of a fixed-size array")]
    fn from_body(body: &[u8; BODY_LEN]) -> Result<Self, QrError> {
        let be_u32 = |range: std::ops::Range<usize>| {
            u32::from_be_bytes(body[range].try_into().expect("4-byte range"))
        };
        let be_u64 = |range: std::ops::Range<usize>| {
            u64::from_be_bytes(body[range].try_into().expect("8-byte range"))
        };
        let payload = Self {
            app_id: AppId(be_u32(0..4)),
            user_id: UserId(be_u64(4..12)),
            device_id: DeviceId(be_u32(12..16)),
            transaction_id: TransactionId(Uuid::from_bytes(
                body[16..32].try_into().expect("16-byte range"),
            )),
            points: Points(u64::from(be_u32(32..36))),
            issued_at: be_u64(36..44),
            ttl_seconds: u16::from_be_bytes([body[44], body[45]]),
        };
        if payload.points.0 == 0 || payload.ttl_seconds == 0 {
            return Err(QrError::InvalidField);
        }
        Ok(payload)
    }

    /// The exact bytes the HMAC covers: `"GP1" || body`.
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(SIGNING_DOMAIN.len() + BODY_LEN);
        bytes.extend_from_slice(SIGNING_DOMAIN);
        bytes.extend_from_slice(&self.body());
        bytes
    }

    #[allow(clippy::expect_used, reason = "HMAC takes a key of any length")]
    fn mac(&self, secret: &DeviceSecret) -> HmacSha256 {
        let mut mac =
            HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
        mac.update(&self.signing_bytes());
        mac
    }

    pub fn sign(self, secret: &DeviceSecret) -> SignedCode {
        let full = self.mac(secret).finalize().into_bytes();
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&full[..TAG_LEN]);
        SignedCode { payload: self, tag }
    }

    /// Checks the validity window at `now` (Unix seconds), allowing `skew_seconds` of
    /// disagreement between the phone's clock and the server's either way.
    pub fn check_time(&self, now: u64, skew_seconds: u64) -> Result<(), QrError> {
        if self.issued_at > now.saturating_add(skew_seconds) {
            return Err(QrError::FromFuture);
        }
        if now >= self.expires_at().saturating_add(skew_seconds) {
            return Err(QrError::Expired);
        }
        Ok(())
    }
}

/// A payload with its tag: what the QR code carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedCode {
    pub payload: QrPayload,
    pub tag: [u8; TAG_LEN],
}

impl SignedCode {
    /// The text to put in the QR symbol.
    pub fn to_text(&self) -> String {
        let mut bytes = Vec::with_capacity(BODY_LEN + TAG_LEN);
        bytes.extend_from_slice(&self.payload.body());
        bytes.extend_from_slice(&self.tag);
        format!("{PREFIX}{}", BASE32_NOPAD.encode(&bytes))
    }

    /// Parses any text into a code or a typed error; never panics. Surrounding ASCII
    /// whitespace (a scanner's trailing newline) is ignored. The signature is not
    /// checked here: that needs the device's secret, see [`SignedCode::verify`].
    pub fn parse(text: &str) -> Result<Self, QrError> {
        if text.len() > MAX_TEXT_LEN {
            return Err(QrError::TooLong);
        }
        let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
        let Some(encoded) = text.strip_prefix(PREFIX) else {
            return Err(match version_of_foreign_prefix(text) {
                Some(version) => QrError::UnsupportedVersion(version),
                None => QrError::NotACode,
            });
        };
        // Strict decoding: uppercase only, no padding, zero trailing bits, so that one
        // code has exactly one text form.
        let bytes = BASE32_NOPAD
            .decode(encoded.as_bytes())
            .map_err(|_| QrError::BadEncoding)?;
        let wrong_length = || QrError::WrongLength(bytes.len());
        if bytes.len() != BODY_LEN + TAG_LEN {
            return Err(wrong_length());
        }
        let (body, tag) = bytes.split_at(BODY_LEN);
        let body: [u8; BODY_LEN] = body.try_into().map_err(|_| wrong_length())?;
        let tag: [u8; TAG_LEN] = tag.try_into().map_err(|_| wrong_length())?;
        Ok(Self {
            payload: QrPayload::from_body(&body)?,
            tag,
        })
    }

    /// Constant-time check of the tag against the device's secret.
    pub fn verify(&self, secret: &DeviceSecret) -> Result<(), QrError> {
        self.payload
            .mac(secret)
            .verify_truncated_left(&self.tag)
            .map_err(|_| QrError::BadSignature)
    }
}

/// `GP<digits>:` with another version number: a code from a newer protocol.
fn version_of_foreign_prefix(text: &str) -> Option<u8> {
    let rest = text.strip_prefix("GP")?;
    let (digits, _) = rest.split_once(':')?;
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests;
