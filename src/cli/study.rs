//! The study runner of `hearth search` and `hearth automl`: trials run on N threads (each
//! with its own CPU device and `pollster::block_on`) sharing one [`Study`] behind a mutex. The
//! study is written to `--out` after every trial, so an interrupted search resumes with
//! `--resume`.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use super::PreparedFile;
use crate::clock::Stopwatch;
use crate::search::runner::{TrialSetup, refit, refit_ensemble, run_trial, select_ensemble};
use crate::search::{Budget, Decision, Objectives, Outcome, Study, Trial, TrialState};
use crate::train::{Metrics, ModelFile, TrainingData};

/// Locks the study; a thread that panicked while holding it left it consistent (every update
/// is one call), so its poison is ignored rather than spread.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The best complete trial's model while the study runs.
struct BestModel {
    number: usize,
    model: ModelFile,
}

/// What a study run gives back.
pub(super) struct StudyRun {
    pub study: Study,
    /// The best trial's model, when asked for.
    pub model: Option<ModelFile>,
    /// The best complete trials' validation outputs (at most [`crate::search::ensemble::ENSEMBLE_CANDIDATES`]), when
    /// asked for: what an ensemble is selected from.
    pub candidates: Vec<(usize, Vec<f32>)>,
}

/// Runs the study's remaining trials on `workers` threads, printing a line per trial (with the
/// best so far and the time spent) and saving the study to `out` after each; returns the
/// finished study and, when `keep_model`, the best trial's model, and when `keep_outputs`
/// the best trials' validation outputs.
pub(super) fn run_study(
    prepared: &PreparedFile,
    data: &TrainingData,
    study: Study,
    workers: usize,
    out: Option<&Path>,
    keep_model: bool,
    keep_outputs: bool,
) -> Result<StudyRun, String> {
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
    let candidates: Mutex<Vec<(usize, Vec<f32>)>> = Mutex::new(Vec::new());
    let save_error: Mutex<Option<String>> = Mutex::new(None);
    let pipeline = &prepared.prepared.pipeline;
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let setup = TrialSetup {
                    keep_model,
                    keep_outputs,
                    ..TrialSetup::cpu(pipeline, data, &settings)
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
                            let mut study = lock(&shared);
                            study.elapsed_ms = base_elapsed + clock.elapsed_ms();
                            study
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
                    if let Some(outputs) = run.valid_outputs {
                        study.keep_best_outputs(&mut lock(&candidates), number, outputs);
                    }
                    study.elapsed_ms = base_elapsed + clock.elapsed_ms();
                    if let Some(trial) = study.trials.get(number) {
                        println!(
                            "{}{}",
                            trial_line(trial, &settings.objectives),
                            progress(&study)
                        );
                    }
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
    let candidates = candidates.into_inner().unwrap_or_else(|p| p.into_inner());
    if !keep_model {
        return Ok(StudyRun {
            study,
            model: None,
            candidates,
        });
    }
    let model = match (study.best_trial(), best_model) {
        (Some(trial), Some(kept)) if trial.number == kept.number => Ok(Some(kept.model)),
        (Some(trial), _) => {
            // The best trial finished in an earlier run (resumed study): train it again from
            // its seed, which gives the same weights.
            println!("retraining trial {} for the model file", trial.number);
            let setup = TrialSetup::cpu(pipeline, data, &settings);
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
    }?;
    Ok(StudyRun {
        study,
        model,
        candidates,
    })
}

/// The best complete trial refitted on the training and validation rows together, up to its
/// best epoch (see [`refit`]); `None` when no trial completed.
pub(super) fn refit_best(
    prepared: &PreparedFile,
    data: &TrainingData,
    study: &Study,
) -> Result<Option<ModelFile>, String> {
    let Some(trial) = study.best_trial() else {
        return Ok(None);
    };
    let rows = data.train.rows() + data.valid.as_ref().map_or(0, |valid| valid.rows());
    println!(
        "refitting trial {} on {rows} training and validation rows for {} epochs",
        trial.number,
        trial.best_epoch.unwrap_or(trial.epochs)
    );
    let setup = TrialSetup::cpu(&prepared.prepared.pipeline, data, &study.settings);
    let model = pollster::block_on(refit(&setup, trial))
        .map_err(|error| format!("Refitting trial {}: {error}", trial.number))?;
    if let Some(test) = &model.test_metrics {
        println!("test: {}", test.summary());
    }
    Ok(Some(model))
}

/// Selects the ensemble of the best trials' validation outputs into `study.ensemble` and
/// prints it beside the best single trial; nothing when fewer than two trials completed.
pub(super) fn choose_ensemble(
    prepared: &PreparedFile,
    data: &TrainingData,
    study: &mut Study,
    candidates: &[(usize, Vec<f32>)],
) {
    if candidates.len() < 2 {
        return;
    }
    study.ensemble = select_ensemble(
        &study.settings,
        &prepared.prepared.pipeline,
        data,
        candidates,
    );
    if let Some(ensemble) = &study.ensemble {
        let members: Vec<String> = ensemble
            .members
            .iter()
            .map(|m| format!("trial {} ×{:.2}", m.trial, m.weight))
            .collect();
        println!(
            "ensemble: {} on the {} validation rows: {} {} (best single trial {}){}",
            members.join(", "),
            ensemble.valid_metrics.as_ref().map_or(0, Metrics::rows),
            study.settings.objectives.primary.name(),
            crate::format::number(ensemble.value),
            crate::format::number(ensemble.best_single),
            if study.ensemble_wins() {
                "; the ensemble is the model"
            } else {
                "; the best trial is the model"
            }
        );
    }
}

/// The study's ensemble refitted member by member on the training and validation rows.
pub(super) fn refit_ensemble_of(
    prepared: &PreparedFile,
    data: &TrainingData,
    study: &Study,
) -> Result<ModelFile, String> {
    let rows = data.train.rows() + data.valid.as_ref().map_or(0, |valid| valid.rows());
    let setup = TrialSetup::cpu(&prepared.prepared.pipeline, data, &study.settings);
    let model = pollster::block_on(refit_ensemble(&setup, study, |trial| {
        let epochs = study
            .trials
            .get(trial)
            .map_or(0, |t| t.best_epoch.unwrap_or(t.epochs));
        println!(
            "refitting trial {trial} on {rows} training and validation rows for {epochs} epochs"
        );
    }))?;
    if let Some(test) = &model.test_metrics {
        println!("test: {}", test.summary());
    }
    Ok(model)
}

/// After a trial's line: the best value so far and the time spent of the budget.
fn progress(study: &Study) -> String {
    let objectives = &study.settings.objectives;
    let best = study.best_trial().and_then(|trial| {
        let value = trial.values.as_ref()?.first()?;
        Some(format!(
            "best {} {value:.4} (trial {})",
            objectives.primary.name(),
            trial.number
        ))
    });
    let seconds = study.elapsed_ms / 1000.0;
    let spent = match study.settings.budget.wall_clock_s {
        Some(budget) => format!("{seconds:.1} of {budget} s"),
        None => format!("{seconds:.1} s"),
    };
    match best {
        Some(best) => format!("  [{best}; {spent}]"),
        None => format!("  [{spent}]"),
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

pub(super) fn save(study: &Study, path: &Path) -> Result<(), String> {
    let json = study.to_json().map_err(|error| error.to_string())?;
    std::fs::write(path, json + "\n")
        .map_err(|error| format!("Could not write {}: {error}.", path.display()))
}

pub(super) fn write_model(path: &Path, model: &ModelFile) -> Result<(), String> {
    let json = model.to_json().map_err(|error| error.to_string())?;
    std::fs::write(path, json + "\n")
        .map_err(|error| format!("Could not write {}: {error}.", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}
