//! The compression layer's forms, written as ONNX: the file of one chosen form (what an export
//! button does) and the comparison of several, with each form's file kept so that the chosen
//! one is not written twice. Export uses compress (never the reverse), so this is where the
//! two meet.

use super::contract::ExportError;
use super::onnx::to_onnx;
use crate::compress::{self, Compared, CompressedModel, EvaluationRows, Quantization};
use crate::prep::Matrix;
use crate::train::ModelFile;

/// Quantizes the model's weights and writes its ONNX file in one call. Static int8 needs
/// `calibration` feature rows (e.g. the training rows); trees take float32 only.
pub fn to_onnx_quantized(
    model: &ModelFile,
    quantization: Quantization,
    calibration: Option<&Matrix>,
) -> Result<Vec<u8>, ExportError> {
    let compressed = CompressedModel::new(model, quantization, calibration)?;
    to_onnx(model, &compressed)
}

/// [`compress::compare`] with each variant written as ONNX: the report's sizes are those of
/// the real files, and [`Compared::take_file`] hands back the chosen variant's file.
pub fn compare(
    model: &ModelFile,
    variants: &[Quantization],
    calibration: Option<&Matrix>,
    rows: EvaluationRows<'_>,
) -> Result<Compared, ExportError> {
    compress::compare(model, variants, calibration, rows, |compressed| {
        to_onnx(model, compressed)
    })
}
