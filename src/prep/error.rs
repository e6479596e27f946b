//! The one error type of preprocessing.

/// Why a preprocessing plan could not be made, fitted or applied. Every message is one sentence
/// naming the setting and column concerned, fit to show the user as is.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum PrepError {
    /// The overrides (JSON) could not be read.
    #[error("The preprocessing overrides are not valid: {message}.")]
    Config { message: String },

    /// A general setting is out of range (`split`, `folds`, …).
    #[error("Setting \"{setting}\": {problem}.")]
    Setting { setting: String, problem: String },

    /// The target is not a column of the data.
    #[error("The target \"{target}\" is not a column of the data; the columns are {columns}.")]
    UnknownTarget { target: String, columns: String },

    /// The target column cannot be predicted with the chosen task.
    #[error("The target \"{target}\" cannot be predicted: {reason}.")]
    UnusableTarget { target: String, reason: String },

    /// Classification with only one class in the data.
    #[error(
        "The target \"{target}\" has a single class (\"{class}\"), and classification needs at least two."
    )]
    SingleClass { target: String, class: String },

    /// Classification where pooling the rare classes leaves a single class.
    #[error(
        "The target \"{target}\" has {classes} classes, each seen fewer than {min_count} times; rare class names stay out of the model, which leaves a single class, so lower the setting \"rare_min_count\" or choose another target."
    )]
    RareClasses {
        target: String,
        classes: usize,
        min_count: usize,
    },

    /// Every row's target is missing.
    #[error("No row has a value for the target \"{target}\", so there is nothing to learn from.")]
    NoRows { target: String },

    /// A per-column override names a column that is not in the data.
    #[error("Override for \"{column}\": there is no such column; the columns are {columns}.")]
    UnknownColumn { column: String, columns: String },

    /// A per-column override names the target.
    #[error(
        "Override for \"{column}\": it is the target, which is encoded by the task rather than by column settings."
    )]
    TargetOverride { column: String },

    /// A per-column setting does not fit the column (one-hot on a numeric column, …).
    #[error("Override for \"{column}\": {setting} does not apply because {reason}.")]
    NotApplicable {
        column: String,
        /// The setting as written, e.g. `"encoding": "one_hot"`.
        setting: String,
        reason: String,
    },

    /// The data lacks a column the plan or pipeline reads.
    #[error("The data has no column \"{column}\", which the preprocessing pipeline reads.")]
    MissingColumn { column: String },

    /// A row index past the end of the data.
    #[error("Row index {row} is out of range: the data has {rows} rows.")]
    RowOutOfRange { row: usize, rows: usize },

    /// A target value that is missing (or not a finite number for regression).
    #[error("Data row {}: the target \"{target}\" is missing or not a usable value.", .row + 1)]
    MissingTarget { row: usize, target: String },

    /// A class the pipeline was not fitted with.
    #[error("Data row {}: \"{class}\" is not a class of the target \"{target}\" known to the pipeline.", .row + 1)]
    UnknownClass {
        row: usize,
        class: String,
        target: String,
    },

    /// The transformed matrix would not fit in memory.
    #[error("The transformed data ({rows} rows × {cols} features) is too large to hold in memory.")]
    TooLarge { rows: usize, cols: usize },

    /// A pipeline (edited by hand?) whose feature names do not match its steps.
    #[error("The pipeline is inconsistent: its steps make {steps} features but it names {names}.")]
    Inconsistent { steps: usize, names: usize },
}
