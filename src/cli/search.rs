//! `hearth search` and `hearth automl`: a study over model families and hyperparameters,
//! trials run on N threads (each with its own CPU device and `pollster::block_on`) sharing one
//! [`Study`] behind a mutex. The study is written to `--out` after every trial, so an
//! interrupted search resumes with `--resume`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use clap::{Args, ValueEnum};

use super::{DataArgs, DialectArgs, PreparedFile, prepare_file, read_settings};
use crate::clock::Stopwatch;
use crate::data::Task;
use crate::search::runner::{TrialSetup, run_trial};
use crate::search::{
    AshaSettings, Budget, Decision, Domain, GridSettings, MedianSettings, Metric, Objectives,
    Outcome, ParamValue, PrunerKind, SamplerKind, SecondObjective, Space, Study, StudySettings,
    TpeSettings, Trial, TrialState, names,
};
use crate::train::{ModelFile, TrainConfig, TrainingData};

/// Trials when no budget is given.
const DEFAULT_TRIALS: usize = 20;
/// Trials `hearth automl` runs by default.
const AUTOML_TRIALS: usize = 30;

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
    /// The objective: monitor (validation loss or RMSE, default), accuracy, balanced_accuracy,
    /// macro_f1, roc_auc, log_loss, rmse, mae or r2.
    #[arg(long, value_parser = parse_metric)]
    metric: Option<Metric>,
    /// A second objective (lower is better), giving a Pareto front; latency is not
    /// reproducible.
    #[arg(long, value_enum)]
    second_objective: Option<SecondChoice>,
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
    prep_config: Option<PathBuf>,
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

#[derive(Args)]
pub(super) struct AutomlArgs {
    /// The CSV file (comma, semicolon, tab or pipe separated; detected).
    file: PathBuf,
    /// The column to predict.
    #[arg(long)]
    target: String,
    /// How many trials to run.
    #[arg(long, default_value_t = AUTOML_TRIALS)]
    trials: usize,
    /// Seed of the search (the split's seed is the preprocessing default, 42).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Trials run at once, one thread each. With 1, the same seed gives the same model.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Where to write the best model (.hearth).
    #[arg(long)]
    out: PathBuf,
    /// Also write the study (JSON).
    #[arg(long)]
    study_out: Option<PathBuf>,
    #[command(flatten)]
    dialect: DialectArgs,
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

fn parse_metric(text: &str) -> Result<Metric, String> {
    Metric::from_name(text)
        .filter(|m| *m != Metric::Value)
        .ok_or_else(|| {
            format!(
                "'{text}' is not a metric; use monitor, accuracy, balanced_accuracy, macro_f1, roc_auc, log_loss, rmse, mae or r2"
            )
        })
}

/// Locks the study; a thread that panicked while holding it left it consistent (every update
/// is one call), so its poison is ignored rather than spread.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) fn search_command(args: &SearchArgs) -> Result<(), String> {
    let prepared = prepare_file(
        &args.data.file,
        &args.dialect,
        &args.data.target,
        args.data.task,
        "--prep-config",
        args.prep_config.as_deref(),
        None,
    )?;
    let data = TrainingData::from_prepared(&prepared.prepared, &prepared.dataset)
        .map_err(|e| e.to_string())?;
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
        let mut overrides: BTreeMap<String, Domain> = match &args.space {
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
        if let Some(epochs) = args.epochs {
            overrides.insert(
                names::EPOCHS.to_string(),
                Domain::Fixed {
                    value: ParamValue::Int(i64::try_from(epochs).unwrap_or(i64::MAX)),
                },
            );
        }
        let space = Space::for_training(data.train.rows())
            .with_overrides(&overrides)
            .map_err(|error| format!("--space: {error}"))?;
        let train = match &args.config {
            Some(path) => TrainConfig::from_json(&read_settings("--config", path)?)
                .map_err(|error| format!("{}: {error}", path.display()))?,
            None => TrainConfig::default(),
        };
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
                PrunerChoice::Asha => PrunerKind::Asha(AshaSettings::default()),
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
                primary: args.metric.unwrap_or_default(),
                second: args.second_objective.map(|choice| match choice {
                    SecondChoice::Parameters => SecondObjective::Parameters,
                    SecondChoice::Latency => SecondObjective::LatencyMs,
                }),
            },
            space,
            train,
            rows_per_epoch: (data.train.rows() as u64).max(1),
        };
        Study::new(settings).map_err(|error| error.to_string())?
    };
    check_metric(
        study.settings.objectives.primary,
        task,
        data.valid.is_some(),
    )?;
    let model = run_study(
        &prepared,
        &data,
        study,
        args.workers,
        Some(&args.out),
        args.model_out.is_some(),
    )?;
    if let (Some(path), Some(model)) = (&args.model_out, model) {
        write_model(path, &model)?;
    }
    Ok(())
}

pub(super) fn automl_command(args: &AutomlArgs) -> Result<(), String> {
    let prepared = prepare_file(
        &args.file,
        &args.dialect,
        &args.target,
        None,
        "--prep-config",
        None,
        None,
    )?;
    let data = TrainingData::from_prepared(&prepared.prepared, &prepared.dataset)
        .map_err(|e| e.to_string())?;
    println!(
        "{}: target {} ({}); {} features",
        prepared.profile.source,
        args.target,
        prepared.plan.task.label(),
        prepared.prepared.summary.features
    );
    let settings = StudySettings {
        seed: args.seed,
        sampler: SamplerKind::Tpe(TpeSettings::default()),
        pruner: PrunerKind::Asha(AshaSettings::default()),
        budget: Budget {
            trials: Some(args.trials),
            ..Budget::default()
        },
        objectives: Objectives::default(),
        space: Space::for_training(data.train.rows()),
        train: TrainConfig::default(),
        rows_per_epoch: (data.train.rows() as u64).max(1),
    };
    let study = Study::new(settings).map_err(|error| format!("--trials: {error}"))?;
    let model = run_study(
        &prepared,
        &data,
        study,
        args.workers,
        args.study_out.as_deref(),
        true,
    )?;
    match model {
        Some(model) => write_model(&args.out, &model),
        None => Err(
            "No trial completed, so there is no model to save; see the trial errors above."
                .to_string(),
        ),
    }
}

/// Refuses an objective the task or the split cannot give.
fn check_metric(metric: Metric, task: Task, has_validation: bool) -> Result<(), String> {
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

/// The best complete trial's model while the study runs.
struct BestModel {
    number: usize,
    model: ModelFile,
}

/// Runs the study's remaining trials on `workers` threads, printing a line per trial and
/// saving the study to `out` after each; returns the best trial's model when `keep_model`.
fn run_study(
    prepared: &PreparedFile,
    data: &TrainingData,
    study: Study,
    workers: usize,
    out: Option<&Path>,
    keep_model: bool,
) -> Result<Option<ModelFile>, String> {
    if workers == 0 {
        return Err("--workers: at least 1 worker is needed.".to_string());
    }
    let settings = study.settings.clone();
    let done_before = study
        .trials
        .iter()
        .filter(|t| t.state != TrialState::Queued)
        .count();
    println!(
        "study: {} sampler, {} pruner, {} workers, seed {}; budget {}; objective {}{}",
        settings.sampler.name(),
        settings.pruner.name(),
        workers,
        settings.seed,
        budget_label(&settings.budget),
        settings.objectives.primary.name(),
        settings
            .objectives
            .second
            .map_or_else(String::new, |s| format!(" and {}", s.name()))
    );
    if done_before > 0 {
        println!("resuming: {done_before} trials already in the study");
    }
    let base_elapsed = study.elapsed_ms;
    let clock = Stopwatch::start();
    let shared = Mutex::new(study);
    let best: Mutex<Option<BestModel>> = Mutex::new(None);
    let save_error: Mutex<Option<String>> = Mutex::new(None);
    let pipeline = &prepared.prepared.pipeline;
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let setup = TrialSetup {
                    device: crate::compute::init_cpu(),
                    device_label: Some("CPU".to_string()),
                    pipeline,
                    data,
                    settings: &settings,
                    keep_model,
                };
                loop {
                    let ticket = {
                        let mut study = lock(&shared);
                        study.elapsed_ms = base_elapsed + clock.elapsed_ms();
                        match study.ask() {
                            Ok(Some(ticket)) => ticket,
                            Ok(None) | Err(_) => break,
                        }
                    };
                    let number = ticket.number;
                    let run =
                        pollster::block_on(run_trial(&setup, &ticket, async |epoch, value| {
                            lock(&shared)
                                .report(number, epoch, value)
                                .unwrap_or(Decision::Continue)
                        }));
                    let mut study = lock(&shared);
                    if study.tell(number, run.outcome).is_err() {
                        continue;
                    }
                    if let Some(model) = run.model
                        && study.best_trial().is_some_and(|t| t.number == number)
                    {
                        *lock(&best) = Some(BestModel { number, model });
                    }
                    if let Some(trial) = study.trials.get(number) {
                        println!("{}", trial_line(trial, &settings.objectives));
                    }
                    study.elapsed_ms = base_elapsed + clock.elapsed_ms();
                    if let Some(path) = out
                        && let Err(error) = save(&study, path)
                    {
                        *lock(&save_error) = Some(error);
                    }
                }
            });
        }
    });
    let mut study = shared
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    study.elapsed_ms = base_elapsed + clock.elapsed_ms();
    if let Some(path) = out {
        save(&study, path)?;
    }
    if let Some(error) = save_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(error);
    }
    print_summary(&study);
    if let Some(path) = out {
        println!("wrote {}", path.display());
    }
    let best_model = best.into_inner().unwrap_or_else(|p| p.into_inner());
    if !keep_model {
        return Ok(None);
    }
    match (study.best_trial(), best_model) {
        (Some(trial), Some(kept)) if trial.number == kept.number => Ok(Some(kept.model)),
        (Some(trial), _) => {
            // The best trial finished in an earlier run (resumed study): train it again from
            // its seed, which gives the same weights.
            println!("retraining trial {} for the model file", trial.number);
            let setup = TrialSetup {
                device: crate::compute::init_cpu(),
                device_label: Some("CPU".to_string()),
                pipeline,
                data,
                settings: &settings,
                keep_model: true,
            };
            let ticket = crate::search::TrialTicket {
                number: trial.number,
                params: trial.params.clone(),
                seed: trial.seed,
            };
            let run =
                pollster::block_on(run_trial(&setup, &ticket, async |_, _| Decision::Continue));
            match (run.model, run.outcome) {
                (Some(model), _) => Ok(Some(model)),
                (None, Outcome::Failed { error, .. }) => {
                    Err(format!("Retraining the best trial failed: {error}"))
                }
                (None, _) => Err("Retraining the best trial gave no model.".to_string()),
            }
        }
        (None, _) => Err(
            "No trial completed, so there is no best model to save; see the trial lines above."
                .to_string(),
        ),
    }
}

fn budget_label(budget: &Budget) -> String {
    let mut parts = Vec::new();
    if let Some(trials) = budget.trials {
        parts.push(format!("{trials} trials"));
    }
    if let Some(work) = budget.work {
        parts.push(format!("{work} rows×epochs"));
    }
    if let Some(seconds) = budget.wall_clock_s {
        parts.push(format!("{seconds} s wall clock (not reproducible)"));
    }
    parts.join(", ")
}

/// One line per finished trial: number, state, value, epochs, parameters.
fn trial_line(trial: &Trial, objectives: &Objectives) -> String {
    let params: Vec<String> = trial
        .params
        .iter()
        .map(|(name, value)| format!("{name}={}", value.label()))
        .collect();
    let result = match (trial.state, &trial.values) {
        (TrialState::Complete, Some(values)) => {
            let mut text = format!(
                "{} {:.4}",
                objectives.primary.name(),
                values.first().copied().unwrap_or(f64::NAN)
            );
            if let (Some(second), Some(value)) = (objectives.second, values.get(1)) {
                text.push_str(&format!(
                    " {} {}",
                    second.name(),
                    crate::format::number(*value)
                ));
            }
            text
        }
        (TrialState::Pruned, _) => format!(
            "pruned at {:.4}",
            trial.intermediate.last().copied().unwrap_or(f64::NAN)
        ),
        (TrialState::Failed, _) => format!(
            "failed: {}",
            trial.note.as_deref().unwrap_or("unknown error")
        ),
        _ => String::new(),
    };
    format!(
        "trial {:>3}  {:<8}  {result}  epochs {}  {}",
        trial.number,
        format!("{:?}", trial.state).to_lowercase(),
        trial.epochs,
        params.join(" ")
    )
}

fn print_summary(study: &Study) {
    let count = |state: TrialState| study.trials.iter().filter(|t| t.state == state).count();
    println!(
        "trials: {} complete, {} pruned, {} failed; work {} rows×epochs",
        count(TrialState::Complete),
        count(TrialState::Pruned),
        count(TrialState::Failed),
        study.work_spent()
    );
    let objectives = &study.settings.objectives;
    if let Some(best) = study.best_trial() {
        println!("best: {}", trial_line(best, objectives));
    }
    if objectives.second.is_some() {
        let front: Vec<String> = study
            .pareto_front()
            .iter()
            .map(|t| t.number.to_string())
            .collect();
        println!("pareto front: trials {}", front.join(", "));
    }
    let importance = study.importance();
    if !importance.is_empty() {
        let parts: Vec<String> = importance
            .iter()
            .take(5)
            .map(|p| format!("{} {:.2}", p.name, p.importance))
            .collect();
        println!("importance: {}", parts.join(", "));
    }
}

fn save(study: &Study, path: &Path) -> Result<(), String> {
    let json = study.to_json().map_err(|error| error.to_string())?;
    std::fs::write(path, json + "\n")
        .map_err(|error| format!("Could not write {}: {error}.", path.display()))
}

fn write_model(path: &Path, model: &ModelFile) -> Result<(), String> {
    let json = model.to_json().map_err(|error| error.to_string())?;
    std::fs::write(path, json + "\n")
        .map_err(|error| format!("Could not write {}: {error}.", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}
