//! What differs per platform, behind small functions and traits: where the app keeps
//! its files, what the screen does while a code is shown, and how the desktop web view
//! draws.

mod data_dir;
mod web_view;

pub use data_dir::data_dir;
pub use web_view::paint_directly_without_gpu;

#[cfg(target_os = "android")]
mod android;

use gashapay_core::app::scanner_screen::ScannerScreen;
use std::sync::Arc;

/// The link Android opened the app with (its activity's intent), once; `None` on
/// other platforms, which hand links to the event loop (`Event::Opened`).
pub fn take_opened_link() -> Option<String> {
    #[cfg(target_os = "android")]
    match android::take_opened_link() {
        Ok(link) => return link,
        Err(error) => {
            dioxus::logger::tracing::warn!("the opened link was not read: {error}");
            return None;
        }
    }
    #[allow(unreachable_code, reason = "Android returns above")]
    None
}

/// The screen controls of this platform, for while a code is shown.
pub fn scanner_screen() -> Arc<dyn ScannerScreen> {
    #[cfg(all(target_os = "android", feature = "mobile"))]
    return Arc::new(android::AndroidScreen);
    #[cfg(target_os = "ios")]
    return Arc::new(gashapay_core::app::scanner_screen::IosScreen::default());
    #[allow(unreachable_code, reason = "the phones return above")]
    Arc::new(gashapay_core::app::scanner_screen::UnchangedScreen)
}

/// The language to speak when none was chosen: the first of the system's preferred
/// locales the app knows, else English.
pub fn system_language() -> gashapay_core::app::language::Language {
    let locales: Vec<String> = sys_locale::get_locales().collect();
    gashapay_core::app::language::Language::preferred(locales.iter().map(String::as_str))
}

/// The text size a desktop tester asked for, in percent (`GASHAPAY_TEXT_SCALE=200`):
/// a preview of a phone's large-text setting, which scales the page's text as this
/// does. Phones take theirs from the system and ignore this.
pub fn text_scale() -> Option<u16> {
    if cfg!(any(target_os = "android", target_os = "ios")) {
        return None;
    }
    std::env::var("GASHAPAY_TEXT_SCALE")
        .ok()?
        .parse()
        .ok()
        .filter(|percent| (50..=400).contains(percent))
}
