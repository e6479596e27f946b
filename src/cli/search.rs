//! `hearth search`: a study over model families and hyperparameters with the sampler, pruner,
//! budget, objectives and space the flags give, resumable from its `--out` file. The trials
//! are run by `study.rs`, shared with `hearth automl`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::study::{run_study, write_model};
use super::{DataArgs, DialectArgs, read_settings, training_data};
use crate::data::Task;
use crate::search::{
    AshaSettings, Budget, Domain, GridSettings, MedianSettings, Metric, Objectives, ParamValue,
    PrunerKind, SamplerKind, SecondObjective, Space, Study, StudySettings, TpeSettings, names,
};
use crate::train::TrainConfig;

/// Trials when no budget is given.
const DEFAULT_TRIALS: usize = 20;

#[derive(Args)]
pub(super) struct SearchArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The most trials to start (default 20 when no other budget is given).
    #[arg(long)]
    trials: Option<usize>,
    /// A work budget in training rows × epochs, summed over trials (reproducible).
    #[arg(long)]
    work_budget: Option<u64>,
    /// A wall-clock budget in seconds (NOT reproducible: it depends on the machine).
    #[arg(long)]
    time_budget_s: Option<f64>,
    /// How trials are chosen.
    #[arg(long, value_enum, default_value = "tpe")]
    sampler: SamplerChoice,
    /// How lagging trials are stopped early.
    #[arg(long, value_enum, default_value = "none")]
    pruner: PrunerChoice,
    /// Trials run at once, one thread each. With 1, the same seed gives the same trials.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Seed of the sampling and of each trial's training seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[command(flatten)]
    settings: TrialSettingsArgs,
    /// A second objective (lower is better), giving a Pareto front; latency is not
    /// reproducible.
    #[arg(long, value_enum)]
    second_objective: Option<SecondChoice>,
    /// Continue the study saved in --out (its finished trials are kept, interrupted ones run
    /// again); --trials, --work-budget and --time-budget-s replace its budget.
    #[arg(long)]
    resume: bool,
    /// Where to write the study (JSON; rewritten after every trial).
    #[arg(long)]
    out: PathBuf,
    /// Also save the best trial's model (.hearth).
    #[arg(long)]
    model_out: Option<PathBuf>,
    #[command(flatten)]
    dialect: DialectArgs,
}

/// What every trial is made from, for `hearth search` and for `hearth trial` alike: the
/// objective, the space over the default one, and the settings a trial starts from.
#[derive(Args)]
pub(super) struct TrialSettingsArgs {
    /// The objective: monitor (validation loss or RMSE, default), accuracy, balanced_accuracy,
    /// macro_f1, roc_auc, log_loss, rmse, mae or r2.
    #[arg(long, value_parser = parse_metric)]
    pub(super) metric: Option<Metric>,
    /// A JSON file of edited ranges or fixed values by parameter, e.g.
    /// {"learning_rate": {"float": {"low": 0.001, "high": 0.1, "log": true}},
    /// "model": {"fixed": {"value": "mlp"}}}.
    #[arg(long)]
    space: Option<PathBuf>,
    /// Fix every trial's number of epochs (a shortcut for a fixed "epochs" in --space).
    #[arg(long)]
    epochs: Option<usize>,
    /// A JSON file of training settings every trial starts from (as for `hearth train`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// A JSON file of preprocessing settings and per-column overrides (as for `hearth prep`).
    #[arg(long)]
    pub(super) prep_config: Option<PathBuf>,
}

impl TrialSettingsArgs {
    /// The default space for this many training rows and the metric, with the `--space` file
    /// and `--epochs` over it.
    pub(super) fn space(&self, rows: usize) -> Result<Space, String> {
        let mut overrides: BTreeMap<String, Domain> = match &self.space {
            Some(path) => {
                serde_json::from_str(&read_settings("--space", path)?).map_err(|error| {
                    format!(
                        "--space {}: it is not a map of parameter names to domains ({error}).",
                        path.display()
                    )
                })?
            }
            None => BTreeMap::new(),
        };
        if let Some(epochs) = self.epochs {
            overrides.insert(
                names::EPOCHS.to_string(),
                Domain::Fixed {
                    value: ParamValue::Int(i64::try_from(epochs).unwrap_or(i64::MAX)),
                },
            );
        }
        Space::for_task(rows, self.metric.is_some_and(Metric::rewards_balance))
            .with_overrides(&overrides)
            .map_err(|error| format!("--space: {error}"))
    }

    /// The training settings every trial starts from: the `--config` file's, or the defaults.
    pub(super) fn train_config(&self) -> Result<TrainConfig, String> {
        match &self.config {
            Some(path) => TrainConfig::from_json(&read_settings("--config", path)?)
                .map_err(|error| format!("{}: {error}", path.display())),
            None => Ok(TrainConfig::default()),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum SamplerChoice {
    Random,
    Grid,
    Tpe,
}

#[derive(Clone, Copy, ValueEnum)]
enum PrunerChoice {
    None,
    Median,
    Asha,
}

#[derive(Clone, Copy, ValueEnum)]
enum SecondChoice {
    Parameters,
    Latency,
}

pub(super) fn parse_metric(text: &str) -> Result<Metric, String> {
    Metric::from_name(text)
        .filter(|m| *m != Metric::Value)
        .ok_or_else(|| {
            format!(
                "'{text}' is not a metric; use monitor, accuracy, balanced_accuracy, macro_f1, roc_auc, log_loss, rmse, mae or r2"
            )
        })
}

pub(super) fn search_command(args: &SearchArgs) -> Result<(), String> {
    let (prepared, data) = training_data(
        &args.data,
        &args.dialect,
        args.settings.prep_config.as_deref(),
        false,
    )?;
    let task = prepared.plan.task;
    let budget = Budget {
        trials: args.trials,
        work: args.work_budget,
        wall_clock_s: args.time_budget_s,
    };
    let given_budget =
        budget.trials.is_some() || budget.work.is_some() || budget.wall_clock_s.is_some();
    let study = if args.resume && args.out.exists() {
        let text = std::fs::read_to_string(&args.out).map_err(|error| {
            format!(
                "--resume {}: could not read it: {error}.",
                args.out.display()
            )
        })?;
        let mut study =
            Study::from_json(&text).map_err(|error| format!("{}: {error}", args.out.display()))?;
        if given_budget {
            study.settings.budget = budget;
        }
        let rows = data.train.rows() as u64;
        if study.settings.rows_per_epoch != rows {
            return Err(format!(
                "--resume {}: the study was made with {} training rows per epoch but this data has {rows}; resume it with the same file and preprocessing.",
                args.out.display(),
                study.settings.rows_per_epoch
            ));
        }
        study
    } else {
        let space = args.settings.space(data.train.rows())?;
        let train = args.settings.train_config()?;
        let settings = StudySettings {
            seed: args.seed,
            sampler: match args.sampler {
                SamplerChoice::Random => SamplerKind::Random,
                SamplerChoice::Grid => SamplerKind::Grid(GridSettings::default()),
                SamplerChoice::Tpe => SamplerKind::Tpe(TpeSettings::default()),
            },
            pruner: match args.pruner {
                PrunerChoice::None => PrunerKind::None,
                PrunerChoice::Median => PrunerKind::Median(MedianSettings::default()),
                PrunerChoice::Asha => PrunerKind::Asha(AshaSettings::for_space(&space)),
            },
            budget: if given_budget {
                budget
            } else {
                Budget {
                    trials: Some(DEFAULT_TRIALS),
                    ..Budget::default()
                }
            },
            objectives: Objectives {
                primary: args.settings.metric.unwrap_or_default(),
                second: args.second_objective.map(|choice| match choice {
                    SecondChoice::Parameters => SecondObjective::Parameters,
                    SecondChoice::Latency => SecondObjective::LatencyMs,
                }),
            },
            space,
            train,
            rows_per_epoch: (data.train.rows() as u64).max(1),
            portfolio: false,
        };
        Study::new(settings).map_err(|error| error.to_string())?
    };
    check_metric(
        study.settings.objectives.primary,
        task,
        data.valid.is_some(),
    )?;
    let run = run_study(
        &prepared,
        &data,
        study,
        args.workers,
        Some(&args.out),
        args.model_out.is_some(),
        false,
    )?;
    if let (Some(path), Some(model)) = (&args.model_out, run.model) {
        write_model(path, &model)?;
    }
    Ok(())
}

/// Refuses an objective the task or the split cannot give.
pub(super) fn check_metric(metric: Metric, task: Task, has_validation: bool) -> Result<(), String> {
    let classification = matches!(
        task,
        Task::BinaryClassification | Task::MulticlassClassification
    );
    let fits = match metric {
        Metric::Monitor => true,
        Metric::Accuracy
        | Metric::BalancedAccuracy
        | Metric::MacroF1
        | Metric::RocAuc
        | Metric::LogLoss => classification && has_validation,
        Metric::Rmse | Metric::Mae | Metric::R2 => !classification && has_validation,
        Metric::Value => false,
    };
    if fits {
        Ok(())
    } else {
        Err(format!(
            "--metric {}: it is not available for a {} task{}; use monitor.",
            metric.name(),
            task.label(),
            if has_validation {
                ""
            } else {
                " without validation rows"
            }
        ))
    }
}
