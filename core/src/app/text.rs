//! Every fixed text the app shows, in the language the app speaks: a screen holds no
//! sentence of its own. Plain texts are fields; a text with values in it is a method
//! that fills the message's placeholders by name, so a translation may move them.

use super::format;
use super::i18n::{current_language, Arg, Catalogue};
use super::language::Language;
use crate::Points;
use chrono::{DateTime, FixedOffset, Utc};
use std::sync::OnceLock;

/// Declares [`Texts`] with one field per plain message, named as its catalogue id.
macro_rules! plain_texts {
    ($($field:ident),* $(,)?) => {
        /// The app's texts in one language.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Texts {
            language: Language,
            $(pub $field: String,)*
        }

        impl Texts {
            /// The catalogue ids of the plain texts.
            pub const PLAIN_IDS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn load(catalogue: &Catalogue) -> Self {
                Self {
                    language: catalogue.language(),
                    $($field: catalogue.text(stringify!($field)),)*
                }
            }
        }
    };
}

plain_texts! {
    app_name,
    device_name,
    starting,
    loading,
    main_navigation,
    tab_home,
    tab_play,
    tab_history,
    tab_top_up,
    tab_settings,
    sign_in_title,
    username,
    password,
    sign_in,
    signing_in,
    sign_up_title,
    create_account,
    creating_account,
    switch_to_sign_up,
    switch_to_sign_in,
    username_rule,
    password_rule,
    your_balance,
    balance_unknown,
    balance_not_loaded,
    balance_stale,
    play,
    play_action_label,
    recent_activity,
    no_plays_yet,
    history_title,
    history_empty,
    show_older,
    play_title,
    how_many_points,
    points_to_play,
    code_as_text,
    brightness_hint,
    play_again,
    cancel,
    settings_title,
    server,
    choose_server_title,
    server_address_hint,
    use_server,
    checking_server,
    this_device,
    device_not_registered,
    secrets_stored_in,
    system_keychain,
    sign_out,
    top_up_title,
    top_up_amount,
    test_payment_token,
    test_card_succeeds,
    test_card_declined,
    paying,
    choose_points_to_play,
    language_choice,
    cannot_make_code,
}

impl Texts {
    /// The texts of `language`, loaded once.
    pub fn of(language: Language) -> &'static Texts {
        static LOADED: [OnceLock<Texts>; 4] = [const { OnceLock::new() }; 4];
        LOADED[language.index()].get_or_init(|| Texts::load(Catalogue::of(language)))
    }

    pub fn language(&self) -> Language {
        self.language
    }

    fn catalogue(&self) -> &'static Catalogue {
        Catalogue::of(self.language)
    }

    /// A message by id with its values: the templates below, and the sentences the
    /// core's models choose between (statuses, problems, next steps).
    pub fn message(&self, id: &str, args: &[(&str, &str)]) -> String {
        let args: Vec<_> = args.iter().map(|&(k, v)| (k, Arg::Text(v))).collect();
        self.catalogue().format(id, &args)
    }

    /// The `.detail` attribute of a problem's message.
    pub fn detail(&self, id: &str) -> String {
        self.catalogue().attribute(id, "detail", &[])
    }

    /// "1,250 pts", grouped and named as the language does.
    pub fn points(&self, points: Points) -> String {
        let count = format::grouped(self.language, points.0);
        self.catalogue().format(
            "points",
            &[("count", Arg::Text(&count)), ("n", Arg::Count(points.0))],
        )
    }

    /// "+100" or "−100", grouped as the language does.
    pub fn delta(&self, delta: i64) -> String {
        format::delta(self.language, delta)
    }

    /// A history date: "23 Nov 10:02", "11月23日 10:02".
    pub fn date_time(&self, at: DateTime<Utc>, zone: &FixedOffset) -> String {
        format::date_time(self.language, at, zone)
    }

    pub fn sign_in_server(&self, server: &str) -> String {
        self.message("sign_in_server", &[("server", server)])
    }

    /// When the balance was fetched: "Updated 10:02:07".
    pub fn balance_updated(&self, at: DateTime<Utc>, zone: &FixedOffset) -> String {
        self.message(
            "balance_updated",
            &[("time", &format::time_of_day(at, zone))],
        )
    }

    /// `points` as [`Texts::points`] writes them.
    pub fn show_code_for(&self, points: &str) -> String {
        self.message("show_code_for", &[("points", points)])
    }

    pub fn code_label(&self, points: &str) -> String {
        self.message("code_label", &[("points", points)])
    }

    pub fn code_renews(&self, minutes: &str) -> String {
        self.message("code_renews", &[("minutes", minutes)])
    }

    pub fn new_balance(&self, balance: Points) -> String {
        self.message("new_balance", &[("balance", &self.points(balance))])
    }

    pub fn server_demo(&self, server: &str) -> String {
        self.message("server_demo", &[("server", server)])
    }

    pub fn server_changed(&self, server: &str) -> String {
        self.message("server_changed", &[("server", server)])
    }

    pub fn device_of_user(&self, device: &str, user: &str) -> String {
        self.message("device_of_user", &[("device", device), ("user", user)])
    }

    pub fn memory_only_keychain(&self, reason: &str) -> String {
        self.message("memory_only_keychain", &[("reason", reason)])
    }

    pub fn pay_and_add(&self, points: Points) -> String {
        self.message("pay_and_add", &[("points", &self.points(points))])
    }

    pub fn top_up_done(&self, amount: Points, balance: Points) -> String {
        self.message(
            "top_up_done",
            &[
                ("amount", &self.points(amount)),
                ("balance", &self.points(balance)),
            ],
        )
    }
}

/// The texts in the language the app speaks now.
pub fn texts() -> &'static Texts {
    Texts::of(current_language())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::i18n::MISSING;
    use chrono::TimeZone;

    #[test]
    fn every_text_exists_in_every_language() {
        for &language in Language::ALL {
            let t = Texts::of(language);
            assert_eq!(t.language(), language);
            for id in Texts::PLAIN_IDS {
                assert!(
                    Catalogue::of(language).has(id, None),
                    "{id} in {language:?}"
                );
            }
            let samples = [
                t.sign_in_server("https://x"),
                t.show_code_for("100"),
                t.top_up_done(Points(500), Points(1_500)),
                t.device_of_user("d", "u"),
            ];
            for sample in samples {
                assert!(
                    !sample.contains(MISSING) && !sample.contains("{$"),
                    "{sample}"
                );
            }
        }
    }

    #[test]
    fn values_land_where_each_language_puts_them() {
        let en = Texts::of(Language::En);
        assert_eq!(
            en.top_up_done(Points(500), Points(1_500)),
            "Added 500 pts. New balance: 1,500 pts"
        );
        assert_eq!(en.points(Points(1)), "1 pt");
        let ja = Texts::of(Language::Ja);
        assert_eq!(
            ja.show_code_for(&ja.points(Points(1_000))),
            "1,000 pt の QR コードを表示"
        );
        let es = Texts::of(Language::Es);
        assert_eq!(es.points(Points(10_000)), "10.000 puntos");
        assert_eq!(es.points(Points(1)), "1 punto");
        let ko = Texts::of(Language::Ko);
        assert_eq!(ko.points(Points(300)), "300P");
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 1, 2, 7).unwrap();
        let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(ja.balance_updated(at, &tokyo), "10:02:07 更新");
    }
}
