//! Binning: each feature's training values are cut once into at most `max_bins` ranges, and
//! every row is stored as one `u8` per feature, column-major, so that a histogram pass reads
//! one contiguous column and a split compares small integers.
//!
//! Bin `b > 0` of a feature holds the values in `[edges[b − 1], edges[b])`; bin 0 holds
//! everything below `edges[0]`. Rows are binned with that very comparison, so "bin < b" is
//! exactly "x < edges[b − 1]" in f32 for every training row, and `edges[b − 1]` is the
//! threshold of that split.

/// The binned training features.
pub(super) struct Binned {
    rows: usize,
    /// `bins[c * rows + r]`: the bin of row `r` in feature `c`.
    bins: Vec<u8>,
    /// Per feature: the lower edge of each bin after the first, strictly increasing: between
    /// the training values on either side (`split_point`).
    edges: Vec<Vec<f32>>,
    /// Per feature: where its bins start in a flat histogram; the last entry is the total.
    offsets: Vec<usize>,
}

impl Binned {
    /// Bins row-major `features` (`rows × cols`, finite, length checked by the caller).
    /// The edges are quantiles of the rows in `sample` (all rows when `None`), so that a large
    /// table is sorted only in part; every row is then binned with them.
    pub(super) fn new(
        features: &[f32],
        rows: usize,
        cols: usize,
        max_bins: usize,
        sample: Option<&[u32]>,
    ) -> Binned {
        let mut bins = vec![0u8; rows.saturating_mul(cols)];
        let mut edges = Vec::with_capacity(cols);
        let mut offsets = Vec::with_capacity(cols + 1);
        offsets.push(0);
        let mut values: Vec<f32> = Vec::new();
        let at = |r: usize, c: usize| {
            features
                .get(r.saturating_mul(cols).saturating_add(c))
                .copied()
                .unwrap_or(0.0)
        };
        for (c, column) in bins.chunks_mut(rows.max(1)).enumerate().take(cols) {
            values.clear();
            match sample {
                Some(sample) => values.extend(sample.iter().map(|&r| at(r as usize, c))),
                None => values.extend((0..rows).map(|r| at(r, c))),
            }
            let feature_edges = quantile_edges(&mut values, max_bins);
            for (r, bin) in column.iter_mut().enumerate() {
                let x = at(r, c);
                // At most max_bins − 1 ≤ 254 edges lie at or below x, so the count fits.
                *bin = feature_edges.partition_point(|&e| e <= x) as u8;
            }
            let last = offsets.last().copied().unwrap_or(0);
            offsets.push(last + feature_edges.len() + 1);
            edges.push(feature_edges);
        }
        Binned {
            rows,
            bins,
            edges,
            offsets,
        }
    }

    pub(super) fn rows(&self) -> usize {
        self.rows
    }

    pub(super) fn cols(&self) -> usize {
        self.edges.len()
    }

    /// The bins of feature `c`, one per row.
    pub(super) fn column(&self, c: usize) -> &[u8] {
        let start = c.saturating_mul(self.rows);
        self.bins
            .get(start..start.saturating_add(self.rows))
            .unwrap_or_default()
    }

    /// Where feature `c`'s bins lie in a flat histogram.
    pub(super) fn range(&self, c: usize) -> std::ops::Range<usize> {
        let start = self.offsets.get(c).copied().unwrap_or(0);
        let end = self.offsets.get(c + 1).copied().unwrap_or(start);
        start..end
    }

    /// The number of bins of all features together: the length of a histogram.
    pub(super) fn total_bins(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0)
    }

    /// The f32 threshold of "bins below `bin` go left" in feature `c` (`bin` ≥ 1).
    pub(super) fn threshold(&self, c: usize, bin: usize) -> f32 {
        self.edges
            .get(c)
            .and_then(|edges| edges.get(bin.wrapping_sub(1)))
            .copied()
            .unwrap_or(f32::INFINITY)
    }
}

/// The lower edges of bins 1.. for these values (sorted here). Every distinct value is its
/// own bin when there are at most `max_bins`; else the bins start at the values of
/// `max_bins` evenly spaced ranks (ties merged, so a value that fills several quantiles is one
/// bin). An edge lies between the largest value below the bin and the bin's smallest value
/// (see [`split_point`]), so that a later value between the two goes to the nearer side.
fn quantile_edges(values: &mut [f32], max_bins: usize) -> Vec<f32> {
    values.sort_unstable_by(f32::total_cmp);
    let Some(&first) = values.first() else {
        return Vec::new();
    };
    // Distinct under `==`, the comparison the split makes (−0 and 0 are one value).
    let mut edges = Vec::new();
    let mut last = first;
    for &v in values.iter() {
        if v > last {
            edges.push(split_point(last, v));
            last = v;
        }
        if edges.len() >= max_bins {
            break;
        }
    }
    if edges.len() < max_bins {
        return edges;
    }
    let n = values.len();
    edges.clear();
    let mut last = first;
    for j in 1..max_bins {
        if let Some(&v) = values.get(j * n / max_bins)
            && v > last
        {
            // The largest value below v: the one just before v's first occurrence.
            let below = values
                .partition_point(|&x| x < v)
                .checked_sub(1)
                .and_then(|i| values.get(i))
                .copied()
                .unwrap_or(last);
            edges.push(split_point(below, v));
            last = v;
        }
    }
    edges
}

/// Where between two neighbouring training values a split falls, as a share of the gap from
/// the lower one. Not one half (sklearn's and LightGBM's midpoint): on gridded data the
/// midpoint is itself a value (integers 50 and 52 → 51) that later rows have, and such a row
/// then sits exactly on the threshold, where the exported graph's float32 preprocessing and
/// the host's can round to opposite sides (2 of 442 rows of the diabetes table did). 1/√5 of
/// the gap is no small fraction j/k of it, so no value of a regular grid lands there.
const SPLIT_SHARE: f64 = 0.447_213_595_499_958;

/// An f32 `t` with `a < t ≤ b` (for `a < b`), [`SPLIT_SHARE`] of the way from `a` to `b`
/// where f32 allows: that point rounded to the nearest f32, or `b` if the rounding lands on
/// `a`.
fn split_point(a: f32, b: f32) -> f32 {
    let (a64, b64) = (f64::from(a), f64::from(b));
    let t = (a64 + (b64 - a64) * SPLIT_SHARE) as f32;
    if t > a && t <= b { t } else { b }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_a_bin_each_and_exact_thresholds() {
        let x = [3.0f32, 1.0, 2.0, 1.0, -0.0, 0.0, 3.0];
        let b = Binned::new(&x, x.len(), 1, 255, None);
        assert_eq!(b.total_bins(), 4);
        assert_eq!(b.column(0), &[3, 1, 2, 1, 0, 0, 3]);
        for bin in 1..4 {
            let t = b.threshold(0, bin);
            for (&v, &vb) in x.iter().zip(b.column(0)) {
                assert_eq!(v < t, usize::from(vb) < bin);
            }
        }
    }

    #[test]
    fn many_values_fit_in_max_bins() {
        let x: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.37).sin()).collect();
        let b = Binned::new(&x, 1000, 1, 16, None);
        assert!(
            b.total_bins() <= 16 && b.total_bins() >= 12,
            "{}",
            b.total_bins()
        );
        for bin in 1..b.total_bins() {
            let t = b.threshold(0, bin);
            for (&v, &vb) in x.iter().zip(b.column(0)) {
                assert_eq!(v < t, usize::from(vb) < bin);
            }
        }
    }

    #[test]
    fn edges_from_a_sample_still_split_every_row_exactly() {
        let x: Vec<f32> = (0..3000)
            .map(|i| ((i * 7919) % 1000) as f32 * 0.01)
            .collect();
        let sample: Vec<u32> = (0..3000).step_by(7).collect();
        let b = Binned::new(&x, 3000, 1, 32, Some(&sample));
        assert!(b.total_bins() <= 32 && b.total_bins() > 20);
        for bin in 1..b.total_bins() {
            let t = b.threshold(0, bin);
            for (&v, &vb) in x.iter().zip(b.column(0)) {
                assert_eq!(v < t, usize::from(vb) < bin);
            }
        }
    }

    #[test]
    fn thresholds_lie_between_the_values_either_side() {
        assert_eq!(split_point(1.0, 2.0), 1.447_213_6);
        assert_eq!(split_point(50.0, 52.0), 50.894_43);
        let a = 1.0f32;
        let b = a.next_up();
        assert_eq!(split_point(a, b), b);
        let wide = split_point(-f32::MAX, f32::MAX);
        assert!(wide > -f32::MAX && wide < 0.0);
    }
}
