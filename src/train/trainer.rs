//! The epoch loop and the public [`Trainer`] API: shuffle the rows, run the epoch's steps
//! ([`Learner`]), read the epoch's loss and the validation outputs back in one transaction,
//! report the epoch and let [`EarlyStopping`] keep the best weights and say when to stop.
//!
//! The top of the training modules (burn-train's learner loop): it orders the work and owns
//! the state between epochs; the step, the batches, evaluation and early stopping each live
//! in their own module below it.

use std::sync::Arc;

use burn::module::Module;
use burn::tensor::{Device, Tensor, Transaction};

use super::batch::{EpochPlan, HostSet, TrainRows};
use super::config::{ModelKind, OptimizerKind, ROUNDS_PER_EPOCH, TrainConfig};
use super::early_stopping::{self, EarlyStopping};
use super::error::TrainError;
use super::evaluate::{TestResult, eval_chunks, evaluate_outputs, host_loss, infer};
use super::examples::Examples;
use super::gbdt::Booster;
use super::init::{SHUFFLE_STREAM, head_of, initial_weights};
use super::metrics::{Metrics, Monitor};
use super::model::{Architecture, Head, Network, Weights, class_weights, readback_error};
use super::newton::NewtonRun;
use super::report::EpochReport;
use super::step::Learner;
use super::trees::{self, TreeRun};
use crate::clock::Stopwatch;
use crate::prep::{FittedPipeline, Matrix, Targets};
use crate::rng::SplitMix64;

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
    /// What trains: a network on the device, or trees on the host.
    engine: Engine,
    train_rows: usize,
    valid: Option<HostSet>,
    epoch: usize,
    stopping: EarlyStopping<Kept>,
    /// Set by [`Trainer::judge_outside`]: the caller decides which epoch to keep and when to
    /// stop, and the latest epoch's model waits here until it does.
    outside_judge: Option<Option<Kept>>,
    /// Why training was ended before its epochs ran out, once it was.
    stopped: Option<String>,
    history: Vec<EpochReport>,
}

/// The model family's training state.
// One per trainer, so the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
enum Engine {
    Network(NetworkRun),
    /// A linear model fitted by Newton's method on the host.
    Newton(NewtonRun),
    Trees(TreeRun),
}

/// A network's training state: the optimiser, and the training rows it draws batches from
/// and the validation rows it scores, both uploaded once for the whole run.
struct NetworkRun {
    /// The network, the optimiser and what else a step changes.
    learner: Learner,
    /// The training rows, on the device (with autodiff) when they fit there.
    train: TrainRows,
    /// The validation features in chunks of `evaluate::EVAL_CHUNK` rows, on the device
    /// without autodiff, when they fit there ([`HostSet::fits_the_device`]; otherwise each
    /// epoch uploads them); empty without validation rows.
    valid: Option<Vec<Tensor<2>>>,
    shuffle_rng: SplitMix64,
}

/// The best epoch's model, as early stopping keeps it.
enum Kept {
    /// A snapshot of the weights without autodiff.
    Network(Network),
    /// The boosting rounds the trees had.
    Rounds(usize),
}

/// What one epoch's work hands the loop.
struct EpochRun {
    train_loss: f64,
    /// The validation outputs as the head reads them (empty without validation rows).
    outputs: Vec<f32>,
    learning_rate: f64,
    steps: usize,
    model: Kept,
}

impl Trainer {
    /// A trainer for the pipeline's task on `device` (CPU or GPU; autodiff is enabled here;
    /// gradient-boosted trees train on the host whatever the device). Checks the settings and
    /// the data; draws the initial weights from `config.seed`.
    pub fn new(
        device: Device,
        pipeline: &FittedPipeline,
        train: Arc<Examples>,
        valid: Option<Arc<Examples>>,
        config: &TrainConfig,
    ) -> Result<Trainer, TrainError> {
        config.validate()?;
        if let ModelKind::Gbdt(settings) = &config.model {
            let (head, train, valid) = checked(pipeline, config, train, valid)?;
            let trees = TreeRun::new(
                &head,
                settings,
                config,
                &train.examples,
                train.row_weights.as_deref(),
                &pipeline.one_hot_groups(),
                valid.as_ref().map_or(0, |v| v.examples.rows()),
            )?;
            return Ok(Trainer::assemble(
                device,
                pipeline,
                config,
                head,
                Engine::Trees(trees),
                train.examples.rows(),
                valid,
            ));
        }
        if config.optimizer == OptimizerKind::Newton {
            return Trainer::newton(device, pipeline, train, valid, config, None);
        }
        let weights = initial_weights(pipeline, &train, config)?;
        Trainer::with_weights(device, pipeline, train, valid, config, &weights)
    }

    /// A linear model fitted by Newton's method, from `start` or from zero (`config` already
    /// validated).
    fn newton(
        device: Device,
        pipeline: &FittedPipeline,
        train: Arc<Examples>,
        valid: Option<Arc<Examples>>,
        config: &TrainConfig,
        start: Option<&Weights>,
    ) -> Result<Trainer, TrainError> {
        let (head, train, valid) = checked(pipeline, config, train, valid)?;
        let rows = train.examples.rows();
        let run = NewtonRun::new(train, &head, config.weight_decay, start)?;
        Ok(Trainer::assemble(
            device.without_autodiff(),
            pipeline,
            config,
            head,
            Engine::Newton(run),
            rows,
            valid,
        ))
    }

    /// Like [`Trainer::new`], starting from given weights (which must fit the data and the
    /// config's model family, a network).
    pub fn with_weights(
        device: Device,
        pipeline: &FittedPipeline,
        train: Arc<Examples>,
        valid: Option<Arc<Examples>>,
        config: &TrainConfig,
        weights: &Weights,
    ) -> Result<Trainer, TrainError> {
        config.validate()?;
        if !config.model.is_network() {
            return Err(TrainError::setting(
                "model",
                "starting weights are for networks; gradient-boosted trees start from none",
            ));
        }
        if config.optimizer == OptimizerKind::Newton {
            return Trainer::newton(device, pipeline, train, valid, config, Some(weights));
        }
        let (head, train, valid) = checked(pipeline, config, train, valid)?;
        let expected =
            Architecture::new(&config.model, train.examples.features.cols, head.outputs());
        if weights.architecture != expected {
            return Err(TrainError::data(
                "training",
                "the starting weights do not fit the model settings and the data",
            ));
        }
        let device = device.autodiff();
        let model = Network::from_weights(weights, &device)?;
        let rows = train.examples.rows();
        let plain = device.clone().without_autodiff();
        let network = NetworkRun {
            learner: Learner::new(device.clone(), model, config),
            train: TrainRows::new(train, &head, &device),
            valid: match &valid {
                Some(valid) if !valid.fits_the_device() => None,
                Some(valid) => Some(
                    eval_chunks(&valid.examples.features, &plain)
                        .map(|(x, _)| x)
                        .collect(),
                ),
                None => Some(Vec::new()),
            },
            shuffle_rng: SplitMix64::new(config.seed ^ SHUFFLE_STREAM),
        };
        Ok(Trainer::assemble(
            device,
            pipeline,
            config,
            head,
            Engine::Network(network),
            rows,
            valid,
        ))
    }

    fn assemble(
        device: Device,
        pipeline: &FittedPipeline,
        config: &TrainConfig,
        head: Head,
        engine: Engine,
        train_rows: usize,
        valid: Option<HostSet>,
    ) -> Trainer {
        Trainer {
            device,
            config: config.clone(),
            head,
            pipeline: pipeline.clone(),
            engine,
            train_rows,
            valid,
            epoch: 0,
            stopping: EarlyStopping::default(),
            outside_judge: None,
            stopped: None,
            history: Vec::new(),
        }
    }

    /// Holds pruned weights at zero while training (fine-tuning after pruning,
    /// `compress::Pruner`): after every optimisation step each dense layer's weight is
    /// multiplied by its mask, `masks[layer]` in the weights' row-major `[inputs][outputs]`
    /// layout with 1 for kept and 0 for removed. The parameters keep their ids, so the
    /// optimiser's state carries over.
    pub fn set_weight_masks(&mut self, masks: &[Vec<f32>]) -> Result<(), TrainError> {
        match &mut self.engine {
            Engine::Network(network) => network.learner.set_weight_masks(masks),
            Engine::Newton(newton) => match masks {
                [mask] => newton.set_frozen(mask),
                _ => Err(TrainError::data(
                    "training",
                    "the pruning masks do not fit the network's dense layers",
                )),
            },
            Engine::Trees(_) => Err(not_a_network("pruning")),
        }
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
        self.stopping.best_report()
    }

    /// What early stopping watches.
    pub fn monitor(&self) -> Monitor {
        early_stopping::monitor(self.valid.is_some(), &self.head)
    }

    /// Why training is over, if it is: every epoch ran, patience ran out, or [`Trainer::stop`].
    pub fn finished_reason(&self) -> Option<String> {
        if let Some(reason) = &self.stopped {
            Some(reason.clone())
        } else if self.epoch >= self.config.epochs {
            Some(format!("all {} epochs ran", self.config.epochs))
        } else {
            let patience = self.stopping.out_of_patience(self.config.patience);
            patience.map(|since_best| {
                format!(
                    "no improvement of the {} for {} epochs",
                    self.monitor().name(),
                    since_best
                )
            })
        }
    }

    /// Whether training is over; the best epoch's weights are then the model.
    pub fn done(&self) -> bool {
        self.finished_reason().is_some()
    }

    /// Ends training early (the best weights so far are kept).
    pub fn stop(&mut self) {
        self.stop_because("stopped by request");
    }

    /// Ends training early, saying why (e.g. a refit stopping at its trial's best epoch).
    pub fn stop_because(&mut self, reason: &str) {
        self.stopped = Some(reason.to_string());
    }

    /// Runs one epoch (a network's shuffled mini-batches, or the trees' next rounds), then the
    /// validation pass, with one readback.
    pub async fn next_epoch(&mut self) -> Result<EpochReport, TrainError> {
        if let Some(reason) = self.finished_reason() {
            return Err(TrainError::Finished { reason });
        }
        let clock = Stopwatch::start();
        let epoch = self.epoch + 1;
        let run = match &mut self.engine {
            Engine::Network(network) => {
                network
                    .epoch(&self.config, &self.head, &self.device, self.valid.as_ref())
                    .await
            }
            Engine::Newton(newton) => newton.epoch(&self.head).and_then(|step| {
                let weights = newton.weights();
                let outputs = match &self.valid {
                    Some(valid) => newton.activated(&self.head, valid),
                    None => Vec::new(),
                };
                Ok(EpochRun {
                    train_loss: step.train_loss,
                    outputs,
                    learning_rate: step.step,
                    steps: 1,
                    model: Kept::Network(Network::from_weights(&weights, &self.device)?),
                })
            }),
            Engine::Trees(trees) => trees
                .epoch(self.valid.as_ref().map(|v| &v.examples.features))
                .map(|(train_loss, outputs)| EpochRun {
                    train_loss,
                    outputs,
                    learning_rate: match &self.config.model {
                        ModelKind::Gbdt(settings) => settings.learning_rate,
                        _ => self.config.learning_rate,
                    },
                    steps: ROUNDS_PER_EPOCH,
                    model: Kept::Rounds(trees.rounds()),
                }),
        };
        self.epoch = epoch;
        let run = match run {
            Ok(run) => run,
            Err(error) => {
                if matches!(error, TrainError::Diverged { .. }) {
                    self.stopped = Some("diverged".to_string());
                    return Err(TrainError::Diverged { epoch });
                }
                return Err(error);
            }
        };
        if !run.train_loss.is_finite() {
            self.stopped = Some("diverged".to_string());
            return Err(TrainError::Diverged { epoch });
        }
        let (valid_loss, valid_metrics) = match &self.valid {
            Some(valid) => {
                if run.outputs.len() != valid.examples.rows() * self.head.outputs()
                    || !run.outputs.iter().all(|v| v.is_finite())
                {
                    self.stopped = Some("diverged".to_string());
                    return Err(TrainError::Diverged { epoch });
                }
                let loss = host_loss(&self.head, &run.outputs, valid);
                let metrics =
                    evaluate_outputs(&self.head, &self.pipeline, &run.outputs, &valid.examples);
                (Some(loss), Some(metrics))
            }
            None => (None, None),
        };
        let monitor = self.monitor();
        let monitor_value =
            early_stopping::monitor_value(&monitor, &valid_metrics, valid_loss, run.train_loss);
        let (is_best, best_epoch) = match self.outside_judge {
            Some(_) => (false, self.best().map_or(epoch, |best| best.epoch)),
            None => self.stopping.judge(epoch, monitor_value),
        };
        let elapsed_ms = clock.elapsed_ms();
        let rows = self.train_rows;
        let report = EpochReport {
            epoch,
            train_loss: run.train_loss,
            valid_loss,
            valid_metrics,
            monitor,
            monitor_value,
            is_best,
            best_epoch,
            learning_rate: run.learning_rate,
            steps: run.steps,
            rows,
            elapsed_ms,
            samples_per_sec: if elapsed_ms > 0.0 {
                rows as f64 * 1000.0 / elapsed_ms
            } else {
                0.0
            },
        };
        if let Some(latest) = &mut self.outside_judge {
            *latest = Some(run.model);
        } else if is_best {
            self.stopping.keep(run.model, report.clone());
        }
        if let Engine::Newton(newton) = &self.engine
            && newton.converged()
            && self.stopped.is_none()
        {
            self.stopped = Some(format!(
                "Newton's method converged in {epoch} epoch{}",
                if epoch == 1 { "" } else { "s" }
            ));
        }
        self.history.push(report.clone());
        Ok(report)
    }

    /// Hands the choice of the epoch to keep, and of when to stop, to the caller: epochs no
    /// longer judge themselves, patience no longer stops training, and
    /// [`Trainer::keep_latest`] keeps the latest epoch. Cross-validation uses it so that every
    /// fold keeps the same epoch, the one with the best mean over the folds: a fold that kept
    /// its own best epoch would score the model on the rows that chose the epoch, which
    /// flatters whatever trains in epochs against what converges (a linear model fitted
    /// exactly).
    pub fn judge_outside(&mut self) {
        self.outside_judge = Some(None);
    }

    /// Keeps the latest epoch's model and report as the best (after
    /// [`Trainer::judge_outside`]; otherwise, or before any epoch, nothing happens).
    pub fn keep_latest(&mut self) {
        let Some(latest) = &mut self.outside_judge else {
            return;
        };
        if let (Some(model), Some(report)) = (latest.take(), self.history.last()) {
            let mut report = report.clone();
            report.is_best = true;
            report.best_epoch = report.epoch;
            self.stopping.keep(model, report);
        }
    }

    /// The network to use: the best epoch's weights (the current ones before any epoch);
    /// `None` for trees.
    pub fn best_network(&self) -> Option<Network> {
        let network = match &self.engine {
            Engine::Network(network) => network,
            Engine::Newton(newton) => {
                return match self.stopping.best_model() {
                    Some(Kept::Network(best)) => Some(best.clone()),
                    _ => Network::from_weights(&newton.weights(), &self.device).ok(),
                };
            }
            Engine::Trees(_) => return None,
        };
        match (self.stopping.best_model(), network.learner.model()) {
            (Some(Kept::Network(best)), _) => Some(best.clone()),
            (_, Some(model)) => Some(model.valid()),
            (_, None) => None,
        }
    }

    /// The trees to use: cut at the best epoch's rounds (all rounds so far before any epoch
    /// was judged); `None` for a network.
    pub fn best_booster(&self) -> Option<Booster> {
        let Engine::Trees(trees) = &self.engine else {
            return None;
        };
        Some(match self.stopping.best_model() {
            Some(Kept::Rounds(rounds)) => trees.booster_at(*rounds),
            _ => trees.booster_at(trees.rounds()),
        })
    }

    /// Metrics of the best model on other examples (the test split), with one readback.
    pub async fn evaluate(&self, examples: &Examples) -> Result<Metrics, TrainError> {
        Ok(self.test(examples).await?.metrics)
    }

    /// The best model on the test split: its metrics and its answers' distribution (what a
    /// model file keeps for prediction drift), with one readback.
    pub async fn test(&self, examples: &Examples) -> Result<TestResult, TrainError> {
        examples.check("evaluation", &self.pipeline)?;
        let outputs = self.predict(&examples.features).await?;
        Ok(TestResult::from_outputs(
            &self.head,
            &self.pipeline,
            &outputs,
            examples,
        ))
    }

    /// The best model's outputs for its own validation rows (`None` without them): what an
    /// ensemble is selected on.
    pub async fn predict_valid(&self) -> Result<Option<Vec<f32>>, TrainError> {
        match &self.valid {
            Some(valid) => Ok(Some(self.predict(&valid.examples.features).await?)),
            None => Ok(None),
        }
    }

    /// The best model's outputs for a feature matrix (probabilities per class, or of class 1
    /// for binary; the standardised value for regression), `outputs()` per row, one readback.
    pub async fn predict(&self, features: &Matrix) -> Result<Vec<f32>, TrainError> {
        if let Some(booster) = self.best_booster() {
            return trees::predict(&booster, features);
        }
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

    /// The best weights of a network, read back in one transaction.
    pub async fn best_weights(&self) -> Result<Weights, TrainError> {
        if matches!(self.engine, Engine::Trees(_)) {
            return Err(not_a_network("reading weights"));
        }
        let network = self.best_network().ok_or_else(|| TrainError::Finished {
            reason: "an earlier step failed".to_string(),
        })?;
        network.weights().await
    }

    /// The current (last step's) weights of a network, read back in one transaction.
    pub async fn current_weights(&self) -> Result<Weights, TrainError> {
        let network = match &self.engine {
            Engine::Network(network) => network,
            Engine::Newton(newton) => return Ok(newton.weights()),
            Engine::Trees(_) => return Err(not_a_network("reading weights")),
        };
        match network.learner.model() {
            Some(model) => model.valid().weights().await,
            None => Err(TrainError::Finished {
                reason: "an earlier step failed".to_string(),
            }),
        }
    }

    /// Runs `steps` training steps on the first rows (wrapping around), then one readback;
    /// returns milliseconds per step including that readback. For timing a device: it trains
    /// the weights, so use a throwaway trainer. Trees have no device to time.
    pub async fn time_steps(&mut self, steps: usize) -> Result<f64, TrainError> {
        let Engine::Network(network) = &mut self.engine else {
            return Err(TrainError::setting(
                "model",
                "timing a device applies to networks trained by a gradient optimiser; this model trains on the host",
            ));
        };
        let rows = network.train.count();
        let (batch, _) = network.batching(&self.config);
        let clock = Stopwatch::start();
        let order: Vec<usize> = (0..steps * batch).map(|i| i % rows.max(1)).collect();
        let (total, _) = network.run_steps(&self.config, &self.head, order, &self.device)?;
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

impl NetworkRun {
    /// Rows per step and steps per epoch.
    fn batching(&self, config: &TrainConfig) -> (usize, usize) {
        let rows = self.train.count();
        let batch = config.batch_size.clamp(1, rows.max(1));
        (batch, rows.div_ceil(batch))
    }

    /// A step for every batch of the training rows in `order` at the schedule's learning
    /// rates (see [`Learner::step`]; nothing is read back): the sum of the batches' losses
    /// and, with class weights, of their weights, on the device.
    fn run_steps(
        &mut self,
        config: &TrainConfig,
        head: &Head,
        order: Vec<usize>,
        device: &Device,
    ) -> Result<(Option<Tensor<1>>, Option<Tensor<1>>), TrainError> {
        let (batch, steps_per_epoch) = self.batching(config);
        let mut plan = EpochPlan::new(&self.train, order, batch, head, device);
        let plan = &mut plan;
        let mut loss_total: Option<Tensor<1>> = None;
        let mut weight_total: Option<Tensor<1>> = None;
        for step in 0..plan.steps() {
            let lr = config.learning_rate_at(self.learner.steps(), steps_per_epoch);
            let (loss, weight) = self.learner.step(lr, head, plan, step)?;
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
        Ok((loss_total, weight_total))
    }

    /// The shuffled mini-batches, then the validation pass, read back in one transaction.
    async fn epoch(
        &mut self,
        config: &TrainConfig,
        head: &Head,
        device: &Device,
        valid: Option<&HostSet>,
    ) -> Result<EpochRun, TrainError> {
        let rows = self.train.count();
        let (_, steps) = self.batching(config);
        let mut order: Vec<usize> = (0..rows).collect();
        self.shuffle_rng.shuffle(&mut order);
        let (loss_total, weight_total) = self.run_steps(config, head, order, device)?;
        let weighted = weight_total.is_some();
        let learning_rate = config.learning_rate_at(self.learner.steps().saturating_sub(1), steps);
        let Some(model) = self.learner.model() else {
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
        let uploaded: Vec<Tensor<2>>;
        let chunks = match (&self.valid, valid) {
            (Some(on_device), _) => on_device,
            (None, Some(valid)) => {
                let plain = device.clone().without_autodiff();
                uploaded = eval_chunks(&valid.examples.features, &plain)
                    .map(|(x, _)| x)
                    .collect();
                &uploaded
            }
            (None, None) => &Vec::new(),
        };
        for x in chunks {
            transaction = transaction.register(head.activate(snapshot.forward(x.clone(), None)));
        }
        let chunks = chunks.len();
        let data = transaction
            .execute_async()
            .await
            .map_err(|error| readback_error(Some(device), "reading an epoch's results", error))?;
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
        Ok(EpochRun {
            train_loss: f64::from(loss_sum) / weight_sum,
            outputs: read.take(chunks).flatten().collect(),
            learning_rate,
            steps,
            model: Kept::Network(snapshot),
        })
    }
}

/// The task's head, and the training rows and the validation rows (dropped when empty)
/// checked against the pipeline, with their class weights when the config asks for them.
fn checked(
    pipeline: &FittedPipeline,
    config: &TrainConfig,
    train: Arc<Examples>,
    valid: Option<Arc<Examples>>,
) -> Result<(Head, HostSet, Option<HostSet>), TrainError> {
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
    Ok((head, train, valid))
}

/// The error of a network-only operation asked of trees.
fn not_a_network(what: &str) -> TrainError {
    TrainError::setting(
        "model",
        format!("{what} applies to networks, and this model is gradient-boosted trees"),
    )
}
