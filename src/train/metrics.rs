//! Evaluation metrics, computed on the host from predictions read back once.
//!
//! Classification: accuracy, balanced accuracy, macro-F1, ROC AUC (binary; one-vs-rest macro
//! average for multiclass), log loss and the confusion matrix. Regression: RMSE, MAE and R², on
//! the target's original scale.
//!
//! Conventions (those of scikit-learn): macro-F1 averages over the classes that occur in the
//! labels or the predictions, and a class's F1 is 0 when it has no true or predicted row;
//! balanced accuracy averages the recall of the classes that occur in the labels; the
//! one-vs-rest AUC averages the classes that have both positive and negative rows (none: no
//! AUC); log loss clamps probabilities to [1e-15, 1]; R² is 1 − SSres/SStot, and when every
//! label is equal it is 1 for a perfect fit and 0 otherwise.
//!
//! Every value is finite whatever the inputs (NaN predictions are treated as 0 probability or
//! a prediction of 0), so metrics always serialise to JSON.

use serde::{Deserialize, Serialize};

use crate::format;

/// Metrics of a task, on one set of rows.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Metrics {
    Classification(ClassificationMetrics),
    Regression(RegressionMetrics),
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ClassificationMetrics {
    /// Number of rows evaluated.
    pub rows: usize,
    pub accuracy: f64,
    pub balanced_accuracy: f64,
    pub macro_f1: f64,
    /// ROC AUC: binary, or the one-vs-rest macro average for multiclass; `None` when no class
    /// has both positive and negative rows.
    pub roc_auc: Option<f64>,
    pub log_loss: f64,
    /// `confusion[true][predicted]` row counts.
    pub confusion: Vec<Vec<u64>>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RegressionMetrics {
    /// Number of rows evaluated.
    pub rows: usize,
    pub rmse: f64,
    pub mae: f64,
    pub r2: f64,
}

/// The metric early stopping watches, lower is better.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Monitor {
    /// Classification: the validation loss as trained (cross-entropy, that is log loss,
    /// class-weighted when `class_weights` is on).
    ValidLoss,
    /// Regression: the validation RMSE in the target's units.
    ValidRmse,
    /// Without validation rows: the epoch's mean training loss.
    TrainLoss,
}

impl Monitor {
    pub fn name(self) -> &'static str {
        match self {
            Monitor::ValidLoss => "valid loss",
            Monitor::ValidRmse => "valid RMSE",
            Monitor::TrainLoss => "train loss",
        }
    }
}

impl Metrics {
    /// The rows the metrics were measured on.
    pub fn rows(&self) -> usize {
        match self {
            Metrics::Classification(m) => m.rows,
            Metrics::Regression(m) => m.rows,
        }
    }

    /// A short one-line summary for a terminal.
    pub fn summary(&self) -> String {
        match self {
            // The formats of `crate::format`, so that the CLI and every step of the page write
            // a metric alike: scores as four-decimal fractions, errors in the target's units.
            Metrics::Classification(m) => {
                let auc = m
                    .roc_auc
                    .map_or_else(String::new, |a| format!(" auc {}", format::score(a)));
                format!(
                    "acc {} bal_acc {} f1 {}{auc} logloss {}",
                    format::score(m.accuracy),
                    format::score(m.balanced_accuracy),
                    format::score(m.macro_f1),
                    format::score(m.log_loss)
                )
            }
            Metrics::Regression(m) => format!(
                "rmse {} mae {} r2 {}",
                format::number(m.rmse),
                format::number(m.mae),
                format::score(m.r2)
            ),
        }
    }
}

/// The probability of each class for row `row`: `probs` holds `width` values per row; with
/// width 1 (binary) the value is the probability of class 1.
fn class_probability(probs: &[f32], width: usize, row: usize, class: usize) -> f64 {
    let p = if width == 1 {
        let p1 = probs.get(row).copied().unwrap_or(0.0);
        if class == 1 { p1 } else { 1.0 - p1 }
    } else {
        probs.get(row * width + class).copied().unwrap_or(0.0)
    };
    let p = f64::from(p);
    if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) }
}

/// The predicted class of each row: the most probable (the first on a tie); binary: p > 0.5.
pub fn predicted_classes(probs: &[f32], width: usize, rows: usize) -> Vec<u32> {
    (0..rows)
        .map(|row| {
            if width == 1 {
                u32::from(probs.get(row).is_some_and(|&p| p > 0.5))
            } else {
                let mut best = 0usize;
                let mut best_p = f32::NEG_INFINITY;
                for class in 0..width {
                    let p = probs.get(row * width + class).copied().unwrap_or(0.0);
                    if p > best_p {
                        best = class;
                        best_p = p;
                    }
                }
                best as u32
            }
        })
        .collect()
}

/// Classification metrics from class probabilities (`width` per row, or one per row for a
/// binary task: the probability of class 1) and the true labels (`0..classes`).
pub fn classification_metrics(
    probs: &[f32],
    width: usize,
    labels: &[u32],
    classes: usize,
) -> ClassificationMetrics {
    let rows = labels.len();
    let classes = classes.max(2);
    let predicted = predicted_classes(probs, width, rows);
    let mut confusion = vec![vec![0u64; classes]; classes];
    for (&truth, &guess) in labels.iter().zip(&predicted) {
        if let Some(cell) = confusion
            .get_mut(truth as usize)
            .and_then(|row| row.get_mut(guess as usize))
        {
            *cell += 1;
        }
    }
    let correct: u64 = (0..classes).map(|c| confusion[c][c]).sum();
    let accuracy = ratio(correct as f64, rows as f64);
    let actual: Vec<u64> = confusion.iter().map(|row| row.iter().sum()).collect();
    let guessed: Vec<u64> = (0..classes)
        .map(|c| confusion.iter().map(|row| row[c]).sum())
        .collect();
    let present: Vec<usize> = (0..classes).filter(|&c| actual[c] > 0).collect();
    let balanced_accuracy = mean(
        present
            .iter()
            .map(|&c| ratio(confusion[c][c] as f64, actual[c] as f64)),
    );
    let macro_f1 = mean(
        (0..classes)
            .filter(|&c| actual[c] + guessed[c] > 0)
            .map(|c| {
                let tp = confusion[c][c] as f64;
                ratio(2.0 * tp, (actual[c] + guessed[c]) as f64)
            }),
    );
    let log_loss = mean(labels.iter().enumerate().map(|(row, &truth)| {
        let p = class_probability(probs, width, row, truth as usize);
        -p.max(1e-15).ln()
    }));
    let roc_auc = if width == 1 || classes == 2 {
        let scores: Vec<f64> = (0..rows)
            .map(|row| class_probability(probs, width, row, 1))
            .collect();
        let positive: Vec<bool> = labels.iter().map(|&l| l == 1).collect();
        binary_auc(&scores, &positive)
    } else {
        let aucs: Vec<f64> = (0..classes)
            .filter_map(|class| {
                let scores: Vec<f64> = (0..rows)
                    .map(|row| class_probability(probs, width, row, class))
                    .collect();
                let positive: Vec<bool> = labels.iter().map(|&l| l as usize == class).collect();
                binary_auc(&scores, &positive)
            })
            .collect();
        (!aucs.is_empty()).then(|| mean(aucs.into_iter()))
    };
    ClassificationMetrics {
        rows,
        accuracy,
        balanced_accuracy,
        macro_f1,
        roc_auc,
        log_loss,
        confusion,
    }
}

/// The area under the ROC curve: the probability that a random positive row scores above a
/// random negative one (ties count half), from average ranks. `None` without both kinds.
pub fn binary_auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let n = scores.len().min(positive.len());
    let positives = positive.iter().take(n).filter(|&&p| p).count();
    let negatives = n - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Average ranks (1-based) over runs of equal scores.
    let mut rank_sum_positive = 0.0f64;
    let mut start = 0usize;
    while start < n {
        let mut end = start + 1;
        while end < n && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let average_rank = (start + 1 + end) as f64 / 2.0;
        for &row in &order[start..end] {
            if positive[row] {
                rank_sum_positive += average_rank;
            }
        }
        start = end;
    }
    let p = positives as f64;
    let u = rank_sum_positive - p * (p + 1.0) / 2.0;
    Some(u / (p * negatives as f64))
}

/// Regression metrics from predictions and labels in the target's units.
pub fn regression_metrics(predicted: &[f64], actual: &[f64]) -> RegressionMetrics {
    let rows = predicted.len().min(actual.len());
    let pairs = || {
        predicted
            .iter()
            .zip(actual)
            .map(|(&p, &y)| (if p.is_finite() { p } else { 0.0 }, y))
    };
    let sse: f64 = pairs().map(|(p, y)| (p - y) * (p - y)).sum();
    let sae: f64 = pairs().map(|(p, y)| (p - y).abs()).sum();
    let mean_y = mean(actual.iter().take(rows).copied());
    let sst: f64 = actual
        .iter()
        .take(rows)
        .map(|&y| (y - mean_y) * (y - mean_y))
        .sum();
    let r2 = if sst > 0.0 {
        1.0 - sse / sst
    } else if sse == 0.0 {
        1.0
    } else {
        0.0
    };
    RegressionMetrics {
        rows,
        rmse: finite(ratio(sse, rows as f64).sqrt()),
        mae: finite(ratio(sae, rows as f64)),
        r2: finite(r2),
    }
}

/// `a / b`, 0 when `b` is 0.
fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    ratio(sum, count as f64)
}

/// Infinity (overflow) as the largest finite number, so that JSON can carry it.
fn finite(x: f64) -> f64 {
    if x.is_nan() {
        f64::MAX
    } else {
        x.clamp(f64::MIN, f64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn binary_metrics_match_hand_computed_values() {
        // Labels 0,0,1,1,1; P(class 1) .1 .6 .4 .8 .9 → predictions 0,1,0,1,1.
        let probs = [0.1f32, 0.6, 0.4, 0.8, 0.9];
        let labels = [0u32, 0, 1, 1, 1];
        let m = classification_metrics(&probs, 1, &labels, 2);
        assert_eq!(m.rows, 5);
        assert_eq!(m.confusion, vec![vec![1, 1], vec![1, 2]]);
        close(m.accuracy, 3.0 / 5.0);
        // Recall: class 0 1/2, class 1 2/3.
        close(m.balanced_accuracy, (0.5 + 2.0 / 3.0) / 2.0);
        // F1: class 0 2·1/(2+2) = 0.5; class 1 2·2/(3+3) = 2/3.
        close(m.macro_f1, (0.5 + 2.0 / 3.0) / 2.0);
        // Positive/negative pairs ranked right: (.4 > .1), (.8 > .1, .6), (.9 > .1, .6) = 5 of 6.
        close(m.roc_auc.unwrap(), 5.0 / 6.0);
        let expected_log_loss = -((0.9f32 as f64).ln()
            + (0.4f32 as f64).ln()
            + (0.4f32 as f64).ln()
            + (0.8f32 as f64).ln()
            + (0.9f32 as f64).ln())
            / 5.0;
        assert!((m.log_loss - expected_log_loss).abs() < 1e-6);
    }

    #[test]
    fn multiclass_metrics_match_hand_computed_values() {
        // Three classes; rows (label: probabilities).
        let probs = [
            0.7, 0.2, 0.1, // 0 → 0
            0.2, 0.5, 0.3, // 1 → 1
            0.1, 0.3, 0.6, // 2 → 2
            0.5, 0.4, 0.1, // 1 → 0
        ];
        let labels = [0u32, 1, 2, 1];
        let m = classification_metrics(&probs, 3, &labels, 3);
        assert_eq!(
            m.confusion,
            vec![vec![1, 0, 0], vec![1, 1, 0], vec![0, 0, 1]]
        );
        close(m.accuracy, 0.75);
        close(m.balanced_accuracy, (1.0 + 0.5 + 1.0) / 3.0);
        // F1: class 0 2/(1+2) = 2/3, class 1 2/(2+1) = 2/3, class 2 1.
        close(m.macro_f1, (2.0 / 3.0 + 2.0 / 3.0 + 1.0) / 3.0);
        // One-vs-rest AUCs: class 0 positive .7 vs .2,.1,.5 → 1; class 1 positives .5,.4 vs
        // negatives .2,.3 → 1; class 2 positive .6 vs .1,.3,.1 → 1.
        close(m.roc_auc.unwrap(), 1.0);
        let expected = -((0.7f32 as f64).ln()
            + (0.5f32 as f64).ln()
            + (0.6f32 as f64).ln()
            + (0.4f32 as f64).ln())
            / 4.0;
        assert!((m.log_loss - expected).abs() < 1e-6);
    }

    #[test]
    fn auc_averages_tied_ranks_and_needs_both_kinds() {
        close(
            binary_auc(&[0.5, 0.5, 0.5], &[true, false, false]).unwrap(),
            0.5,
        );
        close(
            binary_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]).unwrap(),
            0.75,
        );
        assert_eq!(binary_auc(&[0.1, 0.2], &[true, true]), None);
        assert_eq!(binary_auc(&[], &[]), None);
    }

    #[test]
    fn degenerate_inputs_stay_finite() {
        let m = classification_metrics(&[f32::NAN, 0.0], 1, &[1, 1], 2);
        assert!(m.log_loss.is_finite());
        assert_eq!(m.roc_auc, None);
        close(m.log_loss, -(1e-15f64).ln());
        let empty = classification_metrics(&[], 3, &[], 3);
        assert_eq!(empty.accuracy, 0.0);
        let r = regression_metrics(&[f64::NAN, 1.0], &[2.0, 2.0]);
        assert!(r.rmse.is_finite() && r.r2.is_finite());
        assert_eq!(r.r2, 0.0);
        assert_eq!(regression_metrics(&[3.0, 3.0], &[3.0, 3.0]).r2, 1.0);
    }

    #[test]
    fn regression_metrics_match_hand_computed_values() {
        let m = regression_metrics(&[2.0, 4.0, 7.0], &[1.0, 5.0, 6.0]);
        // Errors 1, −1, 1: SSE 3, SAE 3; mean 4, SST 9 + 1 + 4 = 14.
        close(m.rmse, 1.0);
        close(m.mae, 1.0);
        close(m.r2, 1.0 - 3.0 / 14.0);
        assert_eq!(m.rows, 3);
    }

    #[test]
    fn predicted_classes_take_the_first_maximum() {
        assert_eq!(
            predicted_classes(&[0.2, 0.4, 0.4, 0.9, 0.05, 0.05], 3, 2),
            vec![1, 0]
        );
        assert_eq!(predicted_classes(&[0.5, 0.51], 1, 2), vec![0, 1]);
    }
}
