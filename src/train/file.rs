//! The `.hearth` model file: one JSON document with everything needed to predict from raw rows.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::config::{ModelKind, TrainConfig};
use super::error::TrainError;
use super::evaluate::{TestResult, infer};
use super::gbdt::Booster;
use super::metrics::Metrics;
use super::model::{Head, Network, Weights};
use super::report::TrainingSummary;
use super::trainer::Trainer;
use super::trees;
use crate::data::{Dataset, Task};
use crate::prep::{ColumnReference, FittedPipeline, Matrix, Prediction, TargetEncoding};

/// The `format` field of every model file.
pub const MODEL_FORMAT: &str = "hearth-model";
/// The layout version this Hearth writes and the newest it reads.
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// A trained model: the fitted preprocessing, the network's weights or the trees, the settings
/// it was trained with and how it did. Serialised as one JSON object (weights and thresholds
/// as `f32` numbers, which JSON carries exactly), so a loaded model predicts bit for bit as
/// the saved one on the same device.
///
/// Layout (format version 1): `format` (`"hearth-model"`), `format_version`,
/// `hearth_version`, `task`, `head` (binary: one logit; multiclass: one per class;
/// regression: one standardised value), `config` ([`TrainConfig`]), `pipeline`
/// ([`FittedPipeline`]), then either `weights` ([`Weights`]: per dense layer a row-major
/// `[inputs][outputs]` matrix and a bias, then the layer norms) or `booster` ([`Booster`]:
/// base scores and trees), then `training` ([`TrainingSummary`]), `valid_metrics` and
/// `test_metrics`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ModelFile {
    pub format: String,
    pub format_version: u32,
    pub hearth_version: String,
    pub task: Task,
    pub head: Head,
    pub config: TrainConfig,
    pub pipeline: FittedPipeline,
    /// The network's weights or the trees (one key of the file: `weights` or `booster`).
    #[serde(flatten)]
    pub fitted: Fitted,
    pub training: TrainingSummary,
    /// The best epoch's validation metrics (those of the saved weights).
    pub valid_metrics: Option<Metrics>,
    pub test_metrics: Option<Metrics>,
    /// The distribution of the model's answers on the test split, for prediction drift (absent
    /// without a test split, and in files written before Hearth kept it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_answers: Option<ColumnReference>,
}

/// What a model file holds besides its preprocessing: a network, gradient-boosted trees, or a
/// weighted ensemble of them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Fitted {
    Weights(Weights),
    Booster(Booster),
    /// Members whose outputs (probabilities, or the standardised value) are averaged with
    /// their weights; no member is itself an ensemble.
    Ensemble(Vec<Member>),
}

/// One model of an ensemble.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Member {
    /// Its share of the average (the members' weights sum to 1).
    pub weight: f32,
    /// The family and settings it was trained with.
    pub model: ModelKind,
    /// The search trial it came from, when it came from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial: Option<usize>,
    #[serde(flatten)]
    pub fitted: Fitted,
}

/// Each part's outputs times its weight, summed in the parts' order (the order the exported
/// graph adds them in, so that host and graph round alike): how an ensemble blends its members'
/// outputs. `None` without parts or when their lengths differ.
pub fn weighted_sum<O: AsRef<[f32]>>(
    parts: impl IntoIterator<Item = (f32, O)>,
) -> Option<Vec<f32>> {
    let mut total: Option<Vec<f32>> = None;
    for (weight, outputs) in parts {
        let outputs = outputs.as_ref();
        match &mut total {
            None => total = Some(outputs.iter().map(|v| weight * v).collect()),
            Some(sum) if sum.len() == outputs.len() => {
                for (s, v) in sum.iter_mut().zip(outputs) {
                    *s += weight * v;
                }
            }
            Some(_) => return None,
        }
    }
    total
}

/// How far the members' weights may sum from 1 (they are rounded shares of a selection).
const WEIGHT_SUM_TOLERANCE: f32 = 1e-4;

/// Predictions for many rows.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Predictions {
    /// `width` outputs per row: class probabilities (of class 1 only for binary) or the
    /// standardised regression value.
    pub outputs: Vec<f32>,
    pub width: usize,
    /// The decoded prediction of each row.
    pub predictions: Vec<Prediction>,
}

impl ModelFile {
    /// The trainer's best weights (read back once) with its pipeline, config and history.
    pub async fn from_trainer(
        trainer: &Trainer,
        test: Option<TestResult>,
        device: Option<String>,
    ) -> Result<ModelFile, TrainError> {
        let fitted = match trainer.best_booster() {
            Some(booster) => Fitted::Booster(booster),
            None => Fitted::Weights(trainer.best_weights().await?),
        };
        let best = trainer.best();
        Ok(ModelFile {
            format: MODEL_FORMAT.to_string(),
            format_version: MODEL_FORMAT_VERSION,
            hearth_version: env!("CARGO_PKG_VERSION").to_string(),
            task: trainer.pipeline().task,
            head: trainer.head().clone(),
            config: trainer.config().clone(),
            pipeline: trainer.pipeline().clone(),
            fitted,
            training: TrainingSummary {
                epochs_run: trainer.epoch(),
                best_epoch: best.map_or(0, |b| b.epoch),
                stop_reason: trainer.finished_reason(),
                device,
                history: trainer.history().to_vec(),
            },
            valid_metrics: best.and_then(|b| b.valid_metrics.clone()),
            test_metrics: test.as_ref().map(|t| t.metrics.clone()),
            test_answers: test.map(|t| t.answers),
        })
    }

    /// Compact JSON (the weights make pretty-printing long).
    pub fn to_json(&self) -> Result<String, TrainError> {
        self.check()?;
        serde_json::to_string(self).map_err(|error| TrainError::model_file(error.to_string()))
    }

    /// Reads and checks a model file.
    pub fn from_json(text: &str) -> Result<ModelFile, TrainError> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            format_version: Option<u32>,
        }
        let header: Header = serde_json::from_str(text).map_err(|error| {
            TrainError::model_file(format!("it is not a JSON object ({error})"))
        })?;
        if header.format.as_deref() != Some(MODEL_FORMAT) {
            return Err(TrainError::model_file(
                "it is not a Hearth model (its \"format\" is not \"hearth-model\")",
            ));
        }
        if let Some(version) = header.format_version
            && version > MODEL_FORMAT_VERSION
        {
            return Err(TrainError::model_file(format!(
                "it was written by a newer Hearth (format version {version}; this one reads up to {MODEL_FORMAT_VERSION})"
            )));
        }
        let file: ModelFile = serde_json::from_str(text)
            .map_err(|error| TrainError::model_file(error.to_string()))?;
        file.check()?;
        Ok(file)
    }

    /// Checks that the parts fit together: weights or trees (every member's, for an
    /// ensemble), pipeline width, task and head.
    pub fn check(&self) -> Result<(), TrainError> {
        match &self.fitted {
            Fitted::Ensemble(members) => {
                if members.is_empty() {
                    return Err(TrainError::model_file("its ensemble has no member"));
                }
                let mut total = 0.0f32;
                for (i, member) in members.iter().enumerate() {
                    if !(member.weight.is_finite() && member.weight > 0.0) {
                        return Err(TrainError::model_file(format!(
                            "ensemble member {} has weight {}, not a positive number",
                            i + 1,
                            member.weight
                        )));
                    }
                    total += member.weight;
                    if matches!(member.fitted, Fitted::Ensemble(_)) {
                        return Err(TrainError::model_file(format!(
                            "ensemble member {} is itself an ensemble",
                            i + 1
                        )));
                    }
                    self.check_single(&member.fitted)
                        .map_err(|error| match error {
                            TrainError::ModelFile { problem } => TrainError::model_file(format!(
                                "ensemble member {}: {problem}",
                                i + 1
                            )),
                            other => other,
                        })?;
                }
                if (total - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
                    return Err(TrainError::model_file(format!(
                        "its ensemble weights sum to {total}, not 1"
                    )));
                }
                Ok(())
            }
            single => self.check_single(single),
        }
    }

    /// [`ModelFile::check`] for a network or trees.
    fn check_single(&self, fitted: &Fitted) -> Result<(), TrainError> {
        let (what, inputs, outputs) = match fitted {
            Fitted::Weights(weights) => {
                weights.validate()?;
                let arch = &weights.architecture;
                ("network", arch.inputs, arch.outputs)
            }
            Fitted::Booster(booster) => {
                booster
                    .check()
                    .map_err(|error| TrainError::model_file(error.to_string()))?;
                if booster.objective != trees::objective_of(&self.head) {
                    return Err(TrainError::model_file(format!(
                        "its trees fit {} but its task needs another objective",
                        booster.objective.name()
                    )));
                }
                ("trees", booster.features, booster.outputs())
            }
            Fitted::Ensemble(_) => {
                return Err(TrainError::model_file("an ensemble cannot be a member"));
            }
        };
        if inputs != self.pipeline.width() {
            return Err(TrainError::model_file(format!(
                "the {what} take {inputs} features but the pipeline makes {}",
                self.pipeline.width()
            )));
        }
        if outputs != self.head.outputs() {
            return Err(TrainError::model_file(format!(
                "the {what} have {outputs} outputs but its task needs {}",
                self.head.outputs()
            )));
        }
        let fits = match (&self.head, &self.pipeline.target_encoding) {
            (Head::Binary, TargetEncoding::Labels { classes }) => classes.len() == 2,
            (Head::Multiclass { classes: n }, TargetEncoding::Labels { classes }) => {
                classes.len() == *n
            }
            (Head::Regression { .. }, TargetEncoding::Regression { .. }) => true,
            _ => false,
        };
        if !fits || self.pipeline.task != self.task {
            return Err(TrainError::model_file(
                "its task, output layer and target encoding do not agree",
            ));
        }
        Ok(())
    }

    /// The network's weights, or an error saying that the model is trees (for what applies
    /// to networks only: pruning, quantization, fine-tuning).
    pub fn weights(&self) -> Result<&Weights, TrainError> {
        match &self.fitted {
            Fitted::Weights(weights) => Ok(weights),
            Fitted::Booster(_) => Err(TrainError::setting(
                "model",
                "this applies to networks, and the model is gradient-boosted trees",
            )),
            Fitted::Ensemble(_) => Err(TrainError::setting(
                "model",
                "this applies to one network, and the model is an ensemble",
            )),
        }
    }

    /// The trees, when the model is gradient-boosted trees.
    pub fn booster(&self) -> Option<&Booster> {
        match &self.fitted {
            Fitted::Booster(booster) => Some(booster),
            Fitted::Weights(_) | Fitted::Ensemble(_) => None,
        }
    }

    /// The members, when the model is an ensemble.
    pub fn members(&self) -> Option<&[Member]> {
        match &self.fitted {
            Fitted::Ensemble(members) => Some(members),
            Fitted::Weights(_) | Fitted::Booster(_) => None,
        }
    }

    /// An ensemble of `members` (trained on the same preprocessing, each with its weight and
    /// trial number), described by the first: its config, head and training summary. The
    /// validation metrics are the caller's (those of the blend), the test metrics are measured
    /// here when `test` is given.
    pub async fn ensemble(
        members: Vec<(f32, Option<usize>, ModelFile)>,
        valid_metrics: Option<Metrics>,
        device: &Device,
        test: Option<&super::examples::Examples>,
    ) -> Result<ModelFile, TrainError> {
        let Some((_, _, first)) = members.first() else {
            return Err(TrainError::model_file("its ensemble has no member"));
        };
        let mut file = first.clone();
        if members
            .iter()
            .any(|(_, _, m)| m.pipeline != first.pipeline || m.head != first.head)
        {
            return Err(TrainError::model_file(
                "its ensemble members were not trained on the same preprocessing",
            ));
        }
        let labels: Vec<String> = members
            .iter()
            .map(|(weight, trial, m)| {
                let name = trial.map_or_else(|| m.config.model.label(), |t| format!("trial {t}"));
                format!("{name} ×{weight:.2}")
            })
            .collect();
        file.fitted = Fitted::Ensemble(
            members
                .into_iter()
                .map(|(weight, trial, m)| Member {
                    weight,
                    model: m.config.model,
                    trial,
                    fitted: m.fitted,
                })
                .collect(),
        );
        file.training.stop_reason = Some(format!("ensemble of {}", labels.join(", ")));
        file.valid_metrics = valid_metrics;
        file.check()?;
        let result = match test {
            Some(test) => {
                let outputs = file.predict_matrix(device, &test.features).await?;
                Some(TestResult::from_outputs(
                    &file.head,
                    &file.pipeline,
                    &outputs,
                    test,
                ))
            }
            None => None,
        };
        file.test_metrics = result.as_ref().map(|t| t.metrics.clone());
        file.test_answers = result.map(|t| t.answers);
        Ok(file)
    }

    /// The network on `device` (without autodiff).
    pub fn network(&self, device: &Device) -> Result<Network, TrainError> {
        Network::from_weights(self.weights()?, &device.clone().without_autodiff())
    }

    /// The head's outputs for a feature matrix (see [`Predictions::outputs`]), one readback.
    pub async fn predict_matrix(
        &self,
        device: &Device,
        features: &Matrix,
    ) -> Result<Vec<f32>, TrainError> {
        match &self.fitted {
            Fitted::Ensemble(members) => {
                let width = features.rows * self.head.outputs();
                let mut parts = Vec::with_capacity(members.len());
                for member in members {
                    let outputs = self
                        .predict_single(&member.fitted, device, features)
                        .await?;
                    if outputs.len() != width {
                        return Err(TrainError::model_file(
                            "an ensemble member gives outputs of another width",
                        ));
                    }
                    parts.push((member.weight, outputs));
                }
                weighted_sum(parts)
                    .ok_or_else(|| TrainError::model_file("its ensemble has no member"))
            }
            single => self.predict_single(single, device, features).await,
        }
    }

    /// A network's or trees' outputs (an ensemble member's, or the whole model's).
    async fn predict_single(
        &self,
        fitted: &Fitted,
        device: &Device,
        features: &Matrix,
    ) -> Result<Vec<f32>, TrainError> {
        match fitted {
            Fitted::Booster(booster) => trees::predict(booster, features),
            Fitted::Weights(weights) => {
                let device = device.clone().without_autodiff();
                let network = Network::from_weights(weights, &device)?;
                infer(&network, &self.head, &device, features).await
            }
            Fitted::Ensemble(_) => Err(TrainError::model_file("an ensemble cannot be a member")),
        }
    }

    /// Predictions for raw rows: `rows[r][i]` is the field of `pipeline.columns[i]` as read
    /// from a CSV (`None` or a missing marker = missing), as for
    /// [`FittedPipeline::transform_row`].
    pub async fn predict_rows(
        &self,
        device: &Device,
        rows: &[Vec<Option<&str>>],
    ) -> Result<Predictions, TrainError> {
        let cols = self.pipeline.width();
        let mut values = Vec::with_capacity(rows.len().saturating_mul(cols));
        for row in rows {
            values.extend(self.pipeline.transform_row(row));
        }
        let matrix = Matrix {
            rows: rows.len(),
            cols,
            values,
            feature_names: self.pipeline.feature_names.clone(),
        };
        self.predict_features(device, &matrix).await
    }

    /// Predictions for every row of a dataset (which needs the columns the pipeline reads;
    /// the target may be absent).
    pub async fn predict_dataset(
        &self,
        device: &Device,
        dataset: &Dataset,
    ) -> Result<Predictions, TrainError> {
        let rows: Vec<usize> = (0..dataset.rows).collect();
        let matrix = self.pipeline.transform_dataset(dataset, &rows)?;
        self.predict_features(device, &matrix).await
    }

    async fn predict_features(
        &self,
        device: &Device,
        matrix: &Matrix,
    ) -> Result<Predictions, TrainError> {
        let outputs = self.predict_matrix(device, matrix).await?;
        let width = self.head.outputs();
        let predictions = outputs
            .chunks(width.max(1))
            .map(|row| {
                self.pipeline
                    .decode_prediction(row)
                    .unwrap_or(Prediction::Value { value: f64::NAN })
            })
            .collect();
        Ok(Predictions {
            outputs,
            width,
            predictions,
        })
    }
}
