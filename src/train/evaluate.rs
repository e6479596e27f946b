//! Evaluation: the network's outputs for a feature matrix, in chunks with one readback
//! ([`infer`]), and what the host makes of read-back outputs: the loss, the metrics and the
//! points of a residual plot.
//!
//! Shared by the epoch loop (validation), the trainer's `evaluate` / `predict`, the model file
//! and the search runner, so that every one of them scores outputs the same way.

use burn::tensor::{Device, Tensor, TensorData, Transaction};

use super::batch::HostSet;
use super::error::TrainError;
use super::examples::Examples;
use super::metrics::{self, Metrics};
use super::model::{Head, Network, readback_error};
use crate::prep::{
    ColumnReference, FittedPipeline, Matrix, Prediction, Targets, prediction_reference,
};

/// Rows per forward pass when evaluating (bounds device memory on large validation sets).
const EVAL_CHUNK: usize = 8192;

/// The matrix in chunks of [`EVAL_CHUNK`] rows, uploaded: `(features, rows)`.
pub(super) fn eval_chunks<'a>(
    matrix: &'a Matrix,
    device: &'a Device,
) -> impl Iterator<Item = (Tensor<2>, usize)> + 'a {
    let cols = matrix.cols.max(1);
    matrix.values.chunks(EVAL_CHUNK * cols).map(move |chunk| {
        let rows = chunk.len() / cols;
        (
            Tensor::from_data(TensorData::new(chunk.to_vec(), [rows, matrix.cols]), device),
            rows,
        )
    })
}

/// The head's outputs (see [`Head::activate`]) for every row of `features`, in chunks, read
/// back in one transaction. `network` must be on `device` (without autodiff).
pub async fn infer(
    network: &Network,
    head: &Head,
    device: &Device,
    features: &Matrix,
) -> Result<Vec<f32>, TrainError> {
    if features.cols != network.architecture().inputs {
        return Err(TrainError::data(
            "prediction",
            format!(
                "it has {} features but the model takes {}",
                features.cols,
                network.architecture().inputs
            ),
        ));
    }
    if features.rows == 0 {
        return Ok(Vec::new());
    }
    let mut transaction = Transaction::default();
    for (x, _) in eval_chunks(features, device) {
        transaction = transaction.register(head.activate(network.forward(x, None)));
    }
    let data = transaction
        .execute_async()
        .await
        .map_err(|error| readback_error(Some(device), "reading predictions", error))?;
    let mut outputs = Vec::with_capacity(features.rows * head.outputs());
    for chunk in data {
        let values = chunk
            .try_into_vec_as::<f32>()
            .map_err(|error| readback_error(Some(device), "reading predictions", error))?;
        outputs.extend(values);
    }
    Ok(outputs)
}

/// The mean (class-weighted when set) loss of read-back outputs.
pub(super) fn host_loss(head: &Head, outputs: &[f32], set: &HostSet) -> f64 {
    let width = head.outputs();
    let mut sum = 0.0f64;
    let mut weights = 0.0f64;
    for row in 0..set.examples.rows() {
        let values = outputs
            .get(row * width..(row + 1) * width)
            .unwrap_or_default();
        let (class, value) = match &set.examples.targets {
            Targets::Classes(c) => (c.get(row).copied().unwrap_or(0), 0.0),
            Targets::Values(v) => (0, v.get(row).copied().unwrap_or(0.0)),
        };
        let w = set
            .row_weights
            .as_ref()
            .and_then(|w| w.get(row))
            .map_or(1.0, |&w| f64::from(w));
        sum += w * head.host_loss(values, class, value);
        weights += w;
    }
    if weights > 0.0 { sum / weights } else { 0.0 }
}

/// Metrics of read-back outputs against the examples' targets (regression on the target's
/// original scale).
pub fn evaluate_outputs(
    head: &Head,
    pipeline: &FittedPipeline,
    outputs: &[f32],
    examples: &Examples,
) -> Metrics {
    match &examples.targets {
        Targets::Classes(labels) => Metrics::Classification(metrics::classification_metrics(
            outputs,
            head.outputs(),
            labels,
            head.classes(),
        )),
        Targets::Values(values) => {
            let predicted: Vec<f64> = outputs.iter().map(|&y| pipeline.decode_value(y)).collect();
            let actual: Vec<f64> = values.iter().map(|&y| pipeline.decode_value(y)).collect();
            Metrics::Regression(metrics::regression_metrics(&predicted, &actual))
        }
    }
}

/// A model measured on its test split: the metrics, and the distribution of its answers there
/// (what prediction drift compares new answers with; see [`ModelFile::test_answers`]).
///
/// [`ModelFile::test_answers`]: super::ModelFile::test_answers
#[derive(Clone, Debug, PartialEq)]
pub struct TestResult {
    pub metrics: Metrics,
    pub answers: ColumnReference,
}

impl TestResult {
    /// From the model's read-back outputs for `examples`.
    pub fn from_outputs(
        head: &Head,
        pipeline: &FittedPipeline,
        outputs: &[f32],
        examples: &Examples,
    ) -> TestResult {
        let predictions: Vec<Prediction> = outputs
            .chunks(head.outputs().max(1))
            .filter_map(|output| pipeline.decode_prediction(output))
            .collect();
        TestResult {
            metrics: evaluate_outputs(head, pipeline, outputs, examples),
            answers: prediction_reference(&answers_column(pipeline), &predictions),
        }
    }
}

/// The name of a model's answers, as a column: `predicted_<target>` (the predictions CSV's).
pub fn answers_column(pipeline: &FittedPipeline) -> String {
    format!("predicted_{}", pipeline.target)
}

/// Regression: `(predicted, actual)` on the target's original scale for at most `limit`
/// examples spread evenly over all of them, from read-back outputs (what a residual plot
/// draws); empty for classification. Taking the first rows instead would show only the start
/// of the file whenever the test split keeps the file's order.
pub fn regression_points(
    pipeline: &FittedPipeline,
    outputs: &[f32],
    examples: &Examples,
    limit: usize,
) -> Vec<(f64, f64)> {
    match &examples.targets {
        Targets::Classes(_) => Vec::new(),
        Targets::Values(values) => spread(outputs.len().min(values.len()), limit)
            .filter_map(|row| Some((*outputs.get(row)?, *values.get(row)?)))
            .map(|(predicted, actual)| {
                (
                    pipeline.decode_value(predicted),
                    pipeline.decode_value(actual),
                )
            })
            .collect(),
    }
}

/// `min(count, limit)` distinct indices below `count`, evenly spaced from the first to near the
/// last, in increasing order (all of them when `count <= limit`).
pub fn spread(count: usize, limit: usize) -> impl Iterator<Item = usize> {
    let taken = count.min(limit);
    // u128: `i * count` overflows usize only for absurd sizes, but nothing here may panic.
    (0..taken).map(move |i| (i as u128 * count as u128 / taken as u128) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{IngestOptions, Task, profile, read_csv_bytes};
    use crate::prep::{PrepConfig, fit, plan};

    #[test]
    fn spread_covers_every_part_of_the_rows() {
        let picked: Vec<usize> = spread(5_000, 2_000).collect();
        assert_eq!(picked.len(), 2_000);
        assert!(
            picked.windows(2).all(|w| w[0] < w[1]),
            "increasing, distinct"
        );
        assert_eq!(picked[0], 0);
        assert!(*picked.last().unwrap_or(&0) >= 4_997, "reaches the end");
        // Each tenth of the rows holds a tenth of the sample.
        for tenth in 0..10 {
            let inside = picked.iter().filter(|&&i| i / 500 == tenth).count();
            assert_eq!(inside, 200, "tenth {tenth}");
        }
        assert_eq!(
            spread(7, 2_000).collect::<Vec<_>>(),
            (0..7).collect::<Vec<_>>()
        );
        assert_eq!(spread(0, 2_000).count(), 0);
        assert_eq!(spread(10, 0).count(), 0);
    }

    #[test]
    fn residual_points_come_from_all_test_rows() {
        // y rises with the row number, so a point's actual value tells which row it came from.
        let mut csv = String::from("x,y\n");
        for row in 0..3_000 {
            csv.push_str(&format!("{},{}\n", row % 17, row / 2));
        }
        let dataset = match read_csv_bytes("rising.csv", csv.as_bytes(), IngestOptions::default()) {
            Ok(dataset) => dataset,
            Err(error) => panic!("{error}"),
        };
        let config = PrepConfig::default();
        let plan = match plan(&profile(&dataset), "y", Task::Regression, &config) {
            Ok(plan) => plan,
            Err(error) => panic!("{error}"),
        };
        let prepared = match fit(&dataset, &plan, &config) {
            Ok(prepared) => prepared,
            Err(error) => panic!("{error}"),
        };
        // Every row in file order: the order a test split may keep.
        let rows: Vec<usize> = (0..dataset.rows).collect();
        let examples = match Examples::from_rows(&prepared.pipeline, &dataset, &rows) {
            Ok(examples) => examples,
            Err(error) => panic!("{error}"),
        };
        let Targets::Values(values) = &examples.targets else {
            panic!("a regression target");
        };
        // A perfect model: its outputs are the encoded targets.
        let outputs = values.clone();
        let points = regression_points(&prepared.pipeline, &outputs, &examples, 100);
        assert_eq!(points.len(), 100);
        let actual: Vec<f64> = points.iter().map(|p| p.1).collect();
        assert!(actual[0] < 50.0, "starts at the first rows: {}", actual[0]);
        assert!(
            actual.iter().any(|&y| y > 1_450.0),
            "reaches the last rows, not only the first 100: max {:?}",
            actual.iter().copied().fold(f64::MIN, f64::max)
        );
        assert!(
            points
                .iter()
                .all(|(p, a)| (p - a).abs() < 1e-2 * a.abs().max(1.0))
        );
    }
}
