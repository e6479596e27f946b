//! Compression settings: what to prune and how to quantize. Plain serde types (no burn), so
//! the page can offer and send them.

use serde::{Deserialize, Serialize};

use super::error::CompressError;

/// The most pruning stages a gradual schedule may have.
pub const MAX_STAGES: usize = 100;
/// The most fine-tuning epochs per pruning stage.
pub const MAX_FINE_TUNE_EPOCHS: usize = 10_000;

/// Which weights compete when the smallest are removed.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum PruneScope {
    /// One ranking over every dense weight: layers with many small weights lose more.
    #[default]
    Global,
    /// Each dense layer loses the same share, so no layer is emptied.
    PerLayer,
}

/// Magnitude pruning: the dense weights of smallest absolute value are set to zero (biases and
/// layer norms are kept). With `stages > 1` the sparsity rises gradually (the cubic schedule of
/// Zhu & Gupta, 2017), with `fine_tune_epochs` of training after each stage during which the
/// pruned weights stay zero.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct PruneSettings {
    /// The share of dense weights to remove, in `[0, 1)`.
    pub sparsity: f64,
    pub scope: PruneScope,
    /// Pruning steps up to `sparsity` (1 = one shot).
    pub stages: usize,
    /// Training epochs after each stage (0 = no fine-tuning; needs no device).
    pub fine_tune_epochs: usize,
    /// The fine-tuning learning rate as a share of the model's own.
    pub learning_rate_factor: f64,
}

impl Default for PruneSettings {
    fn default() -> PruneSettings {
        PruneSettings {
            sparsity: 0.5,
            scope: PruneScope::Global,
            stages: 1,
            fine_tune_epochs: 0,
            learning_rate_factor: 0.1,
        }
    }
}

impl PruneSettings {
    /// Checks every setting; the error names the first one at fault.
    pub fn validate(&self) -> Result<(), CompressError> {
        if !(self.sparsity.is_finite() && (0.0..1.0).contains(&self.sparsity)) {
            return Err(CompressError::Sparsity {
                sparsity: self.sparsity,
            });
        }
        if self.stages == 0 || self.stages > MAX_STAGES {
            return Err(CompressError::Stages {
                stages: self.stages,
                max: MAX_STAGES,
            });
        }
        if self.fine_tune_epochs > MAX_FINE_TUNE_EPOCHS {
            return Err(CompressError::FineTuneEpochs {
                epochs: self.fine_tune_epochs,
                max: MAX_FINE_TUNE_EPOCHS,
            });
        }
        if !(self.learning_rate_factor.is_finite()
            && self.learning_rate_factor > 0.0
            && self.learning_rate_factor <= 1.0)
        {
            return Err(CompressError::LearningRateFactor {
                factor: self.learning_rate_factor,
            });
        }
        Ok(())
    }

    /// The sparsity reached after stage `stage` (1-based) of the gradual schedule:
    /// `s · (1 − (1 − stage/stages)³)`, so early stages remove more while the network can
    /// still recover, and the last stage reaches `sparsity` exactly.
    pub fn sparsity_at(&self, stage: usize) -> f64 {
        let stages = self.stages.max(1);
        if stage >= stages {
            return self.sparsity;
        }
        let progress = stage as f64 / stages as f64;
        self.sparsity * (1.0 - (1.0 - progress).powi(3))
    }
}

/// How int8 weights share their scale.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// One scale per output unit (column of a dense layer): a unit with small weights keeps
    /// its precision.
    #[default]
    PerChannel,
    /// One scale per layer: the smallest files, the form every runtime takes.
    PerTensor,
}

/// How the range of each layer's input is chosen for static quantization.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Default)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Calibration {
    /// The smallest and largest value seen in the calibration rows.
    #[default]
    MinMax,
    /// The `percentile`-th and `(100 − percentile)`-th percentiles: outliers are clipped so
    /// that the common values get finer steps.
    Percentile { percentile: f64 },
}

/// The numeric form of an exported network.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Quantization {
    /// float32 weights and arithmetic: the model as trained.
    #[default]
    None,
    /// float16 weights (half the size), widened to float32 for the arithmetic.
    Float16,
    /// int8 weights; each layer's input is quantized to uint8 at run time from its own range
    /// (ONNX `DynamicQuantizeLinear` + `MatMulInteger`, as onnxruntime's `quantize_dynamic`).
    DynamicInt8 { granularity: Granularity },
    /// int8 weights and uint8 inputs with ranges fixed from calibration rows (ONNX QDQ form:
    /// `QuantizeLinear`/`DequantizeLinear` around each `MatMul`).
    StaticInt8 {
        granularity: Granularity,
        calibration: Calibration,
    },
}

impl Quantization {
    /// A short name for tables and file names: `fp32`, `fp16`, `dynamic-int8`, `static-int8`.
    pub fn label(&self) -> &'static str {
        match self {
            Quantization::None => "fp32",
            Quantization::Float16 => "fp16",
            Quantization::DynamicInt8 { .. } => "dynamic-int8",
            Quantization::StaticInt8 { .. } => "static-int8",
        }
    }

    /// Whether the weights are stored as int8.
    pub fn is_int8(&self) -> bool {
        matches!(
            self,
            Quantization::DynamicInt8 { .. } | Quantization::StaticInt8 { .. }
        )
    }

    /// The forms an export compares: float32, float16 and dynamic int8 with `granularity`,
    /// and static int8 (that granularity, calibrated by `calibration`) when there are
    /// calibration rows (`Some`). Both front ends ask for this one list.
    pub fn variants(granularity: Granularity, calibration: Option<Calibration>) -> Vec<Self> {
        let mut variants = vec![
            Quantization::None,
            Quantization::Float16,
            Quantization::DynamicInt8 { granularity },
        ];
        if let Some(calibration) = calibration {
            variants.push(Quantization::StaticInt8 {
                granularity,
                calibration,
            });
        }
        variants
    }

    /// Checks the calibration percentile.
    pub fn validate(&self) -> Result<(), CompressError> {
        if let Quantization::StaticInt8 {
            calibration: Calibration::Percentile { percentile },
            ..
        } = self
            && !(percentile.is_finite() && (50.0..=100.0).contains(percentile))
        {
            return Err(CompressError::Percentile {
                percentile: *percentile,
            });
        }
        Ok(())
    }
}
