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
