//! The GashaPay app. Screens (`screens`) are pure functions of view models from the
//! core; pages (`pages`) connect them to the app's signals; `services` feeds the
//! core's app model and `runner` runs its effects (HTTP through the core's client). No rules live in components.

pub mod connection;
pub mod links;
pub mod pages;
pub mod platform;
pub mod runner;
pub mod screens;
pub mod services;
pub mod state;

#[cfg(feature = "demo")]
pub mod demo;
#[cfg(feature = "demo")]
pub mod demo_arcade;
#[cfg(feature = "demo")]
pub mod demo_rewards;
#[cfg(feature = "desktop")]
pub mod page_text;

/// The stylesheet, embedded so the binary runs from anywhere (it lives in `assets/`).
pub const STYLESHEET: &str = include_str!("../../assets/app.css");
