//! The one error type of training.

/// Why training could not start, continue or be saved. Every message is one sentence naming
/// the setting or input at fault, fit to show the user as is.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum TrainError {
    /// The settings (JSON) could not be read.
    #[error("The training settings are not valid: {message}.")]
    Config { message: String },

    /// A setting is out of range.
    #[error("Training setting \"{setting}\": {problem}.")]
    Setting { setting: String, problem: String },

    /// The data handed to the trainer does not fit (no rows, wrong width, bad targets).
    #[error("The {part} data cannot be used: {problem}.")]
    Data { part: String, problem: String },

    /// The device failed to run or read back a computation.
    #[error("The {device} device failed while {during}: {reason}.")]
    Device {
        device: String,
        during: String,
        reason: String,
    },

    /// The loss or the predictions stopped being finite numbers.
    #[error(
        "Training diverged in epoch {epoch} (the loss is no longer a finite number); lower \"learning_rate\" or use the Adam optimiser."
    )]
    Diverged { epoch: usize },

    /// `next_epoch` after the trainer is done.
    #[error("Training is finished ({reason}); start a new run to train further.")]
    Finished { reason: String },

    /// A `.hearth` model file that cannot be read or does not hold together.
    #[error("The model file is not usable: {problem}.")]
    ModelFile { problem: String },

    /// Preprocessing failed while preparing the training data.
    #[error("{0}")]
    Prep(#[from] crate::prep::PrepError),
}

impl TrainError {
    pub(crate) fn setting(setting: &str, problem: impl Into<String>) -> TrainError {
        TrainError::Setting {
            setting: setting.to_string(),
            problem: problem.into(),
        }
    }

    pub(crate) fn data(part: &str, problem: impl Into<String>) -> TrainError {
        TrainError::Data {
            part: part.to_string(),
            problem: problem.into(),
        }
    }

    #[cfg(feature = "compute")]
    pub(crate) fn model_file(problem: impl Into<String>) -> TrainError {
        TrainError::ModelFile {
            problem: problem.into(),
        }
    }
}
