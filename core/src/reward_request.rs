//! A partner's signed requests (PROTOCOL §12): "make me a reward code" and "end this
//! timed session". The seed signed with MD5 over the fields and a password; here each
//! request is signed with HMAC-SHA256 under the partner's secret over a canonical
//! string, written as lowercase hex (as the seed's MD5 was), compared in constant time.

use crate::webhook::WebhookSecret;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const SECRET_PREFIX: &str = "prsec_";
/// Requests whose `time` is further than this from the server's clock are refused,
/// which bounds how long a captured request can be replayed.
pub const TIME_TOLERANCE_SECONDS: u64 = 300;
/// Longest `appid` and `token`.
pub const MAX_APP_ID_LEN: usize = 64;
pub const MAX_TOKEN_LEN: usize = 128;
/// Most points one reward (or one interval of a timed one) may give.
pub const MAX_REWARD_POINTS: u64 = 10_000;
/// Longest interval and validity, in minutes (a day).
pub const MAX_MINUTES: u32 = 24 * 60;

/// A partner's signing key: the same kind of key as a machine's webhook secret (kept in
/// clear by the backend, which must recompute signatures), written `prsec_<base64>` so
/// that the two are never confused.
#[derive(Clone, PartialEq, Eq)]
pub struct PartnerSecret(WebhookSecret);

impl PartnerSecret {
    pub fn generate() -> Self {
        Self(WebhookSecret::generate())
    }

    pub fn parse(text: &str) -> Option<Self> {
        let key = text.trim().strip_prefix(SECRET_PREFIX)?;
        WebhookSecret::parse(&format!("whsec_{key}")).map(Self)
    }

    pub fn to_text(&self) -> String {
        let text = self.0.to_text();
        format!(
            "{SECRET_PREFIX}{}",
            text.strip_prefix("whsec_").unwrap_or(&text)
        )
    }

    #[allow(clippy::expect_used, reason = "HMAC takes a key of any length")]
    fn mac(&self, base: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.0.expose_bytes()).expect("any key length");
        mac.update(base.as_bytes());
        mac
    }

    /// The lowercase hex HMAC-SHA256 of `base`.
    pub fn sign(&self, base: &str) -> String {
        hex(&self.mac(base).finalize().into_bytes())
    }

    /// Whether `signature` (hex) is this key's signature of `base`.
    pub fn verifies(&self, base: &str, signature: &str) -> bool {
        match unhex(signature) {
            Some(bytes) => self.mac(base).verify_slice(&bytes).is_ok(),
            None => false,
        }
    }
}

impl std::fmt::Debug for PartnerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PartnerSecret([redacted])")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// The request for a reward code, as the partner sends it (the seed's fields).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RewardCodeRequest {
    pub appid: String,
    /// Points per visit (kind 1) or per whole interval (kinds 2 and 3).
    pub point: u64,
    /// 1 visit, 2 timed and ended by the player, 3 timed and ended by the partner.
    pub point_type: u8,
    /// Minutes: how often a visit code changes (1), or the unit of time paid (2, 3).
    pub interval_time: u32,
    /// Minutes the code can be scanned; absent: one interval (kind 1) or the longest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_time: Option<u32>,
    /// When the partner made the request (Unix seconds).
    pub time: u64,
    /// Kind 3: the partner's handle to end the session later; new for every request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Lowercase hex HMAC-SHA256 of [`RewardCodeRequest::base_string`].
    pub signature: String,
}

impl RewardCodeRequest {
    /// `GPR1`, then each field on its own line (an absent one as an empty line).
    pub fn base_string(&self) -> String {
        format!(
            "GPR1\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.appid,
            self.point,
            self.point_type,
            self.interval_time,
            self.failure_time.map(|m| m.to_string()).unwrap_or_default(),
            self.time,
            self.token.as_deref().unwrap_or_default()
        )
    }

    /// Fills in the signature.
    pub fn signed(mut self, secret: &PartnerSecret) -> Self {
        self.signature = secret.sign(&self.base_string());
        self
    }
}

/// The partner's server ends a kind-3 session (the seed's `pointEnd`, signed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RewardEndRequest {
    pub appid: String,
    pub token: String,
    pub time: u64,
    /// Lowercase hex HMAC-SHA256 of [`RewardEndRequest::base_string`].
    pub signature: String,
}

impl RewardEndRequest {
    /// `GPE1`, then appid, token and time, each on its own line.
    pub fn base_string(&self) -> String {
        format!("GPE1\n{}\n{}\n{}", self.appid, self.token, self.time)
    }

    pub fn signed(mut self, secret: &PartnerSecret) -> Self {
        self.signature = secret.sign(&self.base_string());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    /// The key of PROTOCOL §12's test vectors: 32 bytes 0x00, 0x01, … 0x1f.
    fn vector_secret() -> PartnerSecret {
        let key: Vec<u8> = (0u8..32).collect();
        PartnerSecret::parse(&format!(
            "prsec_{}",
            base64::engine::general_purpose::STANDARD.encode(key)
        ))
        .unwrap()
    }

    fn request() -> RewardCodeRequest {
        RewardCodeRequest {
            appid: "cafe_seoul".into(),
            point: 10,
            point_type: 3,
            interval_time: 10,
            failure_time: Some(30),
            time: 1_800_000_000,
            token: Some("pc-07-1800000000".into()),
            signature: String::new(),
        }
        .signed(&vector_secret())
    }

    #[test]
    fn the_protocol_test_vectors_hold() {
        let request = request();
        assert_eq!(
            request.base_string(),
            "GPR1\ncafe_seoul\n10\n3\n10\n30\n1800000000\npc-07-1800000000"
        );
        let end = RewardEndRequest {
            appid: "cafe_seoul".into(),
            token: "pc-07-1800000000".into(),
            time: 1_800_003_600,
            signature: String::new(),
        }
        .signed(&vector_secret());
        assert_eq!(
            end.base_string(),
            "GPE1\ncafe_seoul\npc-07-1800000000\n1800003600"
        );
        let protocol = include_str!("../../docs/PROTOCOL.md");
        for line in [
            format!("request signature = {}", request.signature),
            format!("end signature     = {}", end.signature),
        ] {
            assert!(protocol.contains(&line), "PROTOCOL §12 lacks `{line}`");
        }
    }

    #[test]
    fn a_signature_holds_and_any_changed_field_breaks_it() {
        let secret = vector_secret();
        let good = request();
        assert!(secret.verifies(&good.base_string(), &good.signature));
        let changes: [fn(&mut RewardCodeRequest); 7] = [
            |r| r.appid = "other".into(),
            |r| r.point = 1000,
            |r| r.point_type = 1,
            |r| r.interval_time = 1,
            |r| r.failure_time = None,
            |r| r.time += 1,
            |r| r.token = Some("pc-08".into()),
        ];
        for change in changes {
            let mut tampered = good.clone();
            change(&mut tampered);
            assert!(!secret.verifies(&tampered.base_string(), &tampered.signature));
        }
        assert!(!secret.verifies(&good.base_string(), "zz"));
        assert!(!PartnerSecret::generate().verifies(&good.base_string(), &good.signature));
    }

    #[test]
    fn a_secret_reads_back_from_its_text_and_never_prints() {
        let secret = PartnerSecret::generate();
        let text = secret.to_text();
        assert!(text.starts_with("prsec_"));
        assert_eq!(PartnerSecret::parse(&text), Some(secret.clone()));
        assert!(PartnerSecret::parse(&text.replace("prsec_", "whsec_")).is_none());
        assert!(!format!("{secret:?}").contains(&text[6..]));
    }
}
