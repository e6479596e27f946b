//! What can go wrong while compressing a model: each message is one sentence naming the
//! setting (or the data) at fault, so the page and the CLI can show it as it is.

use crate::train::TrainError;

/// A compression setting that cannot be used, or a step that failed.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum CompressError {
    #[error(
        "Pruning setting \"sparsity\": {sparsity} is not a share of the weights from 0 up to (not including) 1, e.g. 0.5."
    )]
    Sparsity { sparsity: f64 },
    #[error("Pruning setting \"stages\": {stages} is not from 1 to {max} pruning stages.")]
    Stages { stages: usize, max: usize },
    #[error(
        "Pruning setting \"fine_tune_epochs\": {epochs} is more than the {max} fine-tuning epochs allowed per stage."
    )]
    FineTuneEpochs { epochs: usize, max: usize },
    #[error(
        "Pruning setting \"learning_rate_factor\": {factor} is not a factor above 0 and at most 1."
    )]
    LearningRateFactor { factor: f64 },
    #[error(
        "Quantization setting \"percentile\": {percentile} is not a percentile from 50 to 100."
    )]
    Percentile { percentile: f64 },
    #[error(
        "Static int8 quantization needs calibration rows: give training rows or a calibration file."
    )]
    NoCalibration,
    #[error("The calibration rows have {found} features but the model takes {expected}.")]
    CalibrationWidth { found: usize, expected: usize },
    #[error(
        "Gradient-boosted trees are exported in float32 only, not {form}: their thresholds and leaf values are what the tree operators read."
    )]
    TreesStayFloat32 {
        /// The form asked for, as `Quantization::label` names it.
        form: &'static str,
    },
    #[error("Fine-tuning after pruning needs training rows with a target.")]
    NoTrainingRows,
    /// The network or its pipeline is not usable (checked like a loaded model file).
    #[error(transparent)]
    Train(#[from] TrainError),
}
