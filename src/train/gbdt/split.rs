//! The best split of one node, from its histogram: every boundary between two bins of every
//! allowed feature is scored with the second-order gain
//! `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)` (LightGBM's; twice the loss reduction of the
//! Newton step), subject to the rows and hessian each side must keep.
//!
//! A one-hot group (a categorical column) is split into two sets of categories, as
//! scikit-learn's `HistGradientBoosting` and LightGBM do with native categories: the
//! categories with enough support are sorted by `G / (H + 10)` and every prefix and suffix of
//! up to half of them is scored as "these go one way, all others the other". On one-hot
//! columns a tree can only peel off one category per split; the set split finds in one split
//! what takes many (on the ames house prices, scikit-learn scores test R² 0.912 with native
//! categories and 0.879 on one-hot columns).

use super::bins::{Binned, Kind};
use super::histogram::Sums;

/// A category needs this much (count-scaled) hessian to be placed by the sorted scan
/// (scikit-learn's `MIN_CAT_SUPPORT`, LightGBM's `cat_smooth`); it also smooths the sort key,
/// so that a category of few rows does not sort to an end on noise. Rarer categories stay on
/// the side of the categories not chosen.
const CATEGORY_SUPPORT: f64 = 10.0;

/// A set of bins of one feature (a category's bin is below 256).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct BinSet([u64; 4]);

impl BinSet {
    fn insert(&mut self, bin: u8) {
        if let Some(word) = self.0.get_mut(usize::from(bin >> 6)) {
            *word |= 1 << (bin & 63);
        }
    }

    pub(super) fn contains(&self, bin: u8) -> bool {
        self.0
            .get(usize::from(bin >> 6))
            .is_some_and(|word| word & (1 << (bin & 63)) != 0)
    }
}

/// Which rows of a split node go right.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Rule {
    /// Those whose bin is `bin` or above (a numeric feature).
    From(u8),
    /// Those whose bin is in the set (the chosen categories of a one-hot group).
    In(BinSet),
}

impl Rule {
    pub(super) fn goes_left(&self, bin: u8) -> bool {
        match self {
            Rule::From(first_right) => bin < *first_right,
            Rule::In(set) => !set.contains(bin),
        }
    }
}

/// The limits a split must respect, from the settings.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    pub l2: f64,
    pub min_leaf_rows: u32,
    pub min_leaf_hessian: f64,
    pub min_split_gain: f64,
}

/// A chosen split of binned feature `feature`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Split {
    pub feature: usize,
    pub rule: Rule,
    pub gain: f64,
    pub left: Sums,
    pub right: Sums,
}

/// `G² / (H + λ)`: how much a leaf with these sums lowers the loss (×2); 0 when the
/// denominator is not positive (all-zero weights with λ = 0).
fn score(sums: Sums, l2: f64) -> f64 {
    let denominator = sums.h + l2;
    if denominator > 0.0 {
        sums.g * sums.g / denominator
    } else {
        0.0
    }
}

/// The leaf value of these sums before shrinkage: the Newton step `−G / (H + λ)` (0 when the
/// denominator is not positive).
pub(super) fn leaf_value(sums: Sums, l2: f64) -> f64 {
    let denominator = sums.h + l2;
    if denominator > 0.0 {
        -sums.g / denominator
    } else {
        0.0
    }
}

/// The split of highest gain of a node with sums `total` and histogram `hist` over
/// `features`, if one beats `min_split_gain` within the limits. Ties go to the first feature
/// in `features`, then the first candidate in its scan, so the result does not depend on
/// anything but the data.
pub(super) fn best_split(
    hist: &[Sums],
    binned: &Binned,
    features: &[usize],
    total: Sums,
    limits: &Limits,
) -> Option<Split> {
    let parent = score(total, limits.l2);
    let mut best: Option<Split> = None;
    let mut best_gain = limits.min_split_gain;
    let mut sorted = Vec::new();
    for &feature in features {
        let Some(bins) = hist.get(binned.range(feature)) else {
            continue;
        };
        let found = match binned.kind(feature) {
            Some(Kind::Numeric { .. }) => numeric_split(bins, total, limits, parent, best_gain),
            Some(Kind::Category { columns }) => {
                // The last bin is "no column of the group is 1": never chosen.
                let categories = bins.get(..columns.len()).unwrap_or_default();
                category_split(categories, total, limits, parent, best_gain, &mut sorted)
            }
            None => None,
        };
        if let Some((rule, gain, left)) = found {
            best_gain = gain;
            best = Some(Split {
                feature,
                rule,
                gain,
                left,
                right: total.minus(left),
            });
        }
    }
    best
}

/// The best boundary between two bins of a numeric feature that gains more than
/// `best_gain`: the rule, its gain and the left side's sums.
fn numeric_split(
    bins: &[Sums],
    total: Sums,
    limits: &Limits,
    parent: f64,
    best_gain: f64,
) -> Option<(Rule, f64, Sums)> {
    let mut best = None;
    let mut best_gain = best_gain;
    let mut left = Sums::default();
    // The last bin cannot end a left side: the right would be empty.
    for (bin, &sums) in bins.iter().enumerate().take(bins.len().saturating_sub(1)) {
        if sums.n == 0 {
            // The same partition as the previous boundary: nothing new to score.
            continue;
        }
        left = left.plus(sums);
        if left.n < limits.min_leaf_rows || left.h < limits.min_leaf_hessian {
            continue;
        }
        let right = total.minus(left);
        if right.n < limits.min_leaf_rows {
            break;
        }
        if right.h < limits.min_leaf_hessian {
            continue;
        }
        let gain = score(left, limits.l2) + score(right, limits.l2) - parent;
        if gain > best_gain {
            best_gain = gain;
            // A bin index is below 255, so bin + 1 fits.
            best = Some((Rule::From((bin + 1) as u8), gain, left));
        }
    }
    best
}

/// The best set of a one-hot group's categories (`bins`, one per category) that gains more
/// than `best_gain`: the categories with support sorted by `G / (H + support)`, then each
/// prefix and each suffix of up to half of them tried as the set that goes right
/// (scikit-learn's scan; the other half is the other scan's prefix). `sorted` is scratch.
fn category_split(
    bins: &[Sums],
    total: Sums,
    limits: &Limits,
    parent: f64,
    best_gain: f64,
    sorted: &mut Vec<(f64, u8)>,
) -> Option<(Rule, f64, Sums)> {
    // Hessians scaled to row counts, so that "support" means rows under every loss.
    let per_hessian = if total.h > 0.0 {
        f64::from(total.n) / total.h
    } else {
        return None;
    };
    sorted.clear();
    for (bin, sums) in bins.iter().enumerate().take(usize::from(u8::MAX)) {
        if sums.n > 0 && sums.h * per_hessian >= CATEGORY_SUPPORT {
            sorted.push((sums.g / (sums.h + CATEGORY_SUPPORT), bin as u8));
        }
    }
    if sorted.len() < 2 {
        return None;
    }
    // Stable: equal keys keep bin order.
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let used = sorted.len();
    let mut best: Option<(usize, bool, f64, Sums)> = None;
    let mut best_gain = best_gain;
    for forward in [true, false] {
        let middle = if forward {
            used.div_ceil(2)
        } else {
            used.div_ceil(2) - 1
        };
        let mut chosen = Sums::default();
        for i in 0..middle {
            let at = if forward { i } else { used - 1 - i };
            let Some(&(_, bin)) = sorted.get(at) else {
                break;
            };
            chosen = chosen.plus(bins.get(usize::from(bin)).copied().unwrap_or_default());
            if chosen.n < limits.min_leaf_rows || chosen.h < limits.min_leaf_hessian {
                continue;
            }
            let rest = total.minus(chosen);
            if rest.n < limits.min_leaf_rows || rest.h < limits.min_leaf_hessian {
                break;
            }
            let gain = score(chosen, limits.l2) + score(rest, limits.l2) - parent;
            if gain > best_gain {
                best_gain = gain;
                best = Some((i + 1, forward, gain, rest));
            }
        }
    }
    let (count, forward, gain, rest) = best?;
    let mut set = BinSet::default();
    let chosen = if forward {
        sorted.get(..count)
    } else {
        sorted.get(used - count..)
    };
    for &(_, bin) in chosen.unwrap_or_default() {
        set.insert(bin);
    }
    Some((Rule::In(set), gain, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(g: f64, n: u32) -> Sums {
        Sums {
            g,
            h: f64::from(n),
            n,
        }
    }

    /// The best set split of these category bins with `min_leaf_rows`, l2 1 and no gain floor.
    fn split_of(bins: &[Sums], min_leaf_rows: u32) -> Option<(Rule, f64, Sums)> {
        let total = bins.iter().fold(Sums::default(), |a, &b| a.plus(b));
        let limits = Limits {
            l2: 1.0,
            min_leaf_rows,
            min_leaf_hessian: 1e-3,
            min_split_gain: 0.0,
        };
        category_split(
            bins,
            total,
            &limits,
            score(total, 1.0),
            0.0,
            &mut Vec::new(),
        )
    }

    #[test]
    fn a_category_split_groups_categories_by_their_mean_gradient() {
        // Categories 0 and 2 pull one way, 1 and 3 the other: one set split separates them,
        // which no single one-hot column does.
        let bins = [
            sums(-40.0, 40),
            sums(40.0, 40),
            sums(-40.0, 40),
            sums(40.0, 40),
        ];
        let (rule, gain, left) = split_of(&bins, 20).unwrap();
        assert!(gain > 0.0);
        assert_eq!(left.n, 80);
        assert_eq!(rule.goes_left(0), rule.goes_left(2));
        assert_eq!(rule.goes_left(1), rule.goes_left(3));
        assert_ne!(rule.goes_left(0), rule.goes_left(1));
        // The "none of the group" bin and rare categories stay with the unchosen side.
        assert!(rule.goes_left(4));
    }

    #[test]
    fn rare_categories_are_never_chosen() {
        let bins = [sums(-40.0, 40), sums(40.0, 40), sums(-9.0, 9)];
        let (rule, _, _) = split_of(&bins, 1).unwrap();
        let Rule::In(set) = rule else { panic!() };
        assert!(!set.contains(2));
    }
}
