//! Fitting a plan to a dataset: the split, then the pipeline on the training rows (each
//! column's step is fitted by `fit_steps`), and the class list of a classification target.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::{Column, Dataset, Task};

use super::cell::{class_key, target_number};
use super::config::{PrepConfig, TargetTransform};
use super::decide::Action;
use super::error::PrepError;
use super::fit_steps::fit_step;
use super::pipeline::{FittedColumn, FittedPipeline, TargetEncoding};
use super::plan::Plan;
use super::reference::fit_references;
use super::split::{Split, split_rows};
use super::stats;
use super::steps::OTHER;

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
    if let TargetEncoding::Regression { log: true, .. } = pipeline.target_encoding {
        let ys: Vec<f64> = split
            .train
            .iter()
            .filter_map(|&row| target_number(target, row, decimal_comma))
            .collect();
        let (_, before, after) = stats::log_target_helps(&ys);
        let why = if config.target_transform == TargetTransform::Log {
            "as the settings ask".to_string()
        } else {
            format!(
                "it is never negative and right-skewed (skewness {before:.1}; {after:.1} after the logarithm)"
            )
        };
        notes.push(format!(
            "The target \"{0}\" is learned as log(1 + {0}): {why}. Predictions, metrics and the exported model are in its own units.",
            plan.target
        ));
    }
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

/// Fits the pipeline of `plan` on the given training rows of `dataset`: every statistic
/// (imputation values, scalers, category lists, frequencies, boolean modes, date order, the
/// regression target's mean and standard deviation) comes from `train_rows` only. The class
/// list of a classification target is taken from every row with a target, so that all folds
/// and splits number classes alike. Use this to fit one pipeline per cross-validation fold
/// (`train_rows` = [`Split::fold_train`](super::Split::fold_train)).
pub fn fit_pipeline(
    dataset: &Dataset,
    plan: &Plan,
    config: &PrepConfig,
    train_rows: &[usize],
) -> Result<FittedPipeline, PrepError> {
    if let Some(&row) = train_rows.iter().find(|&&r| r >= dataset.rows) {
        return Err(PrepError::RowOutOfRange {
            row,
            rows: dataset.rows,
        });
    }
    let decimal_comma = dataset.dialect.decimal_comma;
    let target = dataset
        .column(&plan.target)
        .ok_or_else(|| PrepError::MissingColumn {
            column: plan.target.clone(),
        })?;
    let target_encoding = match plan.task {
        Task::Regression => {
            let ys: Vec<f64> = train_rows
                .iter()
                .filter_map(|&row| target_number(target, row, decimal_comma))
                .collect();
            let log = match config.target_transform {
                TargetTransform::None => false,
                TargetTransform::Auto => stats::log_target_helps(&ys).0,
                TargetTransform::Log => {
                    if let Some(low) = ys.iter().copied().find(|&y| y < 0.0) {
                        return Err(PrepError::Setting {
                            setting: "target_transform".to_string(),
                            problem: format!(
                                "log needs a target that is never negative, and \"{}\" has {low} in the training rows",
                                plan.target
                            ),
                        });
                    }
                    true
                }
            };
            let ts: Vec<f64> = if log {
                ys.iter().map(|y| y.ln_1p()).collect()
            } else {
                ys
            };
            let mean = stats::mean(&ts).unwrap_or(0.0);
            let std = stats::std_population(&ts, mean);
            TargetEncoding::Regression {
                mean: stats::finite_f32(mean),
                std: stats::divisor_f32(std),
                standardized: config.standardize_target,
                log,
            }
        }
        Task::BinaryClassification | Task::MulticlassClassification => TargetEncoding::Labels {
            classes: class_list(target, dataset.rows, config.rare_min_count).classes,
        },
    };
    let columns: Vec<String> = dataset.columns.iter().map(|c| c.name.clone()).collect();
    let mut steps = Vec::new();
    for decision in &plan.decisions {
        if decision.action == Action::Drop || decision.column == plan.target {
            continue;
        }
        let Some(input) = columns.iter().position(|c| c == &decision.column) else {
            return Err(PrepError::MissingColumn {
                column: decision.column.clone(),
            });
        };
        let Some(column) = dataset.columns.get(input) else {
            continue;
        };
        if let Some(step) = fit_step(column, &decision.action, train_rows, decimal_comma, config) {
            steps.push(FittedColumn {
                column: decision.column.clone(),
                input,
                step,
            });
        }
    }
    let mut feature_names = Vec::new();
    let mut used = std::collections::HashSet::new();
    for fitted in &steps {
        for name in fitted.step.feature_names(&fitted.column) {
            let mut unique = name.clone();
            let mut n = 2;
            while used.contains(&unique) {
                unique = format!("{name}_{n}");
                n += 1;
            }
            used.insert(unique.clone());
            feature_names.push(unique);
        }
    }
    let used: Vec<(usize, &super::steps::Step)> = steps
        .iter()
        .map(|fitted| (fitted.input, &fitted.step))
        .collect();
    let reference = fit_references(
        &dataset.columns,
        &used,
        train_rows,
        decimal_comma,
        config.rare_min_count,
    );
    Ok(FittedPipeline {
        columns,
        target: plan.target.clone(),
        task: plan.task,
        decimal_comma,
        feature_names,
        steps,
        target_encoding,
        reference,
    })
}

/// The classes of a classification target, numbered as the model numbers them.
struct ClassList {
    /// The classes seen at least `min_count` times in sorted order (numerically when all are
    /// numbers), then [`OTHER`] when some were rarer.
    classes: Vec<String>,
    /// How many distinct classes were rarer than `min_count` and pooled into [`OTHER`].
    pooled: usize,
}

/// The classes of `column` over its first `rows` rows. A class seen fewer than `min_count`
/// times is pooled into [`OTHER`]: its name would single out a few rows, and the list is
/// written into every model file and its ONNX export.
fn class_list(column: &Column, rows: usize, min_count: usize) -> ClassList {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for row in 0..rows {
        if let Some(key) = class_key(column, row) {
            match counts.get_mut(key.as_ref()) {
                Some(n) => *n += 1,
                None => {
                    counts.insert(key.into_owned(), 1);
                }
            }
        }
    }
    let (kept, rare): (Vec<_>, Vec<_>) = counts.into_iter().partition(|&(_, n)| n >= min_count);
    let mut classes: Vec<String> = kept.into_iter().map(|(class, _)| class).collect();
    sort_classes(&mut classes);
    if !rare.is_empty() {
        classes.push(OTHER.to_string());
    }
    ClassList {
        classes,
        pooled: rare.len(),
    }
}

/// Sorts class labels: numerically when all are numbers, else as text.
fn sort_classes(classes: &mut [String]) {
    let numbers: Option<Vec<f64>> = classes
        .iter()
        .map(|c| c.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    if numbers.is_some() {
        classes.sort_by(|a, b| {
            let x = a.trim().parse::<f64>().unwrap_or(0.0);
            let y = b.trim().parse::<f64>().unwrap_or(0.0);
            x.total_cmp(&y).then_with(|| a.cmp(b))
        });
    } else {
        classes.sort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_sort_numerically_when_numbers() {
        let mut c: Vec<String> = ["10", "2", "1"].iter().map(|s| s.to_string()).collect();
        sort_classes(&mut c);
        assert_eq!(c, ["1", "2", "10"]);
        let mut c: Vec<String> = ["b", "a", "10"].iter().map(|s| s.to_string()).collect();
        sort_classes(&mut c);
        assert_eq!(c, ["10", "a", "b"]);
    }
}
