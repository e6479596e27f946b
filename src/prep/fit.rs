//! Fitting a plan to a dataset: the split, then the pipeline on the training rows.

use serde::{Deserialize, Serialize};

use crate::data::{Dataset, Task};

use super::config::PrepConfig;
use super::error::PrepError;
use super::pipeline::{
    ClassList, FittedPipeline, OTHER, class_key, class_list, fit_pipeline, target_number,
};
use super::plan::Plan;
use super::split::{Split, split_rows};

/// The result of [`fit`]: the fitted pipeline, the split, and counts for display.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Prepared {
    pub pipeline: FittedPipeline,
    pub split: Split,
    pub summary: PrepSummary,
}

/// Counts and notes about a fit.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PrepSummary {
    /// Number of features (matrix columns).
    pub features: usize,
    /// Rows with a usable target (the others are in no split).
    pub rows: usize,
    pub train: usize,
    pub valid: usize,
    pub test: usize,
    /// Number of cross-validation folds (0 without).
    pub folds: usize,
    /// Rows left out because their target is missing (or, for regression, not a finite number).
    pub excluded_rows: usize,
    /// Messages for the user: excluded rows, classes too small to stratify.
    pub notes: Vec<String>,
}

/// Splits the rows with a target (stratified by class for classification, shuffled for
/// regression, from `config.seed`) and fits the plan's pipeline on the training rows only.
///
/// Errors: a plan column or the target missing from the dataset, no row with a target, a
/// single class among the rows with a target, more folds than training rows, bad settings.
pub fn fit(dataset: &Dataset, plan: &Plan, config: &PrepConfig) -> Result<Prepared, PrepError> {
    config.validate()?;
    let target = dataset
        .column(&plan.target)
        .ok_or_else(|| PrepError::MissingColumn {
            column: plan.target.clone(),
        })?;
    let decimal_comma = dataset.dialect.decimal_comma;
    let mut notes = Vec::new();
    let (eligible, split_result) = match plan.task {
        Task::Regression => {
            let eligible: Vec<usize> = (0..dataset.rows)
                .filter(|&row| target_number(target, row, decimal_comma).is_some())
                .collect();
            let result = if eligible.is_empty() {
                Err(PrepError::NoRows {
                    target: plan.target.clone(),
                })
            } else {
                split_rows(&eligible, None, config)
            };
            (eligible, result)
        }
        Task::BinaryClassification | Task::MulticlassClassification => {
            let keyed: Vec<(usize, String)> = (0..dataset.rows)
                .filter_map(|row| class_key(target, row).map(|k| (row, k.into_owned())))
                .collect();
            let ClassList { classes, pooled } =
                class_list(target, dataset.rows, config.rare_min_count);
            let eligible: Vec<usize> = keyed.iter().map(|&(row, _)| row).collect();
            let first = keyed.first().map(|(_, class)| class);
            let result = match (classes.as_slice(), first) {
                (_, None) => Err(PrepError::NoRows {
                    target: plan.target.clone(),
                }),
                (_, Some(class)) if keyed.iter().all(|(_, k)| k == class) => {
                    Err(PrepError::SingleClass {
                        target: plan.target.clone(),
                        class: class.clone(),
                    })
                }
                ([_], _) => Err(PrepError::RareClasses {
                    target: plan.target.clone(),
                    classes: pooled,
                    min_count: config.rare_min_count,
                }),
                _ => {
                    if pooled > 0 {
                        notes.push(format!(
                            "{pooled} class{} of \"{}\" seen fewer than {} times {} pooled as \"{OTHER}\", so no rare class name is written into the model.",
                            if pooled == 1 { "" } else { "es" },
                            plan.target,
                            config.rare_min_count,
                            if pooled == 1 { "is" } else { "are" },
                        ));
                    }
                    let index: std::collections::HashMap<&str, u32> = classes
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (c.as_str(), i as u32))
                        .collect();
                    let other = (pooled > 0).then(|| classes.len() as u32 - 1);
                    let labels: Vec<u32> = keyed
                        .iter()
                        .map(|(_, k)| index.get(k.as_str()).copied().or(other).unwrap_or(0))
                        .collect();
                    split_rows(&eligible, Some((&labels, &classes)), config)
                }
            };
            (eligible, result)
        }
    };
    let (split, split_notes) = split_result?;
    let excluded_rows = dataset.rows - eligible.len();
    if excluded_rows > 0 {
        notes.push(format!(
            "{excluded_rows} row{} without a usable value for the target \"{}\" {} left out.",
            if excluded_rows == 1 { "" } else { "s" },
            plan.target,
            if excluded_rows == 1 { "is" } else { "are" }
        ));
    }
    notes.extend(split_notes);
    let pipeline = fit_pipeline(dataset, plan, config, &split.train)?;
    let summary = PrepSummary {
        features: pipeline.width(),
        rows: eligible.len(),
        train: split.train.len(),
        valid: split.valid.len(),
        test: split.test.len(),
        folds: split.folds.len(),
        excluded_rows,
        notes,
    };
    Ok(Prepared {
        pipeline,
        split,
        summary,
    })
}
