//! Pruning a trained model, in one shot or gradually with fine-tuning between stages.

use std::sync::Arc;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::error::CompressError;
use super::forward;
use super::network::CompressedNetwork;
use super::prune::{PruneMask, magnitude_prune};
use super::report::SparsityPoint;
use super::settings::{PruneSettings, Quantization};
use crate::train::{Examples, Fitted, Metrics, ModelFile, Trainer, evaluate_outputs};

/// Prunes `model` to `settings.sparsity` in one shot, without training (no device needed);
/// the model's validation and test metrics are those of the unpruned weights until measured
/// again. Returns the pruned model and its mask.
pub fn prune_model(
    model: &ModelFile,
    settings: &PruneSettings,
) -> Result<(ModelFile, PruneMask), CompressError> {
    settings.validate()?;
    model.check()?;
    let (weights, mask) =
        magnitude_prune(model.weights()?, settings.sparsity, settings.scope, None)?;
    let mut pruned = model.clone();
    pruned.fitted = Fitted::Weights(weights);
    Ok((pruned, mask))
}

/// What one pruning stage did.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PruneStage {
    /// 1-based.
    pub stage: usize,
    pub stages: usize,
    /// The share of dense weights removed after this stage.
    pub sparsity: f64,
    /// Fine-tuning epochs run in this stage.
    pub epochs: usize,
    /// Validation metrics of the stage's weights (after fine-tuning).
    pub valid_metrics: Option<Metrics>,
}

/// Gradual magnitude pruning with fine-tuning, a stage per `next_stage().await` so that the
/// worker can post progress between stages: each stage raises the sparsity along the cubic
/// schedule ([`PruneSettings::sparsity_at`]), then trains `fine_tune_epochs` epochs with the
/// removed weights held at zero ([`Trainer::set_weight_masks`]) and keeps the best epoch.
///
/// ```ignore
/// let mut pruner = Pruner::new(device, &model, data.train, data.valid, &settings)?;
/// while !pruner.done() {
///     let stage = pruner.next_stage().await?; // post it
/// }
/// let pruned = pruner.model(); // weights with exactly the target sparsity
/// ```
pub struct Pruner {
    device: Device,
    model: ModelFile,
    settings: PruneSettings,
    train: Arc<Examples>,
    valid: Option<Arc<Examples>>,
    mask: PruneMask,
    stage: usize,
    curve: Vec<SparsityPoint>,
}

impl Pruner {
    /// Checks the settings and the model. Fine-tuning trains on `train` and keeps each stage's
    /// best epoch by `valid` (as training does).
    pub fn new(
        device: Device,
        model: &ModelFile,
        train: Arc<Examples>,
        valid: Option<Arc<Examples>>,
        settings: &PruneSettings,
    ) -> Result<Pruner, CompressError> {
        settings.validate()?;
        model.check()?;
        if settings.fine_tune_epochs > 0 && train.rows() == 0 {
            return Err(CompressError::NoTrainingRows);
        }
        Ok(Pruner {
            device,
            mask: PruneMask::keep_all(model.weights()?),
            model: model.clone(),
            settings: settings.clone(),
            train,
            valid,
            stage: 0,
            curve: Vec::new(),
        })
    }

    /// Whether every stage has run.
    pub fn done(&self) -> bool {
        self.stage >= self.settings.stages
    }

    /// Runs the next stage: prune, fine-tune, measure.
    pub async fn next_stage(&mut self) -> Result<PruneStage, CompressError> {
        let stage = (self.stage + 1).min(self.settings.stages);
        let target = self.settings.sparsity_at(stage);
        let (mut weights, mask) = magnitude_prune(
            self.model.weights()?,
            target,
            self.settings.scope,
            Some(&self.mask),
        )?;
        let epochs = self.settings.fine_tune_epochs;
        if epochs > 0 {
            let mut config = self.model.config.clone();
            config.epochs = epochs;
            config.patience = 0;
            config.learning_rate *= self.settings.learning_rate_factor;
            let mut trainer = Trainer::with_weights(
                self.device.clone(),
                &self.model.pipeline,
                self.train.clone(),
                self.valid.clone(),
                &config,
                &weights,
            )?;
            trainer.set_weight_masks(&mask.factors())?;
            while !trainer.done() {
                trainer.next_epoch().await?;
            }
            weights = trainer.best_weights().await?;
        }
        let valid_metrics = self.valid_metrics(&weights)?;
        self.model.fitted = Fitted::Weights(weights);
        self.model.valid_metrics = valid_metrics.clone().or(self.model.valid_metrics.take());
        self.mask = mask;
        self.stage = stage;
        self.curve.push(SparsityPoint {
            sparsity: self.mask.sparsity(),
            valid_metrics: valid_metrics.clone(),
            fine_tuned: epochs > 0,
        });
        Ok(PruneStage {
            stage,
            stages: self.settings.stages,
            sparsity: self.mask.sparsity(),
            epochs,
            valid_metrics,
        })
    }

    fn valid_metrics(
        &self,
        weights: &crate::train::Weights,
    ) -> Result<Option<Metrics>, CompressError> {
        let Some(valid) = self.valid.as_ref().filter(|v| v.rows() > 0) else {
            return Ok(None);
        };
        let network = CompressedNetwork::new(weights, Quantization::None, None)?;
        let outputs = forward::predict(&network, &self.model.head, &valid.features)?;
        Ok(Some(evaluate_outputs(
            &self.model.head,
            &self.model.pipeline,
            &outputs,
            valid,
        )))
    }

    /// The model with the weights pruned so far (its `valid_metrics` are the last stage's).
    pub fn model(&self) -> &ModelFile {
        &self.model
    }

    /// Which weights are removed so far.
    pub fn mask(&self) -> &PruneMask {
        &self.mask
    }

    /// Sparsity and validation metrics after each stage so far.
    pub fn curve(&self) -> &[SparsityPoint] {
        &self.curve
    }
}
