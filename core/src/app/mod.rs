//! The app's screen logic with no UI in it: what each screen shows (view models),
//! the play screen's and the machine screen's state machines, and a human message with a next step for every
//! error. The Dioxus shell renders these and forwards events; it holds no rules.

pub mod demo;
pub mod failure;
pub mod format;
pub mod history;
pub mod i18n;
pub mod language;
pub mod machine_pay;
pub mod messages;
pub mod model;
pub mod play;
pub mod reward;
pub mod saved;
pub mod scanner_screen;
pub mod server;
pub mod settings;
pub mod sign_in;
pub mod text;
pub mod top_up;
pub mod views;
