//! ONNX export (opset 13) of a trained model, its fitted preprocessing included, in float32,
//! float16-weight, dynamic int8 and static int8 (QDQ) forms.
//!
//! The contract of every exported graph:
//! * **Inputs**: one per raw CSV column the model reads (the target and dropped columns are
//!   not inputs), named exactly as the column, shape `[N, 1]`. Numeric columns (and booleans
//!   written as two numbers) are `float` with NaN for a missing value; categorical columns (and
//!   booleans written as words) are `string` with `""` for a missing value, the field as
//!   written in the CSV. [`graph_inputs`] lists them.
//! * **Outputs**: classification: `label` (`string [N]`, the class name) then `probabilities`
//!   (`float [N, classes]`, in the order of the class names); regression: `value`
//!   (`float [N]`, in the target's units).
//! * **Metadata properties**: `hearth_version`, `target`, `task`, `feature_names`,
//!   `class_names`, `inputs`, `outputs`, `valid_metrics`, `test_metrics` (JSON, as in the model
//!   file), `monitoring_reference` (each input column's training distribution, JSON, as in the
//!   pipeline), `quantization` and `sparsity`.
//!
//! The preprocessing is built from standard operators plus one ONNX-ML operator that
//! onnxruntime and tract both run: the numeric inputs are concatenated once and, as one
//! `[N, n]` block, imputed with `IsNaN`/`Where`, infinities capped with `Equal`/`Where`, scaled
//! with `Sub`/`Div` by `[1, n]` constants; text columns go through `CategoryMapper` (string →
//! row index) and `Gather` from a table whose rows are what
//! [`FittedPipeline::transform_named`](crate::prep::FittedPipeline::transform_named) makes of
//! each spelling (categories, the missing markers and boolean words in every letter case), so
//! the graph and the pipeline cannot disagree; the table holds each distinct row once. The
//! features are laid out text columns first, then the numeric block, then its missing
//! indicators, and the first layer's weight rows are put in that order. The class names come
//! out of a second `CategoryMapper` (index → string). To keep small models small, internal
//! names are short (a one-character prefix no input starts with, else
//! [`INTERNAL_PREFIX`]) and equal small constants are written once.
//!
//! Known limits: date/time columns cannot be exported (no operator parses date text; the
//! error names the column); text is matched exactly, so a category padded with spaces or a
//! boolean word with surrounding spaces maps as unseen (the pipeline trims boolean words);
//! numbers arrive as float32, so a value is rounded to float32 before the float64 arithmetic
//! the pipeline does, which moves features by at most about 1e-7 relative.
//!
//! Network forms (see [`crate::compress::Quantization`]): float32 `MatMul` + `Add`; float16
//! weights `Cast` to float32; static int8 as QDQ (`QuantizeLinear`/`DequantizeLinear` on each
//! layer's input with calibrated uint8 parameters, `DequantizeLinear` of the int8 weight per
//! channel on axis 1 or per tensor, then `MatMul`); dynamic int8 as onnxruntime's
//! `quantize_dynamic` writes it (`DynamicQuantizeLinear` → `MatMulInteger` with the int8
//! weight and one scalar zero point → `Cast` → `Mul` by input scale × weight scale → `Add` bias). Layer norm is spelled
//! out with `ReduceMean`/`Sqrt` (opset 13 has no `LayerNormalization`) and GELU with `Erf`.
//!
//! Everything is in memory (bytes out, no files), so the worker can call it.
//!
//! Export uses the compression layer, never the reverse: [`to_onnx_quantized`] compresses the
//! weights into the chosen form and writes it, and [`compare`] hands
//! [`compress::compare`](crate::compress::compare) this layer's writer, so that the report's
//! sizes are the real files' and the chosen form's file is kept rather than written again.

mod contract;

#[cfg(feature = "compute")]
mod graph;
#[cfg(feature = "compute")]
mod onnx;
#[cfg(any(feature = "compute", feature = "onnx"))]
mod proto;
#[cfg(feature = "compute")]
mod variants;

pub use contract::{
    ExportError, GraphInput, INTERNAL_PREFIX, InputKind, LABEL_OUTPUT, OPERATORS,
    PROBABILITIES_OUTPUT, VALUE_OUTPUT, graph_inputs,
};

#[cfg(feature = "compute")]
pub use onnx::{OPSET, to_onnx};
/// The ONNX model message, for reading an exported file's metadata back.
#[cfg(any(feature = "compute", feature = "onnx"))]
pub use proto::ModelProto;
#[cfg(feature = "compute")]
pub use variants::{compare, to_onnx_quantized};
