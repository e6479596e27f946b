//! The fitted model: base scores plus a sum of trees per output, and its predictions.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::GbdtError;
use super::loss::Objective;
use super::tree::Tree;

/// Gradient-boosted trees. The raw score of output `k` of a row is `base[k]` plus the values
/// of every tree `t` with `tree_outputs[t] == k`. A round adds one tree per output
/// (`outputs()` trees, in output order), so tree `t` belongs to round `t / outputs()`.
///
/// Raw scores: squared error, the value; logistic, **one** logit of class 1 per row;
/// softmax, K logits per row.
///
/// A split on a set of categories reads a derived feature: feature `features + i` is the sum
/// of the feature columns `category_sets[i]` (one-hot columns of one categorical column, so 1
/// when the row's category is in the set and 0 otherwise), split at 0.5.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Booster {
    pub objective: Objective,
    /// The number of feature columns the model was trained on (every split reads one below).
    pub features: usize,
    /// The starting raw score of each output.
    pub base: Vec<f32>,
    pub trees: Vec<Tree>,
    /// The output each tree adds to.
    pub tree_outputs: Vec<u32>,
    /// The columns summed by each derived feature (empty without categorical splits, and in
    /// files written before Hearth made them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category_sets: Vec<Vec<u32>>,
}

impl Booster {
    /// Raw scores per row: 1 for squared error and logistic, K for softmax.
    pub fn outputs(&self) -> usize {
        self.objective.outputs()
    }

    /// Trees per boosting round.
    fn per_round(&self) -> usize {
        self.outputs().max(1)
    }

    /// Complete boosting rounds.
    pub fn rounds(&self) -> usize {
        self.trees.len() / self.per_round()
    }

    /// Keeps the first `rounds` rounds (early stopping keeps the best round's model), and the
    /// derived features they read: a set is added when a tree first splits on it, so those of
    /// the kept trees are the first ones.
    pub fn truncate(&mut self, rounds: usize) {
        let trees = rounds.saturating_mul(self.per_round());
        self.trees.truncate(trees);
        self.tree_outputs.truncate(trees);
        let read = self
            .trees
            .iter()
            .flat_map(|tree| tree.nodes.iter())
            .filter(|node| !node.leaf)
            .map(|node| node.feature as usize + 1)
            .max()
            .unwrap_or(0);
        self.category_sets
            .truncate(read.saturating_sub(self.features));
    }

    /// The raw scores of row-major `features` (`rows × cols`): row-major `rows × outputs()`.
    /// Empty if `features` is not `rows × cols` long.
    pub fn raw_scores(&self, features: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        let k = self.outputs();
        if rows.checked_mul(cols) != Some(features.len()) {
            return Vec::new();
        }
        let mut scores: Vec<f64> = (0..rows)
            .flat_map(|_| self.base.iter().map(|&b| f64::from(b)))
            .collect();
        scores.resize(rows.saturating_mul(k), 0.0);
        self.add_rounds(features, rows, cols, 0..self.rounds(), &mut scores);
        scores.iter().map(|&s| s as f32).collect()
    }

    /// Adds the trees of `rounds` to `scores` (row-major `rows × outputs()`), so that a
    /// caller can keep validation scores up to date round by round instead of walking every
    /// tree again. Nothing is added if the lengths do not fit.
    pub fn add_rounds(
        &self,
        features: &[f32],
        rows: usize,
        cols: usize,
        rounds: Range<usize>,
        scores: &mut [f64],
    ) {
        let k = self.outputs();
        let per = self.per_round();
        if rows.checked_mul(cols) != Some(features.len())
            || rows.checked_mul(k) != Some(scores.len())
        {
            return;
        }
        let first = rounds.start.saturating_mul(per).min(self.trees.len());
        let last = rounds
            .end
            .saturating_mul(per)
            .min(self.trees.len())
            .max(first);
        let (Some(trees), Some(outputs)) = (
            self.trees.get(first..last),
            self.tree_outputs.get(first..last),
        ) else {
            return;
        };
        let mut wide = Vec::with_capacity(cols + self.category_sets.len());
        for (r, row_scores) in scores.chunks_exact_mut(k.max(1)).enumerate() {
            let start = r * cols;
            let mut row = features.get(start..start + cols).unwrap_or_default();
            if !self.category_sets.is_empty() {
                wide.clear();
                wide.extend_from_slice(row);
                wide.extend(self.category_sets.iter().map(|columns| {
                    columns
                        .iter()
                        .map(|&c| row.get(c as usize).copied().unwrap_or(0.0))
                        .sum::<f32>()
                }));
                row = &wide;
            }
            for (tree, &output) in trees.iter().zip(outputs) {
                if let Some(score) = row_scores.get_mut(output as usize) {
                    *score += f64::from(tree.value(row));
                }
            }
        }
    }

    /// Predictions of row-major `features` (`rows × cols`): values (squared error), the
    /// probability of class 1 as one number per row (logistic), or K class probabilities per
    /// row (softmax). Empty if `features` is not `rows × cols` long.
    pub fn predict(&self, features: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        let raw = self.raw_scores(features, rows, cols);
        let mut out = Vec::with_capacity(raw.len());
        for row in raw.chunks_exact(self.per_round()) {
            self.objective.transform(row, &mut out);
        }
        out
    }

    /// Whether the model holds together: one base score per output, one output per tree,
    /// whole rounds, derived features that sum feature columns, and trees a walk can use.
    pub fn check(&self) -> Result<(), GbdtError> {
        let k = self.outputs();
        if k == 0 || matches!(self.objective, Objective::Softmax { classes } if classes < 2) {
            return Err(GbdtError::model("a softmax model needs at least 2 classes"));
        }
        if self.base.len() != k || self.base.iter().any(|b| !b.is_finite()) {
            return Err(GbdtError::model(format!(
                "it needs {k} finite base scores and has {}",
                self.base.len()
            )));
        }
        if self.tree_outputs.len() != self.trees.len() || !self.trees.len().is_multiple_of(k) {
            return Err(GbdtError::model(format!(
                "its {} trees are not whole rounds of {k} with one output each",
                self.trees.len()
            )));
        }
        for (i, columns) in self.category_sets.iter().enumerate() {
            if columns.is_empty() || columns.iter().any(|&c| c as usize >= self.features) {
                return Err(GbdtError::model(format!(
                    "category set {i} does not name feature columns below {}",
                    self.features
                )));
            }
        }
        let readable = self.features.saturating_add(self.category_sets.len());
        for (t, (tree, &output)) in self.trees.iter().zip(&self.tree_outputs).enumerate() {
            if output as usize != t % k {
                return Err(GbdtError::model(format!(
                    "tree {t} adds to output {output} instead of {}",
                    t % k
                )));
            }
            tree.check(readable)
                .map_err(|problem| GbdtError::model(format!("tree {t}: {problem}")))?;
        }
        Ok(())
    }
}
