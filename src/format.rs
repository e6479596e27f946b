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
    format!("{value:.3e}")
}

/// A byte count as kB/MB.
pub fn bytes(count: f64) -> String {
    if count >= 1e6 {
        format!("{:.1} MB", count / 1e6)
    } else {
        format!("{:.0} kB", count / 1e3)
    }
}
