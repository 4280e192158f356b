//! Pure screens: each renders view models from the core and forwards events. They
//! read no signals and call no services, so tests render them from fixed data.

mod history;
mod home;
mod machine;
mod message;
mod play;
mod reward;
mod server;
mod settings;
mod sign_in;
mod top_up;

#[cfg(feature = "demo")]
mod demo_panel;

pub use history::HistoryScreen;
pub use home::HomeScreen;
pub use machine::MachineScreen;
pub use message::MessageBox;
pub use play::PlayScreen;
pub use reward::{RewardCard, RewardScreen};
pub use server::{ServerForm, ServerScreen};
pub use settings::SettingsScreen;
pub use sign_in::SignInScreen;
pub use top_up::TopUpScreen;

#[cfg(feature = "demo")]
pub use demo_panel::DemoPanel;
