//! A wrapper for secrets (tokens, keys) whose `Debug` and `Display` never show them,
//! so a stray `{:?}` in a log line cannot leak one.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Redacted<T>(T);

impl<T> Redacted<T> {
    pub fn new(secret: T) -> Self {
        Self(secret)
    }
    /// The secret itself. Call sites are easy to grep for.
    pub fn expose(&self) -> &T {
        &self.0
    }
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Redacted<T> {
    fn from(secret: T) -> Self {
        Self(secret)
    }
}

impl<T> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T> fmt::Display for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_secret() {
        let token = Redacted::new("s3cr3t-token".to_string());
        assert_eq!(format!("{token:?}"), "[redacted]");
        assert_eq!(format!("{token}"), "[redacted]");
        assert_eq!(token.expose(), "s3cr3t-token");
    }
}

/// Every substring of `bytes` shaped like a GashaPay credential: machine API keys and
/// user tokens (`gpk.` / `gpa.` / `gpr.` + id + `.` + a 32-byte base64url secret) and
/// webhook secrets (`whsec_` + base64). Used to prove that binaries and logs carry none.
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
        let text = format!("export A={key}\nexport B={hook}\n");
        assert_eq!(credential_shapes(text.as_bytes()), [key, hook]);
        let prose = b"tokens look like gpk.<machine>.<secret> and whsec_<base64>";
        assert!(credential_shapes(prose).is_empty());
    }
}
