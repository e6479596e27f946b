//! Why did the model answer this? Per-column contributions to one prediction, by sampled
//! Shapley values over a background sample of rows (Štrumbelj & Kononenko's permutation
//! estimator, with antithetic pairs: each random column order is also walked backwards).
//!
//! Model-agnostic: the model is a batch `predict` over raw rows (one optional field per CSV
//! column), so the same code explains a burn model natively and the exported ONNX file in
//! the page. The players are the columns the model reads, so a category's one-hot features
//! count as their one column.
//!
//! Each sample starts from a background row and puts the explained row's values in, column by
//! column in the sample's order; a column's contribution is the change in the output when its
//! value goes in. The contributions of every sample add up to `f(row) − f(background row)`,
//! so their means add up exactly to the prediction minus the base value (the mean prediction
//! of the sampled background rows).

use serde::{Deserialize, Serialize};

use crate::data::{Column, Dataset};
use crate::prep::ColumnReference;
use crate::rng::SplitMix64;

/// A raw row: one field per CSV column (`None` when missing).
pub type RawRow = Vec<Option<String>>;

/// Background rows drawn when none are given (the CLI's `--background`, the page's Use step).
pub const BACKGROUND_ROWS: usize = 100;
/// Antithetic pairs of column orders walked when none are asked for.
pub const PAIRS: usize = 100;

/// One column's contribution.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Contribution {
    /// Position of the column in the raw row.
    pub input: usize,
    /// Per model output: the mean change the column's value made.
    pub value: Vec<f64>,
    /// Per model output: the estimate's standard error (the spread of the samples' changes
    /// over the square root of their number).
    pub standard_error: Vec<f64>,
}

/// An explained prediction.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Explanation {
    /// Per output: the model's answer for the row.
    pub prediction: Vec<f64>,
    /// Per output: the mean answer over the sampled background rows.
    pub base: Vec<f64>,
    /// One per explained column, in the order given.
    pub contributions: Vec<Contribution>,
    /// Column orders walked (each forwards and backwards, so twice the pairs asked for).
    pub samples: usize,
    /// Rows the model answered.
    pub evaluations: usize,
}

/// Why there is no explanation.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExplainError {
    #[error("There are no background rows to compare the row with.")]
    NoBackground,
    #[error("There is no column to explain.")]
    NoColumns,
    #[error("The model gave {got} outputs for {rows} rows; {width} per row were expected.")]
    Outputs {
        got: usize,
        rows: usize,
        width: usize,
    },
    #[error("{0}")]
    Model(String),
}

/// The Shapley contributions of the columns at `inputs` to `predict(row)`, from `pairs`
/// antithetic pairs of random column orders, each starting from a background row drawn from
/// `background` (seeded). `predict` answers a batch of rows with `width` outputs per row.
pub fn shapley(
    row: &[Option<String>],
    inputs: &[usize],
    background: &[RawRow],
    pairs: usize,
    seed: u64,
    width: usize,
    mut predict: impl FnMut(&[RawRow]) -> Result<Vec<f32>, String>,
) -> Result<Explanation, ExplainError> {
    if background.is_empty() {
        return Err(ExplainError::NoBackground);
    }
    if inputs.is_empty() {
        return Err(ExplainError::NoColumns);
    }
    let players = inputs.len();
    let mut rng = SplitMix64::new(seed);
    // Per player and output: the sum and the sum of squares of the sample's changes.
    let mut sums = vec![vec![0.0f64; width]; players];
    let mut squares = vec![vec![0.0f64; width]; players];
    let mut forward = vec![vec![0.0f64; width]; players];
    let mut base = vec![0.0f64; width];
    let mut prediction = vec![0.0f64; width];
    let mut evaluations = 0;
    let samples = pairs.max(1) * 2;
    let mut order: Vec<usize> = (0..players).collect();
    let mut start_row = 0;
    for sample in 0..samples {
        let backwards = sample % 2 == 1;
        if !backwards {
            rng.shuffle(&mut order);
        }
        let walk: Vec<usize> = if backwards {
            order.iter().rev().copied().collect()
        } else {
            order.clone()
        };
        // A pair's two walks start from the same background row.
        if !backwards {
            start_row = rng.below(background.len() as u64) as usize;
        }
        let mut current: RawRow = background[start_row].clone();
        current.resize(row.len().max(current.len()), None);
        let mut batch = Vec::with_capacity(players + 1);
        batch.push(current.clone());
        for &player in &walk {
            let input = inputs[player];
            if let Some(slot) = current.get_mut(input) {
                *slot = row.get(input).cloned().flatten();
            }
            batch.push(current.clone());
        }
        let outputs = predict(&batch).map_err(ExplainError::Model)?;
        if outputs.len() != batch.len() * width {
            return Err(ExplainError::Outputs {
                got: outputs.len(),
                rows: batch.len(),
                width,
            });
        }
        evaluations += batch.len();
        let at = |step: usize, output: usize| f64::from(outputs[step * width + output]);
        for output in 0..width {
            base[output] += at(0, output);
            prediction[output] = at(players, output);
        }
        for (step, &player) in walk.iter().enumerate() {
            for output in 0..width {
                let change = at(step + 1, output) - at(step, output);
                if backwards {
                    // A pair's two walks are one sample of the estimate: their mean.
                    let pair = (forward[player][output] + change) / 2.0;
                    sums[player][output] += pair;
                    squares[player][output] += pair * pair;
                } else {
                    forward[player][output] = change;
                }
            }
        }
    }
    let n = samples as f64;
    let pairs = (samples / 2) as f64;
    let contributions = inputs
        .iter()
        .enumerate()
        .map(|(player, &input)| {
            let value: Vec<f64> = sums[player].iter().map(|s| s / pairs).collect();
            let standard_error = value
                .iter()
                .zip(&squares[player])
                .map(|(mean, square)| {
                    let spread =
                        (square / pairs - mean * mean).max(0.0) * pairs / (pairs - 1.0).max(1.0);
                    (spread / pairs).sqrt()
                })
                .collect();
            Contribution {
                input,
                value,
                standard_error,
            }
        })
        .collect();
    Ok(Explanation {
        prediction,
        base: base.iter().map(|b| b / n).collect(),
        contributions,
        samples,
        evaluations,
    })
}

/// Background rows drawn from a model's training references, for when no training rows are at
/// hand (an exported file holds none): each column independently from its training
/// distribution, laid out as `columns` (a column without a reference is missing). Independent
/// draws lose the columns' correlations, so contributions are measured against rows that may
/// be less typical than real ones; the page says which background it used.
pub fn reference_background(
    references: &[ColumnReference],
    columns: &[String],
    rows: usize,
    seed: u64,
) -> Vec<RawRow> {
    let mut rng = SplitMix64::new(seed);
    let by_column: Vec<Option<&ColumnReference>> = columns
        .iter()
        .map(|name| references.iter().find(|r| r.column == *name))
        .collect();
    (0..rows)
        .map(|_| {
            by_column
                .iter()
                .map(|reference| reference.and_then(|r| r.draw(&mut rng)))
                .collect()
        })
        .collect()
}

/// Row `row` of `dataset` laid out as `columns` (found by name; a column the dataset lacks is
/// missing).
pub fn dataset_row(dataset: &Dataset, columns: &[String], row: usize) -> RawRow {
    row_of(&positions(dataset, columns), row)
}

/// `count` rows of `dataset` drawn with replacement (seeded), at most as many as it has, laid
/// out as `columns` like [`dataset_row`]: the rows an explanation compares with when training
/// rows are at hand.
pub fn sample_background(
    dataset: &Dataset,
    columns: &[String],
    count: usize,
    seed: u64,
) -> Vec<RawRow> {
    let positions = positions(dataset, columns);
    let mut rng = SplitMix64::new(seed);
    (0..count.min(dataset.rows))
        .map(|_| row_of(&positions, rng.below(dataset.rows as u64) as usize))
        .collect()
}

fn positions<'a>(dataset: &'a Dataset, columns: &[String]) -> Vec<Option<&'a Column>> {
    columns.iter().map(|name| dataset.column(name)).collect()
}

fn row_of(positions: &[Option<&Column>], row: usize) -> RawRow {
    positions
        .iter()
        .map(|column| column.and_then(|c| c.raw(row)))
        .collect()
}
