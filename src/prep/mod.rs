//! Automatic preprocessing: from a profile and a target to a fitted pipeline that turns raw
//! rows into a finite `f32` feature matrix.
//!
//! Three steps, each usable from the page and the CLI:
//!
//! 1. [`plan`] decides, from the [`Profile`](crate::data::Profile), one [`Decision`] per
//!    non-target column, each with a human-readable reason, applying the user's per-column
//!    overrides from [`PrepConfig::columns`] (an override that does not fit its column is a
//!    [`PrepError`]).
//! 2. [`fit`] splits the rows with a target into train / validation / test (stratified by class
//!    for classification; optionally k folds) from [`PrepConfig::seed`], and fits the
//!    [`FittedPipeline`] on the training rows only.
//! 3. [`FittedPipeline::transform_dataset`] (batch) and [`FittedPipeline::transform_row`] (one
//!    raw CSV row, as the ONNX export will) produce identical features; the targets are encoded
//!    by [`FittedPipeline::encode_targets`] and model outputs decoded by
//!    [`FittedPipeline::decode_prediction`].
//! 4. Alongside, each input column's training distribution ([`ColumnReference`]) is kept in
//!    the pipeline for monitoring: quantile-bin counts or category counts, never a row.
//!
//! Default decisions, by the profiled [`ColumnKind`](crate::data::ColumnKind):
//! * identifier-like, constant, all-missing and free-text columns are dropped;
//! * numeric and integer: missing → training median (mean or a constant selectable), optional
//!   missing-indicator feature, +∞/−∞ → the largest/smallest finite training value, then
//!   standard scaling (robust, min-max or none selectable);
//! * boolean: 0/1 (the larger number, or true/yes/y/t, is 1), missing → the training mode;
//! * categorical: one-hot up to [`PrepConfig::one_hot_max`] distinct values, with an "(other)"
//!   feature for categories seen fewer than [`PrepConfig::rare_min_count`] times in training and
//!   for unseen ones, and a "(missing)" feature when missing values are frequent (otherwise
//!   they go to "(other)"); above the threshold, frequency encoding (or ordinal);
//! * date/time: year (when the data spans years), month, day of week, and hour (when times of
//!   day appear), each imputed and scaled like a numeric column;
//! * target: classes are label-encoded in sorted order (names kept in the pipeline);
//!   a regression target is standardised by default and inverted on output.
//!
//! Rules the module keeps:
//! * Every statistic (medians, means, scalers, category lists, frequencies, modes, the
//!   regression target's mean and standard deviation) comes from the training rows only; the
//!   class list alone comes from every row with a target, so that class numbers do not depend
//!   on the split.
//! * No transformed cell is NaN or infinite; missing, unreadable and unseen values never fail.
//! * A raw field is missing when it is `None` or one of the data layer's missing markers;
//!   numbers are parsed with the file's decimal separator, then with a point; categories match
//!   the text exactly as read.
//! * Fitted parameters are `f32` (the features are), so the pipeline round-trips through JSON
//!   exactly, and the same seed gives the same split on every platform ([`crate::rng`]).

mod answers;
mod cell;
mod config;
mod decide;
mod error;
mod fit;
mod fit_steps;
mod pipeline;
mod plan;
mod reference;
mod split;
mod stats;
mod steps;

pub use answers::{prediction_column, prediction_reference};
/// How the pipeline reads a target cell: a class label, or a finite number.
pub use cell::{class_key, target_number};
pub use config::{
    AUTOML_CV_ROWS, ColumnChoice, ColumnSettings, DatePart, Encoding, Impute, PrepConfig, Scale,
    SplitFractions, TargetTransform,
};
pub use decide::{Action, Decision};
pub use error::PrepError;
pub use fit::{PrepSummary, Prepared, fit, fit_pipeline};
pub use pipeline::{FittedColumn, FittedPipeline, Matrix, Prediction, TargetEncoding, Targets};
pub use plan::{Plan, plan};
pub use reference::{
    ColumnReference, FEW_VALUES, NUMERIC_BINS, Observed, ObservedValues, ReferenceValues, bin_of,
};
pub use split::Split;
pub(crate) use steps::OTHER;
pub use steps::{
    BooleanStep, BooleanValues, DatePartStep, DateStep, FrequencyStep, NumericStep, OneHotStep,
    OrdinalStep, Scaler, Step,
};
#[cfg(feature = "compute")]
pub(crate) use steps::{FALSE_WORDS, TRUE_WORDS};
