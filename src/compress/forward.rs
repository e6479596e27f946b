//! The network's forward pass on the host, computed as the exported ONNX graph computes it
//! (float32 throughout, int8 where the graph has int8): what the comparison report measures,
//! and what static calibration observes. No burn: quantized arithmetic (activations rounded to
//! uint8, integer accumulation) has no burn equivalent, and the host pass needs no device.

use std::f32::consts::FRAC_1_SQRT_2;

use super::error::CompressError;
use super::network::{AffineParams, CompressedNetwork, DenseStorage, Int8Matrix};
use super::settings::Quantization;
use crate::prep::Matrix;
use crate::train::{Activation, Head, NormWeights, TrainError, Weights};

/// Rows per pass. Dynamic int8 takes each layer input's range over the whole pass, as a
/// runtime does over the batch it is given, so its results depend on the rows passed together.
pub const CHUNK_ROWS: usize = 8192;

/// The epsilon of layer norm (burn's default, which the trainer uses).
pub const NORM_EPSILON: f32 = 1e-5;

/// The head's outputs for every row of `features`, in the layout of burn's inference
/// (`head.outputs()` per row: class probabilities, of class 1 only for binary, or the
/// standardised regression value).
pub fn predict(
    network: &CompressedNetwork,
    head: &Head,
    features: &Matrix,
) -> Result<Vec<f32>, CompressError> {
    let inputs = network.effective.architecture.inputs;
    if features.cols != inputs
        || features.values.len() != features.rows.saturating_mul(features.cols)
    {
        return Err(TrainError::data(
            "prediction",
            format!(
                "it has {} features but the model takes {inputs}",
                features.cols
            ),
        )
        .into());
    }
    let mut outputs = Vec::with_capacity(features.rows * head.outputs());
    let cols = features.cols.max(1);
    for chunk in features.values.chunks(CHUNK_ROWS * cols) {
        let rows = chunk.len() / cols;
        let logits = run(network, chunk.to_vec(), rows, None);
        outputs.extend(activate(head, logits, rows));
    }
    Ok(outputs)
}

/// Every value that enters each dense layer of the float network (for calibration), layer by
/// layer.
pub(crate) fn layer_inputs(weights: &Weights, features: &Matrix) -> Vec<Vec<f32>> {
    let network = CompressedNetwork {
        quantization: Quantization::None,
        effective: weights.clone(),
        storage: vec![DenseStorage::Float32; weights.dense.len()],
        input_params: Vec::new(),
    };
    let mut seen = vec![Vec::new(); weights.dense.len()];
    let cols = features.cols.max(1);
    for chunk in features.values.chunks(CHUNK_ROWS * cols) {
        run(
            &network,
            chunk.to_vec(),
            chunk.len() / cols,
            Some(&mut seen),
        );
    }
    seen
}

/// The raw outputs (logits) of `rows` rows; records each layer's input when asked.
fn run(
    network: &CompressedNetwork,
    mut x: Vec<f32>,
    rows: usize,
    mut record: Option<&mut Vec<Vec<f32>>>,
) -> Vec<f32> {
    let weights = &network.effective;
    let last = weights.dense.len().saturating_sub(1);
    for (index, layer) in weights.dense.iter().enumerate() {
        if let Some(seen) = record.as_deref_mut()
            && let Some(values) = seen.get_mut(index)
        {
            values.extend_from_slice(&x);
        }
        let storage = network.storage.get(index);
        x = match (network.quantization, storage) {
            (Quantization::DynamicInt8 { .. }, Some(DenseStorage::Int8(matrix))) => {
                dynamic_dense(&x, rows, matrix, &layer.bias)
            }
            _ => {
                if let (Quantization::StaticInt8 { .. }, Some(params)) =
                    (network.quantization, network.input_params.get(index))
                {
                    for value in &mut x {
                        *value = params.dequantize(params.quantize(*value));
                    }
                }
                dense(
                    &x,
                    rows,
                    layer.inputs,
                    layer.outputs,
                    &layer.weight,
                    &layer.bias,
                )
            }
        };
        if index == last {
            break;
        }
        if let Some(norm) = weights.norms.get(index) {
            layer_norm(&mut x, layer.outputs, norm);
        }
        let activation = weights.architecture.activation;
        for value in &mut x {
            *value = activate_unit(activation, *value);
        }
    }
    x
}

/// `x · weight + bias` for row-major `x` `[rows][inputs]`.
fn dense(
    x: &[f32],
    rows: usize,
    inputs: usize,
    outputs: usize,
    weight: &[f32],
    bias: &[f32],
) -> Vec<f32> {
    let mut y = vec![0.0f32; rows * outputs];
    for r in 0..rows {
        let row = &x[r * inputs..(r + 1) * inputs];
        let out = &mut y[r * outputs..(r + 1) * outputs];
        for (i, &xi) in row.iter().enumerate() {
            let w = &weight[i * outputs..(i + 1) * outputs];
            for (o, &wij) in out.iter_mut().zip(w) {
                *o += xi * wij;
            }
        }
        for (o, &b) in out.iter_mut().zip(bias) {
            *o += b;
        }
    }
    y
}

/// `DynamicQuantizeLinear` of the input over all its values, `MatMulInteger` with the int8
/// weight, then `float(acc) × (input scale × weight scale) + bias`.
fn dynamic_dense(x: &[f32], rows: usize, matrix: &Int8Matrix, bias: &[f32]) -> Vec<f32> {
    let (min, max) = x
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let params = if x.is_empty() {
        AffineParams::from_range(0.0, 0.0)
    } else {
        AffineParams::from_range(min, max)
    };
    let (inputs, outputs) = (matrix.inputs, matrix.outputs);
    let zero = i32::from(params.zero_point);
    let mut y = vec![0.0f32; rows * outputs];
    let mut acc = vec![0i32; outputs];
    for r in 0..rows {
        acc.fill(0);
        for i in 0..inputs {
            let q = i32::from(params.quantize(x[r * inputs + i])) - zero;
            let w = &matrix.values[i * outputs..(i + 1) * outputs];
            for (a, &wij) in acc.iter_mut().zip(w) {
                *a += q * i32::from(wij);
            }
        }
        for (j, (o, &a)) in y[r * outputs..(r + 1) * outputs]
            .iter_mut()
            .zip(&acc)
            .enumerate()
        {
            let scale = params.scale * matrix.scale(j);
            *o = a as f32 * scale + bias.get(j).copied().unwrap_or(0.0);
        }
    }
    y
}

/// Layer norm over each row of `width` units.
fn layer_norm(x: &mut [f32], width: usize, norm: &NormWeights) {
    let n = width.max(1) as f32;
    for row in x.chunks_mut(width.max(1)) {
        let mean = row.iter().sum::<f32>() / n;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
        let denominator = (var + NORM_EPSILON).sqrt();
        for ((v, &g), &b) in row.iter_mut().zip(&norm.gamma).zip(&norm.beta) {
            *v = (*v - mean) / denominator * g + b;
        }
    }
}

fn activate_unit(activation: Activation, x: f32) -> f32 {
    match activation {
        Activation::Relu => x.max(0.0),
        Activation::Tanh => x.tanh(),
        // The exact (erf) GELU, as burn's.
        Activation::Gelu => x * (libm::erff(x * FRAC_1_SQRT_2) + 1.0) * 0.5,
    }
}

/// Sigmoid (binary), softmax (multiclass) or nothing (regression), as `Head::activate`.
fn activate(head: &Head, mut logits: Vec<f32>, rows: usize) -> Vec<f32> {
    match head {
        Head::Binary => {
            for z in &mut logits {
                *z = 1.0 / (1.0 + (-*z).exp());
            }
        }
        Head::Multiclass { classes } => {
            let width = (*classes).max(1);
            for row in logits.chunks_mut(width).take(rows) {
                let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut sum = 0.0f32;
                for z in row.iter_mut() {
                    *z = (*z - max).exp();
                    sum += *z;
                }
                for z in row.iter_mut() {
                    *z /= sum;
                }
            }
        }
        Head::Regression { .. } => {}
    }
    logits
}
