//! Quantization: turning float32 weights into a [`CompressedNetwork`] (float16 weights; int8
//! weights with per-channel or per-tensor scales; for static int8, uint8 input parameters
//! fixed from calibration rows).
//!
//! The arithmetic follows the ONNX operators the export emits, so that the host-side forward
//! pass ([`super::forward`]) predicts what an ONNX runtime computes (see [`super::network`]).
//! Static calibration runs that forward pass on the float network to see each layer's input.

use half::f16;

use super::error::CompressError;
use super::forward::layer_inputs;
use super::network::{AffineParams, CompressedNetwork, DenseStorage, Int8Matrix};
use super::settings::{Calibration, Quantization};
use crate::prep::Matrix;
use crate::train::Weights;

/// Calibration rows beyond this many are sampled evenly (the percentile needs every value in
/// memory).
pub const MAX_CALIBRATION_ROWS: usize = 10_000;

// The constructor lives here rather than beside the type in `network.rs`: it is the quantizer,
// and it needs the forward pass, which needs the type.
impl CompressedNetwork {
    /// Quantizes `weights`. Static int8 needs `calibration` feature rows (training rows,
    /// transformed by the pipeline) to fix each layer's input range.
    pub fn new(
        weights: &Weights,
        quantization: Quantization,
        calibration: Option<&Matrix>,
    ) -> Result<CompressedNetwork, CompressError> {
        quantization.validate()?;
        weights.validate()?;
        let mut effective = weights.clone();
        let mut storage = Vec::with_capacity(weights.dense.len());
        for layer in &mut effective.dense {
            storage.push(match quantization {
                Quantization::None => DenseStorage::Float32,
                Quantization::Float16 => {
                    let weight: Vec<u16> = layer
                        .weight
                        .iter()
                        .map(|&w| f16::from_f32(w).to_bits())
                        .collect();
                    let bias: Vec<u16> = layer
                        .bias
                        .iter()
                        .map(|&b| f16::from_f32(b).to_bits())
                        .collect();
                    layer.weight = weight.iter().map(|&h| f16::from_bits(h).to_f32()).collect();
                    layer.bias = bias.iter().map(|&h| f16::from_bits(h).to_f32()).collect();
                    DenseStorage::Float16 { weight, bias }
                }
                Quantization::DynamicInt8 { granularity }
                | Quantization::StaticInt8 { granularity, .. } => {
                    let matrix = Int8Matrix::quantize(layer, granularity);
                    layer.weight = matrix.dequantized();
                    DenseStorage::Int8(matrix)
                }
            });
        }
        let input_params = match quantization {
            Quantization::StaticInt8 {
                calibration: method,
                ..
            } => {
                let rows = calibration.ok_or(CompressError::NoCalibration)?;
                if rows.cols != weights.architecture.inputs {
                    return Err(CompressError::CalibrationWidth {
                        found: rows.cols,
                        expected: weights.architecture.inputs,
                    });
                }
                if rows.rows == 0 {
                    return Err(CompressError::NoCalibration);
                }
                calibrate(&effective, rows, method)
            }
            _ => Vec::new(),
        };
        Ok(CompressedNetwork {
            quantization,
            effective,
            storage,
            input_params,
        })
    }
}

/// The uint8 parameters of each dense layer's input, from the values the (float) network sees
/// on the calibration rows.
fn calibrate(weights: &Weights, rows: &Matrix, method: Calibration) -> Vec<AffineParams> {
    let sampled = sample_rows(rows, MAX_CALIBRATION_ROWS);
    let inputs = layer_inputs(weights, &sampled);
    inputs
        .iter()
        .map(|values| {
            let (min, max) = match method {
                Calibration::MinMax => values
                    .iter()
                    .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                        (lo.min(v), hi.max(v))
                    }),
                Calibration::Percentile { percentile } => {
                    let mut sorted = values.clone();
                    sorted.sort_by(f32::total_cmp);
                    (
                        quantile(&sorted, (100.0 - percentile) / 100.0),
                        quantile(&sorted, percentile / 100.0),
                    )
                }
            };
            AffineParams::from_range(min, max)
        })
        .collect()
}

/// The `q`-quantile of sorted values (the crate's shared one, numpy's linear method).
fn quantile(sorted: &[f32], q: f64) -> f32 {
    crate::stats::quantile_by(sorted.len(), q, |i| {
        sorted.get(i).copied().map_or(0.0, f64::from)
    })
    .map_or(0.0, |v| v as f32)
}

/// At most `limit` rows, evenly spaced.
fn sample_rows(matrix: &Matrix, limit: usize) -> Matrix {
    if matrix.rows <= limit {
        return matrix.clone();
    }
    let mut values = Vec::with_capacity(limit * matrix.cols);
    for k in 0..limit {
        values.extend_from_slice(matrix.row(k * matrix.rows / limit));
    }
    Matrix {
        rows: limit,
        cols: matrix.cols,
        values,
        feature_names: matrix.feature_names.clone(),
    }
}
