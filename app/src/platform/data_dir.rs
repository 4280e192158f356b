//! The app's own data folder (saved state, the demo's database).

use std::path::PathBuf;

/// `$GASHAPAY_DATA_DIR` when set (testers and tests point it elsewhere); otherwise
/// the platform's folder for this app's data.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("GASHAPAY_DATA_DIR") {
        return Some(PathBuf::from(dir));
    }
    platform_data_dir()
}

/// Android: the app's private files folder, which only the app can read and which
/// goes when the app is uninstalled.
#[cfg(target_os = "android")]
fn platform_data_dir() -> Option<PathBuf> {
    match super::android::files_dir() {
        Ok(dir) => Some(dir),
        Err(error) => {
            dioxus::logger::tracing::warn!("no files folder from the activity: {error}");
            None
        }
    }
}

/// iOS: `Library/Application Support` in the app's sandbox (its `HOME`), kept in
/// the device's backup and private to the app.
#[cfg(target_os = "ios")]
fn platform_data_dir() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    Some(PathBuf::from(home).join("Library/Application Support/gashapay"))
}

/// Desktop builds for testers: `$XDG_DATA_HOME/gashapay`, else
/// `~/.local/share/gashapay`.
#[cfg(not(any(target_os = "android", target_os = "ios")))]
fn platform_data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME") {
        return Some(PathBuf::from(dir).join("gashapay"));
    }
    let home = std::env::var_os("HOME").map(PathBuf::from)?;
    Some(home.join(".local/share/gashapay"))
}
