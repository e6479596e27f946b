//! The one quantile of sorted values that every layer uses: numpy's default method (`linear`,
//! Hyndman and Fan's R-7), so that profile quartiles, robust scaling, the int8 calibration
//! range and the median pruner all agree with numpy and Optuna.
//!
//! Ours rather than a crate's: `statrs`'s `quantile` is R-8 (median-unbiased), not numpy's
//! R-7, and it copies and sorts the data itself, while the callers hold their sorted values
//! in different shapes (`f64`, `f32`, the profile's integer sort keys, a counting-sort grid)
//! and read them through [`quantile_by`] without a copy.

/// The `q`-quantile (`q` clamped to [0, 1]) of `n` values in ascending order, where `value(i)`
/// is the `i`-th: the two nearest ranks interpolated linearly, as `numpy.quantile(x, q)`.
/// `None` when `n` is 0.
///
/// Where two finite neighbours are so far apart that their difference overflows (values
/// near ±`f64::MAX`), their weighted average is taken instead, so the quantile of finite values
/// stays finite (numpy would give ±∞ there).
pub fn quantile_by(n: usize, q: f64, value: impl Fn(usize) -> f64) -> Option<f64> {
    let last = n.checked_sub(1)?;
    let position = q.clamp(0.0, 1.0) * last as f64;
    let below = (position.floor() as usize).min(last);
    let above = (position.ceil() as usize).min(last);
    let fraction = position - below as f64;
    let (low, high) = (value(below), value(above));
    let interpolated = low + (high - low) * fraction;
    Some(
        if interpolated.is_finite() || !(low.is_finite() && high.is_finite()) {
            interpolated
        } else {
            low * (1.0 - fraction) + high * fraction
        },
    )
}

/// [`quantile_by`] over a sorted slice.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    quantile_by(sorted.len(), q, |i| sorted.get(i).copied().unwrap_or(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_numpy() {
        // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.75, 1]) = [1, 1.75, 2.5, 3.25, 4]
        let s = [1.0, 2.0, 3.0, 4.0];
        let got: Vec<Option<f64>> = [0.0, 0.25, 0.5, 0.75, 1.0]
            .iter()
            .map(|&q| quantile_sorted(&s, q))
            .collect();
        assert_eq!(got, [1.0, 1.75, 2.5, 3.25, 4.0].map(Some));
        assert_eq!(quantile_sorted(&[7.0], 0.75), Some(7.0));
        assert_eq!(quantile_sorted(&[], 0.5), None);
        // Out-of-range q is clamped.
        assert_eq!(quantile_sorted(&s, 2.0), Some(4.0));
        assert_eq!(quantile_sorted(&s, -1.0), Some(1.0));
    }

    #[test]
    fn an_exact_rank_is_that_value() {
        // An infinite neighbour must not leak into an exact rank (∞ · 0 is NaN).
        assert_eq!(quantile_sorted(&[1.0, 2.0, f64::INFINITY], 0.5), Some(2.0));
    }

    #[test]
    fn finite_values_give_a_finite_quantile() {
        let s = [-f64::MAX, f64::MAX];
        assert_eq!(quantile_sorted(&s, 0.5), Some(0.0));
        let q = quantile_sorted(&s, 0.25).unwrap_or(f64::NAN);
        assert!(q.is_finite() && q < 0.0, "{q}");
    }
}
