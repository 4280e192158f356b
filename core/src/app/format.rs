//! How numbers and times read on screen, per language: digits grouped as the locale
//! groups them (num-format's CLDR data), month names from chrono's locales.

use super::language::Language;
use chrono::{DateTime, FixedOffset, Utc};
use num_format::{Locale, ToFormattedString};

fn number_locale(language: Language) -> Locale {
    match language {
        Language::En => Locale::en,
        Language::Ja => Locale::ja,
        Language::Ko => Locale::ko,
        Language::Es => Locale::es,
    }
}

/// "1,250" in English, "1.250" in Spanish.
pub fn grouped(language: Language, value: u64) -> String {
    value.to_formatted_string(&number_locale(language))
}

/// "+100" or "−100" (a real minus sign, which screen readers say as "minus").
pub fn delta(language: Language, delta: i64) -> String {
    let sign = if delta < 0 { '\u{2212}' } else { '+' };
    format!("{sign}{}", grouped(language, delta.unsigned_abs()))
}

/// Whole minutes left, rounded up: 300 s → 5, 241 s → 5, 240 s → 4, 1 s → 1.
/// A code on screen says how long it lasts in minutes, so its text changes once a
/// minute and the screen is not redrawn every second while it waits for a scanner.
pub fn minutes_left(seconds: u64) -> u64 {
    seconds.div_ceil(60)
}

/// "23 Nov 10:02", "11月23日 10:02", "23 nov 10:02" in the given time zone.
pub fn date_time(language: Language, at: DateTime<Utc>, zone: &FixedOffset) -> String {
    let (pattern, locale) = match language {
        Language::En => ("%-d %b %H:%M", chrono::Locale::en_GB),
        Language::Ja => ("%-m月%-d日 %H:%M", chrono::Locale::ja_JP),
        Language::Ko => ("%-m월 %-d일 %H:%M", chrono::Locale::ko_KR),
        Language::Es => ("%-d %b %H:%M", chrono::Locale::es_ES),
    };
    at.with_timezone(zone)
        .format_localized(pattern, locale)
        .to_string()
}

/// "10:02:07" in the given time zone.
pub fn time_of_day(at: DateTime<Utc>, zone: &FixedOffset) -> String {
    at.with_timezone(zone).format("%H:%M:%S").to_string()
}

/// The code's text in blocks of four, for reading aloud or typing.
pub fn code_blocks(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for (i, c) in text.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn numbers_and_times_read_naturally() {
        assert_eq!(grouped(Language::En, 1_000_000), "1,000,000");
        assert_eq!(grouped(Language::Ja, 1_250), "1,250");
        assert_eq!(grouped(Language::Es, 1_250), "1.250");
        assert_eq!(delta(Language::En, -100), "\u{2212}100");
        assert_eq!(delta(Language::En, 2_500), "+2,500");
        assert_eq!(delta(Language::Es, 2_500), "+2.500");
        assert_eq!(minutes_left(300), 5);
        assert_eq!(minutes_left(241), 5);
        assert_eq!(minutes_left(240), 4);
        assert_eq!(minutes_left(20), 1);
        assert_eq!(minutes_left(0), 0);
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 1, 2, 7).unwrap();
        let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(date_time(Language::En, at, &tokyo), "23 Nov 10:02");
        assert_eq!(date_time(Language::Ja, at, &tokyo), "11月23日 10:02");
        assert_eq!(date_time(Language::Ko, at, &tokyo), "11월 23일 10:02");
        assert_eq!(date_time(Language::Es, at, &tokyo), "23 nov 10:02");
        assert_eq!(time_of_day(at, &tokyo), "10:02:07");
        assert_eq!(code_blocks("GP1:ABCDEFG"), "GP1: ABCD EFG");
    }
}
