//! The best split of one node, from its histogram: every boundary between two bins of every
//! allowed feature is scored with the second-order gain
//! `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)` (LightGBM's; twice the loss reduction of the
//! Newton step), subject to the rows and hessian each side must keep.

use super::bins::Binned;
use super::histogram::Sums;

/// The limits a split must respect, from the settings.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    pub l2: f64,
    pub min_leaf_rows: u32,
    pub min_leaf_hessian: f64,
    pub min_split_gain: f64,
}

/// A chosen split: rows whose bin in `feature` is below `bin` go left.
#[derive(Clone, Copy, Debug)]
pub(super) struct Split {
    pub feature: usize,
    pub bin: usize,
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
/// in `features`, then the lowest bin, so the result does not depend on anything but the data.
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
    for &feature in features {
        let Some(bins) = hist.get(binned.range(feature)) else {
            continue;
        };
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
                best = Some(Split {
                    feature,
                    bin: bin + 1,
                    gain,
                    left,
                    right,
                });
            }
        }
    }
    best
}
