//! `hearth automl`: a search with the defaults (TPE, ASHA, the data size's space) that saves
//! the best model. The trials are run by `study.rs`, shared with `hearth search`.

use std::path::PathBuf;

use clap::Args;

use super::study::{run_study, write_model};
use super::{DialectArgs, prepare_file};
use crate::search::{
    AshaSettings, Budget, Objectives, PrunerKind, SamplerKind, Space, Study, StudySettings,
    TpeSettings,
};
use crate::train::{TrainConfig, TrainingData};

/// Trials `hearth automl` runs by default.
const AUTOML_TRIALS: usize = 30;

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
