//! `hearth automl`: a search with the defaults (TPE, ASHA with a grace period, the data size's
//! space) that keeps trying configurations until its budget is spent — 30 s of wall clock
//! unless told otherwise — then blends the best trials into an ensemble when that scores
//! better on the validation rows, refits the chosen model on the training and validation rows
//! and saves it. The trials are run by `study.rs`, shared with `hearth search`.

use std::path::PathBuf;

use clap::Args;

use super::search::{check_metric, parse_metric};
use super::study::{choose_ensemble, refit_best, refit_ensemble_of, run_study, save, write_model};
use super::{DataArgs, DialectArgs, training_data};
use crate::search::{AUTOML_SECONDS, Budget, Metric, Study, StudySettings};
use crate::train::TrainConfig;

#[derive(Args)]
pub(super) struct AutomlArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Seconds of searching (wall clock, so not reproducible). Default 30 unless --trials or
    /// --work-budget is given; with them it is a further limit.
    #[arg(long)]
    time_budget_s: Option<f64>,
    /// The most trials to start (reproducible with --workers 1).
    #[arg(long)]
    trials: Option<usize>,
    /// A work budget in training rows × epochs, summed over trials (reproducible).
    #[arg(long)]
    work_budget: Option<u64>,
    /// What the search optimises: monitor (validation loss or RMSE, default), accuracy,
    /// balanced_accuracy, macro_f1, roc_auc, log_loss, rmse, mae or r2.
    #[arg(long, value_parser = parse_metric)]
    metric: Option<Metric>,
    /// Seed of the search (the split's seed is the preprocessing setting, default 42).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Trials run at once, one thread each. With 1, the same seed gives the same model.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// A JSON file of preprocessing settings (as for `hearth prep`), e.g. the split.
    #[arg(long)]
    prep_config: Option<PathBuf>,
    /// Keep the best trial's model as it was trained, without refitting it on the training
    /// and validation rows together.
    #[arg(long)]
    no_refit: bool,
    /// Keep the best single trial even when an ensemble of the best trials (Caruana's
    /// selection on their validation outputs) scores better.
    #[arg(long)]
    no_ensemble: bool,
    /// Where to write the best model (.hearth).
    #[arg(long)]
    out: PathBuf,
    /// Also write the study (JSON).
    #[arg(long)]
    study_out: Option<PathBuf>,
    #[command(flatten)]
    dialect: DialectArgs,
}

pub(super) fn automl_command(args: &AutomlArgs) -> Result<(), String> {
    let (prepared, data) =
        training_data(&args.data, &args.dialect, args.prep_config.as_deref(), true)?;
    println!(
        "{}: target {} ({}); {} features",
        prepared.profile.source,
        args.data.target,
        prepared.plan.task.label(),
        prepared.prepared.summary.features
    );
    match (data.folds.len(), &data.valid) {
        (0, Some(valid)) => println!(
            "validation: {} held-out rows; the best trial is then refitted on all {} training and validation rows",
            valid.rows(),
            data.train.rows() + valid.rows()
        ),
        (0, None) => println!("validation: none (the training loss is watched)"),
        (k, _) => println!(
            "validation: {k}-fold cross-validation of {} rows (every trial trains {k} times)",
            data.folds
                .iter()
                .map(|(_, valid)| valid.rows())
                .sum::<usize>()
        ),
    }
    let counted = args.trials.is_some() || args.work_budget.is_some();
    let budget = Budget {
        trials: args.trials,
        work: args.work_budget,
        wall_clock_s: args.time_budget_s.or((!counted).then_some(AUTOML_SECONDS)),
    };
    let metric = args.metric.unwrap_or_default();
    check_metric(metric, prepared.plan.task, data.valid.is_some())?;
    let settings = StudySettings::automl(
        data.train.rows(),
        args.seed,
        budget,
        metric,
        TrainConfig::default(),
    );
    let study = Study::new(settings).map_err(|error| format!("budget: {error}"))?;
    let run = run_study(
        &prepared,
        &data,
        study,
        args.workers,
        args.study_out.as_deref(),
        args.no_refit,
        !args.no_ensemble,
    )?;
    let mut study = run.study;
    if !args.no_ensemble {
        choose_ensemble(&prepared, &data, &mut study, &run.candidates);
        if let (Some(path), Some(_)) = (&args.study_out, &study.ensemble) {
            save(&study, path)?;
        }
    }
    let model = if study.ensemble_wins() && !args.no_refit {
        Some(refit_ensemble_of(&prepared, &data, &study)?)
    } else if args.no_refit {
        run.model
    } else {
        refit_best(&prepared, &data, &study)?
    };
    match model {
        Some(model) => write_model(&args.out, &model),
        None => Err(
            "No trial completed, so there is no model to save; see the trial errors above."
                .to_string(),
        ),
    }
}
