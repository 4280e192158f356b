//! The settings screen: which server, which language, which device, where the
//! sign-in is kept.

use super::i18n::current_language;
use super::language::Language;
use super::text::texts;
use crate::device::DeviceCredentials;

/// Where the app keeps its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keychain {
    System,
    /// No system keychain answered; the session lasts until the app quits.
    MemoryOnly {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsView {
    pub server_text: String,
    /// Each language by its own name, and whether the app speaks it now.
    pub languages: Vec<(Language, &'static str, bool)>,
    pub device_text: String,
    pub keychain_text: String,
}

pub fn settings_view(
    server: &str,
    demo: bool,
    device: Option<&DeviceCredentials>,
    keychain: &Keychain,
) -> SettingsView {
    let t = texts();
    SettingsView {
        server_text: match demo {
            true => t.server_demo(server),
            false => server.to_owned(),
        },
        languages: Language::ALL
            .iter()
            .map(|&l| (l, l.own_name(), l == current_language()))
            .collect(),
        device_text: match device {
            Some(device) => {
                t.device_of_user(&device.device_id.to_string(), &device.user_id.to_string())
            }
            None => t.device_not_registered.clone(),
        },
        keychain_text: match keychain {
            Keychain::System => t.system_keychain.clone(),
            Keychain::MemoryOnly { reason } => t.memory_only_keychain(reason),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_say_where_the_sign_in_lives_and_whether_the_server_is_the_demo() {
        let memory = Keychain::MemoryOnly {
            reason: "no keychain support in this build".into(),
        };
        let view = settings_view("http://127.0.0.1:9", true, None, &memory);
        assert_eq!(
            view.server_text,
            "http://127.0.0.1:9 (built-in demo server)"
        );
        assert_eq!(view.device_text, "Not registered");
        assert_eq!(
            view.keychain_text,
            "Memory only, until the app quits (no keychain support in this build)"
        );
        let view = settings_view("https://api", false, None, &Keychain::System);
        assert_eq!(
            (view.server_text.as_str(), view.keychain_text.as_str()),
            ("https://api", "The system keychain")
        );
    }
}
