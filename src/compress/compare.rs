//! The comparison report: each exported variant's size, metrics and output difference from
//! the float32 model, and the sparsity-versus-metric curve of one-shot pruning.

use super::error::CompressError;
use super::forward;
use super::model::{CompressedModel, has_network, parameters};
use super::network::CompressedNetwork;
use super::prune::{dense_sparsity, magnitude_prune};
use super::report::{CompressionReport, SparsityPoint, VariantReport};
use super::settings::{PruneScope, Quantization};
use crate::prep::Matrix;
use crate::train::{Examples, Fitted, Head, Metrics, ModelFile, evaluate_outputs, metrics};

/// The rows a comparison evaluates on: the model's validation and test rows (either may be
/// absent; without both, only sizes are compared).
#[derive(Clone, Copy, Debug, Default)]
pub struct EvaluationRows<'a> {
    pub valid: Option<&'a Examples>,
    pub test: Option<&'a Examples>,
}

/// Outputs and metrics of one variant on the evaluation rows.
struct Evaluated {
    valid: Option<(Vec<f32>, Metrics)>,
    test: Option<(Vec<f32>, Metrics)>,
}

fn evaluate(
    model: &ModelFile,
    compressed: &CompressedModel,
    rows: EvaluationRows<'_>,
) -> Result<Evaluated, CompressError> {
    let run = |examples: Option<&Examples>| -> Result<Option<(Vec<f32>, Metrics)>, CompressError> {
        let Some(examples) = examples.filter(|e| e.rows() > 0) else {
            return Ok(None);
        };
        let outputs = compressed.predict(&model.head, &examples.features)?;
        let metrics = evaluate_outputs(&model.head, &model.pipeline, &outputs, examples);
        Ok(Some((outputs, metrics)))
    };
    Ok(Evaluated {
        valid: run(rows.valid)?,
        test: run(rows.test)?,
    })
}

/// A comparison's report and the file `write` made of each variant.
#[derive(Clone, Debug, PartialEq)]
pub struct Compared {
    /// Its curve is empty: fill it with [`sparsity_curve`] or from a [`super::Pruner`].
    pub report: CompressionReport,
    /// Each variant's file, in the order of `report.variants`.
    pub files: Vec<Vec<u8>>,
}

impl Compared {
    /// Takes the file written for `quantization` when it was one of the variants compared, so
    /// that the chosen form is not written a second time.
    pub fn take_file(&mut self, quantization: Quantization) -> Option<Vec<u8>> {
        let index = self
            .report
            .variants
            .iter()
            .position(|variant| variant.quantization == quantization)?;
        self.files.get_mut(index).map(std::mem::take)
    }
}

/// Compares each of `variants` with the float32 model: the written file's size, validation
/// and test metrics, and the largest and mean difference of the outputs (class probabilities,
/// or the value in the target's units) over the validation and test rows. Static int8 is
/// calibrated on `calibration` (feature rows, e.g. the training rows). Trees have one form,
/// float32: their report has that variant alone, whatever `variants` asks.
///
/// `write` turns a variant into its file: the export layer's `compare` passes its ONNX writer.
/// Export depends on compress, never the reverse, so the writer comes in as an argument; the
/// sizes are still those of the real files, and the caller keeps the chosen variant's file
/// instead of writing it again.
pub fn compare<E: From<CompressError>>(
    model: &ModelFile,
    variants: &[Quantization],
    calibration: Option<&Matrix>,
    rows: EvaluationRows<'_>,
    mut write: impl FnMut(&CompressedModel) -> Result<Vec<u8>, E>,
) -> Result<Compared, E> {
    model.check().map_err(CompressError::from)?;
    let reference_model = CompressedModel::new(model, Quantization::None, None)?;
    let reference = evaluate(model, &reference_model, rows)?;
    let reference_bytes = write(&reference_model)?.len();
    let float32_only = [Quantization::None];
    let variants = if has_network(&model.fitted) {
        variants
    } else {
        &float32_only[..]
    };
    let mut reports = Vec::with_capacity(variants.len());
    let mut files = Vec::with_capacity(variants.len());
    for &quantization in variants {
        let compressed = if quantization == Quantization::None {
            reference_model.clone()
        } else {
            CompressedModel::new(model, quantization, calibration)?
        };
        let file = write(&compressed)?;
        let onnx_bytes = file.len();
        files.push(file);
        let evaluated = evaluate(model, &compressed, rows)?;
        let mut differences = Differences::default();
        for (ours, theirs) in [
            (&evaluated.valid, &reference.valid),
            (&evaluated.test, &reference.test),
        ] {
            if let (Some((ours, _)), Some((theirs, _))) = (ours, theirs) {
                differences.add(model, ours, theirs);
            }
        }
        reports.push(VariantReport {
            quantization,
            onnx_bytes,
            size_ratio: onnx_bytes as f64 / reference_bytes.max(1) as f64,
            valid_metrics: evaluated.valid.map(|(_, m)| m),
            test_metrics: evaluated.test.map(|(_, m)| m),
            max_output_difference: differences.max,
            mean_output_difference: differences.mean(),
            argmax_agreement: differences.agreement(&model.head),
            rows_compared: differences.rows,
        });
    }
    Ok(Compared {
        report: CompressionReport {
            parameters: parameters(&model.fitted),
            trees: model.booster().is_some(),
            members: model.members().map_or(0, <[_]>::len),
            sparsity: match &model.fitted {
                Fitted::Weights(weights) => dense_sparsity(weights),
                Fitted::Booster(_) | Fitted::Ensemble(_) => 0.0,
            },
            variants: reports,
            curve: Vec::new(),
        },
        files,
    })
}

/// Running totals of output differences between a variant and the float32 model.
#[derive(Default)]
struct Differences {
    max: f64,
    sum: f64,
    values: usize,
    rows: usize,
    agreeing: usize,
}

impl Differences {
    fn add(&mut self, model: &ModelFile, ours: &[f32], theirs: &[f32]) {
        let width = model.head.outputs().max(1);
        let rows = ours.len().min(theirs.len()) / width;
        let as_reported = |y: f32| match model.head {
            Head::Regression { .. } => model.pipeline.decode_value(y),
            _ => f64::from(y),
        };
        for (&a, &b) in ours.iter().zip(theirs) {
            let difference = (as_reported(a) - as_reported(b)).abs();
            self.max = self.max.max(difference);
            self.sum += difference;
            self.values += 1;
        }
        if !matches!(model.head, Head::Regression { .. }) {
            let a = metrics::predicted_classes(ours, width, rows);
            let b = metrics::predicted_classes(theirs, width, rows);
            self.agreeing += a.iter().zip(&b).filter(|(x, y)| x == y).count();
        }
        self.rows += rows;
    }

    fn mean(&self) -> f64 {
        if self.values == 0 {
            0.0
        } else {
            self.sum / self.values as f64
        }
    }

    fn agreement(&self, head: &Head) -> Option<f64> {
        match head {
            Head::Regression { .. } => None,
            _ if self.rows == 0 => None,
            _ => Some(self.agreeing as f64 / self.rows as f64),
        }
    }
}

/// The validation metrics of the model pruned in one shot (no fine-tuning) to each of
/// `levels`: how much sparsity the trained weights tolerate.
pub fn sparsity_curve(
    model: &ModelFile,
    levels: &[f64],
    scope: PruneScope,
    valid: &Examples,
) -> Result<Vec<SparsityPoint>, CompressError> {
    model.check()?;
    let trained = model.weights()?;
    levels
        .iter()
        .map(|&level| {
            let (weights, mask) = magnitude_prune(trained, level, scope, None)?;
            let network = CompressedNetwork::new(&weights, Quantization::None, None)?;
            let outputs = forward::predict(&network, &model.head, &valid.features)?;
            Ok(SparsityPoint {
                sparsity: mask.sparsity(),
                valid_metrics: (valid.rows() > 0)
                    .then(|| evaluate_outputs(&model.head, &model.pipeline, &outputs, valid)),
                fine_tuned: false,
            })
        })
        .collect()
}

/// The usual curve levels: 0 to 95 % sparsity.
pub const CURVE_LEVELS: [f64; 9] = [0.0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
