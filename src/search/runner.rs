//! Running one trial with burn: parameters → [`TrainConfig`] → [`Trainer`], epoch by epoch,
//! each epoch's validation value reported to the pruner through an async callback, then the
//! trial's [`Outcome`] (and, when asked, its [`ModelFile`]). With cross-validation folds in
//! the data, one trainer per fold runs in step and the value is their mean. [`refit`] trains a
//! chosen trial again on the training and validation rows together; [`select_ensemble`] blends
//! the best trials' validation outputs and [`refit_ensemble`] refits each member so.
//!
//! It is `async` like the trainer: the CLI drives it with `pollster::block_on` on each of its
//! threads, a Web Worker with `.await`. The callback is async so that a worker can post the
//! epoch's value to the page, which holds the study, and await the pruner's answer.

use std::sync::Arc;

use burn::tensor::Device;

use super::ensemble::{Candidate, ENSEMBLE_ROUNDS, EnsembleCandidate, select};
use super::error::SearchError;
use super::objective::{Metric, SecondObjective};
use super::space::{Params, train_config};
use super::study::{Study, StudySettings};
use super::trial::{Decision, Outcome, Trial, TrialTicket};
use crate::clock::Stopwatch;
use crate::compute::Accelerator;
use crate::prep::FittedPipeline;
use crate::train::{
    Architecture, Examples, Head, Metrics, ModelFile, OptimizerKind, TrainConfig, Trainer,
    TrainingData, evaluate_outputs, head_of, newton_fits, weighted_sum,
};

/// What every trial of a study runs on.
pub struct TrialSetup<'a> {
    pub device: Device,
    /// The device in words, for the model file ("CPU", "WebGPU").
    pub device_label: Option<String>,
    pub pipeline: &'a FittedPipeline,
    pub data: &'a TrainingData,
    pub settings: &'a StudySettings,
    /// Whether to read back the weights and build the trial's model file (with test metrics
    /// when the data has test rows), for keeping the best model without retraining.
    pub keep_model: bool,
    /// Whether to return a complete trial's validation outputs (out-of-fold with folds), for
    /// ensemble selection.
    pub keep_outputs: bool,
}

impl<'a> TrialSetup<'a> {
    /// Trials on burn's CPU device (the CLI's threads, the page's search workers, every
    /// refit), keeping each complete trial's model file and not its validation outputs.
    pub fn cpu(
        pipeline: &'a FittedPipeline,
        data: &'a TrainingData,
        settings: &'a StudySettings,
    ) -> TrialSetup<'a> {
        TrialSetup {
            device: crate::compute::init_cpu(),
            device_label: Some(Accelerator::Cpu.label().to_string()),
            pipeline,
            data,
            settings,
            keep_model: true,
            keep_outputs: false,
        }
    }
}

/// A finished trial: what to tell the study, and what it produced.
pub struct TrialRun {
    pub outcome: Outcome,
    /// The settings it trained with (`None` when the parameters did not make valid settings).
    pub config: Option<TrainConfig>,
    /// Complete trials, when `keep_model`.
    pub model: Option<ModelFile>,
    /// Complete trials, when `keep_outputs`: the best epoch's outputs on the rows of
    /// [`ensemble_rows`], in their order.
    pub valid_outputs: Option<Vec<f32>>,
}

/// Trains the ticket's trial. `on_epoch(epoch, value)` receives the primary metric after each
/// epoch (1-based) and answers whether to go on; a pruned trial stops at once. Never panics
/// and never fails: what goes wrong (settings out of range, divergence, a device error) is a
/// [`Outcome::Failed`] whose error is one sentence.
pub async fn run_trial(
    setup: &TrialSetup<'_>,
    ticket: &TrialTicket,
    mut on_epoch: impl AsyncFnMut(usize, f64) -> Decision,
) -> TrialRun {
    let clock = Stopwatch::start();
    let failed =
        |epochs: usize, error: String, config: Option<TrainConfig>, clock: &Stopwatch| TrialRun {
            outcome: Outcome::Failed {
                epochs,
                error,
                elapsed_ms: clock.elapsed_ms(),
            },
            config,
            model: None,
            valid_outputs: None,
        };
    let config = match trial_config(setup, &ticket.params, ticket.seed) {
        Ok(config) => config,
        Err(error) => return failed(0, error.to_string(), None, &clock),
    };
    let data = setup.data;
    // One trainer per cross-validation fold (one without folds), run in step.
    let parts: Vec<(Arc<Examples>, Option<Arc<Examples>>)> = if data.folds.is_empty() {
        vec![(data.train.clone(), data.valid.clone())]
    } else {
        data.folds
            .iter()
            .map(|(train, valid)| (train.clone(), Some(valid.clone())))
            .collect()
    };
    let mut trainers = Vec::with_capacity(parts.len());
    for (train, valid) in parts {
        match Trainer::new(setup.device.clone(), setup.pipeline, train, valid, &config) {
            Ok(trainer) => trainers.push(trainer),
            Err(error) => return failed(0, error.to_string(), Some(config), &clock),
        }
    }
    let metric = setup.settings.objectives.primary;
    let epochs_run = |trainers: &[Trainer]| trainers.iter().map(Trainer::epoch).max().unwrap_or(0);
    // Folds keep one epoch together: the best by the mean of their watched values
    // (`Trainer::judge_outside`), and stop together when it has not improved for `patience`.
    let together = trainers.len() > 1;
    if together {
        trainers.iter_mut().for_each(Trainer::judge_outside);
    }
    let mut best_mean: Option<(f64, usize)> = None;
    while trainers.iter().any(|trainer| !trainer.done()) {
        let mut sum = 0.0;
        let mut watched = 0.0;
        let mut epoch = 0;
        for trainer in &mut trainers {
            // A fold that has finished counts with its last epoch.
            let report = if trainer.done() {
                trainer.history().last().cloned()
            } else {
                match trainer.next_epoch().await {
                    Ok(report) => Some(report),
                    Err(error) => {
                        return failed(
                            epochs_run(&trainers),
                            error.to_string(),
                            Some(config),
                            &clock,
                        );
                    }
                }
            };
            let Some(value) = report.as_ref().and_then(|report| metric.of_epoch(report)) else {
                return failed(
                    epochs_run(&trainers),
                    metric_missing(metric),
                    Some(config),
                    &clock,
                );
            };
            sum += value;
            watched += report
                .as_ref()
                .map_or(f64::NAN, |report| report.monitor_value);
            epoch = epoch.max(trainer.epoch());
        }
        let value = sum / trainers.len() as f64;
        if together {
            let watched = watched / trainers.len() as f64;
            if best_mean.is_none_or(|(best, _)| watched < best) {
                best_mean = Some((watched, epoch));
                trainers.iter_mut().for_each(Trainer::keep_latest);
            } else if let Some((_, best_epoch)) = best_mean
                && config.patience > 0
                && epoch - best_epoch >= config.patience
            {
                let reason = format!(
                    "no improvement of the folds' mean {} for {} epochs",
                    trainers[0].monitor().name(),
                    epoch - best_epoch
                );
                trainers
                    .iter_mut()
                    .for_each(|trainer| trainer.stop_because(&reason));
            }
        }
        let done = trainers.iter().all(Trainer::done);
        // A trial pruned at its last epoch has trained fully anyway: it completes.
        if on_epoch(epoch, value).await == Decision::Prune && !done {
            return TrialRun {
                outcome: Outcome::Pruned {
                    epochs: epoch,
                    elapsed_ms: clock.elapsed_ms(),
                },
                config: Some(config),
                model: None,
                valid_outputs: None,
            };
        }
    }
    let epochs = epochs_run(&trainers);
    let mut kept = Vec::with_capacity(trainers.len());
    for trainer in &trainers {
        match trainer
            .best()
            .and_then(|best| Some((best, metric.of_epoch(best)?)))
        {
            Some(pair) => kept.push(pair),
            None => return failed(epochs, metric_missing(metric), Some(config), &clock),
        }
    }
    let (Some(trainer), Some(&(best, _))) = (trainers.first(), kept.first()) else {
        return failed(epochs, "no epoch ran".to_string(), Some(config), &clock);
    };
    let primary = kept.iter().map(|(_, value)| value).sum::<f64>() / kept.len() as f64;
    let best_epoch = (kept.iter().map(|(best, _)| best.epoch as f64).sum::<f64>()
        / kept.len() as f64)
        .round() as usize;
    let mut values = vec![primary];
    match setup.settings.objectives.second {
        None => {}
        Some(SecondObjective::Parameters) => {
            let architecture = Architecture::new(
                &config.model,
                data.train.features.cols,
                trainer.head().outputs(),
            );
            values.push(architecture.parameters() as f64);
        }
        Some(SecondObjective::LatencyMs) => match latency_ms_per_1000_rows(trainer, data).await {
            Ok(ms) => values.push(ms),
            Err(error) => return failed(epochs, error, Some(config), &clock),
        },
    }
    let model = if setup.keep_model {
        let test = match &data.test {
            Some(test) => match trainer.test(test).await {
                Ok(metrics) => Some(metrics),
                Err(error) => {
                    return failed(epochs, error.to_string(), Some(config), &clock);
                }
            },
            None => None,
        };
        match ModelFile::from_trainer(trainer, test, setup.device_label.clone()).await {
            Ok(file) => Some(file),
            Err(error) => return failed(epochs, error.to_string(), Some(config), &clock),
        }
    } else {
        None
    };
    let valid_outputs = if setup.keep_outputs {
        let mut outputs = Vec::new();
        for trainer in &trainers {
            match trainer.predict_valid().await {
                Ok(Some(fold)) => outputs.extend(fold),
                Ok(None) => {}
                Err(error) => return failed(epochs, error.to_string(), Some(config), &clock),
            }
        }
        (!outputs.is_empty()).then_some(outputs)
    } else {
        None
    };
    TrialRun {
        outcome: Outcome::Complete {
            values,
            epochs,
            best_epoch: Some(best_epoch),
            valid_metrics: best.valid_metrics.clone(),
            note: trainer.finished_reason().map(|reason| {
                if kept.len() > 1 {
                    format!(
                        "{}; mean of {} folds; fold 1 {reason}; mean best epoch {best_epoch}",
                        config.model.label(),
                        kept.len()
                    )
                } else {
                    format!(
                        "{}; {reason}; best epoch {best_epoch}",
                        config.model.label()
                    )
                }
            }),
            elapsed_ms: clock.elapsed_ms(),
        },
        config: Some(config),
        model,
        valid_outputs,
    }
}

/// Trains a complete trial's settings again on the training and validation rows together,
/// up to the epoch the trial kept (its best epoch), and returns that model with its test
/// metrics — FLAML's `retrain_full`. Model selection needed the validation rows; the model that
/// is shipped should learn from them too. Without validation rows there is nothing to add and
/// the trial's own settings are trained again.
pub async fn refit(setup: &TrialSetup<'_>, trial: &Trial) -> Result<ModelFile, String> {
    let mut config =
        trial_config(setup, &trial.params, trial.seed).map_err(|error| error.to_string())?;
    let data = setup.data;
    let train = match &data.valid {
        Some(valid) => Arc::new(
            data.train
                .concat(valid)
                .map_err(|error| error.to_string())?,
        ),
        None => data.train.clone(),
    };
    // The same schedule as the trial (its learning rate at each epoch), stopped where the
    // trial's kept weights were: no validation rows remain to stop on.
    config.patience = 0;
    let stop_after = trial.best_epoch.unwrap_or(config.epochs).max(1);
    let mut trainer = Trainer::new(setup.device.clone(), setup.pipeline, train, None, &config)
        .map_err(|error| error.to_string())?;
    while !trainer.done() {
        trainer
            .next_epoch()
            .await
            .map_err(|error| error.to_string())?;
        if trainer.epoch() >= stop_after && !trainer.done() {
            trainer.stop_because(&format!(
                "refitted up to the trial's best epoch ({stop_after} of {})",
                config.epochs
            ));
        }
    }
    let test = match &data.test {
        Some(test) => Some(
            trainer
                .test(test)
                .await
                .map_err(|error| error.to_string())?,
        ),
        None => None,
    };
    ModelFile::from_trainer(&trainer, test, setup.device_label.clone())
        .await
        .map_err(|error| error.to_string())
}

/// A trial's training settings ([`train_config`]). A linear model too large for Newton's
/// method ([`newton_fits`]: parameters² × rows, the rows its refit will have) trains with
/// AdamW at the base settings' learning rate and batch size instead, so that the linear
/// family of a wide table still runs.
fn trial_config(
    setup: &TrialSetup<'_>,
    params: &Params,
    seed: u64,
) -> Result<TrainConfig, SearchError> {
    let mut config = train_config(params, &setup.settings.train, seed)?;
    if config.optimizer == OptimizerKind::Newton {
        let data = setup.data;
        let rows = data.train.rows() + data.valid.as_ref().map_or(0, |valid| valid.rows());
        let outputs = head_of(setup.pipeline, &config).map_or(1, |head| head.outputs());
        if !newton_fits(data.train.features.cols, outputs, rows) {
            config.optimizer = OptimizerKind::AdamW;
        }
    }
    Ok(config)
}

/// The rows every trial's `valid_outputs` are on: the folds' validation rows in fold order
/// (every training row once), or the validation rows; `None` without either.
pub fn ensemble_rows(data: &TrainingData) -> Option<Examples> {
    if data.folds.is_empty() {
        return data.valid.as_deref().cloned();
    }
    let mut folds = data.folds.iter().map(|(_, valid)| valid);
    let first = Examples::clone(folds.next()?);
    folds.try_fold(first, |rows, fold| rows.concat(fold).ok())
}

/// Selects an ensemble of the candidates' validation outputs (each a trial's, on the rows of
/// [`ensemble_rows`] of `data`) scored by the study's primary metric (the monitor: log loss, or
/// RMSE for regression); `None` when there are no rows to score on or nothing can be scored.
pub fn select_ensemble(
    settings: &StudySettings,
    pipeline: &FittedPipeline,
    data: &TrainingData,
    candidates: &[(usize, Vec<f32>)],
) -> Option<EnsembleCandidate> {
    let rows = &ensemble_rows(data)?;
    let head = &head_of(pipeline, &settings.train).ok()?;
    let metric = match settings.objectives.primary {
        Metric::Monitor | Metric::Value => match head {
            Head::Regression { .. } => Metric::Rmse,
            _ => Metric::LogLoss,
        },
        other => other,
    };
    let metrics_of = |outputs: &[f32]| -> Option<Metrics> {
        (outputs.len() == rows.rows() * head.outputs())
            .then(|| evaluate_outputs(head, pipeline, outputs, rows))
    };
    let score = |outputs: &[f32]| {
        metrics_of(outputs)
            .and_then(|m| metric.of_metrics(&m))
            .map(|value| metric.score(value))
    };
    let candidates: Vec<Candidate<'_>> = candidates
        .iter()
        .map(|(trial, outputs)| Candidate {
            trial: *trial,
            outputs,
        })
        .collect();
    let selection = select(&candidates, score, ENSEMBLE_ROUNDS)?;
    let parts = selection
        .members
        .iter()
        .map(|member| {
            let outputs = candidates.iter().find(|c| c.trial == member.trial)?.outputs;
            Some((member.weight as f32, outputs))
        })
        .collect::<Option<Vec<_>>>()?;
    let blend = weighted_sum(parts)?;
    let valid_metrics = metrics_of(&blend);
    let value = valid_metrics.as_ref().and_then(|m| metric.of_metrics(m))?;
    // Scores are values, or their negatives when higher is better.
    let unscore = |score: f64| {
        if metric.higher_is_better() {
            -score
        } else {
            score
        }
    };
    Some(EnsembleCandidate {
        members: selection.members,
        value,
        valid_metrics,
        best_single: unscore(selection.single_score),
    })
}

/// The study's ensemble trained for shipping: each member trial refitted as [`refit`] does,
/// then averaged with its weight into one model file (validation metrics: the blend's on the
/// selection rows; test metrics measured when the data has test rows). `on_member(trial)`
/// runs before each refit, so a front end can say what is happening.
pub async fn refit_ensemble(
    setup: &TrialSetup<'_>,
    study: &Study,
    mut on_member: impl FnMut(usize),
) -> Result<ModelFile, String> {
    let Some(ensemble) = &study.ensemble else {
        return Err("The study has no ensemble to refit.".to_string());
    };
    let mut members = Vec::with_capacity(ensemble.members.len());
    for member in &ensemble.members {
        let trial = study.trials.get(member.trial).ok_or_else(|| {
            format!(
                "The ensemble names trial {}, which the study does not have.",
                member.trial
            )
        })?;
        on_member(member.trial);
        let model = refit(setup, trial)
            .await
            .map_err(|error| format!("Refitting trial {}: {error}", member.trial))?;
        members.push((member.weight as f32, Some(member.trial), model));
    }
    ModelFile::ensemble(
        members,
        ensemble.valid_metrics.clone(),
        &setup.device,
        setup.data.test.as_deref(),
    )
    .await
    .map_err(|error| error.to_string())
}

fn metric_missing(metric: Metric) -> String {
    format!(
        "the objective \"{}\" is not available for this task (or needs validation rows)",
        metric.name()
    )
}

/// Inference time of the kept weights: the best of 3 timed passes over the validation rows
/// (the training rows without them), in milliseconds per 1,000 rows, after one warm-up pass.
async fn latency_ms_per_1000_rows(trainer: &Trainer, data: &TrainingData) -> Result<f64, String> {
    let features = &data.valid.as_ref().unwrap_or(&data.train).features;
    trainer
        .predict(features)
        .await
        .map_err(|error| error.to_string())?;
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let clock = Stopwatch::start();
        trainer
            .predict(features)
            .await
            .map_err(|error| error.to_string())?;
        best = best.min(clock.elapsed_ms());
    }
    Ok(best * 1000.0 / features.rows.max(1) as f64)
}
