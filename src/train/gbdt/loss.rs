//! The objectives: raw scores → predictions, base scores, gradients and hessians, and the
//! training loss.
//!
//! * Squared error: one output, the value; `g = w(s − y)`, `h = w`; base = the weighted mean.
//! * Logistic: one output, the logit of class 1; `g = w(p − y)`, `h = w·p(1 − p)`; base = the
//!   log-odds of the weighted rate of class 1.
//! * Softmax over K classes: K outputs, one tree each per round (XGBoost's `multi:softprob`,
//!   sklearn's `HistGradientBoostingClassifier`); `g_k = w(p_k − [y = k])`,
//!   `h_k = w·p_k(1 − p_k)`; base = the log of each class's weighted share.
//!
//! Shares are clamped to `[SHARE_FLOOR, 1 − SHARE_FLOOR]` before the logarithm, so a class
//! absent from the training rows gets a very low but finite base score instead of −∞.

use serde::{Deserialize, Serialize};

/// The loss and the shape of the output.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Objective {
    /// Regression: squared error, one output (the value).
    Squared,
    /// Binary classification: log-loss, one output (the logit of class 1).
    Logistic,
    /// Multiclass classification: softmax cross-entropy, one output per class.
    Softmax { classes: usize },
}

/// The smallest class share the base score uses (e^−16 ≈ 1e−7 of the odds).
const SHARE_FLOOR: f64 = 1e-7;
/// The smallest hessian of one row, so that a saturated probability still weighs a little.
const HESSIAN_FLOOR: f64 = 1e-16;

impl Objective {
    /// Raw scores per row: 1 for squared error and logistic, K for softmax.
    pub fn outputs(&self) -> usize {
        match self {
            Objective::Squared | Objective::Logistic => 1,
            Objective::Softmax { classes } => *classes,
        }
    }

    /// A short name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Objective::Squared => "squared error",
            Objective::Logistic => "logistic",
            Objective::Softmax { .. } => "softmax",
        }
    }

    /// The predictions of one row's raw scores, appended to `out`: the value (squared
    /// error), the probability of class 1 (logistic: one number), or the K class
    /// probabilities (softmax).
    pub fn transform(&self, raw: &[f32], out: &mut Vec<f32>) {
        match self {
            Objective::Squared => out.extend_from_slice(raw),
            Objective::Logistic => out.extend(raw.iter().map(|&s| sigmoid(f64::from(s)) as f32)),
            Objective::Softmax { .. } => {
                let max = raw.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let exps: Vec<f64> = raw.iter().map(|&s| f64::from(s - max).exp()).collect();
                let sum: f64 = exps.iter().sum();
                out.extend(exps.iter().map(|&e| (e / sum) as f32));
            }
        }
    }
}

/// The logistic function, computed without overflow for large |s|.
pub(crate) fn sigmoid(s: f64) -> f64 {
    if s >= 0.0 {
        1.0 / (1.0 + (-s).exp())
    } else {
        let e = s.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^s)` without overflow.
fn softplus(s: f64) -> f64 {
    s.max(0.0) + (-s.abs()).exp().ln_1p()
}

/// Targets as the loss reads them (checked by the trainer).
pub(super) enum Labels {
    Values(Vec<f64>),
    Classes(Vec<u32>),
}

/// Row weights (`None`: every row weighs 1) and their sum.
pub(super) struct Weights {
    pub values: Option<Vec<f64>>,
    pub total: f64,
}

impl Weights {
    fn of(&self, row: usize) -> f64 {
        match &self.values {
            Some(values) => values.get(row).copied().unwrap_or(0.0),
            None => 1.0,
        }
    }
}

/// The starting raw score of each output (see the module docs).
pub(super) fn base_scores(objective: &Objective, labels: &Labels, weights: &Weights) -> Vec<f64> {
    let total = weights.total.max(f64::MIN_POSITIVE);
    match (objective, labels) {
        (Objective::Squared, Labels::Values(y)) => {
            let sum: f64 = y.iter().enumerate().map(|(r, &v)| weights.of(r) * v).sum();
            vec![sum / total]
        }
        (Objective::Logistic, Labels::Classes(y)) => {
            let ones: f64 = y
                .iter()
                .enumerate()
                .filter(|&(_, &c)| c == 1)
                .map(|(r, _)| weights.of(r))
                .sum();
            let p = (ones / total).clamp(SHARE_FLOOR, 1.0 - SHARE_FLOOR);
            vec![(p / (1.0 - p)).ln()]
        }
        (Objective::Softmax { classes }, Labels::Classes(y)) => {
            let mut shares = vec![0.0; *classes];
            for (r, &c) in y.iter().enumerate() {
                if let Some(share) = shares.get_mut(c as usize) {
                    *share += weights.of(r);
                }
            }
            shares
                .iter()
                .map(|&s| (s / total).clamp(SHARE_FLOOR, 1.0).ln())
                .collect()
        }
        _ => vec![0.0; objective.outputs()],
    }
}

/// The gradient/hessian pairs of every row for every output at the raw `scores`
/// (row-major `rows × K`), into `gh` (output-major: output `k`'s rows at `k·rows..`).
pub(super) fn gradients(
    objective: &Objective,
    labels: &Labels,
    weights: &Weights,
    scores: &[f64],
    gh: &mut [[f64; 2]],
) {
    match (objective, labels) {
        (Objective::Squared, Labels::Values(y)) => {
            for (r, ((pair, &s), &v)) in gh.iter_mut().zip(scores).zip(y).enumerate() {
                let w = weights.of(r);
                *pair = [w * (s - v), w];
            }
        }
        (Objective::Logistic, Labels::Classes(y)) => {
            for (r, ((pair, &s), &c)) in gh.iter_mut().zip(scores).zip(y).enumerate() {
                let w = weights.of(r);
                let p = sigmoid(s);
                let target = if c == 1 { 1.0 } else { 0.0 };
                *pair = [w * (p - target), w * (p * (1.0 - p)).max(HESSIAN_FLOOR)];
            }
        }
        (Objective::Softmax { classes }, Labels::Classes(y)) => {
            let k = *classes;
            let rows = y.len();
            let mut p = vec![0.0f64; k];
            for (r, (row, &c)) in scores.chunks_exact(k.max(1)).zip(y).enumerate() {
                softmax(row, &mut p);
                let w = weights.of(r);
                for (class, &pk) in p.iter().enumerate() {
                    let target = if class == c as usize { 1.0 } else { 0.0 };
                    if let Some(pair) = gh.get_mut(class * rows + r) {
                        *pair = [w * (pk - target), w * (pk * (1.0 - pk)).max(HESSIAN_FLOOR)];
                    }
                }
            }
        }
        _ => gh.fill([0.0, 0.0]),
    }
}

/// `out = softmax(row)`.
fn softmax(row: &[f64], out: &mut [f64]) {
    let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (o, &s) in out.iter_mut().zip(row) {
        *o = (s - max).exp();
        sum += *o;
    }
    for o in out.iter_mut() {
        *o /= sum;
    }
}

/// The weighted mean loss at the raw `scores` (row-major `rows × K`): mean squared error,
/// log-loss, or softmax cross-entropy.
pub(super) fn mean_loss(
    objective: &Objective,
    labels: &Labels,
    weights: &Weights,
    scores: &[f64],
) -> f64 {
    let k = objective.outputs().max(1);
    let mut sum = 0.0;
    match (objective, labels) {
        (Objective::Squared, Labels::Values(y)) => {
            for (r, (&s, &v)) in scores.iter().zip(y).enumerate() {
                sum += weights.of(r) * (s - v) * (s - v);
            }
        }
        (Objective::Logistic, Labels::Classes(y)) => {
            for (r, (&s, &c)) in scores.iter().zip(y).enumerate() {
                let target = if c == 1 { 1.0 } else { 0.0 };
                sum += weights.of(r) * (softplus(s) - target * s);
            }
        }
        (Objective::Softmax { .. }, Labels::Classes(y)) => {
            for (r, (row, &c)) in scores.chunks_exact(k).zip(y).enumerate() {
                let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let log_sum = max + row.iter().map(|&s| (s - max).exp()).sum::<f64>().ln();
                let own = row.get(c as usize).copied().unwrap_or(max);
                sum += weights.of(r) * (log_sum - own);
            }
        }
        _ => return f64::NAN,
    }
    sum / weights.total.max(f64::MIN_POSITIVE)
}
