//! Binning: each feature's training values are cut once into at most `max_bins` ranges, and
//! every row is stored as one `u8` per feature, column-major, so that a histogram pass reads
//! one contiguous column and a split compares small integers.
//!
//! A binned feature is either one numeric column or one group of one-hot columns (a
//! categorical column as the preprocessing writes it). For a numeric column, bin `b > 0` holds
//! the values in `[edges[b − 1], edges[b])` and bin 0 everything below `edges[0]`; rows are
//! binned with that very comparison, so "bin < b" is exactly "x < edges[b − 1]" in f32 for
//! every training row, and `edges[b − 1]` is the threshold of that split. For a one-hot group
//! of `w` columns, bin `i < w` is "column `i` of the group is 1" and bin `w` is "none is".

use std::ops::Range;

/// What one binned feature reads.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Kind {
    /// One feature column, cut at `edges`: the lower edge of each bin after the first,
    /// strictly increasing, between the training values on either side (`split_point`).
    Numeric { column: usize, edges: Vec<f32> },
    /// A group of one-hot feature columns, split as one categorical feature.
    Category { columns: Range<usize> },
}

/// The binned training features.
pub(super) struct Binned {
    rows: usize,
    /// `bins[c * rows + r]`: the bin of row `r` in binned feature `c`.
    bins: Vec<u8>,
    kinds: Vec<Kind>,
    /// Per binned feature: where its bins start in a flat histogram; the last entry is the
    /// total.
    offsets: Vec<usize>,
}

impl Binned {
    /// Bins row-major `features` (`rows × cols`, finite, length checked by the caller).
    /// `categories` are the one-hot groups (in increasing order, disjoint, inside `cols`,
    /// at most `MAX_BINS − 1` columns each, every row with at most one 1 and otherwise 0 in
    /// each: checked by the caller); each becomes one binned feature where it starts, every
    /// other column one of its own. The numeric edges are quantiles of the rows in `sample`
    /// (all rows when `None`), so that a large table is sorted only in part; every row is
    /// then binned with them.
    pub(super) fn new(
        features: &[f32],
        rows: usize,
        cols: usize,
        max_bins: usize,
        sample: Option<&[u32]>,
        categories: &[Range<usize>],
    ) -> Binned {
        let at = |r: usize, c: usize| {
            features
                .get(r.saturating_mul(cols).saturating_add(c))
                .copied()
                .unwrap_or(0.0)
        };
        let mut kinds = Vec::with_capacity(cols);
        let mut groups = categories.iter().peekable();
        let mut c = 0;
        while c < cols {
            match groups.next_if(|group| group.start == c) {
                Some(group) => {
                    kinds.push(Kind::Category {
                        columns: group.clone(),
                    });
                    c = group.end.max(c + 1);
                }
                None => {
                    kinds.push(Kind::Numeric {
                        column: c,
                        edges: Vec::new(),
                    });
                    c += 1;
                }
            }
        }
        let mut bins = vec![0u8; rows.saturating_mul(kinds.len())];
        let mut offsets = Vec::with_capacity(kinds.len() + 1);
        offsets.push(0);
        let mut values: Vec<f32> = Vec::new();
        for (kind, column) in kinds.iter_mut().zip(bins.chunks_mut(rows.max(1))) {
            let width = match kind {
                Kind::Numeric { column: c, edges } => {
                    let c = *c;
                    values.clear();
                    match sample {
                        Some(sample) => values.extend(sample.iter().map(|&r| at(r as usize, c))),
                        None => values.extend((0..rows).map(|r| at(r, c))),
                    }
                    *edges = quantile_edges(&mut values, max_bins);
                    for (r, bin) in column.iter_mut().enumerate() {
                        let x = at(r, c);
                        // At most max_bins − 1 ≤ 254 edges lie at or below x, so the count
                        // fits.
                        *bin = edges.partition_point(|&e| e <= x) as u8;
                    }
                    edges.len() + 1
                }
                Kind::Category { columns } => {
                    let width = columns.len();
                    for (r, bin) in column.iter_mut().enumerate() {
                        let hot = columns.clone().position(|c| at(r, c) > 0.5);
                        // The caller keeps a group below MAX_BINS columns, so it fits.
                        *bin = hot.unwrap_or(width) as u8;
                    }
                    width + 1
                }
            };
            let last = offsets.last().copied().unwrap_or(0);
            offsets.push(last + width);
        }
        Binned {
            rows,
            bins,
            kinds,
            offsets,
        }
    }

    pub(super) fn rows(&self) -> usize {
        self.rows
    }

    /// The number of binned features.
    pub(super) fn cols(&self) -> usize {
        self.kinds.len()
    }

    /// What binned feature `c` reads (`None` past the end).
    pub(super) fn kind(&self, c: usize) -> Option<&Kind> {
        self.kinds.get(c)
    }

    /// The bins of binned feature `c`, one per row.
    pub(super) fn column(&self, c: usize) -> &[u8] {
        let start = c.saturating_mul(self.rows);
        self.bins
            .get(start..start.saturating_add(self.rows))
            .unwrap_or_default()
    }

    /// Where binned feature `c`'s bins lie in a flat histogram.
    pub(super) fn range(&self, c: usize) -> std::ops::Range<usize> {
        let start = self.offsets.get(c).copied().unwrap_or(0);
        let end = self.offsets.get(c + 1).copied().unwrap_or(start);
        start..end
    }

    /// The number of bins of all features together: the length of a histogram.
    pub(super) fn total_bins(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0)
    }

    /// The f32 threshold of "bins below `bin` go left" in numeric feature `c` (`bin` ≥ 1).
    pub(super) fn threshold(&self, c: usize, bin: usize) -> f32 {
        match self.kinds.get(c) {
            Some(Kind::Numeric { edges, .. }) => edges
                .get(bin.wrapping_sub(1))
                .copied()
                .unwrap_or(f32::INFINITY),
            _ => f32::INFINITY,
        }
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
        let b = Binned::new(&x, x.len(), 1, 255, None, &[]);
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
        let b = Binned::new(&x, 1000, 1, 16, None, &[]);
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
        let b = Binned::new(&x, 3000, 1, 32, Some(&sample), &[]);
        assert!(b.total_bins() <= 32 && b.total_bins() > 20);
        for bin in 1..b.total_bins() {
            let t = b.threshold(0, bin);
            for (&v, &vb) in x.iter().zip(b.column(0)) {
                assert_eq!(v < t, usize::from(vb) < bin);
            }
        }
    }

    #[test]
    fn a_one_hot_group_is_one_feature_with_a_bin_per_column() {
        // A number, then a group of three one-hot columns; the last row has none set.
        let x = [
            0.5, 1.0, 0.0, 0.0, //
            -1.0, 0.0, 0.0, 1.0, //
            2.0, 0.0, 1.0, 0.0, //
            0.0, 0.0, 0.0, 0.0,
        ];
        let b = Binned::new(&x, 4, 4, 255, None, std::slice::from_ref(&(1..4)));
        assert_eq!(b.cols(), 2);
        assert_eq!(b.column(1), &[0, 2, 1, 3]);
        assert_eq!(b.range(1).len(), 4);
        assert_eq!(b.kind(1), Some(&Kind::Category { columns: 1..4 }));
        assert_eq!(b.threshold(1, 1), f32::INFINITY);
        assert!(matches!(b.kind(0), Some(Kind::Numeric { column: 0, .. })));
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
