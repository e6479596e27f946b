//! Batch assembly: the training rows as the trainer keeps them on the host ([`HostSet`]: the
//! examples with their per-row class weights), where an epoch takes them from
//! ([`TrainRows`]: the device, where they are uploaded once a run, or the host for a set too
//! large to hold there), and an epoch's batches ([`EpochPlan`]): the rows in the epoch's
//! shuffled order — gathered on the device once an epoch, or on the host a window of steps at
//! a time — each step taking the next rows as a slice.
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

/// Most feature values kept on the device for a whole run (64 MiB of `f32`, twice that with
/// an epoch's shuffled copy): half of WebGPU's default 128 MiB limit on one storage buffer,
/// and a bound on the CPU worker's memory. A larger set is gathered on the host a window at
/// a time ([`TrainRows::Host`]).
pub(super) const DEVICE_SET_VALUES: usize = 1 << 24;

/// Most values gathered and uploaded at once for a window of steps (16 MiB of `f32`): an
/// epoch's rows of a set too large for the device, and dropout masks.
pub(super) const WINDOW_VALUES: usize = 1 << 22;

/// Rows whose 4-byte values span WebGPU's default `minStorageBufferOffsetAlignment` (256
/// bytes), which burn's wgpu runtime aligns buffer offsets to: a slice is a view of the same
/// buffer only where both its ends fall on it (otherwise burn copies it, a dispatch).
pub(super) const ALIGN_ROWS: usize = 64;

/// Training data as the trainer needs it on the host.
pub(super) struct HostSet {
    pub(super) examples: Arc<Examples>,
    /// Per-row loss weights (class weights), when used.
    pub(super) row_weights: Option<Vec<f32>>,
}

impl HostSet {
    /// Whether the set's features fit [`DEVICE_SET_VALUES`].
    pub(super) fn fits_the_device(&self) -> bool {
        self.examples.features.values.len() <= DEVICE_SET_VALUES
    }
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
    /// The set's `rows` (in that order) gathered on the host and uploaded.
    pub(super) fn gather(set: &HostSet, rows: &[usize], head: &Head, device: &Device) -> Batch {
        let m = &set.examples.features;
        let mut features = Vec::with_capacity(rows.len() * m.cols);
        for &r in rows {
            features.extend_from_slice(m.row(r));
        }
        let n = rows.len();
        let features = Tensor::from_data(TensorData::new(features, [n, m.cols]), device);
        let column = |values: Vec<f32>| Tensor::from_data(TensorData::new(values, [n, 1]), device);
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
            (Targets::Classes(labels), _) => (
                Some(column(
                    rows.iter()
                        .map(|&r| labels.get(r).map_or(0.0, |&l| l as f32))
                        .collect(),
                )),
                None,
            ),
            (Targets::Values(values), _) => (
                Some(column(
                    rows.iter()
                        .map(|&r| values.get(r).copied().unwrap_or(0.0))
                        .collect(),
                )),
                None,
            ),
        };
        let row_weights = set.row_weights.as_ref().map(|w| {
            column(
                rows.iter()
                    .map(|&r| w.get(r).copied().unwrap_or(0.0))
                    .collect(),
            )
        });
        Batch {
            features,
            float_targets,
            class_targets,
            row_weights,
        }
    }

    /// Every row of `set`, in order, uploaded.
    pub(super) fn upload(set: &HostSet, head: &Head, device: &Device) -> Batch {
        let all: Vec<usize> = (0..set.examples.rows()).collect();
        Batch::gather(set, &all, head, device)
    }

    /// The rows at `index` (in that order), gathered on the device.
    fn select(&self, index: Tensor<1, Int>) -> Batch {
        self.each(
            |t| t.select(0, index.clone()),
            |t| t.select(0, index.clone()),
        )
    }

    /// `len` rows from row `start`, as slices.
    fn narrow(&self, start: usize, len: usize) -> Batch {
        self.each(|t| t.narrow(0, start, len), |t| t.narrow(0, start, len))
    }

    /// The same rows of every tensor: `float` takes them from the float ones, `int` from the
    /// class targets (one closure cannot take both element kinds).
    fn each(
        &self,
        float: impl Fn(Tensor<2>) -> Tensor<2>,
        int: impl Fn(Tensor<2, Int>) -> Tensor<2, Int>,
    ) -> Batch {
        Batch {
            features: float(self.features.clone()),
            float_targets: self.float_targets.clone().map(&float),
            class_targets: self.class_targets.clone().map(int),
            row_weights: self.row_weights.clone().map(&float),
        }
    }
}

/// Where an epoch takes the training rows from.
pub(super) enum TrainRows {
    /// Every training row, in the examples' order, on the device (uploaded once a run).
    Device { rows: Box<Batch>, count: usize },
    /// A set over [`DEVICE_SET_VALUES`]: gathered on the host in the epoch's order a window
    /// of steps at a time, each window uploaded once.
    Host(HostSet),
}

impl TrainRows {
    /// `set` on the device when it fits there, otherwise kept on the host.
    pub(super) fn new(set: HostSet, head: &Head, device: &Device) -> TrainRows {
        if set.fits_the_device() {
            TrainRows::Device {
                rows: Box::new(Batch::upload(&set, head, device)),
                count: set.examples.rows(),
            }
        } else {
            TrainRows::Host(set)
        }
    }

    /// Training rows.
    pub(super) fn count(&self) -> usize {
        match self {
            TrainRows::Device { count, .. } => *count,
            TrainRows::Host(set) => set.examples.rows(),
        }
    }
}

/// An epoch's batches: the training rows in the epoch's order, each step taking the next
/// `batch` of them (the last batch shorter) as a slice of a window that holds them — the
/// whole epoch gathered on the device, or a window of steps gathered on the host — and the
/// dropout masks of the positions drawn so far.
///
/// Every window is padded to a multiple of [`ALIGN_ROWS`] rows, which makes every full batch
/// a view when the batch size is a multiple of it (the default 64, and the usual 128, 256…).
pub(super) struct EpochPlan<'a> {
    source: &'a TrainRows,
    head: &'a Head,
    device: Device,
    /// Row numbers by position in the epoch.
    order: Vec<usize>,
    batch: usize,
    /// Most values a window gathered on the host holds ([`WINDOW_VALUES`]).
    window_values: usize,
    rows: Option<RowWindow>,
    /// Filled a window of steps at a time by the learner (`step::Learner`), which owns the
    /// dropout stream; belongs to the epoch because the masks are by position in it.
    pub(super) masks: Option<MaskWindow>,
}

/// The rows of consecutive positions `start..end` of an epoch (then padding).
struct RowWindow {
    start: usize,
    end: usize,
    rows: Batch,
}

impl<'a> EpochPlan<'a> {
    /// The rows of `source` in `order`, to be taken `batch` at a time; on the device the
    /// whole epoch is gathered here.
    pub(super) fn new(
        source: &'a TrainRows,
        order: Vec<usize>,
        batch: usize,
        head: &'a Head,
        device: &Device,
    ) -> EpochPlan<'a> {
        let rows = match source {
            TrainRows::Device { rows, .. } if !order.is_empty() => {
                let index: Vec<i64> = padded(&order).iter().map(|&r| r as i64).collect();
                let count = index.len();
                let index = Tensor::from_data(TensorData::new(index, [count]), device);
                Some(RowWindow {
                    start: 0,
                    end: order.len(),
                    rows: rows.select(index),
                })
            }
            _ => None,
        };
        EpochPlan {
            source,
            head,
            device: device.clone(),
            order,
            batch: batch.max(1),
            window_values: WINDOW_VALUES,
            rows,
            masks: None,
        }
    }

    /// Steps in the epoch.
    pub(super) fn steps(&self) -> usize {
        self.order.len().div_ceil(self.batch)
    }

    /// Positions in the epoch that step `step` trains on.
    pub(super) fn range(&self, step: usize) -> Range<usize> {
        let len = self.order.len();
        let start = (step * self.batch).min(len);
        start..(start + self.batch).min(len)
    }

    /// The end position of a window of whole steps from step `first`: as many as keep it
    /// within `limit` values at `per_row` values a position, and at least one.
    pub(super) fn window_end(&self, first: usize, per_row: usize, limit: usize) -> usize {
        let start = self.range(first).start;
        let mut end = self.range(first).end;
        for step in first + 1..self.steps() {
            let next = self.range(step).end;
            if (next - start) * per_row > limit {
                break;
            }
            end = next;
        }
        end
    }

    /// Step `step`'s batch (`None` past the last step); from the host, a new window is
    /// gathered and uploaded when the step is past the current one.
    pub(super) fn batch(&mut self, step: usize) -> Option<Batch> {
        if step >= self.steps() {
            return None;
        }
        let range = self.range(step);
        let held = |w: &RowWindow| w.start <= range.start && range.end <= w.end;
        if !self.rows.as_ref().is_some_and(held)
            && let TrainRows::Host(set) = self.source
        {
            let per_row = set.examples.features.cols.max(1);
            let end = self.window_end(step, per_row, self.window_values);
            let rows = padded(&self.order[range.start..end]);
            self.rows = Some(RowWindow {
                start: range.start,
                end,
                rows: Batch::gather(set, &rows, self.head, &self.device),
            });
        }
        let window = self.rows.as_ref().filter(|w| held(w))?;
        Some(window.rows.narrow(range.start - window.start, range.len()))
    }
}

/// `order`, then its rows again from the first up to a multiple of [`ALIGN_ROWS`] (padding
/// no step reads).
fn padded(order: &[usize]) -> Vec<usize> {
    let padding = order.len().next_multiple_of(ALIGN_ROWS) - order.len();
    order
        .iter()
        .chain(order.iter().cycle().take(padding))
        .copied()
        .collect()
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
    fn each_step_takes_its_rows_of_the_epoch_order_from_the_device_or_the_host() {
        let device = crate::compute::init_cpu();
        let (rows, cols) = (11, 3);
        let set = || HostSet {
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
        let head = Head::Multiclass { classes: 3 };
        let order = vec![7, 2, 10, 0, 5, 9, 1, 3, 8, 6, 4];
        let on_device = TrainRows::new(set(), &head, &device);
        assert!(matches!(on_device, TrainRows::Device { count: 11, .. }));
        let on_host = TrainRows::Host(set());
        // From the host a whole epoch at once, a step at a time (a window smaller than a
        // step still holds one), and two steps at a time.
        for (source, window_values, windows) in [
            (&on_device, WINDOW_VALUES, 1),
            (&on_host, WINDOW_VALUES, 1),
            (&on_host, 1, 3),
            (&on_host, 8 * cols, 2),
        ] {
            let mut starts = Vec::new();
            let mut plan = EpochPlan::new(source, order.clone(), 4, &head, &device);
            plan.window_values = window_values;
            assert_eq!(plan.steps(), 3);
            assert_eq!(plan.range(2), 8..11);
            for step in 0..plan.steps() {
                let range = plan.range(step);
                let Some(batch) = plan.batch(step) else {
                    unreachable!("three steps")
                };
                let (features, classes, weights) = host_rows(&set(), &order[range.clone()]);
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
                // Every window starts at a step and is padded to the alignment.
                let window = plan
                    .rows
                    .as_ref()
                    .map(|w| (w.start, w.rows.features.dims()[0]));
                assert!(
                    window
                        .is_some_and(|(start, padded)| start % 4 == 0 && padded % ALIGN_ROWS == 0)
                );
                if let Some((start, _)) = window
                    && starts.last() != Some(&start)
                {
                    starts.push(start);
                }
            }
            assert_eq!(starts.len(), windows, "window of {window_values} values");
            assert!(plan.batch(3).is_none());
        }
    }
}
