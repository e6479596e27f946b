//! Small statistics over finite values, and the conversions that keep features finite. The
//! quantile is the crate's shared one ([`crate::stats`]).

/// Mean of the values, `None` when there are none. Compensated (Neumaier) summation; if the
/// sum overflows, the values are divided first.
pub(crate) fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let count = values.len() as f64;
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    for &v in values {
        let t = sum + v;
        if sum.abs() >= v.abs() {
            compensation += (sum - t) + v;
        } else {
            compensation += (v - t) + sum;
        }
        sum = t;
    }
    let mean = (sum + compensation) / count;
    if mean.is_finite() {
        Some(mean)
    } else {
        Some(values.iter().map(|v| v / count).sum())
    }
}

/// Population standard deviation (divisor n, as scikit-learn's `StandardScaler`).
pub(crate) fn std_population(values: &[f64], mean: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let squares: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (squares / values.len() as f64).sqrt()
}

/// Sample skewness (the third standardised moment, population form as `scipy.stats.skew`);
/// 0 for fewer than 3 values or no spread.
pub(crate) fn skewness(values: &[f64]) -> f64 {
    let Some(mean) = mean(values) else {
        return 0.0;
    };
    let std = std_population(values, mean);
    if values.len() < 3 || std <= 0.0 || !std.is_finite() {
        return 0.0;
    }
    let cubes: f64 = values.iter().map(|v| ((v - mean) / std).powi(3)).sum();
    cubes / values.len() as f64
}

/// Whether a regression target is better learned as `ln(1 + y)`: never negative and
/// right-skewed (skewness above 1), and less skewed after the logarithm. Returns the decision
/// with the skewness before and after.
pub(crate) fn log_target_helps(values: &[f64]) -> (bool, f64, f64) {
    let before = skewness(values);
    if values.iter().any(|&v| v < 0.0) {
        return (false, before, f64::NAN);
    }
    let logs: Vec<f64> = values.iter().map(|v| v.ln_1p()).collect();
    let after = skewness(&logs);
    (before > 1.0 && after.abs() < before.abs(), before, after)
}

/// The values sorted ascending (total order; callers pass finite values).
pub(crate) fn sorted(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    sorted
}

/// Median of sorted values: the middle one, or the mean of the middle two, as `numpy.median`
/// (not the shared [`crate::stats::quantile_sorted`] at 0.5: `(a + b) / 2` and
/// `a + (b − a) / 2` can differ in the last bit, and fitted medians must not change).
pub(crate) fn median_sorted(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let upper = sorted.get(n / 2).copied()?;
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = sorted.get(n / 2 - 1).copied()?;
    let m = (lower + upper) / 2.0;
    Some(if m.is_finite() {
        m
    } else {
        lower / 2.0 + upper / 2.0
    })
}

/// The nearest finite `f32`: NaN → 0, beyond the range → ±`f32::MAX`.
pub(crate) fn finite_f32(x: f64) -> f32 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(f64::from(f32::MIN), f64::from(f32::MAX)) as f32
    }
}

/// A usable divisor: the value as a finite positive `f32`, or 1 when it is 0, tiny or not finite.
pub(crate) fn divisor_f32(x: f64) -> f32 {
    let d = finite_f32(x);
    if d.is_normal() && d > 0.0 && d < f32::MAX {
        d
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics() {
        assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[f64::MAX, f64::MAX]), Some(f64::MAX));
        assert_eq!(std_population(&[1.0, 3.0], 2.0), 1.0);
        let s = sorted(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(median_sorted(&s), Some(2.5));
        assert_eq!(median_sorted(&[1.0, 5.0, 9.0]), Some(5.0));
        assert_eq!(median_sorted(&[]), None);
    }

    #[test]
    fn conversions_stay_finite() {
        assert_eq!(finite_f32(f64::NAN), 0.0);
        assert_eq!(finite_f32(1e300), f32::MAX);
        assert_eq!(finite_f32(f64::NEG_INFINITY), f32::MIN);
        assert_eq!(finite_f32(1.5), 1.5);
        assert_eq!(divisor_f32(0.0), 1.0);
        assert_eq!(divisor_f32(f64::INFINITY), 1.0);
        assert_eq!(divisor_f32(1e-300), 1.0);
        assert_eq!(divisor_f32(2.0), 2.0);
    }
}
