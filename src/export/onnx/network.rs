//! The network part of the graph: the dense layers in their numeric form (float32, float16
//! weights, static or dynamic int8), the layer norms and the activations.

use std::f32::consts::FRAC_1_SQRT_2;

use super::super::contract::ExportError;
use super::super::graph::{Builder, attr_int, attr_ints};
use super::super::proto::data_type;
use crate::compress::{CompressedNetwork, DenseStorage, NORM_EPSILON, Quantization};
use crate::train::Activation;

/// The rows of a row-major `[rows, columns]` matrix in `order` (all of them, as they are, if
/// `order` is not a permutation of the rows).
fn rows_in_order<T: Copy>(values: &[T], columns: usize, order: &[usize]) -> Vec<T> {
    let rows = values.len().checked_div(columns).unwrap_or(0);
    let mut sorted = order.to_vec();
    sorted.sort_unstable();
    if columns == 0 || sorted.len() != rows || sorted.iter().enumerate().any(|(i, &r)| i != r) {
        return values.to_vec();
    }
    order
        .iter()
        .flat_map(|&r| &values[r * columns..(r + 1) * columns])
        .copied()
        .collect()
}

/// The dense layers, norms and activations; returns the raw outputs `[N, outputs]`. The
/// features come in `order` (see `preprocess.rs`), so the first layer's weight rows are put in
/// that order.
pub(super) fn network_graph(
    b: &mut Builder,
    network: &CompressedNetwork,
    features: &str,
    order: &[usize],
) -> Result<String, ExportError> {
    let weights = &network.effective;
    let last = weights.dense.len().saturating_sub(1);
    if let Some(first) = weights.dense.first()
        && (order.len() != first.inputs || (0..first.inputs).any(|i| !order.contains(&i)))
    {
        return Err(ExportError::Network {
            reason: "its first layer does not take the preprocessing's features".to_string(),
        });
    }
    let mut x = features.to_string();
    for (index, (layer, storage)) in weights.dense.iter().zip(&network.storage).enumerate() {
        let dims = [layer.inputs, layer.outputs];
        // Later layers keep their rows as they are.
        let order: &[usize] = if index == 0 { order } else { &[] };
        let per_channel = |scales: &[f32]| scales.len() > 1;
        x = match (network.quantization, storage) {
            (Quantization::DynamicInt8 { .. }, DenseStorage::Int8(matrix)) => {
                let parts = b.op_outputs("DynamicQuantizeLinear", "", &[&x], 3, vec![]);
                let [q, scale, zero] = [&parts[0], &parts[1], &parts[2]];
                let w = b.int8s(
                    "weight_int8",
                    &dims,
                    &rows_in_order(&matrix.values, layer.outputs, order),
                );
                // Symmetric weights: one zero point for every column (shared by the layers).
                let w_zero = b.int8s("weight_zero", &[], &[0]);
                let scale_dims: &[usize] = if per_channel(&matrix.scales) {
                    &[layer.outputs]
                } else {
                    &[]
                };
                let w_scale = b.floats("weight_scale", scale_dims, &matrix.scales);
                let acc = b.op("MatMulInteger", &[q, &w, zero, &w_zero], vec![]);
                let acc = b.op(
                    "Cast",
                    &[&acc],
                    vec![attr_int("to", i64::from(data_type::FLOAT))],
                );
                let combined = b.op("Mul", &[scale, &w_scale], vec![]);
                let product = b.op("Mul", &[&acc, &combined], vec![]);
                let bias = b.floats("bias", &[layer.outputs], &layer.bias);
                b.op("Add", &[&product, &bias], vec![])
            }
            (_, storage) => {
                let input = match (network.quantization, network.input_params.get(index)) {
                    (Quantization::StaticInt8 { .. }, Some(params)) => {
                        let scale = b.float("input_scale", params.scale);
                        let zero = b.uint8s("input_zero", &[], &[params.zero_point]);
                        let q = b.op("QuantizeLinear", &[&x, &scale, &zero], vec![]);
                        b.op("DequantizeLinear", &[&q, &scale, &zero], vec![])
                    }
                    _ => x.clone(),
                };
                let (w, bias) = match storage {
                    DenseStorage::Float32 => (
                        b.floats(
                            "weight",
                            &dims,
                            &rows_in_order(&layer.weight, layer.outputs, order),
                        ),
                        b.floats("bias", &[layer.outputs], &layer.bias),
                    ),
                    DenseStorage::Float16 { weight, bias } => {
                        let to_float = || vec![attr_int("to", i64::from(data_type::FLOAT))];
                        let w16 = b.float16s(
                            "weight_fp16",
                            &dims,
                            &rows_in_order(weight, layer.outputs, order),
                        );
                        let b16 = b.float16s("bias_fp16", &[layer.outputs], bias);
                        (
                            b.op("Cast", &[&w16], to_float()),
                            b.op("Cast", &[&b16], to_float()),
                        )
                    }
                    DenseStorage::Int8(matrix) => {
                        let w8 = b.int8s(
                            "weight_int8",
                            &dims,
                            &rows_in_order(&matrix.values, layer.outputs, order),
                        );
                        let dequantized = if per_channel(&matrix.scales) {
                            let scale = b.floats("weight_scale", &[layer.outputs], &matrix.scales);
                            let zero =
                                b.int8s("weight_zero", &[layer.outputs], &vec![0; layer.outputs]);
                            b.op(
                                "DequantizeLinear",
                                &[&w8, &scale, &zero],
                                vec![attr_int("axis", 1)],
                            )
                        } else {
                            let scale = b.float("weight_scale", matrix.scale(0));
                            let zero = b.int8s("weight_zero", &[], &[0]);
                            b.op("DequantizeLinear", &[&w8, &scale, &zero], vec![])
                        };
                        (dequantized, b.floats("bias", &[layer.outputs], &layer.bias))
                    }
                };
                let product = b.op("MatMul", &[&input, &w], vec![]);
                b.op("Add", &[&product, &bias], vec![])
            }
        };
        if index == last {
            break;
        }
        if let Some(norm) = weights.norms.get(index) {
            let axes = || vec![attr_ints("axes", vec![1]), attr_int("keepdims", 1)];
            let mean = b.op("ReduceMean", &[&x], axes());
            let centered = b.op("Sub", &[&x, &mean], vec![]);
            let squared = b.op("Mul", &[&centered, &centered], vec![]);
            let variance = b.op("ReduceMean", &[&squared], axes());
            let epsilon = b.float("epsilon", NORM_EPSILON);
            let shifted = b.op("Add", &[&variance, &epsilon], vec![]);
            let deviation = b.op("Sqrt", &[&shifted], vec![]);
            let normalised = b.op("Div", &[&centered, &deviation], vec![]);
            let gamma = b.floats("gamma", &[norm.gamma.len()], &norm.gamma);
            let beta = b.floats("beta", &[norm.beta.len()], &norm.beta);
            let scaled = b.op("Mul", &[&normalised, &gamma], vec![]);
            x = b.op("Add", &[&scaled, &beta], vec![]);
        }
        x = match weights.architecture.activation {
            Activation::Relu => b.op("Relu", &[&x], vec![]),
            Activation::Tanh => b.op("Tanh", &[&x], vec![]),
            Activation::Gelu => {
                // x · (erf(x / √2) + 1) · 0.5, the exact GELU as burn computes it.
                let root = b.float("inv_sqrt2", FRAC_1_SQRT_2);
                let scaled = b.op("Mul", &[&x, &root], vec![]);
                let erf = b.op("Erf", &[&scaled], vec![]);
                let one = b.float("1", 1.0);
                let shifted = b.op("Add", &[&erf, &one], vec![]);
                let product = b.op("Mul", &[&x, &shifted], vec![]);
                let half = b.float("half", 0.5);
                b.op("Mul", &[&product, &half], vec![])
            }
        };
    }
    Ok(x)
}
