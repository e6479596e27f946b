//! The compressed network's types: how each dense layer is stored (float32, float16 or int8),
//! the int8 weights with their scales, and the uint8 parameters of an activation. Both the
//! host forward pass and the quantizer use them; they live apart from the quantizer because
//! the quantizer runs the forward pass (static calibration observes each layer's input), and
//! the forward pass must not depend on it in turn.
//!
//! The arithmetic follows the ONNX operators the export emits: rounding is half to even
//! (`QuantizeLinear`), weights are symmetric int8 in `[-63, 63]` with zero point 0 (see
//! [`WEIGHT_LIMIT`]), and activations are asymmetric uint8 whose range always contains 0
//! (`DynamicQuantizeLinear`).

use serde::{Deserialize, Serialize};

use super::settings::{Granularity, Quantization};
use crate::train::{DenseWeights, Weights};

/// The largest magnitude of an int8 weight: 7 bits, as onnxruntime's `reduce_range`. x86 CPUs
/// without VNNI multiply uint8 activations by int8 weights in pairs summed into int16
/// (`VPMADDUBSW`), which saturates with full-range weights (255 × 127 × 2 > 32767): on such a
/// machine onnxruntime's fused int8 kernels moved a diabetes regression's predictions by up to
/// 15 (in target units) where the exact int8 arithmetic moves them by 2.5. With 63,
/// 255 × 63 × 2 = 32130 fits, and every runtime computes the same result.
pub const WEIGHT_LIMIT: i8 = 63;

/// A dense layer's weight matrix as int8 (row-major `[inputs][outputs]`, like
/// [`DenseWeights::weight`]) with one scale per output unit, or one for the layer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Int8Matrix {
    pub inputs: usize,
    pub outputs: usize,
    pub values: Vec<i8>,
    /// `outputs` scales (per channel) or one (per tensor).
    pub scales: Vec<f32>,
}

impl Int8Matrix {
    /// Symmetric quantization: `scale = max |w| / WEIGHT_LIMIT` over the unit (or the layer),
    /// values `round(w / scale)`. An all-zero unit gets scale 1 (any scale gives back its
    /// zeros).
    pub fn quantize(layer: &DenseWeights, granularity: Granularity) -> Int8Matrix {
        let (inputs, outputs) = (layer.inputs, layer.outputs);
        let limit = f32::from(WEIGHT_LIMIT);
        let scale_of = |max_abs: f32| if max_abs > 0.0 { max_abs / limit } else { 1.0 };
        let scales: Vec<f32> = match granularity {
            Granularity::PerTensor => {
                vec![scale_of(
                    layer.weight.iter().fold(0.0f32, |m, w| m.max(w.abs())),
                )]
            }
            Granularity::PerChannel => (0..outputs)
                .map(|j| {
                    scale_of(
                        (0..inputs)
                            .filter_map(|i| layer.weight.get(i * outputs + j))
                            .fold(0.0f32, |m, w| m.max(w.abs())),
                    )
                })
                .collect(),
        };
        let mut matrix = Int8Matrix {
            inputs,
            outputs,
            values: Vec::with_capacity(layer.weight.len()),
            scales,
        };
        for (index, &w) in layer.weight.iter().enumerate() {
            let scale = matrix.scale(index % outputs.max(1));
            matrix
                .values
                .push((w / scale).round_ties_even().clamp(-limit, limit) as i8);
        }
        matrix
    }

    /// The scale of output unit `j`.
    pub fn scale(&self, j: usize) -> f32 {
        match self.scales.as_slice() {
            [one] => *one,
            scales => scales.get(j).copied().unwrap_or(1.0),
        }
    }

    /// The weights as the runtime sees them after `DequantizeLinear`: `value × scale`.
    pub fn dequantized(&self) -> Vec<f32> {
        self.values
            .iter()
            .enumerate()
            .map(|(index, &q)| f32::from(q) * self.scale(index % self.outputs.max(1)))
            .collect()
    }
}

/// Asymmetric uint8 parameters of an activation: `x ≈ (q − zero_point) × scale`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct AffineParams {
    pub scale: f32,
    pub zero_point: u8,
}

impl AffineParams {
    /// The parameters of a value range as `DynamicQuantizeLinear` computes them: the range is
    /// widened to contain 0, `scale = (max − min) / 255`, `zero_point = round(−min / scale)`.
    /// A range of width 0 gets scale 1 (every value is then 0 and maps to the zero point).
    pub fn from_range(min: f32, max: f32) -> AffineParams {
        let min = if min.is_finite() { min.min(0.0) } else { 0.0 };
        let max = if max.is_finite() { max.max(0.0) } else { 0.0 };
        let scale = (max - min) / 255.0;
        if !(scale > 0.0 && scale.is_finite()) {
            return AffineParams {
                scale: 1.0,
                zero_point: 0,
            };
        }
        let zero_point = (0.0 - min / scale).clamp(0.0, 255.0).round_ties_even() as u8;
        AffineParams { scale, zero_point }
    }

    /// `QuantizeLinear`: `saturate(round(x / scale) + zero_point)`.
    pub fn quantize(&self, x: f32) -> u8 {
        ((x / self.scale).round_ties_even() + f32::from(self.zero_point)).clamp(0.0, 255.0) as u8
    }

    /// `DequantizeLinear`: `(q − zero_point) × scale`.
    pub fn dequantize(&self, q: u8) -> f32 {
        (i32::from(q) - i32::from(self.zero_point)) as f32 * self.scale
    }
}

/// How one dense layer's weights are stored in the exported file.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DenseStorage {
    Float32,
    /// IEEE half-precision bit patterns of the weight and the bias.
    Float16 {
        weight: Vec<u16>,
        bias: Vec<u16>,
    },
    /// int8 weight; the bias stays float32.
    Int8(Int8Matrix),
}

/// A network ready to export in one numeric form: how each layer is stored, the weights the
/// arithmetic effectively uses, and (static int8) the fixed parameters of each layer's input.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CompressedNetwork {
    pub quantization: Quantization,
    /// The weights after a round trip through their storage (what the runtime multiplies by).
    pub effective: Weights,
    /// One per dense layer.
    pub storage: Vec<DenseStorage>,
    /// Static int8: the uint8 parameters of each dense layer's input; empty otherwise.
    pub input_params: Vec<AffineParams>,
}
