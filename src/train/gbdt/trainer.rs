//! Round-by-round training: the data is checked and binned once, then each call to
//! [`GbdtTrainer::boost`] adds rounds, so that a caller can report validation after every
//! block of rounds (an "epoch"), and stop or prune between them.

use std::ops::Range;

use super::bins::Binned;
use super::booster::Booster;
use super::grow::{CategorySets, Grower, Shape};
use super::loss::{Labels, Objective, Weights, base_scores, gradients, mean_loss};
use super::split::Limits;
use super::{GbdtError, GbdtSettings, MAX_BINS};
use crate::prep::Targets;
use crate::rng::SplitMix64;

/// Bin edges come from at most this many rows (sklearn's default too): quantiles of 200,000
/// rows are as good as of all of them, and sorting them costs less.
const EDGE_SAMPLE_ROWS: usize = 200_000;
/// The most softmax classes: each needs a tree per round and a gradient per row.
const MAX_CLASSES: usize = 65_536;

/// Training in progress; [`GbdtTrainer::booster`] is the model after the rounds so far.
pub struct GbdtTrainer {
    binned: Binned,
    objective: Objective,
    shape: Shape,
    row_subsample: f64,
    feature_subsample: f64,
    labels: Labels,
    weights: Weights,
    /// Raw training scores, row-major `rows × outputs`, exactly the booster's (same f64 sums).
    scores: Vec<f64>,
    /// Gradient/hessian pairs, output-major.
    gh: Vec<[f64; 2]>,
    rng: SplitMix64,
    booster: Booster,
    grower: Grower,
    sets: CategorySets,
    bag: Vec<u32>,
    features: Vec<usize>,
}

impl GbdtTrainer {
    /// Checks the settings and data and bins the features; no tree is grown yet.
    ///
    /// `features` is row-major `rows × cols`, every value finite (Hearth's preprocessing
    /// guarantees it). `targets` are classes (logistic: 0 or 1; softmax: below `classes`) or
    /// finite values (squared error). `row_weights`, if given, are one finite weight ≥ 0 per
    /// row, not all 0. `categories` are the one-hot groups of the features (ranges of
    /// columns, each the one-hot columns of one categorical column: every row has one 1 or
    /// none, the rest 0); with `settings.categorical`, each is split as one categorical
    /// feature. Every random draw (row and feature subsampling, the rows the bin edges come
    /// from on tables over 200,000 rows) comes from `seed`.
    // The arguments are the data, its shape and the run's choices; a struct for them would
    // only be unpacked here.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        features: &[f32],
        rows: usize,
        cols: usize,
        targets: Targets,
        objective: Objective,
        settings: &GbdtSettings,
        row_weights: Option<&[f32]>,
        categories: &[Range<usize>],
        seed: u64,
    ) -> Result<GbdtTrainer, GbdtError> {
        settings.check()?;
        if rows == 0 {
            return Err(GbdtError::data("there are no training rows"));
        }
        if cols == 0 {
            return Err(GbdtError::data("there are no feature columns"));
        }
        if u32::try_from(rows).is_err() {
            return Err(GbdtError::data(format!(
                "{rows} rows are more than the {} rows it can index",
                u32::MAX
            )));
        }
        if rows.checked_mul(cols) != Some(features.len()) {
            return Err(GbdtError::data(format!(
                "the features hold {} numbers, not {rows} rows × {cols} columns",
                features.len()
            )));
        }
        if let Some(index) = features.iter().position(|x| !x.is_finite()) {
            return Err(GbdtError::data(format!(
                "feature column {} of row {} is not a finite number",
                index % cols,
                index / cols
            )));
        }
        let categories = if settings.categorical {
            one_hot_groups(features, cols, categories)?
        } else {
            Vec::new()
        };
        let labels = labels(targets, &objective, rows)?;
        let weights = weights(row_weights, rows)?;
        let k = objective.outputs();

        let mut rng = SplitMix64::new(seed);
        let mut sample = Vec::new();
        let sample = (rows > EDGE_SAMPLE_ROWS).then(|| {
            select(&mut rng, rows, EDGE_SAMPLE_ROWS, &mut sample);
            sample.as_slice()
        });
        let binned = Binned::new(features, rows, cols, settings.max_bins, sample, &categories);

        let base: Vec<f32> = base_scores(&objective, &labels, &weights)
            .iter()
            .map(|&b| b as f32)
            .collect();
        let scores = (0..rows)
            .flat_map(|_| base.iter().map(|&b| f64::from(b)))
            .collect();
        let shape = Shape {
            max_leaves: settings.max_leaves,
            max_depth: settings.max_depth,
            learning_rate: settings.learning_rate,
            limits: Limits {
                l2: settings.l2,
                min_leaf_rows: u32::try_from(settings.min_leaf_rows).unwrap_or(u32::MAX),
                min_leaf_hessian: settings.min_leaf_hessian,
                min_split_gain: settings.min_split_gain,
            },
        };
        Ok(GbdtTrainer {
            binned,
            shape,
            row_subsample: settings.row_subsample,
            feature_subsample: settings.feature_subsample,
            labels,
            weights,
            scores,
            gh: vec![[0.0, 0.0]; rows * k],
            rng,
            booster: Booster {
                objective: objective.clone(),
                features: cols,
                base,
                trees: Vec::new(),
                tree_outputs: Vec::new(),
                category_sets: Vec::new(),
            },
            objective,
            grower: Grower::default(),
            sets: CategorySets::new(cols),
            bag: Vec::new(),
            features: Vec::new(),
        })
    }

    /// Adds `rounds` boosting rounds (one tree per output each).
    pub fn boost(&mut self, rounds: usize) -> Result<(), GbdtError> {
        for _ in 0..rounds {
            self.round()?;
        }
        Ok(())
    }

    /// The model after the rounds so far.
    pub fn booster(&self) -> &Booster {
        &self.booster
    }

    /// The model, ending training.
    pub fn into_booster(self) -> Booster {
        self.booster
    }

    /// Rounds trained so far.
    pub fn rounds(&self) -> usize {
        self.booster.rounds()
    }

    /// The mean (weighted) loss on the training rows at the current round: mean squared
    /// error, log-loss, or softmax cross-entropy.
    pub fn train_loss(&self) -> f64 {
        mean_loss(&self.objective, &self.labels, &self.weights, &self.scores)
    }

    fn round(&mut self) -> Result<(), GbdtError> {
        let rows = self.binned.rows();
        let cols = self.binned.cols();
        let k = self.objective.outputs().max(1);
        gradients(
            &self.objective,
            &self.labels,
            &self.weights,
            &self.scores,
            &mut self.gh,
        );
        let bagged = self.row_subsample < 1.0;
        if bagged {
            let take = ((self.row_subsample * rows as f64).round() as usize).clamp(1, rows);
            select(&mut self.rng, rows, take, &mut self.bag);
        }
        for output in 0..k {
            self.features.clear();
            self.features.extend(0..cols);
            if self.feature_subsample < 1.0 {
                let take = ((self.feature_subsample * cols as f64).round() as usize).clamp(1, cols);
                // A partial Fisher–Yates shuffle: the first `take` are a uniform draw.
                for i in 0..take {
                    let j = i + self.rng.below((cols - i) as u64) as usize;
                    self.features.swap(i, j);
                }
                self.features.truncate(take);
                self.features.sort_unstable();
            }
            let gh = self
                .gh
                .get(output * rows..(output + 1) * rows)
                .unwrap_or_default();
            let bag = bagged.then_some(self.bag.as_slice());
            let tree = self.grower.grow(
                &self.binned,
                gh,
                bag,
                &self.features,
                &self.shape,
                &mut self.sets,
            );
            if let Some(new) = self.sets.sets.get(self.booster.category_sets.len()..) {
                self.booster.category_sets.extend_from_slice(new);
            }
            if tree.nodes.iter().any(|n| !n.value.is_finite()) {
                return Err(GbdtError::Diverged {
                    round: self.booster.rounds() + 1,
                });
            }
            if bagged {
                // Rows outside the bag were not partitioned: walk the tree on their bins.
                for (r, row_scores) in self.scores.chunks_exact_mut(k).enumerate() {
                    if let Some(score) = row_scores.get_mut(output) {
                        *score += f64::from(self.grower.binned_value(&tree, &self.binned, r));
                    }
                }
            } else {
                for (value, leaf_rows) in self.grower.leaf_rows() {
                    for &r in leaf_rows {
                        if let Some(score) = self.scores.get_mut(r as usize * k + output) {
                            *score += f64::from(value);
                        }
                    }
                }
            }
            self.booster.trees.push(tree);
            self.booster.tree_outputs.push(output as u32);
        }
        Ok(())
    }
}

/// The one-hot groups to split as categories: `groups` checked (in order, disjoint, inside
/// the columns, every row one 1 or none and otherwise 0), without those of one column (a
/// numeric split is the same) or too wide to bin.
fn one_hot_groups(
    features: &[f32],
    cols: usize,
    groups: &[Range<usize>],
) -> Result<Vec<Range<usize>>, GbdtError> {
    let mut end = 0;
    for group in groups {
        if group.start < end || group.end > cols || group.is_empty() {
            return Err(GbdtError::data(format!(
                "the one-hot group of columns {}..{} is empty, out of order or past the {cols} columns",
                group.start, group.end
            )));
        }
        end = group.end;
    }
    let kept: Vec<Range<usize>> = groups
        .iter()
        .filter(|group| (2..MAX_BINS).contains(&group.len()))
        .cloned()
        .collect();
    for (r, row) in features.chunks_exact(cols.max(1)).enumerate() {
        for group in &kept {
            let cells = row.get(group.clone()).unwrap_or_default();
            let ones = cells.iter().filter(|&&x| x == 1.0).count();
            if ones > 1 || cells.iter().any(|&x| x != 0.0 && x != 1.0) {
                return Err(GbdtError::data(format!(
                    "row {r} is not one-hot in feature columns {}..{}",
                    group.start, group.end
                )));
            }
        }
    }
    Ok(kept)
}

/// `take` of the rows `0..rows`, in increasing order, each subset equally likely (Knuth's
/// selection sampling: one draw per row), into `out`.
fn select(rng: &mut SplitMix64, rows: usize, take: usize, out: &mut Vec<u32>) {
    out.clear();
    let mut needed = take.min(rows);
    for r in 0..rows {
        if needed == 0 {
            break;
        }
        let left = rows - r;
        if (rng.below(left as u64) as usize) < needed {
            out.push(r as u32);
            needed -= 1;
        }
    }
}

/// The targets checked against the objective and the row count.
fn labels(targets: Targets, objective: &Objective, rows: usize) -> Result<Labels, GbdtError> {
    let count = match &targets {
        Targets::Classes(c) => c.len(),
        Targets::Values(v) => v.len(),
    };
    if count != rows {
        return Err(GbdtError::data(format!(
            "there are {count} targets for {rows} rows"
        )));
    }
    match (objective, targets) {
        (Objective::Squared, Targets::Values(values)) => {
            if let Some(row) = values.iter().position(|v| !v.is_finite()) {
                return Err(GbdtError::data(format!(
                    "the target of row {row} is not a finite number"
                )));
            }
            Ok(Labels::Values(
                values.iter().map(|&v| f64::from(v)).collect(),
            ))
        }
        (Objective::Logistic, Targets::Classes(classes)) => {
            check_classes(&classes, 2, "a logistic objective has classes 0 and 1")?;
            Ok(Labels::Classes(classes))
        }
        (Objective::Softmax { classes: k }, Targets::Classes(classes)) => {
            if !(2..=MAX_CLASSES).contains(k) {
                return Err(GbdtError::data(format!(
                    "a softmax objective needs 2 to {MAX_CLASSES} classes, not {k}"
                )));
            }
            check_classes(&classes, *k, &format!("the softmax objective has {k}"))?;
            Ok(Labels::Classes(classes))
        }
        (Objective::Squared, Targets::Classes(_)) => Err(GbdtError::data(
            "a squared-error objective needs numeric targets, not classes",
        )),
        (objective, Targets::Values(_)) => Err(GbdtError::data(format!(
            "a {} objective needs class targets, not numbers",
            objective.name()
        ))),
    }
}

fn check_classes(classes: &[u32], k: usize, why: &str) -> Result<(), GbdtError> {
    match classes.iter().position(|&c| c as usize >= k) {
        Some(row) => Err(GbdtError::data(format!(
            "row {row} has class {} ({why})",
            classes.get(row).copied().unwrap_or(0)
        ))),
        None => Ok(()),
    }
}

fn weights(row_weights: Option<&[f32]>, rows: usize) -> Result<Weights, GbdtError> {
    let Some(values) = row_weights else {
        return Ok(Weights {
            values: None,
            total: rows as f64,
        });
    };
    if values.len() != rows {
        return Err(GbdtError::data(format!(
            "there are {} row weights for {rows} rows",
            values.len()
        )));
    }
    if let Some(row) = values.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
        return Err(GbdtError::data(format!(
            "the weight of row {row} is not a finite number of at least 0"
        )));
    }
    let values: Vec<f64> = values.iter().map(|&w| f64::from(w)).collect();
    let total: f64 = values.iter().sum();
    if total <= 0.0 {
        return Err(GbdtError::data("every row weight is 0"));
    }
    Ok(Weights {
        values: Some(values),
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_takes_exactly_that_many_rows_in_order() {
        let mut rng = SplitMix64::new(5);
        let mut out = Vec::new();
        for (rows, take) in [(10, 3), (100, 100), (7, 0), (1000, 1), (5, 9)] {
            select(&mut rng, rows, take, &mut out);
            assert_eq!(out.len(), take.min(rows));
            assert!(out.windows(2).all(|w| w[0] < w[1]));
            assert!(out.iter().all(|&r| (r as usize) < rows));
        }
        // Every row is about equally likely.
        let mut seen = [0u32; 10];
        for _ in 0..2000 {
            select(&mut rng, 10, 3, &mut out);
            for &r in &out {
                seen[r as usize] += 1;
            }
        }
        assert!(seen.iter().all(|&n| (500..700).contains(&n)), "{seen:?}");
    }
}
