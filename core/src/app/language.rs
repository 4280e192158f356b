//! The languages the app speaks, and which one to use.

wire_enum! {
    /// A language of the app's message catalogue, by its BCP 47 tag.
    pub enum Language {
        En,
        Ja,
        Ko,
        Es,
    }
}

impl Language {
    /// The language named by a locale such as `ja-JP`, `es_MX.UTF-8` or `ko`: its
    /// language subtag, whatever the region or encoding.
    pub fn of_locale(locale: &str) -> Option<Self> {
        let subtag = locale
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Self::parse(&subtag)
    }

    /// The first of `locales` (the system's, in order of preference) the app speaks;
    /// English when none.
    pub fn preferred<'a>(locales: impl IntoIterator<Item = &'a str>) -> Self {
        locales
            .into_iter()
            .find_map(Self::of_locale)
            .unwrap_or(Language::En)
    }

    /// Its place in [`Language::ALL`], for tables kept in that order.
    pub fn index(self) -> usize {
        Self::ALL
            .iter()
            .position(|&l| l == self)
            .unwrap_or_default()
    }

    /// The language's own name, as the choice in Settings shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Ja => "日本語",
            Language::Ko => "한국어",
            Language::Es => "Español",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_locale_picks_the_first_language_the_app_speaks() {
        assert_eq!(Language::of_locale("ja-JP"), Some(Language::Ja));
        assert_eq!(Language::of_locale("es_MX.UTF-8"), Some(Language::Es));
        assert_eq!(Language::of_locale("KO"), Some(Language::Ko));
        assert_eq!(Language::of_locale("fr-FR"), None);
        assert_eq!(Language::preferred(["fr-FR", "ko-KR", "en"]), Language::Ko);
        assert_eq!(Language::preferred(["de", "C"]), Language::En);
        assert_eq!(Language::preferred([]), Language::En);
    }
}
