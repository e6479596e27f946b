//! Number formatting shared by the page and the CLI: compact, never "NaN" or "inf".

/// Four significant digits, plain notation for ordinary magnitudes.
pub fn number(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_string();
    }
    if value == value.trunc() && value.abs() < 1e15 {
        return format!("{value:.0}");
    }
    let magnitude = value.abs();
    if (1e-3..1e6).contains(&magnitude) {
        let decimals = (3 - magnitude.log10().floor() as i32).max(0) as usize;
        let text = format!("{value:.decimals$}");
        if text.contains('.') {
            return text.trim_end_matches('0').trim_end_matches('.').to_string();
        }
        return text;
    }
    // Scientific, without the zeros a fixed precision leaves: "1e-4", "3.162e-4", "1.5e9".
    let text = format!("{value:.3e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) if mantissa.contains('.') => {
            let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
            format!("{mantissa}e{exponent}")
        }
        _ => text,
    }
}

/// A byte count as kB/MB.
pub fn bytes(count: f64) -> String {
    if count >= 1e6 {
        format!("{:.1} MB", count / 1e6)
    } else {
        format!("{:.0} kB", count / 1e3)
    }
}

/// A model-quality score — accuracy, balanced accuracy, macro-F1, ROC AUC, log loss, R² — as
/// every step of the page and the CLI show it: a plain fraction with four decimals (`0.7653`,
/// never `76.53`), so that the same model reads the same in Train, Search and Export.
pub fn score(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_string();
    }
    // `-0.0000` for a tiny negative R² reads as a sign error.
    let text = format!("{value:.4}");
    if text == "-0.0000" {
        "0.0000".to_string()
    } else {
        text
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_fractions_with_four_decimals() {
        assert_eq!(score(0.765_3), "0.7653");
        assert_eq!(score(1.0), "1.0000");
        assert_eq!(score(0.5), "0.5000");
        assert_eq!(score(-0.123_45), "-0.1235");
        assert_eq!(score(-0.000_01), "0.0000");
        assert_eq!(score(f64::NAN), "—");
        assert_eq!(score(f64::INFINITY), "—");
    }

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(number(12.345_6), "12.35");
        assert_eq!(number(0.001_234_5), "0.001234");
        assert_eq!(number(3.0), "3");
        assert_eq!(number(f64::NAN), "—");
        assert_eq!(number(0.000_1), "1e-4");
        assert_eq!(number(0.000_316_23), "3.162e-4");
        assert_eq!(number(-2.5e-7), "-2.5e-7");
        assert_eq!(number(1.5e9 + 0.5), "1.5e9");
    }
}
