//! The epoch-stepping trainer.

use burn::module::Module;
use burn::optim::{
    AdamConfig, AdamWConfig, GradientsParams, ModuleOptimizer, SgdConfig, decay::WeightDecayConfig,
    momentum::MomentumConfig,
};
use burn::tensor::{Device, Int, Tensor, TensorData, Transaction};
use serde::{Deserialize, Serialize};

use super::config::{ModelKind, OptimizerKind, TrainConfig};
use super::error::TrainError;
use super::metrics::{self, Metrics, Monitor};
use super::model::{Architecture, Head, Network, Weights, class_weights, readback_error};
use super::report::EpochReport;
use crate::clock::Stopwatch;
use crate::data::{Dataset, Task};
use crate::prep::{FittedPipeline, Matrix, Prepared, TargetEncoding, Targets};
use crate::rng::SplitMix64;

/// Regression: `(predicted, actual)` on the target's original scale for at most `limit`
/// examples spread evenly over all of them, from read-back outputs (what a residual plot
/// draws); empty for classification. Taking the first rows instead would show only the start
/// of the file whenever the test split keeps the file's order.
pub fn regression_points(
    pipeline: &FittedPipeline,
    outputs: &[f32],
    examples: &Examples,
    limit: usize,
) -> Vec<(f64, f64)> {
    match &examples.targets {
        Targets::Classes(_) => Vec::new(),
        Targets::Values(values) => spread(outputs.len().min(values.len()), limit)
            .filter_map(|row| Some((*outputs.get(row)?, *values.get(row)?)))
            .map(|(predicted, actual)| {
                (
                    pipeline.decode_value(predicted),
                    pipeline.decode_value(actual),
                )
            })
            .collect(),
    }
}

/// `min(count, limit)` distinct indices below `count`, evenly spaced from the first to near the
/// last, in increasing order (all of them when `count <= limit`).
pub fn spread(count: usize, limit: usize) -> impl Iterator<Item = usize> {
    let taken = count.min(limit);
    // u128: `i * count` overflows usize only for absurd sizes, but nothing here may panic.
    (0..taken).map(move |i| (i as u128 * count as u128 / taken as u128) as usize)
}

/// Rows per forward pass when evaluating (bounds device memory on large validation sets).
const EVAL_CHUNK: usize = 8192;

/// Feature rows with their encoded targets (as [`FittedPipeline::encode_targets`] gives them).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Examples {
    pub features: Matrix,
    pub targets: Targets,
}

impl Examples {
    /// The given dataset rows, transformed and with their targets encoded.
    pub fn from_rows(
        pipeline: &FittedPipeline,
        dataset: &Dataset,
        rows: &[usize],
    ) -> Result<Examples, TrainError> {
        Ok(Examples {
            features: pipeline.transform_dataset(dataset, rows)?,
            targets: pipeline.encode_targets(dataset, rows)?,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.features.rows
    }

    /// The examples at `rows` (indices into these examples, in the order given; indices past
    /// the end are skipped).
    pub fn subset(&self, rows: &[usize]) -> Examples {
        let rows: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&r| r < self.features.rows)
            .collect();
        let cols = self.features.cols;
        let mut values = Vec::with_capacity(rows.len() * cols);
        for &r in &rows {
            values.extend_from_slice(self.features.row(r));
        }
        let targets = match &self.targets {
            Targets::Classes(c) => {
                Targets::Classes(rows.iter().filter_map(|&r| c.get(r).copied()).collect())
            }
            Targets::Values(v) => {
                Targets::Values(rows.iter().filter_map(|&r| v.get(r).copied()).collect())
            }
        };
        Examples {
            features: Matrix {
                rows: rows.len(),
                cols,
                values,
                feature_names: self.features.feature_names.clone(),
            },
            targets,
        }
    }

    fn target_len(&self) -> usize {
        match &self.targets {
            Targets::Classes(c) => c.len(),
            Targets::Values(v) => v.len(),
        }
    }

    /// Checks the examples against the pipeline: width, target kind and range, row counts.
    fn check(&self, part: &str, pipeline: &FittedPipeline) -> Result<(), TrainError> {
        let m = &self.features;
        if m.cols != pipeline.width() {
            return Err(TrainError::data(
                part,
                format!(
                    "it has {} features but the pipeline makes {}",
                    m.cols,
                    pipeline.width()
                ),
            ));
        }
        if m.cols == 0 {
            return Err(TrainError::data(
                part,
                "the preprocessing kept no feature to learn from",
            ));
        }
        if m.values.len() != m.rows.saturating_mul(m.cols) {
            return Err(TrainError::data(
                part,
                "its matrix does not hold rows × features values",
            ));
        }
        if self.target_len() != m.rows {
            return Err(TrainError::data(
                part,
                format!("it has {} rows but {} targets", m.rows, self.target_len()),
            ));
        }
        if !m.values.iter().all(|v| v.is_finite()) {
            return Err(TrainError::data(part, "a feature value is not finite"));
        }
        match (&pipeline.target_encoding, &self.targets) {
            (TargetEncoding::Labels { classes }, Targets::Classes(labels)) => {
                if let Some(&bad) = labels.iter().find(|&&l| l as usize >= classes.len()) {
                    return Err(TrainError::data(
                        part,
                        format!("class {bad} is not one of the {} classes", classes.len()),
                    ));
                }
            }
            (TargetEncoding::Regression { .. }, Targets::Values(values)) => {
                if !values.iter().all(|v| v.is_finite()) {
                    return Err(TrainError::data(part, "a target value is not finite"));
                }
            }
            _ => {
                return Err(TrainError::data(
                    part,
                    "its targets do not match the task (classes for classification, values for regression)",
                ));
            }
        }
        Ok(())
    }
}

/// The train / validation / test examples of a [`Prepared`] dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingData {
    pub train: Examples,
    /// `None` when the split has no validation rows.
    pub valid: Option<Examples>,
    /// `None` when the split has no test rows.
    pub test: Option<Examples>,
    /// Messages for the user (e.g. which fold validates under cross-validation).
    pub notes: Vec<String>,
}

impl TrainingData {
    /// Transforms the split's rows. With cross-validation folds and no validation split, the
    /// first fold validates and the other folds train (one run; the others are for a search).
    pub fn from_prepared(
        prepared: &Prepared,
        dataset: &Dataset,
    ) -> Result<TrainingData, TrainError> {
        let pipeline = &prepared.pipeline;
        let split = &prepared.split;
        let mut notes = Vec::new();
        let (train_rows, valid_rows) = match split.folds.first() {
            Some(fold) if split.valid.is_empty() => {
                notes.push(format!(
                    "Cross-validation split: fold 1 of {} ({} rows) validates this run.",
                    split.folds.len(),
                    fold.len()
                ));
                (split.fold_train(0), fold.clone())
            }
            _ => (split.train.clone(), split.valid.clone()),
        };
        let part = |rows: &[usize]| -> Result<Option<Examples>, TrainError> {
            if rows.is_empty() {
                Ok(None)
            } else {
                Examples::from_rows(pipeline, dataset, rows).map(Some)
            }
        };
        let train = Examples::from_rows(pipeline, dataset, &train_rows)?;
        Ok(TrainingData {
            train,
            valid: part(&valid_rows)?,
            test: part(&split.test)?,
            notes,
        })
    }
}

/// The best epoch so far: its weights (a snapshot without autodiff) and report.
struct Best {
    model: Network,
    report: EpochReport,
}

/// Training data as the trainer needs it on the host.
struct HostSet {
    examples: Examples,
    /// Per-row loss weights (class weights), when used.
    row_weights: Option<Vec<f32>>,
}

/// Trains a network epoch by epoch. Every method that reads from the device is `async` and
/// reads once (a synchronous readback panics in a browser): [`Trainer::next_epoch`] runs the
/// epoch's steps without reading anything back, then reads the epoch's loss and the
/// validation predictions in one transaction.
///
/// Driving it from an async loop (a Web Worker or the CLI):
///
/// ```ignore
/// let mut trainer = Trainer::new(device, &prepared.pipeline, data.train, data.valid, &config)?;
/// while !trainer.done() {
///     let report = trainer.next_epoch().await?; // post it to the page
///     if stop_requested() { trainer.stop(); }
/// }
/// let test = trainer.evaluate(&test_examples).await?; // with the best epoch's weights
/// let file = ModelFile::from_trainer(&trainer, Some(test), Some("WebGPU".into())).await?;
/// let bytes = file.to_json()?; // the .hearth file
/// ```
pub struct Trainer {
    device: Device,
    config: TrainConfig,
    head: Head,
    pipeline: FittedPipeline,
    model: Option<Network>,
    optimizer: ModuleOptimizer,
    train: HostSet,
    valid: Option<HostSet>,
    shuffle_rng: SplitMix64,
    dropout_rng: SplitMix64,
    dropout: f64,
    epoch: usize,
    step: usize,
    best: Option<Best>,
    since_best: usize,
    stopped: bool,
    history: Vec<EpochReport>,
    /// Pruning masks re-applied after every step (see [`Trainer::set_weight_masks`]).
    weight_masks: Option<Vec<Tensor<2>>>,
}

/// Seed offsets, so that the weights, the batch order and dropout draw independent streams.
const INIT_STREAM: u64 = 0x5EED_0001;
const SHUFFLE_STREAM: u64 = 0x5EED_0002;
const DROPOUT_STREAM: u64 = 0x5EED_0003;

impl Trainer {
    /// A trainer for the pipeline's task on `device` (CPU or GPU; autodiff is enabled here).
    /// Checks the settings and the data; draws the initial weights from `config.seed`.
    pub fn new(
        device: Device,
        pipeline: &FittedPipeline,
        train: Examples,
        valid: Option<Examples>,
        config: &TrainConfig,
    ) -> Result<Trainer, TrainError> {
        let weights = initial_weights(pipeline, &train, config)?;
        Trainer::with_weights(device, pipeline, train, valid, config, &weights)
    }

    /// Like [`Trainer::new`], starting from given weights (which must fit the data and the
    /// config's model family).
    pub fn with_weights(
        device: Device,
        pipeline: &FittedPipeline,
        train: Examples,
        valid: Option<Examples>,
        config: &TrainConfig,
        weights: &Weights,
    ) -> Result<Trainer, TrainError> {
        config.validate()?;
        let head = head_of(pipeline, config)?;
        train.check("training", pipeline)?;
        if train.rows() == 0 {
            return Err(TrainError::data("training", "it has no rows"));
        }
        let valid = match valid {
            Some(v) if v.rows() > 0 => {
                v.check("validation", pipeline)?;
                Some(v)
            }
            _ => None,
        };
        let expected = Architecture::new(&config.model, train.features.cols, head.outputs());
        if weights.architecture != expected {
            return Err(TrainError::data(
                "training",
                "the starting weights do not fit the model settings and the data",
            ));
        }
        let device = device.autodiff();
        let model = Network::from_weights(weights, &device)?;
        let weights_by_class = match (&train.targets, config.class_weights, head.classes()) {
            (Targets::Classes(labels), true, classes) if classes > 0 => {
                Some(class_weights(labels, classes))
            }
            _ => None,
        };
        let row_weights = |examples: &Examples| -> Option<Vec<f32>> {
            let by_class = weights_by_class.as_ref()?;
            match &examples.targets {
                Targets::Classes(labels) => Some(
                    labels
                        .iter()
                        .map(|&l| by_class.get(l as usize).copied().unwrap_or(0.0))
                        .collect(),
                ),
                Targets::Values(_) => None,
            }
        };
        let train = HostSet {
            row_weights: row_weights(&train),
            examples: train,
        };
        let valid = valid.map(|examples| HostSet {
            row_weights: row_weights(&examples),
            examples,
        });
        let dropout = match config.model {
            ModelKind::Mlp { dropout, .. } => dropout,
            ModelKind::Linear => 0.0,
        };
        Ok(Trainer {
            device,
            optimizer: optimizer(config),
            head,
            pipeline: pipeline.clone(),
            model: Some(model),
            train,
            valid,
            shuffle_rng: SplitMix64::new(config.seed ^ SHUFFLE_STREAM),
            dropout_rng: SplitMix64::new(config.seed ^ DROPOUT_STREAM),
            dropout,
            epoch: 0,
            step: 0,
            best: None,
            since_best: 0,
            stopped: false,
            history: Vec::new(),
            config: config.clone(),
            weight_masks: None,
        })
    }

    /// Holds pruned weights at zero while training (fine-tuning after pruning,
    /// `compress::Pruner`): after every optimisation step each dense layer's weight is
    /// multiplied by its mask, `masks[layer]` in the weights' row-major `[inputs][outputs]`
    /// layout with 1 for kept and 0 for removed. The parameters keep their ids, so the
    /// optimiser's state carries over.
    pub fn set_weight_masks(&mut self, masks: &[Vec<f32>]) -> Result<(), TrainError> {
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

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn head(&self) -> &Head {
        &self.head
    }

    /// Epochs run so far.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Every epoch's report so far.
    pub fn history(&self) -> &[EpochReport] {
        &self.history
    }

    /// The best epoch's report (that of the weights kept), once an epoch has run.
    pub fn best(&self) -> Option<&EpochReport> {
        self.best.as_ref().map(|best| &best.report)
    }

    /// What early stopping watches.
    pub fn monitor(&self) -> Monitor {
        match (&self.valid, &self.head) {
            (None, _) => Monitor::TrainLoss,
            (Some(_), Head::Regression { .. }) => Monitor::ValidRmse,
            (Some(_), _) => Monitor::ValidLoss,
        }
    }

    /// Why training is over, if it is: every epoch ran, patience ran out, or [`Trainer::stop`].
    pub fn finished_reason(&self) -> Option<String> {
        if self.stopped {
            Some("stopped by request".to_string())
        } else if self.epoch >= self.config.epochs {
            Some(format!("all {} epochs ran", self.config.epochs))
        } else if self.config.patience > 0 && self.since_best >= self.config.patience {
            Some(format!(
                "no improvement of the {} for {} epochs",
                self.monitor().name(),
                self.since_best
            ))
        } else {
            None
        }
    }

    /// Whether training is over; the best epoch's weights are then the model.
    pub fn done(&self) -> bool {
        self.finished_reason().is_some()
    }

    /// Ends training early (the best weights so far are kept).
    pub fn stop(&mut self) {
        self.stopped = true;
    }

    /// Rows per step and steps per epoch.
    fn batching(&self) -> (usize, usize) {
        let rows = self.train.examples.rows();
        let batch = self.config.batch_size.clamp(1, rows.max(1));
        (batch, rows.div_ceil(batch))
    }

    /// One optimisation step on the given training rows. Returns the batch's loss sum and,
    /// with class weights, its weight sum (otherwise the weight is the row count), detached,
    /// still on the device (nothing is read back).
    fn train_step(&mut self, rows: &[usize]) -> Result<(Tensor<1>, Option<Tensor<1>>), TrainError> {
        let Some(model) = self.model.take() else {
            return Err(TrainError::Finished {
                reason: "an earlier step failed".to_string(),
            });
        };
        let (_, steps_per_epoch) = self.batching();
        let lr = self.config.learning_rate_at(self.step, steps_per_epoch);
        let batch = upload_batch(&self.train, rows, &self.head, &self.device);
        let masks = self.dropout_masks(rows.len(), model.architecture());
        let outputs = model.forward(batch.features, masks.as_deref());
        let losses = self
            .head
            .row_losses(outputs, batch.float_targets, batch.class_targets);
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

    /// Runs one epoch: the shuffled mini-batches, then the validation pass, with one readback.
    pub async fn next_epoch(&mut self) -> Result<EpochReport, TrainError> {
        if let Some(reason) = self.finished_reason() {
            return Err(TrainError::Finished { reason });
        }
        let clock = Stopwatch::start();
        let rows = self.train.examples.rows();
        let (batch, steps) = self.batching();
        let mut order: Vec<usize> = (0..rows).collect();
        self.shuffle_rng.shuffle(&mut order);
        let mut loss_total: Option<Tensor<1>> = None;
        let mut weight_total: Option<Tensor<1>> = None;
        for chunk in order.chunks(batch) {
            let (loss, weight) = self.train_step(chunk)?;
            loss_total = Some(match loss_total {
                Some(total) => total + loss,
                None => loss,
            });
            if let Some(weight) = weight {
                weight_total = Some(match weight_total {
                    Some(total) => total + weight,
                    None => weight,
                });
            }
        }
        let weighted = weight_total.is_some();
        self.epoch += 1;
        let epoch = self.epoch;
        let learning_rate = self
            .config
            .learning_rate_at(self.step.saturating_sub(1), steps);
        let Some(model) = self.model.as_ref() else {
            return Err(TrainError::Finished {
                reason: "an earlier step failed".to_string(),
            });
        };
        let snapshot = model.valid();
        // One transaction: the epoch's loss sums, then the validation outputs.
        let mut transaction = Transaction::default();
        if let Some(loss) = loss_total {
            transaction = transaction.register(loss.inner());
        }
        if let Some(weight) = weight_total {
            transaction = transaction.register(weight.inner());
        }
        let plain = self.device.clone().without_autodiff();
        let mut chunks = 0usize;
        if let Some(valid) = &self.valid {
            for (x, _) in eval_chunks(&valid.examples.features, &plain) {
                transaction = transaction.register(self.head.activate(snapshot.forward(x, None)));
                chunks += 1;
            }
        }
        let data = transaction.execute_async().await.map_err(|error| {
            readback_error(Some(&self.device), "reading an epoch's results", error)
        })?;
        let mut read = data
            .into_iter()
            .map(|d| d.try_into_vec_as::<f32>().unwrap_or_default());
        let loss_sum = read
            .next()
            .and_then(|v| v.first().copied())
            .unwrap_or(f32::NAN);
        let weight_sum = if weighted {
            read.next()
                .and_then(|v| v.first().copied())
                .map_or(f64::NAN, f64::from)
        } else {
            rows as f64
        };
        let train_loss = f64::from(loss_sum) / weight_sum;
        if !train_loss.is_finite() {
            self.stopped = true;
            return Err(TrainError::Diverged { epoch });
        }
        let outputs: Vec<f32> = read.take(chunks).flatten().collect();
        let (valid_loss, valid_metrics) = match &self.valid {
            Some(valid) => {
                if outputs.len() != valid.examples.rows() * self.head.outputs()
                    || !outputs.iter().all(|v| v.is_finite())
                {
                    self.stopped = true;
                    return Err(TrainError::Diverged { epoch });
                }
                let loss = host_loss(&self.head, &outputs, valid);
                let metrics =
                    evaluate_outputs(&self.head, &self.pipeline, &outputs, &valid.examples);
                (Some(loss), Some(metrics))
            }
            None => (None, None),
        };
        let monitor = self.monitor();
        let monitor_value = match (&monitor, &valid_metrics, valid_loss) {
            (Monitor::ValidRmse, Some(Metrics::Regression(m)), _) => m.rmse,
            (Monitor::ValidLoss, _, Some(loss)) => loss,
            _ => train_loss,
        };
        let is_best = self
            .best
            .as_ref()
            .is_none_or(|best| monitor_value < best.report.monitor_value);
        if is_best {
            self.since_best = 0;
        } else {
            self.since_best += 1;
        }
        let best_epoch = if is_best {
            epoch
        } else {
            self.best.as_ref().map_or(epoch, |b| b.report.epoch)
        };
        let elapsed_ms = clock.elapsed_ms();
        let report = EpochReport {
            epoch,
            train_loss,
            valid_loss,
            valid_metrics,
            monitor,
            monitor_value,
            is_best,
            best_epoch,
            learning_rate,
            steps,
            rows,
            elapsed_ms,
            samples_per_sec: if elapsed_ms > 0.0 {
                rows as f64 * 1000.0 / elapsed_ms
            } else {
                0.0
            },
        };
        if is_best {
            self.best = Some(Best {
                model: snapshot,
                report: report.clone(),
            });
        }
        self.history.push(report.clone());
        Ok(report)
    }

    /// The model to use: the best epoch's weights (the current ones before any epoch).
    pub fn best_network(&self) -> Option<Network> {
        match (&self.best, &self.model) {
            (Some(best), _) => Some(best.model.clone()),
            (None, Some(model)) => Some(model.valid()),
            (None, None) => None,
        }
    }

    /// Metrics of the best weights on other examples (the test split), with one readback.
    pub async fn evaluate(&self, examples: &Examples) -> Result<Metrics, TrainError> {
        examples.check("evaluation", &self.pipeline)?;
        let outputs = self.predict(&examples.features).await?;
        Ok(evaluate_outputs(
            &self.head,
            &self.pipeline,
            &outputs,
            examples,
        ))
    }

    /// The best weights' outputs for a feature matrix (probabilities per class, or of class 1
    /// for binary; the standardised value for regression), `outputs()` per row, one readback.
    pub async fn predict(&self, features: &Matrix) -> Result<Vec<f32>, TrainError> {
        let network = self.best_network().ok_or_else(|| TrainError::Finished {
            reason: "an earlier step failed".to_string(),
        })?;
        infer(
            &network,
            &self.head,
            &self.device.clone().without_autodiff(),
            features,
        )
        .await
    }

    /// The best weights, read back in one transaction.
    pub async fn best_weights(&self) -> Result<Weights, TrainError> {
        let network = self.best_network().ok_or_else(|| TrainError::Finished {
            reason: "an earlier step failed".to_string(),
        })?;
        network.weights().await
    }

    /// The current (last step's) weights, read back in one transaction.
    pub async fn current_weights(&self) -> Result<Weights, TrainError> {
        match &self.model {
            Some(model) => model.valid().weights().await,
            None => Err(TrainError::Finished {
                reason: "an earlier step failed".to_string(),
            }),
        }
    }

    /// Runs `steps` training steps on the first rows (wrapping around), then one readback;
    /// returns milliseconds per step including that readback. For timing a device: it trains
    /// the weights, so use a throwaway trainer.
    pub async fn time_steps(&mut self, steps: usize) -> Result<f64, TrainError> {
        let rows = self.train.examples.rows();
        let (batch, _) = self.batching();
        let clock = Stopwatch::start();
        let mut total: Option<Tensor<1>> = None;
        for s in 0..steps {
            let chunk: Vec<usize> = (0..batch).map(|i| (s * batch + i) % rows.max(1)).collect();
            let (loss, _) = self.train_step(&chunk)?;
            total = Some(match total {
                Some(t) => t + loss,
                None => loss,
            });
        }
        if let Some(total) = total {
            total.inner().into_data_async().await.map_err(|error| {
                readback_error(Some(&self.device), "timing training steps", error)
            })?;
        }
        Ok(clock.elapsed_ms() / steps.max(1) as f64)
    }

    pub(crate) fn pipeline(&self) -> &FittedPipeline {
        &self.pipeline
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
        examples: examples.clone(),
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

/// The task's output head, checked against the pipeline.
fn head_of(pipeline: &FittedPipeline, config: &TrainConfig) -> Result<Head, TrainError> {
    match (&pipeline.target_encoding, pipeline.task) {
        (
            TargetEncoding::Labels { classes },
            Task::BinaryClassification | Task::MulticlassClassification,
        ) => {
            if classes.len() < 2 {
                return Err(TrainError::data(
                    "training",
                    "classification needs at least two classes",
                ));
            }
            let task = if classes.len() == 2 {
                Task::BinaryClassification
            } else {
                Task::MulticlassClassification
            };
            Ok(Head::new(task, classes.len(), config.loss))
        }
        (TargetEncoding::Regression { .. }, Task::Regression) => {
            Ok(Head::new(Task::Regression, 0, config.loss))
        }
        _ => Err(TrainError::data(
            "training",
            "the pipeline's target encoding does not match its task",
        )),
    }
}

/// The initial weights for the data and config, drawn from `config.seed`.
pub fn initial_weights(
    pipeline: &FittedPipeline,
    train: &Examples,
    config: &TrainConfig,
) -> Result<Weights, TrainError> {
    config.validate()?;
    let head = head_of(pipeline, config)?;
    let arch = Architecture::new(&config.model, train.features.cols, head.outputs());
    Ok(Weights::init(&arch, config.seed ^ INIT_STREAM))
}

fn optimizer(config: &TrainConfig) -> ModuleOptimizer {
    let decay =
        (config.weight_decay > 0.0).then(|| WeightDecayConfig::new(config.weight_decay as f32));
    match config.optimizer {
        OptimizerKind::Adam => AdamConfig::new().with_weight_decay(decay).init(),
        OptimizerKind::AdamW => AdamWConfig::new()
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

/// A batch uploaded to the device.
struct Batch {
    features: Tensor<2>,
    float_targets: Option<Tensor<2>>,
    class_targets: Option<Tensor<2, Int>>,
    row_weights: Option<Tensor<2>>,
}

fn upload_batch(set: &HostSet, rows: &[usize], head: &Head, device: &Device) -> Batch {
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

/// The matrix in chunks of [`EVAL_CHUNK`] rows, uploaded: `(features, rows)`.
fn eval_chunks<'a>(
    matrix: &'a Matrix,
    device: &'a Device,
) -> impl Iterator<Item = (Tensor<2>, usize)> + 'a {
    let cols = matrix.cols.max(1);
    matrix.values.chunks(EVAL_CHUNK * cols).map(move |chunk| {
        let rows = chunk.len() / cols;
        (
            Tensor::from_data(TensorData::new(chunk.to_vec(), [rows, matrix.cols]), device),
            rows,
        )
    })
}

/// The head's outputs (see [`Head::activate`]) for every row of `features`, in chunks, read
/// back in one transaction. `network` must be on `device` (without autodiff).
pub async fn infer(
    network: &Network,
    head: &Head,
    device: &Device,
    features: &Matrix,
) -> Result<Vec<f32>, TrainError> {
    if features.cols != network.architecture().inputs {
        return Err(TrainError::data(
            "prediction",
            format!(
                "it has {} features but the model takes {}",
                features.cols,
                network.architecture().inputs
            ),
        ));
    }
    if features.rows == 0 {
        return Ok(Vec::new());
    }
    let mut transaction = Transaction::default();
    for (x, _) in eval_chunks(features, device) {
        transaction = transaction.register(head.activate(network.forward(x, None)));
    }
    let data = transaction
        .execute_async()
        .await
        .map_err(|error| readback_error(Some(device), "reading predictions", error))?;
    let mut outputs = Vec::with_capacity(features.rows * head.outputs());
    for chunk in data {
        let values = chunk
            .try_into_vec_as::<f32>()
            .map_err(|error| readback_error(Some(device), "reading predictions", error))?;
        outputs.extend(values);
    }
    Ok(outputs)
}

/// The mean (class-weighted when set) loss of read-back outputs.
fn host_loss(head: &Head, outputs: &[f32], set: &HostSet) -> f64 {
    let width = head.outputs();
    let mut sum = 0.0f64;
    let mut weights = 0.0f64;
    for row in 0..set.examples.rows() {
        let values = outputs
            .get(row * width..(row + 1) * width)
            .unwrap_or_default();
        let (class, value) = match &set.examples.targets {
            Targets::Classes(c) => (c.get(row).copied().unwrap_or(0), 0.0),
            Targets::Values(v) => (0, v.get(row).copied().unwrap_or(0.0)),
        };
        let w = set
            .row_weights
            .as_ref()
            .and_then(|w| w.get(row))
            .map_or(1.0, |&w| f64::from(w));
        sum += w * head.host_loss(values, class, value);
        weights += w;
    }
    if weights > 0.0 { sum / weights } else { 0.0 }
}

/// Metrics of read-back outputs against the examples' targets (regression on the target's
/// original scale).
pub fn evaluate_outputs(
    head: &Head,
    pipeline: &FittedPipeline,
    outputs: &[f32],
    examples: &Examples,
) -> Metrics {
    match &examples.targets {
        Targets::Classes(labels) => Metrics::Classification(metrics::classification_metrics(
            outputs,
            head.outputs(),
            labels,
            head.classes(),
        )),
        Targets::Values(values) => {
            let predicted: Vec<f64> = outputs.iter().map(|&y| pipeline.decode_value(y)).collect();
            let actual: Vec<f64> = values.iter().map(|&y| pipeline.decode_value(y)).collect();
            Metrics::Regression(metrics::regression_metrics(&predicted, &actual))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{IngestOptions, profile, read_csv_bytes};
    use crate::prep::{PrepConfig, fit, plan};

    #[test]
    fn spread_covers_every_part_of_the_rows() {
        let picked: Vec<usize> = spread(5_000, 2_000).collect();
        assert_eq!(picked.len(), 2_000);
        assert!(
            picked.windows(2).all(|w| w[0] < w[1]),
            "increasing, distinct"
        );
        assert_eq!(picked[0], 0);
        assert!(*picked.last().unwrap_or(&0) >= 4_997, "reaches the end");
        // Each tenth of the rows holds a tenth of the sample.
        for tenth in 0..10 {
            let inside = picked.iter().filter(|&&i| i / 500 == tenth).count();
            assert_eq!(inside, 200, "tenth {tenth}");
        }
        assert_eq!(
            spread(7, 2_000).collect::<Vec<_>>(),
            (0..7).collect::<Vec<_>>()
        );
        assert_eq!(spread(0, 2_000).count(), 0);
        assert_eq!(spread(10, 0).count(), 0);
    }

    #[test]
    fn residual_points_come_from_all_test_rows() {
        // y rises with the row number, so a point's actual value tells which row it came from.
        let mut csv = String::from("x,y\n");
        for row in 0..3_000 {
            csv.push_str(&format!("{},{}\n", row % 17, row / 2));
        }
        let dataset = match read_csv_bytes("rising.csv", csv.as_bytes(), IngestOptions::default()) {
            Ok(dataset) => dataset,
            Err(error) => panic!("{error}"),
        };
        let config = PrepConfig::default();
        let plan = match plan(&profile(&dataset), "y", Task::Regression, &config) {
            Ok(plan) => plan,
            Err(error) => panic!("{error}"),
        };
        let prepared = match fit(&dataset, &plan, &config) {
            Ok(prepared) => prepared,
            Err(error) => panic!("{error}"),
        };
        // Every row in file order: the order a test split may keep.
        let rows: Vec<usize> = (0..dataset.rows).collect();
        let examples = match Examples::from_rows(&prepared.pipeline, &dataset, &rows) {
            Ok(examples) => examples,
            Err(error) => panic!("{error}"),
        };
        let Targets::Values(values) = &examples.targets else {
            panic!("a regression target");
        };
        // A perfect model: its outputs are the encoded targets.
        let outputs = values.clone();
        let points = regression_points(&prepared.pipeline, &outputs, &examples, 100);
        assert_eq!(points.len(), 100);
        let actual: Vec<f64> = points.iter().map(|p| p.1).collect();
        assert!(actual[0] < 50.0, "starts at the first rows: {}", actual[0]);
        assert!(
            actual.iter().any(|&y| y > 1_450.0),
            "reaches the last rows, not only the first 100: max {:?}",
            actual.iter().copied().fold(f64::MIN, f64::max)
        );
        assert!(
            points
                .iter()
                .all(|(p, a)| (p - a).abs() < 1e-2 * a.abs().max(1.0))
        );
    }
}
