//! Numeric description of finite values: summary statistics (min, max, mean, std, quartiles),
//! the distinct count and an equal-width histogram, in three passes (see [`describe`]).
//! Split from `profile.rs`, which decides kinds and targets and calls this for the numbers.

use serde::{Deserialize, Serialize};

/// Bins of a numeric [`Histogram`].
pub const HISTOGRAM_BINS: usize = 20;

/// Statistics over finite values. `std` is the sample standard deviation (n − 1; 0 for one
/// value); quantiles interpolate linearly (numpy's default). All fields are finite.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NumericSummary {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub std: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
}

/// Equal-width bins between `min` and `max` (one bin when they are equal); the last bin
/// includes `max`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Histogram {
    pub min: f64,
    pub max: f64,
    pub counts: Vec<usize>,
}

/// Replaces a non-finite result (an overflow on extreme inputs) with the nearest finite value.
fn finite_or_clamp(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else if x == f64::NEG_INFINITY {
        f64::MIN
    } else if x.is_nan() {
        0.0
    } else {
        f64::MAX
    }
}

/// Compensated (Neumaier) summation: accurate to about one rounding for typical data.
#[derive(Default)]
struct Neumaier {
    sum: f64,
    compensation: f64,
}

impl Neumaier {
    #[inline(always)]
    fn add(&mut self, v: f64) {
        let t = self.sum + v;
        if self.sum.abs() >= v.abs() {
            self.compensation += (self.sum - t) + v;
        } else {
            self.compensation += (v - t) + self.sum;
        }
        self.sum = t;
    }

    fn total(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// What [`describe`] finds in finite values.
pub(super) struct Described {
    pub(super) summary: Option<NumericSummary>,
    /// Distinct values (+0 and -0 are one).
    pub(super) distinct: usize,
    pub(super) histogram: Option<Histogram>,
}

/// Summary statistics, distinct count and (if asked) histogram of finite values, in three
/// passes: min, max and sum; then squared deviations, histogram bins and the range of decimal
/// grid keys; then counting sort on that grid, or a sort.
pub(super) fn describe(values: &[f64], histogram: bool) -> Described {
    let n = values.len();
    if n == 0 {
        return Described {
            summary: None,
            distinct: 0,
            histogram: None,
        };
    }
    let count = n as f64;
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut sum = Neumaier::default();
    for &v in values {
        min = min.min(v);
        max = max.max(v);
        sum.add(v);
    }
    let mut mean = sum.total() / count;
    if !mean.is_finite() {
        // The sum overflowed: average pre-divided values instead.
        mean = values.iter().map(|v| v / count).sum::<f64>();
    }
    let mean = finite_or_clamp(mean).max(min).min(max);

    let scale = grid_scale(values);
    let mut keys = scale.map(|_| (i64::MAX, i64::MIN));
    let mut bins = histogram.then(|| Bins::new(min, max));
    let mut squares = 0.0f64;
    for &v in values {
        squares += (v - mean) * (v - mean);
        if let Some(bins) = &mut bins {
            bins.add(v, 1);
        }
        if let (Some(scale), Some((lo, hi))) = (scale, &mut keys) {
            match round_key(v, scale) {
                Some(k) => {
                    *lo = (*lo).min(k);
                    *hi = (*hi).max(k);
                }
                None => keys = None,
            }
        }
    }
    let std = if n > 1 {
        let mut std = (squares / (count - 1.0)).sqrt();
        if !std.is_finite() {
            // Overflow on huge values: compute on a scaled copy.
            let scale = min.abs().max(max.abs());
            let m = mean / scale;
            let ss: f64 = values
                .iter()
                .map(|v| (v / scale - m) * (v / scale - m))
                .sum();
            std = (ss / (count - 1.0)).sqrt() * scale;
        }
        finite_or_clamp(std)
    } else {
        0.0
    };
    let grid = scale
        .zip(keys)
        .and_then(|(scale, (lo, hi))| DecimalGrid::new(scale, lo, hi, n));
    let counted = grid.and_then(|grid| grid.order_statistics(values));
    let ([p25, median, p75], distinct) = counted.unwrap_or_else(|| sorted_order_statistics(values));
    Described {
        summary: Some(NumericSummary {
            min,
            max,
            mean,
            std,
            p25,
            median,
            p75,
        }),
        distinct,
        histogram: bins.map(Bins::into_histogram),
    }
}

/// Quartiles and distinct count by sorting (as integer keys: faster than comparing floats).
fn sorted_order_statistics(values: &[f64]) -> ([f64; 3], usize) {
    let mut keys: Vec<u64> = values.iter().copied().map(sort_key).collect();
    keys.sort_unstable();
    let distinct = 1 + keys
        .iter()
        .zip(keys.iter().skip(1))
        .filter(|(a, b)| a != b)
        .count();
    let quartiles = [0.25, 0.5, 0.75].map(|q| quantile(&keys, q));
    (quartiles, distinct)
}

/// Values that are all decimals with at most a few places in a narrow range (whole numbers,
/// prices, measurements…): each is `k / scale` for an integer `k` between `min_k` and
/// `max_k`, so counting sort does what sorting would, in linear time.
struct DecimalGrid {
    scale: f64,
    min_k: i64,
    span: usize,
}

/// Half-away-from-zero rounding of `v * scale` to an integer, without `f64::round` (a libm call
/// on x86-64); `None` when too large to be exact.
#[inline(always)]
fn round_key(v: f64, scale: f64) -> Option<i64> {
    let x = v * scale;
    if x.abs() >= 9.0e15 {
        return None;
    }
    Some((x + if x >= 0.0 { 0.5 } else { -0.5 }) as i64)
}

/// The grid key of `v`, if `v` is exactly the double nearest to `key / scale`.
#[inline(always)]
fn grid_key(v: f64, scale: f64) -> Option<i64> {
    round_key(v, scale).filter(|&k| k as f64 / scale == v)
}

/// The number of decimal places the values seem to have (as a power of ten), judging by the
/// first values; [`DecimalGrid::order_statistics`] checks every value.
fn grid_scale(values: &[f64]) -> Option<f64> {
    let head = values.get(..64).unwrap_or(values);
    [1.0, 10.0, 100.0, 1000.0, 10_000.0]
        .into_iter()
        .find(|&scale| head.iter().all(|&v| grid_key(v, scale).is_some()))
}

impl DecimalGrid {
    /// The grid for keys from `min_k` to `max_k`, unless the range is too wide to count
    /// (more than a few slots per value).
    fn new(scale: f64, min_k: i64, max_k: i64, n: usize) -> Option<DecimalGrid> {
        let max_span = n.saturating_mul(4).saturating_add(1024);
        let span = usize::try_from(max_k.checked_sub(min_k)?)
            .ok()?
            .checked_add(1)?;
        (span <= max_span).then_some(DecimalGrid { scale, min_k, span })
    }

    fn value(&self, slot: usize) -> f64 {
        (self.min_k + slot as i64) as f64 / self.scale
    }

    /// Quartiles (numpy's linear interpolation) and the distinct count, by counting sort;
    /// `None` if a value is not on the grid after all.
    fn order_statistics(&self, values: &[f64]) -> Option<([f64; 3], usize)> {
        let mut counts = vec![0u32; self.span];
        for &v in values {
            let slot = usize::try_from(grid_key(v, self.scale)? - self.min_k).ok()?;
            let count = counts.get_mut(slot)?;
            *count = count.saturating_add(1);
        }
        let distinct = counts.iter().filter(|&&c| c > 0).count();
        // The order statistics needed: positions i and i + 1 of each quartile.
        let last = values.len().saturating_sub(1);
        let mut targets: Vec<usize> = [0.25, 0.5, 0.75]
            .iter()
            .map(|q| ((q * last as f64).floor() as usize).min(last))
            .flat_map(|i| [i, (i + 1).min(last)])
            .collect();
        targets.sort_unstable();
        targets.dedup();
        // Walk the counts once, noting the value at each target position.
        let mut found: Vec<(usize, f64)> = Vec::with_capacity(targets.len());
        let mut seen = 0usize;
        let mut next = targets.iter().peekable();
        for (slot, &count) in counts.iter().enumerate() {
            seen += count as usize;
            while let Some(&&target) = next.peek() {
                if target < seen {
                    found.push((target, self.value(slot)));
                    next.next();
                } else {
                    break;
                }
            }
        }
        let at = |position: usize| {
            found
                .iter()
                .find(|(p, _)| *p == position)
                .map_or(0.0, |&(_, v)| v)
        };
        let quartiles = [0.25, 0.5, 0.75].map(|q| {
            finite_or_clamp(crate::stats::quantile_by(values.len(), q, at).unwrap_or(0.0))
        });
        Some((quartiles, distinct))
    }
}

/// An integer key that sorts like the f64 (for non-NaN values; -0 maps to +0).
#[inline]
fn sort_key(v: f64) -> u64 {
    let bits = if v == 0.0 { 0 } else { v.to_bits() };
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

#[inline]
fn from_sort_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// The q-quantile of sorted keys with linear interpolation (numpy's default).
fn quantile(keys: &[u64], q: f64) -> f64 {
    let value = |i: usize| keys.get(i).map_or(0.0, |&k| from_sort_key(k));
    finite_or_clamp(crate::stats::quantile_by(keys.len(), q, value).unwrap_or(0.0))
}

/// Whether a finite value is a whole number (without `f64::trunc`, a libm call on x86-64).
#[inline]
pub(super) fn is_integral(v: f64) -> bool {
    // Every f64 of magnitude 2^52 or more is whole; below that the i64 round trip is exact.
    v.abs() >= 4_503_599_627_370_496.0 || (v as i64) as f64 == v
}

/// A histogram under construction.
pub(super) struct Bins {
    min: f64,
    max: f64,
    /// Bins per half-unit: `(v/2 - min/2) * scale` is the bin position (halved so that
    /// `max - min` cannot overflow).
    scale: f64,
    counts: Vec<usize>,
}

impl Bins {
    pub(super) fn new(min: f64, max: f64) -> Self {
        let bins = if min < max { HISTOGRAM_BINS } else { 1 };
        Bins {
            min,
            max,
            scale: bins as f64 / (max * 0.5 - min * 0.5),
            counts: vec![0; bins],
        }
    }

    #[inline]
    pub(super) fn add(&mut self, v: f64, n: usize) {
        let last = self.counts.len().saturating_sub(1);
        let index = if last == 0 {
            0
        } else {
            (((v * 0.5 - self.min * 0.5) * self.scale) as usize).min(last)
        };
        if let Some(c) = self.counts.get_mut(index) {
            *c += n;
        }
    }

    pub(super) fn into_histogram(self) -> Histogram {
        Histogram {
            min: self.min,
            max: self.max,
            counts: self.counts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summarize(values: Vec<f64>) -> (Option<NumericSummary>, usize) {
        let d = describe(&values, false);
        (d.summary, d.distinct)
    }

    fn decimal_grid(values: &[f64]) -> Option<DecimalGrid> {
        let scale = grid_scale(values)?;
        let keys: Option<Vec<i64>> = values.iter().map(|&v| round_key(v, scale)).collect();
        let keys = keys?;
        let lo = keys.iter().copied().min()?;
        let hi = keys.iter().copied().max()?;
        DecimalGrid::new(scale, lo, hi, values.len())
    }

    fn quartiles(values: &[f64]) -> [f64; 3] {
        let (summary, _) = summarize(values.to_vec());
        let s = summary.expect("summary");
        [s.p25, s.median, s.p75]
    }

    #[test]
    fn quartiles_match_numpy() {
        // numpy.percentile([1,2,3,4], [25,50,75]) = [1.75, 2.5, 3.25]
        assert_eq!(quartiles(&[4.0, 1.0, 3.0, 2.0]), [1.75, 2.5, 3.25]);
        assert_eq!(quartiles(&[7.0]), [7.0, 7.0, 7.0]);
        let v: Vec<f64> = (0..101).rev().map(f64::from).collect();
        assert_eq!(quartiles(&v), [25.0, 50.0, 75.0]);
        assert_eq!(quartiles(&[1.0, 2.0, 10.0]), [1.5, 2.0, 6.0]);
    }

    #[test]
    fn sort_keys_order_like_floats() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut values: Vec<f64> = (0..5000)
            .map(|i| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                match i % 5 {
                    0 => (seed % 1000) as f64 - 500.0,
                    1 => f64::from_bits(seed >> 2) * if seed & 1 == 0 { 1.0 } else { -1.0 },
                    2 => -0.0,
                    3 => 0.0,
                    _ => (seed % 7) as f64 * 0.25,
                }
            })
            .filter(|v: &f64| v.is_finite())
            .collect();
        let mut keys: Vec<u64> = values.iter().copied().map(sort_key).collect();
        keys.sort_unstable();
        let sorted: Vec<f64> = keys.iter().map(|&k| from_sort_key(k)).collect();
        values.sort_by(f64::total_cmp);
        for v in &mut values {
            if *v == 0.0 {
                *v = 0.0;
            }
        }
        assert_eq!(sorted, values);
        let (_, distinct) = summarize(vec![3.0, 1.0, 3.0, -0.0, 0.0, 7.0, 1.0]);
        assert_eq!(distinct, 4);
    }

    #[test]
    fn summary_is_finite_on_extremes() {
        let s = summarize(vec![f64::MAX, -f64::MAX, f64::MAX])
            .0
            .expect("summary");
        for x in [s.min, s.max, s.mean, s.std, s.p25, s.median, s.p75] {
            assert!(x.is_finite(), "{s:?}");
        }
        let mut h = Bins::new(-f64::MAX, f64::MAX);
        h.add(f64::MAX, 1);
        h.add(-f64::MAX, 1);
        h.add(0.0, 1);
        let h = h.into_histogram();
        assert_eq!(h.counts.iter().sum::<usize>(), 3);
        assert_eq!(h.counts.first(), Some(&1));
        assert_eq!(h.counts.last(), Some(&1));
    }

    #[test]
    fn counting_and_sorting_agree() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for case in 0..200 {
            let n = 300 + (next() % 300) as usize;
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    let r = next();
                    match case % 5 {
                        0 => (r % 50) as f64 - 25.0,
                        1 => ((r % 2000) as f64 - 1000.0) / 100.0,
                        2 => ((r % 1000) as f64) / 1000.0,
                        3 => [-0.0, 0.0, 1.0][(r % 3) as usize],
                        _ => ((r % 1000) as f64) / 10_000.0 + 1e6,
                    }
                })
                .collect();
            let Some(grid) = decimal_grid(&values) else {
                panic!("case {case}: {values:?}")
            };
            let counted = grid.order_statistics(&values);
            let sorted = sorted_order_statistics(&values);
            assert_eq!(counted, Some(sorted), "case {case}: {values:?}");
        }
        // Not on a grid: random doubles, huge values, a spread too wide to count; and a value
        // off the grid after the first 64 (caught while counting).
        assert!(decimal_grid(&[0.1 + 0.2, 1.0]).is_none());
        let mut late: Vec<f64> = (0..100).map(f64::from).collect();
        late.push(0.1 + 0.2);
        let grid = decimal_grid(&late).expect("judged by the first values");
        assert_eq!(grid.order_statistics(&late), None);
        let (summary, distinct) = summarize(late.clone());
        assert_eq!(distinct, 101);
        assert_eq!(summary.map(|s| s.median), Some(49.0));
        assert!(decimal_grid(&[1e300, 1.0]).is_none());
        assert!(decimal_grid(&[0.0, 1e9]).is_none());
    }

    #[test]
    fn integral_values() {
        assert!(is_integral(-3.0) && is_integral(1e300) && !is_integral(2.5));
        assert!(!is_integral(-1e-300) && is_integral(-0.0));
    }
}
