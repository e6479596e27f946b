//! The trainer's engine for gradient-boosted trees: [`ROUNDS_PER_EPOCH`] rounds of
//! [`GbdtTrainer`] per epoch, the validation scores brought up to date with only the new
//! rounds' trees, and the booster cut at the best epoch's rounds.
//!
//! Trees train on the host (no burn, no device): the same code runs in the CPU worker and
//! natively, and a GPU offers nothing to a histogram walk over `u8` bins.

use std::ops::Range;

use super::config::{ROUNDS_PER_EPOCH, TrainConfig};
use super::error::TrainError;
use super::examples::Examples;
use super::gbdt::{Booster, GbdtSettings, GbdtTrainer, Objective};
use super::model::Head;
use crate::prep::Matrix;

/// Training in progress: the boosting state and the validation scores at the rounds so far.
pub(super) struct TreeRun {
    trainer: GbdtTrainer,
    /// Raw validation scores (row-major `rows × outputs`), exactly the booster's sums.
    valid_scores: Vec<f64>,
}

/// The objective of a head: squared error on the standardised value, log-loss on the logit of
/// class 1, softmax over the classes.
pub(super) fn objective_of(head: &Head) -> Objective {
    match head {
        Head::Binary => Objective::Logistic,
        Head::Multiclass { classes } => Objective::Softmax { classes: *classes },
        Head::Regression { .. } => Objective::Squared,
    }
}

impl TreeRun {
    /// Checks and bins the training rows (the caller has checked them against the pipeline);
    /// `categories` are the pipeline's one-hot groups.
    pub(super) fn new(
        head: &Head,
        settings: &GbdtSettings,
        config: &TrainConfig,
        train: &Examples,
        row_weights: Option<&[f32]>,
        categories: &[Range<usize>],
        valid_rows: usize,
    ) -> Result<TreeRun, TrainError> {
        let m = &train.features;
        let objective = objective_of(head);
        let trainer = GbdtTrainer::new(
            &m.values,
            m.rows,
            m.cols,
            train.targets.clone(),
            objective,
            settings,
            row_weights,
            categories,
            config.seed,
        )?;
        let base = trainer.booster().base.clone();
        let valid_scores = (0..valid_rows)
            .flat_map(|_| base.iter().map(|&b| f64::from(b)))
            .collect::<Vec<f64>>();
        Ok(TreeRun {
            trainer,
            valid_scores,
        })
    }

    /// One epoch: [`ROUNDS_PER_EPOCH`] more rounds. Returns the training loss and the
    /// validation outputs as the head reads them (probabilities or the standardised value),
    /// empty without validation rows.
    pub(super) fn epoch(&mut self, valid: Option<&Matrix>) -> Result<(f64, Vec<f32>), TrainError> {
        let before = self.trainer.rounds();
        self.trainer.boost(ROUNDS_PER_EPOCH)?;
        let booster = self.trainer.booster();
        let mut outputs = Vec::new();
        if let Some(valid) = valid {
            booster.add_rounds(
                &valid.values,
                valid.rows,
                valid.cols,
                before..booster.rounds(),
                &mut self.valid_scores,
            );
            let raw: Vec<f32> = self.valid_scores.iter().map(|&s| s as f32).collect();
            outputs.reserve(raw.len());
            for row in raw.chunks_exact(booster.outputs().max(1)) {
                booster.objective.transform(row, &mut outputs);
            }
        }
        Ok((self.trainer.train_loss(), outputs))
    }

    /// Rounds trained so far.
    pub(super) fn rounds(&self) -> usize {
        self.trainer.rounds()
    }

    /// The model cut at `rounds` rounds.
    pub(super) fn booster_at(&self, rounds: usize) -> Booster {
        let mut booster = self.trainer.booster().clone();
        booster.truncate(rounds);
        booster
    }
}

/// A booster's predictions as the head reads them, checked against the features.
pub fn predict(booster: &Booster, features: &Matrix) -> Result<Vec<f32>, TrainError> {
    if features.cols != booster.features {
        return Err(TrainError::data(
            "prediction",
            format!(
                "it has {} features but the trees take {}",
                features.cols, booster.features
            ),
        ));
    }
    Ok(booster.predict(&features.values, features.rows, features.cols))
}
