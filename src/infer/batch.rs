//! A batch of rows answered by an exported file: the predictions table a user downloads (the
//! file's own columns, then the prediction and one probability per class) and, when the batch
//! has the target column, the batch's metrics — the Use step's batch predictions and
//! `hearth predict`'s score line share them.

use serde::{Deserialize, Serialize};

use crate::data::{Column, Dataset};
use crate::format::csv_field;
use crate::prep;
use crate::train::{Metrics, metrics};

use super::Answers;

/// A batch's metrics against its own target column.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BatchScore {
    /// Rows with a usable target (the others are left out of the metrics).
    pub scored: usize,
    pub rows: usize,
    pub metrics: Metrics,
    /// Regression: `(predicted, actual)` for up to [`MAX_SCORE_POINTS`] rows spread over the
    /// batch, for a residual plot.
    pub points: Vec<(f64, f64)>,
}

/// Residual points kept: enough to see the shape, few enough to draw at once.
pub const MAX_SCORE_POINTS: usize = 2_000;

impl Answers {
    /// Appends the answers of the next rows.
    pub fn extend(&mut self, more: Answers) {
        self.rows += more.rows;
        self.labels.extend(more.labels);
        self.probabilities.extend(more.probabilities);
        self.values.extend(more.values);
    }

    /// No rows yet.
    pub fn empty() -> Answers {
        Answers {
            rows: 0,
            labels: Vec::new(),
            probabilities: Vec::new(),
            values: Vec::new(),
        }
    }
}

/// The predictions as CSV: every column of `dataset` as read, then `predicted_<target>` and,
/// for classification, `p_<class>` per class (`classes` in the probabilities' order; empty for
/// regression).
pub fn predictions_csv(
    dataset: &Dataset,
    target: &str,
    classes: &[String],
    answers: &Answers,
) -> String {
    let mut out = String::with_capacity(dataset.rows * (dataset.columns.len() + 2) * 8);
    let mut header: Vec<String> = dataset
        .columns
        .iter()
        .map(|column| csv_field(&column.name))
        .collect();
    header.push(csv_field(&format!("predicted_{target}")));
    header.extend(classes.iter().map(|class| csv_field(&format!("p_{class}"))));
    out.push_str(&header.join(","));
    out.push('\n');
    let width = classes.len().max(1);
    for row in 0..answers.rows.min(dataset.rows) {
        for column in &dataset.columns {
            if let Some(field) = column.raw(row) {
                out.push_str(&csv_field(&field));
            }
            out.push(',');
        }
        if !classes.is_empty() {
            out.push_str(&csv_field(answers.labels.get(row).map_or("", |l| l)));
            for p in answers
                .probabilities
                .get(row * width..(row + 1) * width)
                .unwrap_or_default()
            {
                out.push(',');
                out.push_str(&format!("{p}"));
            }
        } else if let Some(value) = answers.values.get(row) {
            out.push_str(&format!("{value}"));
        }
        out.push('\n');
    }
    out
}

/// The batch's metrics against `target` (the batch's column named as the model's target):
/// rows whose target is missing, unreadable or a class the model does not know are left out.
/// `None` when no row can be scored.
pub fn batch_score(
    target: &Column,
    decimal_comma: bool,
    classes: &[String],
    answers: &Answers,
) -> Option<BatchScore> {
    let rows = answers.rows;
    let (metrics, scored, points) = if classes.is_empty() {
        let (predicted, actual): (Vec<f64>, Vec<f64>) = (0..rows)
            .zip(&answers.values)
            .filter_map(|(row, &value)| {
                Some((
                    f64::from(value),
                    prep::target_number(target, row, decimal_comma)?,
                ))
            })
            .unzip();
        if actual.is_empty() {
            return None;
        }
        let step = actual.len().div_ceil(MAX_SCORE_POINTS).max(1);
        let points = predicted
            .iter()
            .zip(&actual)
            .step_by(step)
            .map(|(&p, &a)| (p, a))
            .collect();
        (
            Metrics::Regression(metrics::regression_metrics(&predicted, &actual)),
            actual.len(),
            points,
        )
    } else {
        let width = classes.len();
        let mut labels = Vec::new();
        let mut probabilities = Vec::new();
        for row in 0..rows {
            let Some(class) =
                prep::class_key(target, row).and_then(|y| classes.iter().position(|c| *c == y))
            else {
                continue;
            };
            let Some(p) = answers.probabilities.get(row * width..(row + 1) * width) else {
                continue;
            };
            labels.push(class as u32);
            probabilities.extend_from_slice(p);
        }
        if labels.is_empty() {
            return None;
        }
        let scores = metrics::classification_metrics(&probabilities, width, &labels, width);
        (Metrics::Classification(scores), labels.len(), Vec::new())
    };
    Some(BatchScore {
        scored,
        rows,
        metrics,
        points,
    })
}
