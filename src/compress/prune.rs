//! Magnitude pruning with masks: which dense weights are removed, and the exact count.

use serde::{Deserialize, Serialize};

use super::error::CompressError;
use super::settings::PruneScope;
use crate::train::Weights;

/// Which dense weights survive pruning: `kept[layer][i]` belongs to
/// `weights.dense[layer].weight[i]`. Biases and layer norms are never pruned (they are few and
/// shift whole units). Kept beside the weights so that fine-tuning can hold the removed
/// weights at zero.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PruneMask {
    pub kept: Vec<Vec<bool>>,
}

impl PruneMask {
    /// A mask that keeps every weight.
    pub fn keep_all(weights: &Weights) -> PruneMask {
        PruneMask {
            kept: weights
                .dense
                .iter()
                .map(|layer| vec![true; layer.weight.len()])
                .collect(),
        }
    }

    /// Number of dense weights removed.
    pub fn pruned(&self) -> usize {
        self.kept.iter().flatten().filter(|&&kept| !kept).count()
    }

    /// Number of dense weights.
    pub fn total(&self) -> usize {
        self.kept.iter().map(Vec::len).sum()
    }

    /// The share of dense weights removed (0 for a network without weights).
    pub fn sparsity(&self) -> f64 {
        let total = self.total();
        if total == 0 {
            0.0
        } else {
            self.pruned() as f64 / total as f64
        }
    }

    /// Sets the removed weights to zero.
    pub fn apply(&self, weights: &mut Weights) {
        for (layer, kept) in weights.dense.iter_mut().zip(&self.kept) {
            for (w, &keep) in layer.weight.iter_mut().zip(kept) {
                if !keep {
                    *w = 0.0;
                }
            }
        }
    }

    /// The mask as multipliers (1 kept, 0 removed) per dense layer, in the weights' row-major
    /// `[inputs][outputs]` layout: what the trainer multiplies the weights by after each step.
    pub fn factors(&self) -> Vec<Vec<f32>> {
        self.kept
            .iter()
            .map(|layer| {
                layer
                    .iter()
                    .map(|&keep| if keep { 1.0 } else { 0.0 })
                    .collect()
            })
            .collect()
    }

    fn fits(&self, weights: &Weights) -> bool {
        self.kept.len() == weights.dense.len()
            && self
                .kept
                .iter()
                .zip(&weights.dense)
                .all(|(kept, layer)| kept.len() == layer.weight.len())
    }
}

/// The share of dense weights that are exactly zero.
pub fn dense_sparsity(weights: &Weights) -> f64 {
    let total: usize = weights.dense.iter().map(|d| d.weight.len()).sum();
    let zeros = weights
        .dense
        .iter()
        .flat_map(|d| &d.weight)
        .filter(|w| **w == 0.0)
        .count();
    if total == 0 {
        0.0
    } else {
        zeros as f64 / total as f64
    }
}

/// Removes the dense weights of smallest magnitude so that exactly
/// `round(sparsity × weights)` are removed (per layer with [`PruneScope::PerLayer`]; over all
/// layers with [`PruneScope::Global`]). Weights removed by `previous` stay removed (gradual
/// pruning only adds to the mask); ties are broken by position, so the result is
/// deterministic. Returns the pruned weights and their mask.
pub fn magnitude_prune(
    weights: &Weights,
    sparsity: f64,
    scope: PruneScope,
    previous: Option<&PruneMask>,
) -> Result<(Weights, PruneMask), CompressError> {
    if !(sparsity.is_finite() && (0.0..1.0).contains(&sparsity)) {
        return Err(CompressError::Sparsity { sparsity });
    }
    weights.validate()?;
    let start = match previous {
        Some(mask) if mask.fits(weights) => mask.clone(),
        _ => PruneMask::keep_all(weights),
    };
    let mut mask = start.clone();
    // Candidates as (layer, index); ranked: already removed first, then by magnitude.
    let rank = |candidates: &mut Vec<(usize, usize)>| {
        candidates.sort_by(|&(la, ia), &(lb, ib)| {
            let kept_a = start.kept[la][ia];
            let kept_b = start.kept[lb][ib];
            kept_a
                .cmp(&kept_b)
                .then_with(|| {
                    weights.dense[la].weight[ia]
                        .abs()
                        .total_cmp(&weights.dense[lb].weight[ib].abs())
                })
                .then_with(|| (la, ia).cmp(&(lb, ib)))
        });
    };
    let groups: Vec<Vec<(usize, usize)>> = match scope {
        PruneScope::Global => vec![
            weights
                .dense
                .iter()
                .enumerate()
                .flat_map(|(l, layer)| (0..layer.weight.len()).map(move |i| (l, i)))
                .collect(),
        ],
        PruneScope::PerLayer => weights
            .dense
            .iter()
            .enumerate()
            .map(|(l, layer)| (0..layer.weight.len()).map(|i| (l, i)).collect())
            .collect(),
    };
    for mut group in groups {
        let already = group.iter().filter(|&&(l, i)| !start.kept[l][i]).count();
        let count = ((sparsity * group.len() as f64).round() as usize)
            .min(group.len())
            .max(already);
        rank(&mut group);
        for &(l, i) in group.iter().take(count) {
            mask.kept[l][i] = false;
        }
    }
    let mut pruned = weights.clone();
    mask.apply(&mut pruned);
    Ok((pruned, mask))
}
