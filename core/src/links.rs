//! The links that will open the app (PROTOCOL §9): the `gashapay:` scheme, and https
//! links on the backend under one path prefix, so a phone's camera opens either. The
//! app's bundle settings (`app/Dioxus.toml`) register both; nothing follows a link yet.

/// `gashapay:…` links.
pub const LINK_SCHEME: &str = "gashapay";

/// The path under which the backend's https links live: `https://<server>/l/…`.
pub const LINK_PATH_PREFIX: &str = "/l/";
