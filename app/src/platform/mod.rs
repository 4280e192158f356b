//! What differs per platform, behind small functions and traits: where the app keeps
//! its files, and what the screen does while a code is shown.

mod data_dir;

pub use data_dir::data_dir;

#[cfg(target_os = "android")]
mod android;

/// The language to speak when none was chosen: the first of the system's preferred
/// locales the app knows, else English.
pub fn system_language() -> gashapay_core::app::language::Language {
    let locales: Vec<String> = sys_locale::get_locales().collect();
    gashapay_core::app::language::Language::preferred(locales.iter().map(String::as_str))
}
