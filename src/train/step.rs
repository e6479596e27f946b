//! One optimisation step: the step's batch of the epoch's rows (already on the device), its
//! forward (with dropout masks drawn on the host, a window of steps at a time), the loss, the
//! backward pass, the optimiser's update and the pruning masks re-applied; and the same
//! forward, loss and backward over every row for checking gradients ([`loss_and_gradient`]).
//!
//! [`Learner`] owns what a step changes (the network, the optimiser's state, the step count,
//! the dropout stream), as burn-train's learner does, so that the epoch loop above it only
//! orders batches and reads results. Nothing here reads from the device except the gradient
//! check.

use std::sync::Arc;

use burn::optim::{
    AdamConfig, AdamWConfig, GradientsParams, ModuleOptimizer, SgdConfig, decay::WeightDecayConfig,
    momentum::MomentumConfig,
};
use burn::tensor::{Device, Tensor, TensorData, Transaction};

use super::batch::{ALIGN_ROWS, Batch, EpochPlan, HostSet, MaskWindow, WINDOW_VALUES};
use super::config::{MlpSettings, ModelKind, OptimizerKind, TrainConfig};
use super::error::TrainError;
use super::examples::Examples;
use super::init::{DROPOUT_STREAM, head_of};
use super::model::{Architecture, Head, Network, Weights, class_weights, readback_error};
use crate::prep::{FittedPipeline, Targets};
use crate::rng::SplitMix64;

/// The network being trained and everything a step changes.
pub(super) struct Learner {
    /// The device with autodiff, where the network lives.
    device: Device,
    /// `None` only once a step has failed (the optimiser takes the network by value).
    model: Option<Network>,
    optimizer: ModuleOptimizer,
    dropout: Dropout,
    /// Steps taken so far: the learning-rate schedule's clock.
    step: usize,
    /// Pruning masks re-applied after every step (see [`Learner::set_weight_masks`]).
    weight_masks: Option<Vec<Tensor<2>>>,
}

impl Learner {
    /// A learner for `model` on `device` (which must have autodiff), with the config's
    /// optimiser and dropout, the dropout stream drawn from `config.seed`.
    pub(super) fn new(device: Device, model: Network, config: &TrainConfig) -> Learner {
        let dropout = match config.model {
            ModelKind::Mlp(MlpSettings { dropout, .. }) => dropout,
            ModelKind::Linear | ModelKind::Gbdt(_) => 0.0,
        };
        Learner {
            device,
            model: Some(model),
            optimizer: optimizer(config),
            dropout: Dropout::new(dropout, config.seed ^ DROPOUT_STREAM, WINDOW_VALUES),
            step: 0,
            weight_masks: None,
        }
    }

    /// The current network (with autodiff); `None` once a step has failed.
    pub(super) fn model(&self) -> Option<&Network> {
        self.model.as_ref()
    }

    /// Steps taken so far.
    pub(super) fn steps(&self) -> usize {
        self.step
    }

    /// Holds pruned weights at zero while training (fine-tuning after pruning,
    /// `compress::Pruner`): after every optimisation step each dense layer's weight is
    /// multiplied by its mask, `masks[layer]` in the weights' row-major `[inputs][outputs]`
    /// layout with 1 for kept and 0 for removed. The parameters keep their ids, so the
    /// optimiser's state carries over.
    pub(super) fn set_weight_masks(&mut self, masks: &[Vec<f32>]) -> Result<(), TrainError> {
        let sizes = self.architecture_sizes();
        if masks.len() != sizes.len().saturating_sub(1)
            || masks
                .iter()
                .zip(sizes.windows(2))
                .any(|(mask, w)| mask.len() != w[0] * w[1])
        {
            return Err(TrainError::data(
                "training",
                "the pruning masks do not fit the network's dense layers",
            ));
        }
        self.weight_masks = Some(
            masks
                .iter()
                .zip(sizes.windows(2))
                .map(|(mask, w)| {
                    Tensor::from_data(TensorData::new(mask.clone(), [w[0], w[1]]), &self.device)
                })
                .collect(),
        );
        if let (Some(model), Some(masks)) = (self.model.take(), &self.weight_masks) {
            self.model = Some(model.masked(masks));
        }
        Ok(())
    }

    fn architecture_sizes(&self) -> Vec<usize> {
        self.model
            .as_ref()
            .map(|model| model.architecture().sizes())
            .unwrap_or_default()
    }

    /// One optimisation step at learning rate `lr` on step `step` of the epoch `plan`.
    /// Returns the batch's loss sum and, with class weights, its weight sum (otherwise the
    /// weight is the row count), detached, still on the device (nothing is read back; nothing
    /// is uploaded but what `plan` uploads a window of steps at a time).
    pub(super) fn step(
        &mut self,
        lr: f64,
        head: &Head,
        plan: &mut EpochPlan,
        step: usize,
    ) -> Result<(Tensor<1>, Option<Tensor<1>>), TrainError> {
        let Some(model) = self.model.take() else {
            return Err(TrainError::Finished {
                reason: "an earlier step failed".to_string(),
            });
        };
        let rows = plan.range(step).len();
        let Some(batch) = plan.batch(step) else {
            self.model = Some(model);
            return Err(TrainError::data("training", "the epoch has no such step"));
        };
        let masks = self
            .dropout
            .masks(plan, step, model.architecture(), &self.device);
        let outputs = model.forward(batch.features, masks.as_deref());
        let losses = head.row_losses(outputs, batch.float_targets, batch.class_targets);
        let (loss_sum, loss, weight_sum) = match batch.row_weights {
            Some(w) => {
                let loss_sum = (losses * w.clone()).sum();
                let weight_sum = w.sum();
                let loss = loss_sum.clone() / weight_sum.clone();
                (loss_sum, loss, Some(weight_sum.detach()))
            }
            None => {
                let loss_sum = losses.sum();
                let loss = loss_sum.clone().div_scalar(rows as f64);
                (loss_sum, loss, None)
            }
        };
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let model = self.optimizer.step(lr, model, grads);
        self.model = Some(match &self.weight_masks {
            Some(masks) => model.masked(masks),
            None => model,
        });
        self.step += 1;
        Ok((loss_sum.detach(), weight_sum))
    }
}

/// The dropout masks' seeded stream and rate.
struct Dropout {
    /// The probability of dropping a hidden unit; 0 draws no masks.
    rate: f64,
    rng: SplitMix64,
    /// Most mask values drawn and uploaded at once ([`WINDOW_VALUES`] when training).
    window_values: usize,
}

impl Dropout {
    fn new(rate: f64, seed: u64, window_values: usize) -> Dropout {
        Dropout {
            rate,
            rng: SplitMix64::new(seed),
            window_values,
        }
    }

    /// Dropout masks for step `step` of `plan`, one per hidden layer; `None` without dropout.
    /// Drawn on the host from the seeded stream — so that every device trains on the same
    /// masks — a window of whole steps at a time (up to `window_values` values, at least
    /// one step) uploaded as one tensor per layer, each step taking its rows of it. The
    /// values come in the order one step at a time would draw them (step by step, layer by
    /// layer, row-major), so the window's size changes nothing but the uploads.
    fn masks(
        &mut self,
        plan: &mut EpochPlan,
        step: usize,
        arch: &Architecture,
        device: &Device,
    ) -> Option<Vec<Tensor<2>>> {
        if self.rate <= 0.0 {
            return None;
        }
        let range = plan.range(step);
        if let Some(masks) = plan.masks.as_ref().and_then(|window| window.get(&range)) {
            return Some(masks);
        }
        let keep = 1.0 - self.rate;
        let scale = (1.0 / keep) as f32;
        let units_per_row: usize = arch.hidden.iter().sum();
        let end = plan.window_end(step, units_per_row, self.window_values);
        let mut layers: Vec<Vec<f32>> = arch.hidden.iter().map(|_| Vec::new()).collect();
        let mut next = step;
        while next < plan.steps() && plan.range(next).end <= end {
            let rows = plan.range(next).len();
            for (values, &units) in layers.iter_mut().zip(&arch.hidden) {
                values.extend((0..rows * units).map(|_| {
                    if self.rng.next_f64() < keep {
                        scale
                    } else {
                        0.0
                    }
                }));
            }
            next += 1;
        }
        let rows = (end - range.start).next_multiple_of(ALIGN_ROWS);
        let window = MaskWindow {
            start: range.start,
            end,
            masks: layers
                .into_iter()
                .zip(&arch.hidden)
                .map(|(mut values, &units)| {
                    values.resize(rows * units, 0.0);
                    Tensor::from_data(TensorData::new(values, [rows, units]), device)
                })
                .collect(),
        };
        let masks = window.get(&range);
        plan.masks = Some(window);
        masks
    }
}

/// The optimiser the config names, with its weight decay and momentum.
fn optimizer(config: &TrainConfig) -> ModuleOptimizer {
    let decay =
        (config.weight_decay > 0.0).then(|| WeightDecayConfig::new(config.weight_decay as f32));
    match config.optimizer {
        OptimizerKind::Adam => AdamConfig::new().with_weight_decay(decay).init(),
        // Newton's method trains on the host (`newton`) and builds no learner; AdamW keeps the
        // match total.
        OptimizerKind::AdamW | OptimizerKind::Newton => AdamWConfig::new()
            .with_weight_decay(config.weight_decay as f32)
            .init(),
        OptimizerKind::Sgd { momentum } => {
            let momentum = (momentum > 0.0).then_some(MomentumConfig {
                momentum,
                dampening: 0.0,
                nesterov: false,
            });
            SgdConfig::new()
                .with_weight_decay(decay)
                .with_momentum(momentum)
                .init()
        }
    }
}

/// The mean loss (class-weighted when the config says so) of `weights` on every row of
/// `examples`, and its gradient with respect to every weight, by autodiff, read back in one
/// transaction. For checking gradients against finite differences.
pub async fn loss_and_gradient(
    device: &Device,
    pipeline: &FittedPipeline,
    config: &TrainConfig,
    weights: &Weights,
    examples: &Examples,
) -> Result<(f64, Weights), TrainError> {
    let head = head_of(pipeline, config)?;
    examples.check("gradient", pipeline)?;
    let device = device.clone().autodiff();
    let network = Network::from_weights(weights, &device)?;
    let set = HostSet {
        row_weights: match (&examples.targets, config.class_weights) {
            (Targets::Classes(labels), true) => {
                let by_class = class_weights(labels, head.classes());
                Some(
                    labels
                        .iter()
                        .map(|&l| by_class.get(l as usize).copied().unwrap_or(0.0))
                        .collect(),
                )
            }
            _ => None,
        },
        examples: Arc::new(examples.clone()),
    };
    let batch = Batch::upload(&set, &head, &device);
    let losses = head.row_losses(
        network.forward(batch.features, None),
        batch.float_targets,
        batch.class_targets,
    );
    let loss = match batch.row_weights {
        Some(w) => (losses * w.clone()).sum() / w.sum(),
        None => losses.mean(),
    };
    let grads = loss.backward();
    let mut transaction = Transaction::default().register(loss.detach().inner());
    for grad in network.gradient_vectors(&grads) {
        transaction = transaction.register(grad.inner());
    }
    let data = transaction
        .execute_async()
        .await
        .map_err(|error| readback_error(Some(&device), "reading gradients", error))?;
    let mut vectors = data
        .into_iter()
        .map(|d| d.try_into_vec_as::<f32>().unwrap_or_default());
    let loss = vectors
        .next()
        .and_then(|v| v.first().copied())
        .map_or(f64::NAN, f64::from);
    let flat: Vec<f32> = vectors.flatten().collect();
    let mut gradient = weights.clone();
    let mut slots = 0usize;
    for (slot, &value) in gradient.values_mut().zip(&flat) {
        *slot = value;
        slots += 1;
    }
    if slots != flat.len() || slots != weights.values().count() {
        return Err(readback_error(
            Some(&device),
            "reading gradients",
            "the gradients do not match the weights",
        ));
    }
    Ok((loss, gradient))
}

#[cfg(all(test, feature = "cpu"))]
mod tests {
    use super::*;
    use crate::train::batch::TrainRows;
    use crate::train::config::Activation;

    const ROWS: usize = 23;
    const BATCH: usize = 4;
    const HIDDEN: [usize; 2] = [5, 3];

    /// Every step's masks of one epoch of [`ROWS`] rows in batches of [`BATCH`], read back
    /// and concatenated per layer, and how many windows were uploaded.
    fn epoch_masks(window_values: usize) -> (Vec<Vec<f32>>, usize) {
        let device = crate::compute::init_cpu();
        let arch = Architecture {
            inputs: 2,
            outputs: 1,
            hidden: HIDDEN.to_vec(),
            activation: Activation::Relu,
            layer_norm: false,
        };
        let set = Batch {
            features: Tensor::zeros([ROWS, 2], &device),
            float_targets: None,
            class_targets: None,
            row_weights: None,
        };
        let set = TrainRows::Device {
            rows: Box::new(set),
            count: ROWS,
        };
        let order: Vec<usize> = (0..ROWS).rev().collect();
        let mut plan = EpochPlan::new(&set, order, BATCH, &Head::Binary, &device);
        let mut dropout = Dropout::new(0.5, 7, window_values);
        let mut layers = vec![Vec::new(); HIDDEN.len()];
        let mut windows = Vec::new();
        for step in 0..plan.steps() {
            let masks = dropout
                .masks(&mut plan, step, &arch, &device)
                .unwrap_or_default();
            assert_eq!(masks.len(), HIDDEN.len());
            for ((values, mask), units) in layers.iter_mut().zip(masks).zip(HIDDEN) {
                assert_eq!(mask.dims(), [plan.range(step).len(), units]);
                values.extend(mask.into_data().try_to_vec::<f32>().unwrap_or_default());
            }
            let window = plan.masks.as_ref().map(|w| (w.start, w.end));
            if windows.last() != Some(&window) {
                windows.push(window);
            }
        }
        (layers, windows.len())
    }

    #[test]
    fn dropout_masks_are_the_stream_one_step_at_a_time_whatever_the_window() {
        // The stream as a step at a time draws it: step by step, layer by layer, row-major.
        let mut rng = SplitMix64::new(7);
        let mut expected = vec![Vec::new(); HIDDEN.len()];
        for start in (0..ROWS).step_by(BATCH) {
            let rows = BATCH.min(ROWS - start);
            for (values, units) in expected.iter_mut().zip(HIDDEN) {
                values.extend((0..rows * units).map(
                    |_| {
                        if rng.next_f64() < 0.5 { 2.0 } else { 0.0 }
                    },
                ));
            }
        }
        let units: usize = HIDDEN.iter().sum();
        // The whole epoch at once, a step at a time (a window smaller than a step still
        // holds one), and two steps at a time (the last, shorter step joins its neighbour).
        for (window_values, windows) in [
            (usize::MAX, 1),
            (1, ROWS.div_ceil(BATCH)),
            (2 * BATCH * units, 3),
        ] {
            let (masks, uploaded) = epoch_masks(window_values);
            assert_eq!(masks, expected, "window of {window_values} values");
            assert_eq!(uploaded, windows, "window of {window_values} values");
        }
    }
}
