//! The training examples on the host: feature rows with their encoded targets
//! ([`Examples`]), the train / validation / test parts of a prepared dataset
//! ([`TrainingData`]), and the checks that make them safe to train on.
//!
//! Kept apart from the device code so that everything below it (batches, the step, evaluation)
//! can take examples that are known to fit the pipeline, and so that it needs no burn type.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::error::TrainError;
use crate::data::Dataset;
use crate::prep::{FittedPipeline, Matrix, Prepared, Split, Targets};

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

    /// These examples followed by `other`'s (e.g. the training and validation rows, to refit
    /// a chosen configuration on both). Both must have the same features and target kind.
    pub fn concat(&self, other: &Examples) -> Result<Examples, TrainError> {
        if self.features.cols != other.features.cols {
            return Err(TrainError::data(
                "training",
                format!(
                    "rows with {} and {} features cannot be joined",
                    self.features.cols, other.features.cols
                ),
            ));
        }
        let targets = match (&self.targets, &other.targets) {
            (Targets::Classes(a), Targets::Classes(b)) => {
                Targets::Classes(a.iter().chain(b).copied().collect())
            }
            (Targets::Values(a), Targets::Values(b)) => {
                Targets::Values(a.iter().chain(b).copied().collect())
            }
            _ => {
                return Err(TrainError::data(
                    "training",
                    "rows with classes and rows with values cannot be joined",
                ));
            }
        };
        let mut values =
            Vec::with_capacity(self.features.values.len() + other.features.values.len());
        values.extend_from_slice(&self.features.values);
        values.extend_from_slice(&other.features.values);
        Ok(Examples {
            features: Matrix {
                rows: self.features.rows + other.features.rows,
                cols: self.features.cols,
                values,
                feature_names: self.features.feature_names.clone(),
            },
            targets,
        })
    }

    #[cfg(feature = "compute")]
    fn target_len(&self) -> usize {
        match &self.targets {
            Targets::Classes(c) => c.len(),
            Targets::Values(v) => v.len(),
        }
    }

    /// Checks the examples against the pipeline: width, target kind and range, row counts.
    #[cfg(feature = "compute")]
    pub(super) fn check(&self, part: &str, pipeline: &FittedPipeline) -> Result<(), TrainError> {
        use crate::prep::TargetEncoding;
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

/// The train / validation / test examples of a [`Prepared`] dataset. Each part is shared
/// ([`Arc`]): a trainer, every trial of a search and a refit read the same rows without a copy,
/// which on a million rows is a quarter of a gigabyte each time.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingData {
    pub train: Arc<Examples>,
    /// `None` when the split has no validation rows.
    pub valid: Option<Arc<Examples>>,
    /// `None` when the split has no test rows.
    pub test: Option<Arc<Examples>>,
    /// Messages for the user (e.g. which fold validates under cross-validation).
    pub notes: Vec<String>,
    /// Cross-validation: each fold's training and validation examples (fold 0 is also
    /// `train` / `valid`); empty with a single validation split. A search trial trains on
    /// every fold and is scored by their mean.
    pub folds: Vec<(Arc<Examples>, Arc<Examples>)>,
}

/// One part of [`TrainingData`]: which rows of the prepared dataset it holds.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Train,
    Valid,
    Test,
    /// Fold `k`'s training rows (every training row outside fold `k`).
    FoldTrain(usize),
    /// Fold `k`'s held-out rows.
    FoldValid(usize),
}

/// Which dataset rows make each part of a prepared dataset's [`TrainingData`], and the notes
/// that go with that split. [`TrainingData::from_prepared`] transforms them in one go; the
/// page's data worker transforms them a block at a time and hands the blocks to the compute
/// worker, which puts them together with [`TrainingData::from_parts`].
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// The parts in the order [`TrainingData::from_parts`] takes them; empty ones left out.
    pub parts: Vec<(Part, Vec<usize>)>,
    pub notes: Vec<String>,
}

impl Layout {
    /// With cross-validation folds and no validation split, the first fold validates and the
    /// other folds train (one run; every fold's pair is also listed, for a search).
    pub fn of(split: &Split) -> Layout {
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
        let mut parts = vec![(Part::Train, train_rows)];
        if !valid_rows.is_empty() {
            parts.push((Part::Valid, valid_rows));
        }
        if !split.test.is_empty() {
            parts.push((Part::Test, split.test.clone()));
        }
        if split.valid.is_empty() && split.folds.len() >= 2 {
            for (fold, held_out) in split.folds.iter().enumerate() {
                parts.push((Part::FoldTrain(fold), split.fold_train(fold)));
                parts.push((Part::FoldValid(fold), held_out.clone()));
            }
        }
        Layout { parts, notes }
    }
}

impl TrainingData {
    /// Transforms the split's rows ([`Layout::of`] says which make each part).
    pub fn from_prepared(
        prepared: &Prepared,
        dataset: &Dataset,
    ) -> Result<TrainingData, TrainError> {
        let layout = Layout::of(&prepared.split);
        let parts = layout
            .parts
            .iter()
            .map(|(part, rows)| {
                Examples::from_rows(&prepared.pipeline, dataset, rows)
                    .map(|examples| (*part, examples))
            })
            .collect::<Result<Vec<_>, _>>()?;
        TrainingData::from_parts(parts, layout.notes)
    }

    /// Puts transformed parts together: a training part, at most one validation and one test
    /// part, and both parts of every fold numbered from 0.
    pub fn from_parts(
        parts: Vec<(Part, Examples)>,
        notes: Vec<String>,
    ) -> Result<TrainingData, TrainError> {
        let (mut train, mut valid, mut test) = (None, None, None);
        let mut fold_parts: Vec<(Option<Examples>, Option<Examples>)> = Vec::new();
        for (part, examples) in parts {
            if let Part::FoldTrain(k) | Part::FoldValid(k) = part
                && fold_parts.len() <= k
            {
                fold_parts.resize_with(k + 1, || (None, None));
            }
            let slot = match part {
                Part::Train => &mut train,
                Part::Valid => &mut valid,
                Part::Test => &mut test,
                Part::FoldTrain(k) => &mut fold_parts[k].0,
                Part::FoldValid(k) => &mut fold_parts[k].1,
            };
            if slot.replace(examples).is_some() {
                return Err(TrainError::data("training", format!("{part:?} came twice")));
            }
        }
        let train = train.ok_or_else(|| TrainError::data("training", "it has no training part"))?;
        let folds = fold_parts
            .into_iter()
            .enumerate()
            .map(|(k, pair)| match pair {
                (Some(train), Some(valid)) => Ok((Arc::new(train), Arc::new(valid))),
                _ => Err(TrainError::data(
                    "training",
                    format!("fold {} lacks its training or held-out rows", k + 1),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrainingData {
            train: Arc::new(train),
            valid: valid.map(Arc::new),
            test: test.map(Arc::new),
            notes,
            folds,
        })
    }
}
