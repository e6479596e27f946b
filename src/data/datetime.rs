//! Recognising dates and date-times in text columns.
//!
//! Accepted: `YYYY-MM-DD`, `YYYY/MM/DD`, `DD/MM/YYYY` or `MM/DD/YYYY` (also with `-` or `.`
//! between the parts), optionally followed by ` ` or `T` and `HH:MM`, `HH:MM:SS` or
//! `HH:MM:SS.fff`, optionally followed by `Z` or a UTC offset `±HH:MM` (`±HHMM`, `±HH`).
//!
//! Why not `jiff` or `chrono`: both parse one layout per call. jiff's `Timestamp`/`civil`
//! `FromStr` reads ISO 8601 / Temporal only (no `DD/MM/YYYY`), and `jiff::fmt::strtime::parse` and
//! chrono's `parse_from_str` take a single strftime format. The profile asks of every value of
//! every text column "is this a date in either day order?", and the caller decides the day order
//! from the data (values valid only as `DD/MM` against values valid only as `MM/DD`, see
//! `profile.rs` and `prep/fit_steps.rs`). With a library that is 3 separators × 3 date orders ×
//! 4 time forms × 4 offset forms ≈ 140 format strings tried per value, where this one pass over
//! the bytes answers both orders. The calendar arithmetic is Hinnant's `days_from_civil` and its
//! inverse [`civil_parts`], a dozen lines each; a date library would add code to the page and the
//! worker for no behaviour Hearth needs (time zones, spans, formatting).

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Between `min` and `max` ASCII digits: their value and count.
    fn digits(&mut self, min: usize, max: usize) -> Option<(i64, usize)> {
        let mut value = 0i64;
        let mut count = 0usize;
        while count < max {
            match self.peek() {
                Some(b) if b.is_ascii_digit() => {
                    value = value * 10 + i64::from(b - b'0');
                    count += 1;
                    self.pos += 1;
                }
                _ => break,
            }
        }
        (count >= min).then_some((value, count))
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day, day of week with Monday = 0, hour) of Unix seconds (UTC): the inverse of
/// [`days_from_civil`] plus the time of day, for the date parts the preparation extracts.
pub(crate) fn civil_parts(seconds: f64) -> (i64, i64, i64, i64, i64) {
    let seconds = if seconds.is_finite() {
        seconds.clamp(-1e15, 1e15)
    } else {
        0.0
    };
    let days = (seconds / 86_400.0).floor();
    let hour = ((seconds - days * 86_400.0) / 3600.0).floor() as i64;
    let days = days as i64;
    // H. Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = (days + 3).rem_euclid(7);
    (year, month, day, weekday, hour.clamp(0, 23))
}

/// Parses a date or date-time into Unix seconds (UTC; an explicit offset is applied, a missing
/// one means UTC). `day_first` chooses between `DD/MM/YYYY` and `MM/DD/YYYY`.
pub fn parse_datetime(text: &str, day_first: bool) -> Option<f64> {
    let mut c = Cursor {
        bytes: text.trim().as_bytes(),
        pos: 0,
    };
    let (first, first_len) = c.digits(1, 4)?;
    let (year, month, day);
    if first_len == 4 {
        let sep = c.next()?;
        if !matches!(sep, b'-' | b'/' | b'.') {
            return None;
        }
        let (m, _) = c.digits(1, 2)?;
        if !c.eat(sep) {
            return None;
        }
        let (d, _) = c.digits(1, 2)?;
        (year, month, day) = (first, m, d);
    } else if first_len <= 2 {
        let sep = c.next()?;
        if !matches!(sep, b'-' | b'/' | b'.') {
            return None;
        }
        let (second, _) = c.digits(1, 2)?;
        if !c.eat(sep) {
            return None;
        }
        let (y, _) = c.digits(4, 4)?;
        (year, month, day) = if day_first {
            (y, second, first)
        } else {
            (y, first, second)
        };
    } else {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) as f64 * 86_400.0;
    if c.at_end() {
        return Some(seconds);
    }
    if !matches!(c.next()?, b' ' | b'T') {
        return None;
    }
    let (hour, _) = c.digits(1, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let (minute, _) = c.digits(2, 2)?;
    let mut second = 0.0;
    if c.eat(b':') {
        let (s, _) = c.digits(2, 2)?;
        second = s as f64;
        if c.eat(b'.') || c.eat(b',') {
            let (frac, len) = c.digits(1, 9)?;
            second += frac as f64 / 10f64.powi(len as i32);
        }
    }
    if hour > 23 || minute > 59 || second >= 61.0 {
        return None;
    }
    seconds += (hour * 3600 + minute * 60) as f64 + second;
    match c.next() {
        None => {}
        Some(b'Z') => {}
        Some(sign @ (b'+' | b'-')) => {
            let (oh, _) = c.digits(2, 2)?;
            let om = if c.at_end() {
                0
            } else {
                c.eat(b':');
                c.digits(2, 2)?.0
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let offset = (oh * 3600 + om * 60) as f64;
            seconds += if sign == b'+' { -offset } else { offset };
        }
        Some(_) => return None,
    }
    c.at_end().then_some(seconds)
}

/// Whether the text is a date or date-time in either day order.
pub fn is_datetime(text: &str) -> bool {
    parse_datetime(text, false).is_some() || parse_datetime(text, true).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_parts_of_known_dates() {
        // 1970-01-01 was a Thursday.
        assert_eq!(civil_parts(0.0), (1970, 1, 1, 3, 0));
        // 2024-02-29 13:45 UTC, a Thursday.
        assert_eq!(civil_parts(1_709_214_300.0), (2024, 2, 29, 3, 13));
        // 1969-12-31 23:00, a Wednesday.
        assert_eq!(civil_parts(-3600.0), (1969, 12, 31, 2, 23));
        assert_eq!(civil_parts(f64::NAN).0, 1970);
    }

    #[test]
    fn parses_dates() {
        assert_eq!(parse_datetime("1970-01-01", false), Some(0.0));
        assert_eq!(parse_datetime("2000-03-01", false), Some(951_868_800.0));
        assert_eq!(parse_datetime("2000/3/1", false), Some(951_868_800.0));
        assert_eq!(parse_datetime("01/03/2000", true), Some(951_868_800.0));
        assert_eq!(parse_datetime("03/01/2000", false), Some(951_868_800.0));
        assert_eq!(
            parse_datetime("1970-01-02T00:00:01Z", false),
            Some(86_401.0)
        );
        assert_eq!(parse_datetime("1970-01-01 01:30", false), Some(5400.0));
        assert_eq!(
            parse_datetime("1970-01-01T01:00:00+01:00", false),
            Some(0.0)
        );
        assert_eq!(
            parse_datetime("1970-01-01T00:00:00-0130", false),
            Some(5400.0)
        );
        assert_eq!(parse_datetime("1970-01-01 00:00:00.250", false), Some(0.25));
        assert_eq!(parse_datetime("1969-12-31", false), Some(-86_400.0));
        assert_eq!(parse_datetime("2024-02-29", false), Some(1_709_164_800.0));
        for bad in [
            "2023-02-29",
            "2020-13-01",
            "2020-00-10",
            "2020",
            "12345",
            "2020-01-01x",
            "2020-01-01 25:00",
            "2020-01/01",
            "hello",
            "",
            "31/31/2020",
            "2020-01-01T10",
            "1.5",
        ] {
            assert!(!is_datetime(bad), "{bad}");
        }
        assert!(is_datetime("31/12/2020"));
        assert!(is_datetime("12/31/2020"));
        assert!(parse_datetime("31/12/2020", false).is_none());
    }
}
