//! One optimisation step: a batch forward (with host-drawn dropout), the loss, the backward
//! pass, the optimiser's update and the pruning masks re-applied; and the same forward, loss
//! and backward over every row for checking gradients ([`loss_and_gradient`]).
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

use super::batch::{HostSet, upload_batch};
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
    dropout_rng: SplitMix64,
    dropout: f64,
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
            dropout_rng: SplitMix64::new(config.seed ^ DROPOUT_STREAM),
            dropout,
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

    /// One optimisation step on the given rows of `set` at learning rate `lr`. Returns the
    /// batch's loss sum and, with class weights, its weight sum (otherwise the weight is the
    /// row count), detached, still on the device (nothing is read back).
    pub(super) fn step(
        &mut self,
        lr: f64,
        set: &HostSet,
        head: &Head,
        rows: &[usize],
    ) -> Result<(Tensor<1>, Option<Tensor<1>>), TrainError> {
        let Some(model) = self.model.take() else {
            return Err(TrainError::Finished {
                reason: "an earlier step failed".to_string(),
            });
        };
        let batch = upload_batch(set, rows, head, &self.device);
        let masks = self.dropout_masks(rows.len(), model.architecture());
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
                let loss = loss_sum.clone().div_scalar(rows.len() as f64);
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

    /// Dropout masks for a batch, one per hidden layer, drawn on the host (see the module docs
    /// of `model`); `None` without dropout.
    fn dropout_masks(&mut self, rows: usize, arch: &Architecture) -> Option<Vec<Tensor<2>>> {
        if self.dropout <= 0.0 {
            return None;
        }
        let keep = 1.0 - self.dropout;
        let scale = (1.0 / keep) as f32;
        Some(
            arch.hidden
                .iter()
                .map(|&units| {
                    let values: Vec<f32> = (0..rows * units)
                        .map(|_| {
                            if self.dropout_rng.next_f64() < keep {
                                scale
                            } else {
                                0.0
                            }
                        })
                        .collect();
                    Tensor::from_data(TensorData::new(values, [rows, units]), &self.device)
                })
                .collect(),
        )
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
    let rows: Vec<usize> = (0..examples.rows()).collect();
    let batch = upload_batch(&set, &rows, &head, &device);
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
