//! The export's contract with whoever runs the graph: which inputs it takes, of which type,
//! and what it returns. Plain types without burn, so the page can show them.

use serde::{Deserialize, Serialize};

use crate::prep::{BooleanValues, FittedPipeline, Step};

/// A column may not start with this, so names inside the graph can always start with it (the
/// export uses a shorter prefix when no input starts with that one).
pub const INTERNAL_PREFIX: &str = "hearth/";
/// Classification: the predicted class name per row, `string [N]`.
pub const LABEL_OUTPUT: &str = "label";
/// Classification: the probability of every class per row, `float [N, classes]`.
pub const PROBABILITIES_OUTPUT: &str = "probabilities";
/// Regression: the predicted value per row in the target's units, `float [N]`.
pub const VALUE_OUTPUT: &str = "value";

/// Every operator an export may contain (ai.onnx, and ai.onnx.ml's `CategoryMapper` and
/// `TreeEnsembleClassifier`). The Use step's runtime registers exactly these and no others
/// (`infer::operators`), which keeps the rest of tract-onnx out of its download; an exporter
/// that emits a new operator adds it here, and `tests/it/export_tract.rs` checks every kind of
/// export against this list.
pub const OPERATORS: &[&str] = &[
    "Add",
    "ArgMax",
    "Cast",
    "CategoryMapper",
    "Concat",
    "DequantizeLinear",
    "Div",
    "DynamicQuantizeLinear",
    "Equal",
    "Erf",
    "Exp",
    "Expand",
    "Gather",
    "Identity",
    "IsNaN",
    "MatMul",
    "MatMulInteger",
    "Mul",
    "Not",
    "Or",
    "QuantizeLinear",
    "ReduceMean",
    "Relu",
    "Reshape",
    "Shape",
    "Sigmoid",
    "Slice",
    "Softmax",
    "Sqrt",
    "Sub",
    "Tanh",
    "TreeEnsembleClassifier",
    "Where",
];

/// Why a model cannot be exported to ONNX: one sentence naming the column or setting.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum ExportError {
    #[error("Column \"{column}\" cannot be exported to ONNX: {reason}.")]
    Column { column: String, reason: String },
    #[error("The compressed network does not match the model: {reason}.")]
    Network { reason: String },
    #[error("The model cannot be exported: {reason}.")]
    Model { reason: String },
    /// Compressing the network into the chosen form failed (a setting, the calibration rows,
    /// or the model itself).
    #[error(transparent)]
    Compress(#[from] crate::compress::CompressError),
}

/// The element type of a graph input.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// `float [N, 1]`, NaN for a missing value.
    Float,
    /// `string [N, 1]`, the field as written in the CSV, `""` for a missing value.
    String,
}

/// One graph input: a raw CSV column the model reads.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct GraphInput {
    /// Exactly the column's name.
    pub name: String,
    pub kind: InputKind,
}

/// The graph's inputs: one per column the pipeline reads (the target and dropped columns are
/// not inputs), in file order. Numbers and number-valued booleans are float; categories and
/// word booleans are strings. Date columns are refused: parsing date text has no ONNX (nor
/// ai.onnx.ml) operator that onnxruntime and tract both run.
pub fn graph_inputs(pipeline: &FittedPipeline) -> Result<Vec<GraphInput>, ExportError> {
    let output_names = [LABEL_OUTPUT, PROBABILITIES_OUTPUT, VALUE_OUTPUT];
    pipeline
        .steps
        .iter()
        .map(|fitted| {
            let column = fitted.column.clone();
            if column.starts_with(INTERNAL_PREFIX) || output_names.contains(&column.as_str()) {
                return Err(ExportError::Column {
                    reason: format!(
                        "its name is reserved in the graph (names starting with \"{INTERNAL_PREFIX}\" and the output names {} are); rename the column and train again",
                        output_names.join(", ")
                    ),
                    column,
                });
            }
            let kind = match &fitted.step {
                Step::Numeric(_)
                | Step::Boolean(crate::prep::BooleanStep {
                    values: BooleanValues::Numbers { .. },
                    ..
                }) => InputKind::Float,
                Step::Boolean(_) | Step::OneHot(_) | Step::Ordinal(_) | Step::Frequency(_) => {
                    InputKind::String
                }
                Step::Date(_) => {
                    return Err(ExportError::Column {
                        column,
                        reason: "it is a date/time column, and reading dates from text has no ONNX operator that onnxruntime and tract both run; drop the column or give its parts as numeric columns".to_string(),
                    });
                }
            };
            Ok(GraphInput { name: column, kind })
        })
        .collect()
}
