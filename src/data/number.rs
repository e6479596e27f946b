//! Number and missing-value recognition on raw field bytes, without allocating.

/// The missing-value markers, compared after trimming ASCII whitespace, case-insensitively.
pub const MISSING_MARKERS: [&str; 7] = ["", "NA", "N/A", "NaN", "null", "?", "-"];

/// Whether a raw field is a missing value (see [`MISSING_MARKERS`]).
#[inline]
pub fn is_missing_marker(bytes: &[u8]) -> bool {
    let t = bytes.trim_ascii();
    match t.len() {
        0 => true,
        1 => t == b"?" || t == b"-",
        2 => t.eq_ignore_ascii_case(b"na"),
        3 => t.eq_ignore_ascii_case(b"n/a") || t.eq_ignore_ascii_case(b"nan"),
        4 => t.eq_ignore_ascii_case(b"null"),
        _ => false,
    }
}

/// How a number was written, so that a numeric column that later turns out to be text can
/// render its earlier values back exactly in the common cases. Packed in a byte so that a
/// column can track all its values with one AND and one OR each (see [`StyleTracker`]):
/// bits 0–4 hold the number of decimals, [`Shape::CANONICAL`] and [`Shape::OTHER`] are flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shape(u8);

impl Shape {
    const DECIMALS: u8 = 0x1F;
    /// Rust's shortest `{}` formatting reproduces the text.
    const CANONICAL: u8 = 0x40;
    /// Not plain decimal notation (`+1`, `1e3`, ` 7`, `007`, `inf`, 17 significant digits…).
    const OTHER: u8 = 0x80;
    /// Any number not in plain decimal notation.
    pub(crate) const NOT_PLAIN: Shape = Shape(Self::OTHER);

    /// Plain decimal notation (`-12.50`): no sign `+`, no exponent, no padding, no leading
    /// zeros, at most 15 digits, so `format!("{:.decimals$}")` reproduces it exactly.
    #[inline(always)]
    pub(crate) fn plain(decimals: u8, canonical: bool) -> Shape {
        Shape((decimals & Self::DECIMALS) | if canonical { Self::CANONICAL } else { 0 })
    }

    /// The number of decimals of a number in plain notation (which the fast path parsed as
    /// mantissa ÷ 10^decimals, correctly rounded); `None` for any other notation.
    #[inline(always)]
    pub(crate) fn plain_decimals(self) -> Option<u8> {
        (self.0 & Self::OTHER == 0).then_some(self.0 & Self::DECIMALS)
    }
}

/// Exact powers of ten representable in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Parses a field as a number: ASCII whitespace around it is ignored, a leading `+` and
/// exponents are accepted, `inf`/`infinity` give ±∞. With `decimal_comma`, `,` is the decimal
/// separator and a `.` makes the field non-numeric. `nan` parses as NaN (callers check the
/// missing markers first). Returns `None` for anything else.
#[inline]
pub fn parse_number(bytes: &[u8], decimal_comma: bool) -> Option<f64> {
    parse_number_shape(bytes, decimal_comma).map(|(v, _)| v)
}

#[inline(always)]
pub(crate) fn parse_number_shape(bytes: &[u8], decimal_comma: bool) -> Option<(f64, Shape)> {
    let sep = if decimal_comma { b',' } else { b'.' };
    if let Some(parsed) = parse_fast(bytes, sep) {
        return Some(parsed);
    }
    parse_number_cold(bytes, sep, decimal_comma)
}

/// Everything but an unpadded number the fast path takes: padding, long mantissas, `inf`…
#[cold]
#[inline(never)]
fn parse_number_cold(bytes: &[u8], sep: u8, decimal_comma: bool) -> Option<(f64, Shape)> {
    let t = bytes.trim_ascii();
    if t.len() != bytes.len()
        && let Some((v, _)) = parse_fast(t, sep)
    {
        return Some((v, Shape::NOT_PLAIN));
    }
    parse_slow(t, decimal_comma).map(|v| (v, Shape::NOT_PLAIN))
}

/// Clinger's fast path: up to 19 digits and a power of ten within ±22 with a mantissa below
/// 2^53 give a correctly rounded result with one multiplication or division.
#[inline(always)]
fn parse_fast(t: &[u8], sep: u8) -> Option<(f64, Shape)> {
    let (negative, plus, rest) = match t {
        [b'-', rest @ ..] => (true, false, rest),
        [b'+', rest @ ..] => (false, true, rest),
        _ => (false, false, t),
    };
    let n = rest.len();
    let mut i = 0usize;
    let mut mantissa: u64 = 0;
    while let Some(&c) = rest.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    let int_digits = i;
    let mut frac_digits = 0usize;
    let mut last_frac = 0u8;
    let has_sep = rest.get(i) == Some(&sep);
    if has_sep {
        i += 1;
        let frac_start = i;
        while let Some(&c) = rest.get(i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
            last_frac = d;
            i += 1;
        }
        frac_digits = i - frac_start;
    }
    let digits = int_digits + frac_digits;
    // More than 19 digits may have wrapped the mantissa: leave those to the slow path.
    if digits == 0 || digits > 19 || mantissa > (1u64 << 53) {
        return None;
    }
    let mut exponent: i32 = 0;
    let has_exp = i < n;
    if has_exp {
        exponent = parse_exponent(rest.get(i..).unwrap_or_default())?;
    }
    let e10 = exponent - frac_digits as i32;
    let mut value = mantissa as f64;
    if e10 < 0 {
        value /= POW10.get(e10.unsigned_abs() as usize)?;
    } else if e10 > 0 {
        value *= POW10.get(e10 as usize)?;
    }
    if negative {
        value = -value;
    }
    let plain = !plus
        && !has_exp
        && int_digits >= 1
        && (int_digits == 1 || rest.first() != Some(&b'0'))
        && (!has_sep || frac_digits >= 1)
        && digits <= 15;
    let shape = if plain {
        Shape::plain(frac_digits as u8, frac_digits == 0 || last_frac != 0)
    } else {
        Shape::NOT_PLAIN
    };
    Some((value, shape))
}

/// `e5`, `E-3`, `e+12`: the whole rest of the field, at most 4 exponent digits.
#[inline(never)]
fn parse_exponent(t: &[u8]) -> Option<i32> {
    let (negative, digits) = match t {
        [b'e' | b'E', b'-', rest @ ..] => (true, rest),
        [b'e' | b'E', b'+', rest @ ..] => (false, rest),
        [b'e' | b'E', rest @ ..] => (false, rest),
        _ => return None,
    };
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    let mut exponent = 0i32;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        exponent = exponent * 10 + i32::from(d);
    }
    Some(if negative { -exponent } else { exponent })
}

/// The standard library's parser for everything the fast path declines.
#[cold]
fn parse_slow(t: &[u8], decimal_comma: bool) -> Option<f64> {
    if t.is_empty() || t.len() > 800 {
        return None;
    }
    // Only sign, digits, separators, exponents and the letters of "inf"/"infinity"/"nan" can
    // form a number; checking that first keeps the std parser away from obvious text.
    let plausible = t.iter().all(|&b| {
        b.is_ascii_digit()
            || matches!(
                b,
                b'+' | b'-'
                    | b'.'
                    | b','
                    | b'e'
                    | b'E'
                    | b'i'
                    | b'I'
                    | b'n'
                    | b'N'
                    | b'f'
                    | b'F'
                    | b't'
                    | b'T'
                    | b'y'
                    | b'Y'
                    | b'a'
                    | b'A'
            )
    });
    if !plausible {
        return None;
    }
    let s = std::str::from_utf8(t).ok()?;
    let parsed = if decimal_comma {
        if s.contains('.') {
            return None;
        }
        s.replace(',', ".").parse::<f64>()
    } else {
        if s.contains(',') {
            return None;
        }
        s.parse::<f64>()
    };
    parsed.ok()
}

/// Tracks how the numbers of a column were written, to render them back as text: the AND and
/// the OR of all their [`Shape`]s. All values had the same number of decimals exactly when the
/// decimal bits agree in both; all were canonical when the AND has the canonical flag.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StyleTracker {
    all: u8,
    any: u8,
}

impl Default for StyleTracker {
    fn default() -> Self {
        StyleTracker { all: 0xFF, any: 0 }
    }
}

impl StyleTracker {
    #[inline(always)]
    pub(crate) fn observe(&mut self, shape: Shape) {
        self.all &= shape.0;
        self.any |= shape.0;
    }

    /// The number of decimals every observed value had, if they were all plain and agreed.
    fn fixed_decimals(&self) -> Option<u8> {
        let decimals = self.all & Shape::DECIMALS;
        (self.any & Shape::OTHER == 0 && decimals == self.any & Shape::DECIMALS).then_some(decimals)
    }

    /// Whether [`StyleTracker::render`] reproduces every observed value exactly.
    #[cfg(test)]
    pub(crate) fn exact(&self) -> bool {
        self.all & Shape::CANONICAL != 0 || self.fixed_decimals().is_some()
    }

    /// Renders a value the way the column wrote its numbers: with the column's fixed number of
    /// decimals when all values had the same, else Rust's shortest round-trip form.
    pub(crate) fn render(&self, value: f64, decimal_comma: bool) -> String {
        let text = match self.fixed_decimals() {
            Some(d) if value.is_finite() => format!("{:.*}", usize::from(d), value),
            _ => format!("{value}"),
        };
        if decimal_comma {
            text.replace('.', ",")
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<f64> {
        parse_number(s.as_bytes(), false)
    }

    #[test]
    fn parses_numbers() {
        assert_eq!(p("42"), Some(42.0));
        assert_eq!(p("-3.25"), Some(-3.25));
        assert_eq!(p("+7"), Some(7.0));
        assert_eq!(p("  8.5 "), Some(8.5));
        assert_eq!(p("1e3"), Some(1000.0));
        assert_eq!(p("2.5E-2"), Some(0.025));
        assert_eq!(p(".5"), Some(0.5));
        assert_eq!(p("5."), Some(5.0));
        assert_eq!(p("0.1"), Some(0.1));
        assert_eq!(
            p("123456789012345678901234"),
            Some(123456789012345678901234.0)
        );
        assert_eq!(p("0.30000000000000004"), Some(0.30000000000000004));
        assert_eq!(p("1e400"), Some(f64::INFINITY));
        assert_eq!(p("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(p("Infinity"), Some(f64::INFINITY));
        assert!(p("nan").is_some_and(f64::is_nan));
        for bad in [
            "", "-", "+", ".", "e5", "1e", "1,5", "1.2.3", "abc", "1 2", "0x10", "1_000", "--1",
        ] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
        assert_eq!(parse_number(b"3,5", true), Some(3.5));
        assert_eq!(parse_number(b"-1,25e1", true), Some(-12.5));
        assert_eq!(parse_number(b"3.5", true), None);
        assert_eq!(parse_number(b"\xff1", false), None);
    }

    #[test]
    fn fast_path_matches_std() {
        let samples = [
            "0.1",
            "0.2",
            "0.3",
            "1.7976931348623157",
            "9007199254740993",
            "123.456",
            "-0.000123",
            "4.35",
            "1234567.891",
            "99999999999999999",
            "0.000000000000000000000000001",
            "7e22",
            "7e23",
            "1.5e-300",
            "3.14159265358979",
        ];
        for s in samples {
            assert_eq!(p(s), s.parse::<f64>().ok(), "{s}");
        }
    }

    #[test]
    fn shapes() {
        let shape = |s: &str| parse_number_shape(s.as_bytes(), false).map(|(_, sh)| sh);
        assert_eq!(shape("1.50"), Some(Shape::plain(2, false)));
        assert_eq!(shape("1.5"), Some(Shape::plain(1, true)));
        assert_eq!(shape("-12"), Some(Shape::plain(0, true)));
        assert_eq!(shape("0.25"), Some(Shape::plain(2, true)));
        for other in [
            "007",
            "+1",
            "1e3",
            " 1",
            "5.",
            ".5",
            "inf",
            "12345678901234567",
        ] {
            assert_eq!(shape(other), Some(Shape::NOT_PLAIN), "{other}");
        }
    }

    #[test]
    fn renders_back() {
        let mut t = StyleTracker::default();
        for s in ["1.50", "2.00", "-3.25"] {
            if let Some((_, sh)) = parse_number_shape(s.as_bytes(), false) {
                t.observe(sh);
            }
        }
        assert!(t.exact());
        assert_eq!(t.render(1.5, false), "1.50");
        assert_eq!(t.render(1.5, true), "1,50");
        let mut t = StyleTracker::default();
        for s in ["1", "2.5"] {
            if let Some((_, sh)) = parse_number_shape(s.as_bytes(), false) {
                t.observe(sh);
            }
        }
        assert!(t.exact());
        assert_eq!(t.render(1.0, false), "1");
        assert_eq!(t.render(2.5, false), "2.5");
        let mut t = StyleTracker::default();
        for s in ["1.50", "2.5", "1e3"] {
            if let Some((_, sh)) = parse_number_shape(s.as_bytes(), false) {
                t.observe(sh);
            }
        }
        assert!(!t.exact());
        assert_eq!(t.render(1.5, false), "1.5");
        assert!(StyleTracker::default().exact());
    }

    #[test]
    fn missing_markers() {
        for m in [
            "", "  ", "NA", "na", "N/A", "n/a", "NaN", "nan", "NULL", "null", "?", "-", " NA ",
        ] {
            assert!(is_missing_marker(m.as_bytes()), "{m:?}");
        }
        for m in ["None", "0", "--", "n", "nil", "NAN!"] {
            assert!(!is_missing_marker(m.as_bytes()), "{m:?}");
        }
        for m in MISSING_MARKERS {
            assert!(is_missing_marker(m.as_bytes()));
        }
    }
}
