//! Running one trial with burn: parameters → [`TrainConfig`] → [`Trainer`], epoch by epoch,
//! each epoch's validation value reported to the pruner through an async callback, then the
//! trial's [`Outcome`] (and, when asked, its [`ModelFile`]).
//!
//! It is `async` like the trainer: the CLI drives it with `pollster::block_on` on each of its
//! threads, a Web Worker with `.await`. The callback is async so that a worker can post the
//! epoch's value to the page, which holds the study, and await the pruner's answer.

use burn::tensor::Device;

use super::objective::{Metric, SecondObjective};
use super::space::train_config;
use super::study::StudySettings;
use super::trial::{Decision, Outcome, TrialTicket};
use crate::clock::Stopwatch;
use crate::prep::FittedPipeline;
use crate::train::{Architecture, ModelFile, TrainConfig, Trainer, TrainingData};

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
}

/// A finished trial: what to tell the study, and what it produced.
pub struct TrialRun {
    pub outcome: Outcome,
    /// The settings it trained with (`None` when the parameters did not make valid settings).
    pub config: Option<TrainConfig>,
    /// Complete trials, when `keep_model`.
    pub model: Option<ModelFile>,
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
        };
    let config = match train_config(&ticket.params, &setup.settings.train, ticket.seed) {
        Ok(config) => config,
        Err(error) => return failed(0, error.to_string(), None, &clock),
    };
    let data = setup.data;
    let mut trainer = match Trainer::new(
        setup.device.clone(),
        setup.pipeline,
        data.train.clone(),
        data.valid.clone(),
        &config,
    ) {
        Ok(trainer) => trainer,
        Err(error) => return failed(0, error.to_string(), Some(config), &clock),
    };
    let metric = setup.settings.objectives.primary;
    while !trainer.done() {
        let report = match trainer.next_epoch().await {
            Ok(report) => report,
            Err(error) => return failed(trainer.epoch(), error.to_string(), Some(config), &clock),
        };
        let Some(value) = metric.of_epoch(&report) else {
            return failed(
                trainer.epoch(),
                metric_missing(metric),
                Some(config),
                &clock,
            );
        };
        // A trial pruned at its last epoch has trained fully anyway: it completes.
        if on_epoch(report.epoch, value).await == Decision::Prune && !trainer.done() {
            return TrialRun {
                outcome: Outcome::Pruned {
                    epochs: trainer.epoch(),
                    elapsed_ms: clock.elapsed_ms(),
                },
                config: Some(config),
                model: None,
            };
        }
    }
    let Some(best) = trainer.best().cloned() else {
        return failed(
            trainer.epoch(),
            "no epoch ran".to_string(),
            Some(config),
            &clock,
        );
    };
    let Some(primary) = metric.of_epoch(&best) else {
        return failed(
            trainer.epoch(),
            metric_missing(metric),
            Some(config),
            &clock,
        );
    };
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
        Some(SecondObjective::LatencyMs) => match latency_ms_per_1000_rows(&trainer, data).await {
            Ok(ms) => values.push(ms),
            Err(error) => return failed(trainer.epoch(), error, Some(config), &clock),
        },
    }
    let model = if setup.keep_model {
        let test = match &data.test {
            Some(test) => match trainer.evaluate(test).await {
                Ok(metrics) => Some(metrics),
                Err(error) => {
                    return failed(trainer.epoch(), error.to_string(), Some(config), &clock);
                }
            },
            None => None,
        };
        match ModelFile::from_trainer(&trainer, test, setup.device_label.clone()).await {
            Ok(file) => Some(file),
            Err(error) => return failed(trainer.epoch(), error.to_string(), Some(config), &clock),
        }
    } else {
        None
    };
    TrialRun {
        outcome: Outcome::Complete {
            values,
            epochs: trainer.epoch(),
            valid_metrics: best.valid_metrics.clone(),
            note: trainer.finished_reason().map(|reason| {
                format!(
                    "{}; {reason}; best epoch {}",
                    config.model.label(),
                    best.epoch
                )
            }),
            elapsed_ms: clock.elapsed_ms(),
        },
        config: Some(config),
        model,
    }
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
