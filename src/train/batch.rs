//! Batch assembly: the training rows as the trainer keeps them on the host ([`HostSet`]: the
//! examples with their per-row class weights), the same rows on the device ([`Batch::upload`],
//! once per run), and an epoch's batches ([`EpochPlan`]): the rows gathered on the device in
//! the epoch's shuffled order once per epoch, each step taking the next rows as a slice.
//!
//! Why on the device: gathering each batch's rows on the host and uploading them cost two to
//! four buffer writes a step on WebGPU (features, targets, weights), each a copy through the
//! queue's staging memory into a new buffer; now a step writes nothing. Why one gather an
//! epoch rather than one a step: a select a tensor a step added dispatches (measured: 44.7 →
//! 51.9 a step in `bench/webgpu-counts.mjs`), where a slice of the shuffled rows is a view.
//! On the CPU device the gather is the one the host did.
//!
//! Apart from the step so that the step only does arithmetic on tensors, and so that the
//! gradient check uploads its rows exactly as training does.

use std::ops::Range;
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

/// Rows on the device: the features, the targets in the form the head's loss takes, and the
/// rows' weights when the set has them.
#[derive(Clone)]
pub(super) struct Batch {
    pub(super) features: Tensor<2>,
    pub(super) float_targets: Option<Tensor<2>>,
    pub(super) class_targets: Option<Tensor<2, Int>>,
    pub(super) row_weights: Option<Tensor<2>>,
}

impl Batch {
    /// Every row of `set`, in order, uploaded.
    pub(super) fn upload(set: &HostSet, head: &Head, device: &Device) -> Batch {
        let m = &set.examples.features;
        let rows = m.rows;
        let features = Tensor::from_data(TensorData::new(m.values.clone(), [rows, m.cols]), device);
        let column =
            |values: Vec<f32>| Tensor::from_data(TensorData::new(values, [rows, 1]), device);
        let (float_targets, class_targets) = match (&set.examples.targets, head) {
            (Targets::Classes(labels), Head::Multiclass { .. }) => {
                let index: Vec<i64> = labels.iter().map(|&l| i64::from(l)).collect();
                (
                    None,
                    Some(Tensor::from_data(TensorData::new(index, [rows, 1]), device)),
                )
            }
            (Targets::Classes(labels), _) => (
                Some(column(labels.iter().map(|&l| l as f32).collect())),
                None,
            ),
            (Targets::Values(values), _) => (Some(column(values.clone())), None),
        };
        Batch {
            features,
            float_targets,
            class_targets,
            row_weights: set.row_weights.clone().map(column),
        }
    }

    /// The rows at `index` (in that order), gathered on the device.
    pub(super) fn select(&self, index: Tensor<1, Int>) -> Batch {
        let rows = |t: &Tensor<2>| t.clone().select(0, index.clone());
        Batch {
            features: rows(&self.features),
            float_targets: self.float_targets.as_ref().map(rows),
            class_targets: self
                .class_targets
                .as_ref()
                .map(|t| t.clone().select(0, index.clone())),
            row_weights: self.row_weights.as_ref().map(rows),
        }
    }
}

/// An epoch's batches: the training rows gathered on the device in the epoch's shuffled
/// order (one select a tensor an epoch), each step taking the next `batch` of them (the last
/// batch shorter) as a slice, and the dropout masks of the positions drawn so far.
///
/// A slice is a view of the same buffer only where both its ends fall on the device's
/// storage-buffer alignment (otherwise burn copies it, a dispatch): so the gathered rows are
/// padded to a multiple of [`ALIGN_ROWS`], which makes every full batch a view when the
/// batch size is a multiple of it (the default 64, and the usual 128, 256…).
pub(super) struct EpochPlan {
    /// The epoch's rows in order, then padding up to a multiple of [`ALIGN_ROWS`].
    shuffled: Batch,
    len: usize,
    batch: usize,
    /// Filled a window of steps at a time by the learner (`step::Learner`), which owns the
    /// dropout stream; belongs to the epoch because the masks are by position in it.
    pub(super) masks: Option<MaskWindow>,
}

/// Rows whose 4-byte values span WebGPU's default `minStorageBufferOffsetAlignment` (256
/// bytes), which burn's wgpu runtime aligns buffer offsets to.
pub(super) const ALIGN_ROWS: usize = 64;

impl EpochPlan {
    /// The rows of `set` (all on the device) in `order`, to be taken `batch` at a time.
    pub(super) fn new(set: &Batch, order: &[usize], batch: usize, device: &Device) -> EpochPlan {
        let padding = order.len().next_multiple_of(ALIGN_ROWS) - order.len();
        let index: Vec<i64> = order
            .iter()
            .chain(order.iter().take(padding))
            .map(|&r| r as i64)
            .collect();
        let rows = index.len();
        let index = Tensor::from_data(TensorData::new(index, [rows]), device);
        EpochPlan {
            // An empty order (no steps) selects nothing.
            shuffled: if rows == 0 {
                set.clone()
            } else {
                set.select(index)
            },
            len: order.len(),
            batch: batch.max(1),
            masks: None,
        }
    }

    /// Steps in the epoch.
    pub(super) fn steps(&self) -> usize {
        self.len.div_ceil(self.batch)
    }

    /// Positions in the epoch that step `step` trains on.
    pub(super) fn range(&self, step: usize) -> Range<usize> {
        let start = (step * self.batch).min(self.len);
        start..(start + self.batch).min(self.len)
    }

    /// Step `step`'s batch (`None` past the last step).
    pub(super) fn batch(&self, step: usize) -> Option<Batch> {
        if step >= self.steps() {
            return None;
        }
        let range = self.range(step);
        let rows = |t: &Tensor<2>| t.clone().narrow(0, range.start, range.len());
        let all = &self.shuffled;
        Some(Batch {
            features: rows(&all.features),
            float_targets: all.float_targets.as_ref().map(rows),
            class_targets: all
                .class_targets
                .as_ref()
                .map(|t| t.clone().narrow(0, range.start, range.len())),
            row_weights: all.row_weights.as_ref().map(rows),
        })
    }
}

/// Dropout masks for consecutive positions `start..end` of an epoch: one tensor per hidden
/// layer, `[rows, units]` with a row per position, then zeros up to a multiple of
/// [`ALIGN_ROWS`] rows (so that a step's masks are a view, as its rows are).
pub(super) struct MaskWindow {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) masks: Vec<Tensor<2>>,
}

impl MaskWindow {
    /// The masks of `range`, when the window holds all of it.
    pub(super) fn get(&self, range: &Range<usize>) -> Option<Vec<Tensor<2>>> {
        (self.start <= range.start && range.end <= self.end).then(|| {
            self.masks
                .iter()
                .map(|mask| {
                    mask.clone()
                        .narrow(0, range.start - self.start, range.len())
                })
                .collect()
        })
    }
}

#[cfg(all(test, feature = "cpu"))]
mod tests {
    use super::*;
    use crate::prep::Matrix;

    /// What a host gather of `rows` would have uploaded.
    fn host_rows(set: &HostSet, rows: &[usize]) -> (Vec<f32>, Vec<i64>, Vec<f32>) {
        let m = &set.examples.features;
        let labels = match &set.examples.targets {
            Targets::Classes(labels) => labels,
            Targets::Values(_) => unreachable!("the set has classes"),
        };
        let weights = set.row_weights.as_deref().unwrap_or_default();
        (
            rows.iter().flat_map(|&r| m.row(r).to_vec()).collect(),
            rows.iter().map(|&r| i64::from(labels[r])).collect(),
            rows.iter().map(|&r| weights[r]).collect(),
        )
    }

    #[test]
    fn each_step_takes_its_rows_of_the_epoch_order_on_the_device() {
        let device = crate::compute::init_cpu();
        let (rows, cols) = (11, 3);
        let set = HostSet {
            examples: Arc::new(Examples {
                features: Matrix {
                    rows,
                    cols,
                    values: (0..rows * cols).map(|v| v as f32).collect(),
                    feature_names: vec!["a".into(), "b".into(), "c".into()],
                },
                targets: Targets::Classes((0..rows).map(|r| (r % 3) as u32).collect()),
            }),
            row_weights: Some((0..rows).map(|r| r as f32 / 10.0).collect()),
        };
        let all = Batch::upload(&set, &Head::Multiclass { classes: 3 }, &device);
        let order = [7, 2, 10, 0, 5, 9, 1, 3, 8, 6, 4];
        let plan = EpochPlan::new(&all, &order, 4, &device);
        assert_eq!(plan.steps(), 3);
        for step in 0..plan.steps() {
            let range = plan.range(step);
            let Some(batch) = plan.batch(step) else {
                unreachable!("three steps")
            };
            let (features, classes, weights) = host_rows(&set, &order[range.clone()]);
            assert_eq!(batch.features.dims(), [range.len(), cols]);
            assert_eq!(
                batch.features.into_data().try_to_vec::<f32>().ok(),
                Some(features)
            );
            let class_targets = batch.class_targets.map(|t| t.into_data().convert::<i64>());
            assert_eq!(
                class_targets.and_then(|t| t.try_to_vec::<i64>().ok()),
                Some(classes)
            );
            let row_weights = batch.row_weights.map(|t| t.into_data().try_to_vec::<f32>());
            assert_eq!(row_weights.and_then(Result::ok), Some(weights));
            assert!(batch.float_targets.is_none());
        }
        assert_eq!(plan.range(2), 8..11);
    }
}
