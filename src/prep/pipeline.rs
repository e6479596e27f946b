//! The fitted pipeline: the statistics learned from the training rows, and the transforms
//! that apply them to a whole dataset or to one raw row. Fitting it is `fit`'s job.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::reference::ColumnReference;

use crate::data::{ColumnValues, Dataset, Task};

use super::cell::{Cell, class_key, target_number};
use super::error::PrepError;
use super::stats;
use super::steps::{OTHER, Step};

/// Everything needed to turn raw rows into features, learned from the training rows only.
/// Serialises to JSON and back exactly (all fitted parameters are `f32`, which JSON carries
/// without loss; see the module docs).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FittedPipeline {
    /// The dataset's columns in file order: the layout of a raw row for
    /// [`FittedPipeline::transform_row`]. The target and dropped columns are ignored there.
    pub columns: Vec<String>,
    pub target: String,
    pub task: Task,
    /// Whether raw numbers use a decimal comma, as in the file the pipeline was fitted on.
    pub decimal_comma: bool,
    /// The output features, in matrix column order.
    pub feature_names: Vec<String>,
    /// One fitted step per used column, in column order; together they make the features.
    pub steps: Vec<FittedColumn>,
    pub target_encoding: TargetEncoding,
    /// Each input column's training distribution, for monitoring drift (empty in model files
    /// written before Hearth kept it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference: Vec<ColumnReference>,
}

/// The fitted step of one input column.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FittedColumn {
    pub column: String,
    /// Position of the column in [`FittedPipeline::columns`].
    pub input: usize,
    pub step: Step,
}

/// How the target is encoded.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TargetEncoding {
    /// Class `i` is `classes[i]` (the labels sorted, numerically when all are numbers). The
    /// classes are those of every row of the data, so that folds and splits number them alike.
    Labels { classes: Vec<String> },
    /// Values are `(t − mean) / std` when `standardized`, else `t`, where `t` is `ln(1 + y)`
    /// when `log` (mean and std are then those of the logarithms) and `y` otherwise.
    Regression {
        mean: f32,
        std: f32,
        standardized: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        log: bool,
    },
}

/// A row-major feature matrix: `values[row * cols + col]`. No cell is NaN or infinite.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub values: Vec<f32>,
    pub feature_names: Vec<String>,
}

impl Matrix {
    /// Row `row`, or an empty slice past the end.
    pub fn row(&self, row: usize) -> &[f32] {
        let start = row.saturating_mul(self.cols);
        self.values
            .get(start..start.saturating_add(self.cols))
            .unwrap_or_default()
    }
}

/// Encoded targets for some rows.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", content = "values", rename_all = "snake_case")]
pub enum Targets {
    /// Class indices into [`TargetEncoding::Labels`].
    Classes(Vec<u32>),
    /// Regression values, standardised when the pipeline says so.
    Values(Vec<f32>),
}

/// A decoded model output.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Prediction {
    Class { index: u32, name: String },
    Value { value: f64 },
}

impl FittedPipeline {
    /// The target's classes, in the order of the model's outputs (none for regression).
    pub fn classes(&self) -> &[String] {
        match &self.target_encoding {
            TargetEncoding::Labels { classes } => classes,
            TargetEncoding::Regression { .. } => &[],
        }
    }

    /// Number of features.
    pub fn width(&self) -> usize {
        self.steps.iter().map(|s| s.step.width()).sum()
    }

    /// The feature columns of each one-hot step, in order: each range is one categorical
    /// column, one feature per category with exactly one of them 1 in every row.
    pub fn one_hot_groups(&self) -> Vec<std::ops::Range<usize>> {
        let mut start = 0;
        let mut groups = Vec::new();
        for fitted in &self.steps {
            let width = fitted.step.width();
            if matches!(fitted.step, Step::OneHot(_)) {
                groups.push(start..start + width);
            }
            start += width;
        }
        groups
    }

    /// The columns the pipeline reads (the used, non-target ones), in order.
    pub fn inputs(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map(|s| s.column.as_str())
    }

    /// Transforms the given rows of a dataset into a matrix (rows in the order given). The
    /// dataset needs every column the pipeline reads (found by name; other columns, the target
    /// included, are ignored).
    pub fn transform_dataset(
        &self,
        dataset: &Dataset,
        rows: &[usize],
    ) -> Result<Matrix, PrepError> {
        let cols = self.width();
        if cols != self.feature_names.len() {
            return Err(PrepError::Inconsistent {
                steps: cols,
                names: self.feature_names.len(),
            });
        }
        if let Some(&row) = rows.iter().find(|&&r| r >= dataset.rows) {
            return Err(PrepError::RowOutOfRange {
                row,
                rows: dataset.rows,
            });
        }
        let too_large = PrepError::TooLarge {
            rows: rows.len(),
            cols,
        };
        let len = rows.len().checked_mul(cols).ok_or(too_large.clone())?;
        let mut values: Vec<f32> = Vec::new();
        values.try_reserve_exact(len).map_err(|_| too_large)?;
        values.resize(len, 0.0);
        let mut offset = 0usize;
        for fitted in &self.steps {
            let column =
                dataset
                    .column(&fitted.column)
                    .ok_or_else(|| PrepError::MissingColumn {
                        column: fitted.column.clone(),
                    })?;
            let width = fitted.step.width();
            let mut cell_out = vec![0.0f32; width];
            // Text columns: encode each dictionary entry once when that is cheaper.
            let cache = match &column.values {
                ColumnValues::Text { dictionary, .. } if dictionary.len() < rows.len() => {
                    let mut cache = vec![0.0f32; dictionary.len().saturating_mul(width)];
                    for (entry, chunk) in dictionary.iter().zip(cache.chunks_mut(width.max(1))) {
                        fitted
                            .step
                            .encode(Cell::Text(entry), self.decimal_comma, chunk);
                    }
                    Some(cache)
                }
                _ => None,
            };
            for (r, &row) in rows.iter().enumerate() {
                let start = r * cols + offset;
                let Some(out) = values.get_mut(start..start + width) else {
                    continue;
                };
                let cached = match (&cache, &column.values) {
                    (Some(cache), ColumnValues::Text { codes, .. }) => codes
                        .get(row)
                        .and_then(|&c| (c as usize).checked_mul(width))
                        .and_then(|start| cache.get(start..start.checked_add(width)?)),
                    _ => None,
                };
                match cached {
                    Some(chunk) => out.copy_from_slice(chunk),
                    None => {
                        fitted.step.encode(
                            Cell::of_column(column, row),
                            self.decimal_comma,
                            &mut cell_out,
                        );
                        out.copy_from_slice(&cell_out);
                    }
                }
            }
            offset += width;
        }
        Ok(Matrix {
            rows: rows.len(),
            cols,
            values,
            feature_names: self.feature_names.clone(),
        })
    }

    /// Transforms one raw row: `raw[i]` is the field of `columns[i]` as read from the CSV
    /// (`None` or a missing marker such as `NA` = missing; a short row is padded with missing
    /// values). Never fails: missing, unreadable and unseen values all map (see each step).
    /// Gives exactly the batch path's features for the same values.
    pub fn transform_row(&self, raw: &[Option<&str>]) -> Vec<f32> {
        self.transform_with(|fitted| raw.get(fitted.input).copied().flatten())
    }

    /// Like [`FittedPipeline::transform_row`], with the fields by column name (absent = missing).
    pub fn transform_named(&self, row: &BTreeMap<String, String>) -> Vec<f32> {
        self.transform_with(|fitted| row.get(&fitted.column).map(String::as_str))
    }

    fn transform_with<'a>(&self, field: impl Fn(&FittedColumn) -> Option<&'a str>) -> Vec<f32> {
        let mut out = vec![0.0f32; self.width()];
        let mut offset = 0usize;
        for fitted in &self.steps {
            let width = fitted.step.width();
            if let Some(chunk) = out.get_mut(offset..offset + width) {
                fitted
                    .step
                    .encode(Cell::of_raw(field(fitted)), self.decimal_comma, chunk);
            }
            offset += width;
        }
        out
    }

    /// The encoded targets of the given rows: class indices, or (standardised) values. Errors
    /// for a missing target, or a class the pipeline does not know.
    pub fn encode_targets(&self, dataset: &Dataset, rows: &[usize]) -> Result<Targets, PrepError> {
        let column = dataset
            .column(&self.target)
            .ok_or_else(|| PrepError::MissingColumn {
                column: self.target.clone(),
            })?;
        if let Some(&row) = rows.iter().find(|&&r| r >= dataset.rows) {
            return Err(PrepError::RowOutOfRange {
                row,
                rows: dataset.rows,
            });
        }
        let missing = |row: usize| PrepError::MissingTarget {
            row,
            target: self.target.clone(),
        };
        match &self.target_encoding {
            TargetEncoding::Labels { classes } => {
                let index: HashMap<&str, u32> = classes
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.as_str(), i as u32))
                    .collect();
                // Rare classes were pooled: any class not listed is one of them (or unseen).
                let pooled = (classes.last().map(String::as_str) == Some(OTHER))
                    .then(|| classes.len() as u32 - 1);
                rows.iter()
                    .map(|&row| {
                        let key = class_key(column, row).ok_or_else(|| missing(row))?;
                        index.get(key.as_ref()).copied().or(pooled).ok_or_else(|| {
                            PrepError::UnknownClass {
                                row,
                                class: key.into_owned(),
                                target: self.target.clone(),
                            }
                        })
                    })
                    .collect::<Result<Vec<u32>, _>>()
                    .map(Targets::Classes)
            }
            TargetEncoding::Regression { .. } => rows
                .iter()
                .map(|&row| {
                    target_number(column, row, self.decimal_comma)
                        .map(|y| self.encode_value(y))
                        .ok_or_else(|| missing(row))
                })
                .collect::<Result<Vec<f32>, _>>()
                .map(Targets::Values),
        }
    }

    /// A regression target as the model sees it (on the log scale and standardised when the
    /// pipeline says so). A value below −1 has no logarithm and becomes the scale's 0.
    pub fn encode_value(&self, y: f64) -> f32 {
        match self.target_encoding {
            TargetEncoding::Regression {
                mean,
                std,
                standardized,
                log,
            } => {
                let t = if log { y.ln_1p() } else { y };
                if standardized {
                    stats::finite_f32((t - f64::from(mean)) / f64::from(std))
                } else {
                    stats::finite_f32(t)
                }
            }
            TargetEncoding::Labels { .. } => stats::finite_f32(y),
        }
    }

    /// A regression output back in the target's units (the inverse of
    /// [`FittedPipeline::encode_value`]).
    pub fn decode_value(&self, output: f32) -> f64 {
        match self.target_encoding {
            TargetEncoding::Regression {
                mean,
                std,
                standardized,
                log,
            } => {
                let t = if standardized {
                    f64::from(output) * f64::from(std) + f64::from(mean)
                } else {
                    f64::from(output)
                };
                if log { t.exp_m1() } else { t }
            }
            TargetEncoding::Labels { .. } => f64::from(output),
        }
    }

    /// The name of class `index` (classification).
    pub fn class_name(&self, index: u32) -> Option<&str> {
        match &self.target_encoding {
            TargetEncoding::Labels { classes } => classes.get(index as usize).map(String::as_str),
            TargetEncoding::Regression { .. } => None,
        }
    }

    /// Decodes a model output. Classification: one score (or probability) per class, the
    /// largest wins (the first on a tie; NaN scores never win); with two classes a single
    /// output is the probability of class 1. Regression: the first output, de-standardised.
    /// `None` for an empty output or one of the wrong length.
    pub fn decode_prediction(&self, output: &[f32]) -> Option<Prediction> {
        match &self.target_encoding {
            TargetEncoding::Regression { .. } => output.first().map(|&y| Prediction::Value {
                value: self.decode_value(y),
            }),
            TargetEncoding::Labels { classes } => {
                let index = if classes.len() == 2 && output.len() == 1 {
                    usize::from(output.first().is_some_and(|&p| p > 0.5))
                } else if output.len() == classes.len() {
                    let mut best: Option<(usize, f32)> = None;
                    for (i, &score) in output.iter().enumerate() {
                        if !score.is_nan() && best.is_none_or(|(_, b)| score > b) {
                            best = Some((i, score));
                        }
                    }
                    best?.0
                } else {
                    return None;
                };
                let name = classes.get(index)?.clone();
                Some(Prediction::Class {
                    index: index as u32,
                    name,
                })
            }
        }
    }
}
