//! How numbers and times read on screen.

use crate::Points;
use chrono::{DateTime, FixedOffset, Utc};

/// "1,250 pts"
pub fn points(points: Points) -> String {
    format!("{} pts", grouped(points.0))
}

/// "+100" or "−100" (a real minus sign, which screen readers say as "minus").
pub fn delta(delta: i64) -> String {
    let sign = if delta < 0 { '\u{2212}' } else { '+' };
    format!("{sign}{}", grouped(delta.unsigned_abs()))
}

fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "4:05" for a countdown.
pub fn countdown(seconds: u64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// "23 Nov 10:02" in the given time zone.
pub fn date_time(at: DateTime<Utc>, zone: &FixedOffset) -> String {
    at.with_timezone(zone).format("%-d %b %H:%M").to_string()
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
        assert_eq!(points(Points(1_250)), "1,250 pts");
        assert_eq!(points(Points(0)), "0 pts");
        assert_eq!(points(Points(1_000_000)), "1,000,000 pts");
        assert_eq!(delta(-100), "\u{2212}100");
        assert_eq!(delta(2_500), "+2,500");
        assert_eq!(countdown(245), "4:05");
        assert_eq!(countdown(0), "0:00");
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 1, 2, 7).unwrap();
        let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(date_time(at, &tokyo), "23 Nov 10:02");
        assert_eq!(time_of_day(at, &tokyo), "10:02:07");
        assert_eq!(code_blocks("GP1:ABCDEFG"), "GP1: ABCD EFG");
    }
}
