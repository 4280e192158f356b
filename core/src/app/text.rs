//! Every fixed text the app shows, in one place: a screen holds no sentence of its
//! own, so a language is one more value of [`Texts`]. A text with a `{name}` in it is
//! a template; [`fill`] puts the values in, so a translation may move them around.

/// The app's texts in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Texts {
    pub app_name: &'static str,
    /// The name this app's device is registered under (the account's device list).
    pub device_name: &'static str,
    pub starting: &'static str,
    pub loading: &'static str,
    pub main_navigation: &'static str,
    pub tab_home: &'static str,
    pub tab_play: &'static str,
    pub tab_history: &'static str,
    pub tab_top_up: &'static str,
    pub tab_settings: &'static str,

    pub sign_in_title: &'static str,
    /// `{server}`.
    pub sign_in_server: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub signing_in: &'static str,
    pub sign_up_title: &'static str,
    pub create_account: &'static str,
    pub creating_account: &'static str,
    pub switch_to_sign_up: &'static str,
    pub switch_to_sign_in: &'static str,
    pub username_rule: &'static str,
    pub password_rule: &'static str,

    pub your_balance: &'static str,
    pub balance_unknown: &'static str,
    /// `{time}`.
    pub balance_updated: &'static str,
    pub balance_not_loaded: &'static str,
    pub balance_stale: &'static str,
    pub play: &'static str,
    pub play_action_label: &'static str,
    pub recent_activity: &'static str,
    pub no_plays_yet: &'static str,

    pub history_title: &'static str,
    pub history_empty: &'static str,
    pub show_older: &'static str,

    pub play_title: &'static str,
    pub how_many_points: &'static str,
    pub points_to_play: &'static str,
    /// `{points}`.
    pub show_code_for: &'static str,
    /// `{points}`.
    pub code_label: &'static str,
    /// `{countdown}`.
    pub code_renews: &'static str,
    pub code_as_text: &'static str,
    pub brightness_hint: &'static str,
    pub play_again: &'static str,
    pub cancel: &'static str,

    pub settings_title: &'static str,
    pub server: &'static str,
    pub choose_server_title: &'static str,
    pub server_address_hint: &'static str,
    pub use_server: &'static str,
    pub checking_server: &'static str,
    /// `{server}`.
    pub server_changed: &'static str,
    pub demo_server: &'static str,
    pub this_device: &'static str,
    /// `{device}`, `{user}`.
    pub device_of_user: &'static str,
    pub device_not_registered: &'static str,
    pub secrets_stored_in: &'static str,
    pub system_keychain: &'static str,
    /// `{reason}`.
    pub memory_only_keychain: &'static str,
    pub sign_out: &'static str,

    pub top_up_title: &'static str,
    pub top_up_amount: &'static str,
    pub test_payment_token: &'static str,
    pub test_card_succeeds: &'static str,
    pub test_card_declined: &'static str,
    /// `{points}`.
    pub pay_and_add: &'static str,
    pub paying: &'static str,
    /// `{amount}`, `{balance}`.
    pub top_up_done: &'static str,
}

/// The texts in English.
pub const ENGLISH: Texts = Texts {
    app_name: "GashaPay",
    device_name: "GashaPay app",
    starting: "Starting…",
    loading: "Loading…",
    main_navigation: "Main",
    tab_home: "Home",
    tab_play: "Play",
    tab_history: "History",
    tab_top_up: "Top up",
    tab_settings: "Settings",

    sign_in_title: "Sign in to GashaPay",
    sign_in_server: "Server: {server}",
    username: "Username",
    password: "Password",
    sign_in: "Sign in",
    signing_in: "Signing in…",
    sign_up_title: "Create your GashaPay account",
    create_account: "Create account",
    creating_account: "Creating account…",
    switch_to_sign_up: "New here? Create an account",
    switch_to_sign_in: "I already have an account",
    username_rule: "3 to 32 characters: a–z, 0–9, _ . -",
    password_rule: "At least 8 characters",

    your_balance: "Your balance",
    balance_unknown: "—",
    balance_updated: "Updated {time}",
    balance_not_loaded: "Not loaded yet",
    balance_stale: "Offline: this balance may be out of date",
    play: "Play",
    play_action_label: "Play a machine: show a QR code",
    recent_activity: "Recent activity",
    no_plays_yet: "No plays yet.",

    history_title: "History",
    history_empty: "Nothing here yet: plays, refunds and top-ups will show up here.",
    show_older: "Show older",

    play_title: "Play",
    how_many_points: "How many points?",
    points_to_play: "Points to play",
    show_code_for: "Show QR code for {points}",
    code_label: "QR code to pay {points}. Hold it up to the machine's scanner.",
    code_renews: "Renews automatically · expires in {countdown}",
    code_as_text: "The code as text",
    brightness_hint: "Turn the screen brightness up for the scanner.",
    play_again: "Play again",
    cancel: "Cancel",

    settings_title: "Settings",
    server: "Server",
    choose_server_title: "Which GashaPay server?",
    server_address_hint: "The address your operator gave you, e.g. https://pay.example.com",
    use_server: "Check and use",
    checking_server: "Checking…",
    server_changed: "Now using {server}",
    demo_server: " (built-in demo server)",
    this_device: "This device",
    device_of_user: "Device {device} of user {user}",
    device_not_registered: "Not registered",
    secrets_stored_in: "Sign-in stored in",
    system_keychain: "The system keychain",
    memory_only_keychain: "Memory only, until the app quits ({reason})",
    sign_out: "Sign out",

    top_up_title: "Top up",
    top_up_amount: "Amount",
    test_payment_token: "Test payment token",
    test_card_succeeds: "Test card (succeeds)",
    test_card_declined: "Test card (declined)",
    pay_and_add: "Pay and add {points}",
    paying: "Paying…",
    top_up_done: "Added {amount}. New balance: {balance}",
};

/// The texts the app shows now.
pub fn texts() -> &'static Texts {
    &ENGLISH
}

/// `template` with each `{name}` replaced by its value; an unknown `{name}` stays.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_take_their_values_by_name() {
        assert_eq!(
            fill(
                ENGLISH.top_up_done,
                &[("balance", "1,500 pts"), ("amount", "500 pts")]
            ),
            "Added 500 pts. New balance: 1,500 pts"
        );
        assert_eq!(fill("{missing} stays", &[]), "{missing} stays");
    }
}
