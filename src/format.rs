//! Formatting shared by the page and the CLI: numbers compact, never "NaN" or "inf"; CSV
//! fields quoted; download names safe on every file system.

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

/// The longest download name stem, in characters: file systems allow 255 bytes, and a suffix
/// such as `-predictions.csv` or `.int8.onnx` comes after it.
const MAX_STEM_CHARS: usize = 80;

/// A download name for something made from `data` (a file name as the user's browser gave
/// it): the name without its extension, with every character a file system or a shell could
/// misread (`/ \ : * ? " < > |`, control characters, quotes, leading dots) replaced by `_`,
/// at most 80 characters; "model" when nothing is left. Letters of any script are kept.
pub fn file_stem(data: &str) -> String {
    let stem = match data.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() && extension.len() <= 7 => stem,
        _ => data,
    };
    let safe: String = stem
        .chars()
        .take(MAX_STEM_CHARS)
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ' | '(' | ')' | '+' | ',') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim().trim_start_matches('.').trim();
    if safe.chars().all(|c| c == '_') {
        "model".to_string()
    } else {
        safe.to_string()
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

    #[test]
    fn download_names_are_safe_file_names() {
        assert_eq!(file_stem("penguins.csv"), "penguins");
        assert_eq!(file_stem("my data v2.tsv"), "my data v2");
        assert_eq!(file_stem("Æble_2026 (1).csv"), "Æble_2026 (1)");
        assert_eq!(file_stem("archive.tar.gz"), "archive.tar");
        assert_eq!(
            file_stem("<img src=x onerror=alert(1)>.csv"),
            "_img src_x onerror_alert(1)_"
        );
        assert_eq!(file_stem("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(file_stem("a\u{0}b:c|d?.csv"), "a_b_c_d_");
        assert_eq!(file_stem(".hidden.csv"), "hidden");
        assert_eq!(file_stem("\"<>\".csv"), "model");
        assert_eq!(file_stem(""), "model");
        assert_eq!(file_stem(&"x".repeat(300)).chars().count(), 80);
    }
}
