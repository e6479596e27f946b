//! The comparison of compressed variants with the float32 model: plain serde types (no burn),
//! for the page's table and the CLI's.

use serde::{Deserialize, Serialize};

use super::settings::Quantization;
use crate::train::Metrics;

/// How one exported variant compares with the float32 model on the same rows.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct VariantReport {
    pub quantization: Quantization,
    /// Size of the exported ONNX file in bytes (preprocessing included).
    pub onnx_bytes: usize,
    /// `onnx_bytes` over the float32 file's.
    pub size_ratio: f64,
    pub valid_metrics: Option<Metrics>,
    pub test_metrics: Option<Metrics>,
    /// Largest absolute difference from the float32 outputs (class probabilities, or the
    /// predicted value in the target's units) over the compared rows.
    pub max_output_difference: f64,
    /// Mean absolute difference from the float32 outputs.
    pub mean_output_difference: f64,
    /// Classification: the share of rows whose predicted class is the float32 model's.
    pub argmax_agreement: Option<f64>,
    /// Rows compared (validation and test).
    pub rows_compared: usize,
}

/// One point of the sparsity-versus-validation-metric curve.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SparsityPoint {
    /// The share of dense weights that are zero.
    pub sparsity: f64,
    pub valid_metrics: Option<Metrics>,
    /// Whether the weights were fine-tuned after pruning (gradual pruning) or pruned in one
    /// shot from the trained model.
    pub fine_tuned: bool,
}

/// Everything the compression step shows: the variants side by side and the pruning curve.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CompressionReport {
    /// Trainable numbers in the network, or the trees' nodes.
    pub parameters: usize,
    /// The model is gradient-boosted trees (one form, float32; `parameters` counts nodes).
    #[serde(default)]
    pub trees: bool,
    /// The members of an ensemble (0 for one model); `parameters` counts all of theirs.
    #[serde(default)]
    pub members: usize,
    /// The share of dense weights that are zero in the compared model.
    pub sparsity: f64,
    pub variants: Vec<VariantReport>,
    pub curve: Vec<SparsityPoint>,
}

/// The one number a table shows for a set of metrics, as a fraction like every other score
/// (shown with [`crate::format::score`]): accuracy for classification, R² for regression; with
/// its name.
pub fn headline(metrics: &Metrics) -> (&'static str, f64) {
    match metrics {
        Metrics::Classification(m) => ("accuracy", m.accuracy),
        Metrics::Regression(m) => ("r2", m.r2),
    }
}
