//! Batch assembly: the training rows as the step needs them on the host ([`HostSet`]: the
//! examples with their per-row class weights) and the gather of a batch's rows into tensors
//! on the device ([`upload_batch`]).
//!
//! Apart from the step so that the step only does arithmetic on tensors, and so that the
//! gradient check uploads its rows exactly as training does.

use std::sync::Arc;

use burn::tensor::{Device, Int, Tensor, TensorData};

use super::examples::Examples;
use super::model::Head;
use crate::prep::Targets;

/// Training data as the trainer needs it on the host.
pub(super) struct HostSet {
    pub(super) examples: Arc<Examples>,
    /// Per-row loss weights (class weights), when used.
    pub(super) row_weights: Option<Vec<f32>>,
}

/// A batch uploaded to the device.
pub(super) struct Batch {
    pub(super) features: Tensor<2>,
    pub(super) float_targets: Option<Tensor<2>>,
    pub(super) class_targets: Option<Tensor<2, Int>>,
    pub(super) row_weights: Option<Tensor<2>>,
}

/// The set's `rows` (in that order) gathered and uploaded: the features, the targets in the
/// form the head's loss takes, and the rows' weights when the set has them.
pub(super) fn upload_batch(set: &HostSet, rows: &[usize], head: &Head, device: &Device) -> Batch {
    let m = &set.examples.features;
    let mut features = Vec::with_capacity(rows.len() * m.cols);
    for &r in rows {
        features.extend_from_slice(m.row(r));
    }
    let n = rows.len();
    let features = Tensor::from_data(TensorData::new(features, [n, m.cols]), device);
    let (float_targets, class_targets) = match (&set.examples.targets, head) {
        (Targets::Classes(labels), Head::Multiclass { .. }) => {
            let index: Vec<i64> = rows
                .iter()
                .map(|&r| i64::from(labels.get(r).copied().unwrap_or(0)))
                .collect();
            (
                None,
                Some(Tensor::from_data(TensorData::new(index, [n, 1]), device)),
            )
        }
        (Targets::Classes(labels), _) => {
            let y: Vec<f32> = rows
                .iter()
                .map(|&r| labels.get(r).map_or(0.0, |&l| l as f32))
                .collect();
            (
                Some(Tensor::from_data(TensorData::new(y, [n, 1]), device)),
                None,
            )
        }
        (Targets::Values(values), _) => {
            let y: Vec<f32> = rows
                .iter()
                .map(|&r| values.get(r).copied().unwrap_or(0.0))
                .collect();
            (
                Some(Tensor::from_data(TensorData::new(y, [n, 1]), device)),
                None,
            )
        }
    };
    let row_weights = set.row_weights.as_ref().map(|w| {
        let w: Vec<f32> = rows
            .iter()
            .map(|&r| w.get(r).copied().unwrap_or(0.0))
            .collect();
        Tensor::from_data(TensorData::new(w, [n, 1]), device)
    });
    Batch {
        features,
        float_targets,
        class_targets,
        row_weights,
    }
}
