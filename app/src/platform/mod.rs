//! What differs per platform, behind small functions and traits: where the app keeps
//! its files, and what the screen does while a code is shown.

mod data_dir;

pub use data_dir::data_dir;

#[cfg(target_os = "android")]
mod android;
