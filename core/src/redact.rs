//! Secrets held in memory (tokens, API keys, webhook secrets, passwords on their way
//! to the server): kept in `secrecy`'s boxes, so their `Debug` and `Display` never
//! show them (a stray `{:?}` in a log line cannot leak one) and their bytes are wiped
//! when they are dropped.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A secret text.
#[derive(Clone)]
pub struct Redacted(SecretString);

impl Redacted {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(SecretString::from(secret.into()))
    }
    /// The secret itself. Call sites are easy to grep for.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
    /// A copy of the secret, for an API that wants to own it.
    pub fn into_inner(self) -> String {
        self.expose().to_owned()
    }
}

impl From<String> for Redacted {
    fn from(secret: String) -> Self {
        Self::new(secret)
    }
}

impl PartialEq for Redacted {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.expose()
            .as_bytes()
            .ct_eq(other.expose().as_bytes())
            .into()
    }
}

impl Eq for Redacted {}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// On the wire a secret is its plain text: the JSON bodies that carry one (sign-in,
/// tokens) are the one place it is meant to travel.
impl Serialize for Redacted {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Redacted {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_secret_and_json_carries_it() {
        let token = Redacted::new("s3cr3t-token");
        assert_eq!(format!("{token:?}"), "[redacted]");
        assert_eq!(format!("{token}"), "[redacted]");
        assert_eq!(token.expose(), "s3cr3t-token");
        let json = serde_json::to_string(&token).unwrap();
        assert_eq!(json, "\"s3cr3t-token\"");
        assert_eq!(serde_json::from_str::<Redacted>(&json).unwrap(), token);
        assert_ne!(token, Redacted::new("s3cr3t-tokeN"));
    }
}

/// Every substring of `bytes` shaped like a GashaPay credential: machine API keys and
/// user tokens (`gpk.` / `gpa.` / `gpr.` + id + `.` + a 32-byte base64url secret),
/// webhook secrets (`whsec_` + base64) and generated operator keys (`gpo_` + a 32-byte
/// base64url secret). Used to prove that binaries and logs carry none.
pub fn credential_shapes(bytes: &[u8]) -> Vec<String> {
    fn run_len(bytes: &[u8], allowed: impl Fn(u8) -> bool) -> usize {
        bytes.iter().take_while(|&&b| allowed(b)).count()
    }
    let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let base64 = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=';
    let mut found = Vec::new();
    for start in 0..bytes.len() {
        let rest = &bytes[start..];
        const TOKEN_PREFIXES: [&[u8]; 3] = [b"gpk.", b"gpa.", b"gpr."];
        let token = TOKEN_PREFIXES
            .iter()
            .find(|prefix| rest.starts_with(prefix));
        if let Some(prefix) = token {
            let after = &rest[prefix.len()..];
            let id = run_len(after, base64url);
            if id > 0 && after.get(id) == Some(&b'.') {
                let secret = run_len(&after[id + 1..], base64url);
                if secret >= 40 {
                    found.push(
                        String::from_utf8_lossy(&rest[..prefix.len() + id + 1 + secret]).into(),
                    );
                }
            }
        } else if rest.starts_with(b"whsec_") && run_len(&rest[6..], base64) >= 40 {
            found.push(String::from_utf8_lossy(&rest[..6 + run_len(&rest[6..], base64)]).into());
        } else if rest.starts_with(b"gpo_") && run_len(&rest[4..], base64url) >= 40 {
            found.push(String::from_utf8_lossy(&rest[..4 + run_len(&rest[4..], base64url)]).into());
        }
    }
    found
}

#[cfg(test)]
mod shape_tests {
    use super::credential_shapes;

    #[test]
    fn credentials_are_recognised_and_prose_is_not() {
        let key = "gpk.m_demo.cXjgneuYLi9ubWU_aW880taZ6OLKIRGLKaKBw10KHJE";
        let hook = "whsec_zid7pMqKzfl8ayTdGe6OnUO95AbJ2zrPSbZpFQ1dl7M=";
        let operator = "gpo_Tj1QW0h0m3bq0Zr8V2ZrXxkF3l5gY8a2V9pQx1Lr0cE";
        let text = format!("export A={key}\nexport B={hook}\nkey: {operator}\n");
        assert_eq!(credential_shapes(text.as_bytes()), [key, hook, operator]);
        let prose = b"tokens look like gpk.<machine>.<secret>, whsec_<base64> and gpo_<key>";
        assert!(credential_shapes(prose).is_empty());
    }
}
