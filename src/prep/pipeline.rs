//! The fitted pipeline: statistics learned from the training rows, and the transforms that
//! apply them to a whole dataset or to one raw row.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::data::{
    Column, ColumnValues, Dataset, Task, civil_parts, is_missing_marker, parse_datetime,
    parse_number,
};

use super::config::{DatePart, Encoding, Impute, PrepConfig, Scale};
use super::error::PrepError;
use super::plan::{Action, Plan};
use super::stats;

/// Name suffixes of the extra one-hot features.
pub(crate) const OTHER: &str = "(other)";
const MISSING: &str = "(missing)";

/// Words read as true / false by boolean steps on text (compared trimmed, case-insensitively).
/// The ONNX export lists their spellings too.
pub(crate) const TRUE_WORDS: [&str; 4] = ["true", "yes", "y", "t"];
pub(crate) const FALSE_WORDS: [&str; 4] = ["false", "no", "n", "f"];

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
}

/// The fitted step of one input column.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FittedColumn {
    pub column: String,
    /// Position of the column in [`FittedPipeline::columns`].
    pub input: usize,
    pub step: Step,
}

/// A fitted transformation of one column into one or more features.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Step {
    Numeric(NumericStep),
    Boolean(BooleanStep),
    OneHot(OneHotStep),
    Ordinal(OrdinalStep),
    Frequency(FrequencyStep),
    Date(DateStep),
}

/// A number: missing → `impute`; +∞ → `high`, −∞ → `low` (the finite training extremes); then
/// scaled. Features: the value, then the missing indicator if any.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NumericStep {
    pub impute: f32,
    pub low: f32,
    pub high: f32,
    pub scaler: Scaler,
    pub indicator: bool,
}

/// `(x − center) / scale`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Scaler {
    pub kind: Scale,
    pub center: f32,
    pub scale: f32,
}

/// 0/1. Numbers: `one` → 1, `zero` → 0 (the larger and smaller training values, written in
/// shortest form); text: true/yes/y/t → 1, false/no/n/f → 0. Anything else (missing, unseen)
/// → `fill`, the training mode. Features: the value, then the missing indicator if any.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BooleanStep {
    pub values: BooleanValues,
    pub fill: f32,
    pub indicator: bool,
}

/// What a boolean column's values are.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BooleanValues {
    Numbers { zero: String, one: String },
    Words,
}

/// One feature per category (sorted), then `(missing)` when missing values were frequent in
/// training, then `(other)` for rare, unseen (and otherwise missing) values.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OneHotStep {
    pub categories: Vec<String>,
    pub missing: bool,
}

/// One feature: category i (sorted, from 0) → (i + 1) / levels; missing → `missing_code` /
/// levels (0 unless missing values were frequent in training); rare and unseen → 0.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OrdinalStep {
    pub categories: Vec<String>,
    pub missing_code: u32,
    pub levels: u32,
}

/// One feature: the category's share of the training rows. Only categories seen at least
/// `rare_min_count` times are listed (a rarer value could single out a training row, and the
/// list is written into every model file); rare and unseen values get `other`, the mean share
/// of a rare category in training (0 when none was rare).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FrequencyStep {
    pub categories: Vec<String>,
    pub frequencies: Vec<f32>,
    pub missing: f32,
    /// Files written before rare values were pooled have no `other`: unseen values were 0.
    #[serde(default)]
    pub other: f32,
}

/// Date/time parts: each is imputed and scaled like a numeric step. Unreadable values count as
/// missing. Features: the parts, then the missing indicator if any.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DateStep {
    /// `DD/MM/YYYY` rather than `MM/DD/YYYY` (decided from the training values).
    pub day_first: bool,
    pub parts: Vec<DatePartStep>,
    pub indicator: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DatePartStep {
    pub part: DatePart,
    pub impute: f32,
    pub scaler: Scaler,
}

/// How the target is encoded.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TargetEncoding {
    /// Class `i` is `classes[i]` (the labels sorted, numerically when all are numbers). The
    /// classes are those of every row of the data, so that folds and splits number them alike.
    Labels { classes: Vec<String> },
    /// Values are `(y − mean) / std` when `standardized`, else as is.
    Regression {
        mean: f32,
        std: f32,
        standardized: bool,
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

/// One value of a column, as the steps see it.
#[derive(Clone, Copy, Debug)]
enum Cell<'a> {
    Missing,
    Number(f64),
    Text(&'a str),
}

impl<'a> Cell<'a> {
    fn of_column(column: &'a Column, row: usize) -> Cell<'a> {
        match &column.values {
            ColumnValues::Numeric(values) => match values.get(row) {
                Some(&x) if !x.is_nan() => Cell::Number(x),
                _ => Cell::Missing,
            },
            ColumnValues::Text { dictionary, codes } => {
                match codes.get(row).and_then(|&c| dictionary.get(c as usize)) {
                    Some(text) => Cell::Text(text),
                    None => Cell::Missing,
                }
            }
        }
    }

    /// A raw field: missing markers (`NA`, empty, …) are missing.
    fn of_raw(raw: Option<&'a str>) -> Cell<'a> {
        match raw {
            Some(text) if !is_missing_marker(text.as_bytes()) => Cell::Text(text),
            _ => Cell::Missing,
        }
    }

    /// The value as a number: text is parsed with the file's decimal separator, then with a
    /// point (so that `Column::raw` output and decimal-point input work in decimal-comma
    /// files). `None` when missing or unreadable.
    fn number(self, decimal_comma: bool) -> Option<f64> {
        let x = match self {
            Cell::Missing => return None,
            Cell::Number(x) => x,
            Cell::Text(text) => parse_number(text.as_bytes(), decimal_comma).or_else(|| {
                decimal_comma
                    .then(|| parse_number(text.as_bytes(), false))
                    .flatten()
            })?,
        };
        (!x.is_nan()).then_some(x)
    }

    /// The value as a category key: text as is, numbers in shortest form (as `Column::raw`).
    fn key(self) -> Option<std::borrow::Cow<'a, str>> {
        match self {
            Cell::Missing => None,
            Cell::Number(x) => Some(std::borrow::Cow::Owned(format!("{x}"))),
            Cell::Text(text) => Some(std::borrow::Cow::Borrowed(text)),
        }
    }
}

impl Scaler {
    fn apply(&self, x: f64) -> f32 {
        stats::finite_f32((x - f64::from(self.center)) / f64::from(self.scale))
    }

    /// Fits on the values a step will see (already imputed and clipped).
    fn fit(kind: Scale, values: &[f64]) -> Scaler {
        let (center, scale) = match kind {
            Scale::None => (0.0, 1.0),
            Scale::Standard => {
                let mean = stats::mean(values).unwrap_or(0.0);
                (mean, stats::std_population(values, mean))
            }
            Scale::Robust => {
                let sorted = stats::sorted(values);
                let median = stats::median_sorted(&sorted).unwrap_or(0.0);
                let p25 = stats::quantile_sorted(&sorted, 0.25).unwrap_or(0.0);
                let p75 = stats::quantile_sorted(&sorted, 0.75).unwrap_or(0.0);
                (median, p75 - p25)
            }
            Scale::MinMax => {
                let min = values.iter().copied().fold(f64::INFINITY, f64::min);
                let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                if min.is_finite() && max.is_finite() {
                    (min, max - min)
                } else {
                    (0.0, 1.0)
                }
            }
        };
        Scaler {
            kind,
            center: stats::finite_f32(center),
            scale: stats::divisor_f32(scale),
        }
    }
}

/// The value an impute setting gives for these finite training values (0 when there are none).
fn impute_value(impute: Impute, finite: &[f64]) -> f32 {
    let value = match impute {
        Impute::Constant(c) => c,
        Impute::Mean => stats::mean(finite).unwrap_or(0.0),
        Impute::Median => stats::median_sorted(&stats::sorted(finite)).unwrap_or(0.0),
    };
    stats::finite_f32(value)
}

impl NumericStep {
    fn fit(values: &[Option<f64>], impute: Impute, indicator: bool, scale: Scale) -> NumericStep {
        let finite: Vec<f64> = values
            .iter()
            .flatten()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        let low = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let high = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (low, high) = if finite.is_empty() {
            (0.0, 0.0)
        } else {
            (low, high)
        };
        let mut step = NumericStep {
            impute: impute_value(impute, &finite),
            low: stats::finite_f32(low),
            high: stats::finite_f32(high),
            scaler: Scaler {
                kind: Scale::None,
                center: 0.0,
                scale: 1.0,
            },
            indicator,
        };
        let seen: Vec<f64> = values.iter().map(|&v| step.unscaled(v)).collect();
        step.scaler = Scaler::fit(scale, &seen);
        step
    }

    /// The value before scaling: imputed and with ±∞ replaced.
    fn unscaled(&self, value: Option<f64>) -> f64 {
        match value {
            None => f64::from(self.impute),
            Some(x) if x == f64::INFINITY => f64::from(self.high),
            Some(x) if x == f64::NEG_INFINITY => f64::from(self.low),
            Some(x) => x,
        }
    }

    fn encode(&self, value: Option<f64>, out: &mut [f32]) {
        let x = self.scaler.apply(self.unscaled(value));
        write(out, 0, x);
        if self.indicator {
            write(out, 1, if value.is_none() { 1.0 } else { 0.0 });
        }
    }
}

impl BooleanStep {
    /// 1, 0, or `None` for anything else.
    fn bit(&self, cell: Cell<'_>, decimal_comma: bool) -> Option<f32> {
        match &self.values {
            BooleanValues::Words => {
                let text = cell.key()?;
                let word = text.trim().to_lowercase();
                if TRUE_WORDS.contains(&word.as_str()) {
                    Some(1.0)
                } else if FALSE_WORDS.contains(&word.as_str()) {
                    Some(0.0)
                } else {
                    None
                }
            }
            BooleanValues::Numbers { zero, one } => {
                let x = cell.number(decimal_comma)?;
                if one.parse::<f64>().is_ok_and(|one| one == x) {
                    Some(1.0)
                } else if zero.parse::<f64>().is_ok_and(|zero| zero == x) {
                    Some(0.0)
                } else {
                    None
                }
            }
        }
    }

    fn encode(&self, cell: Cell<'_>, decimal_comma: bool, out: &mut [f32]) {
        let bit = self.bit(cell, decimal_comma);
        write(out, 0, bit.unwrap_or(self.fill));
        if self.indicator {
            write(out, 1, if bit.is_none() { 1.0 } else { 0.0 });
        }
    }
}

/// Position of `key` in sorted `categories`.
fn find(categories: &[String], key: &str) -> Option<usize> {
    categories.binary_search_by(|c| c.as_str().cmp(key)).ok()
}

impl OneHotStep {
    fn encode(&self, cell: Cell<'_>, out: &mut [f32]) {
        out.fill(0.0);
        let k = self.categories.len();
        let other = k + usize::from(self.missing);
        let index = match cell.key() {
            None if self.missing => k,
            None => other,
            Some(key) => find(&self.categories, &key).unwrap_or(other),
        };
        write(out, index, 1.0);
    }
}

impl OrdinalStep {
    fn encode(&self, cell: Cell<'_>, out: &mut [f32]) {
        let code = match cell.key() {
            None => self.missing_code,
            Some(key) => find(&self.categories, &key).map_or(0, |i| i as u32 + 1),
        };
        let levels = self.levels.max(1);
        write(
            out,
            0,
            stats::finite_f32(f64::from(code) / f64::from(levels)),
        );
    }
}

impl FrequencyStep {
    fn encode(&self, cell: Cell<'_>, out: &mut [f32]) {
        let share = match cell.key() {
            None => self.missing,
            Some(key) => find(&self.categories, &key)
                .and_then(|i| self.frequencies.get(i).copied())
                .unwrap_or(self.other),
        };
        write(out, 0, share);
    }
}

fn part_value(part: DatePart, seconds: f64) -> f64 {
    let (year, month, day, weekday, hour) = civil_parts(seconds);
    (match part {
        DatePart::Year => year,
        DatePart::Month => month,
        DatePart::Day => day,
        DatePart::DayOfWeek => weekday,
        DatePart::Hour => hour,
    }) as f64
}

impl DateStep {
    fn seconds(&self, cell: Cell<'_>) -> Option<f64> {
        let text = cell.key()?;
        parse_datetime(&text, self.day_first).filter(|t| t.is_finite())
    }

    fn encode(&self, cell: Cell<'_>, out: &mut [f32]) {
        let seconds = self.seconds(cell);
        for (i, part) in self.parts.iter().enumerate() {
            let x = seconds.map_or(f64::from(part.impute), |t| part_value(part.part, t));
            write(out, i, part.scaler.apply(x));
        }
        if self.indicator {
            write(
                out,
                self.parts.len(),
                if seconds.is_none() { 1.0 } else { 0.0 },
            );
        }
    }
}

fn write(out: &mut [f32], index: usize, value: f32) {
    if let Some(slot) = out.get_mut(index) {
        *slot = value;
    }
}

impl Step {
    /// Number of features this step makes.
    pub fn width(&self) -> usize {
        match self {
            Step::Numeric(s) => 1 + usize::from(s.indicator),
            Step::Boolean(s) => 1 + usize::from(s.indicator),
            Step::OneHot(s) => s.categories.len() + usize::from(s.missing) + 1,
            Step::Ordinal(_) | Step::Frequency(_) => 1,
            Step::Date(s) => s.parts.len() + usize::from(s.indicator),
        }
    }

    /// Writes this step's features for one value into `out` (`width()` cells).
    fn encode(&self, cell: Cell<'_>, decimal_comma: bool, out: &mut [f32]) {
        match self {
            Step::Numeric(s) => s.encode(cell.number(decimal_comma), out),
            Step::Boolean(s) => s.encode(cell, decimal_comma, out),
            Step::OneHot(s) => s.encode(cell, out),
            Step::Ordinal(s) => s.encode(cell, out),
            Step::Frequency(s) => s.encode(cell, out),
            Step::Date(s) => s.encode(cell, out),
        }
    }

    /// The names of this step's features, for a column named `column`.
    fn feature_names(&self, column: &str) -> Vec<String> {
        let indicator = |on: bool| on.then(|| format!("{column}_missing"));
        match self {
            Step::Numeric(s) => std::iter::once(column.to_string())
                .chain(indicator(s.indicator))
                .collect(),
            Step::Boolean(s) => std::iter::once(column.to_string())
                .chain(indicator(s.indicator))
                .collect(),
            Step::OneHot(s) => s
                .categories
                .iter()
                .map(|c| format!("{column}={c}"))
                .chain(s.missing.then(|| format!("{column}={MISSING}")))
                .chain(std::iter::once(format!("{column}={OTHER}")))
                .collect(),
            Step::Ordinal(_) | Step::Frequency(_) => vec![column.to_string()],
            Step::Date(s) => s
                .parts
                .iter()
                .map(|p| format!("{column}_{}", p.part.name()))
                .chain(indicator(s.indicator))
                .collect(),
        }
    }
}

impl FittedPipeline {
    /// Number of features.
    pub fn width(&self) -> usize {
        self.steps.iter().map(|s| s.step.width()).sum()
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

    /// A regression target as the model sees it (standardised when the pipeline says so).
    pub fn encode_value(&self, y: f64) -> f32 {
        match self.target_encoding {
            TargetEncoding::Regression {
                mean,
                std,
                standardized: true,
            } => stats::finite_f32((y - f64::from(mean)) / f64::from(std)),
            _ => stats::finite_f32(y),
        }
    }

    /// A regression output back in the target's units (the inverse of
    /// [`FittedPipeline::encode_value`]).
    pub fn decode_value(&self, output: f32) -> f64 {
        match self.target_encoding {
            TargetEncoding::Regression {
                mean,
                std,
                standardized: true,
            } => f64::from(output) * f64::from(std) + f64::from(mean),
            _ => f64::from(output),
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

/// The class label of a row: text as is, numbers in shortest form; `None` when missing or a
/// non-finite number.
/// The classes of a classification target, numbered as the model numbers them.
pub(crate) struct ClassList {
    /// The classes seen at least `min_count` times in sorted order (numerically when all are
    /// numbers), then [`OTHER`] when some were rarer.
    pub classes: Vec<String>,
    /// How many distinct classes were rarer than `min_count` and pooled into [`OTHER`].
    pub pooled: usize,
}

/// The classes of `column` over its first `rows` rows. A class seen fewer than `min_count`
/// times is pooled into [`OTHER`]: its name would single out a few rows, and the list is
/// written into every model file and its ONNX export.
pub(crate) fn class_list(column: &Column, rows: usize, min_count: usize) -> ClassList {
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

pub(crate) fn class_key(column: &Column, row: usize) -> Option<std::borrow::Cow<'_, str>> {
    match Cell::of_column(column, row) {
        Cell::Number(x) if !x.is_finite() => None,
        cell => cell.key(),
    }
}

/// The finite number of a row's target.
pub(crate) fn target_number(column: &Column, row: usize, decimal_comma: bool) -> Option<f64> {
    Cell::of_column(column, row)
        .number(decimal_comma)
        .filter(|y| y.is_finite())
}

/// Sorts class labels: numerically when all are numbers, else as text.
pub(crate) fn sort_classes(classes: &mut [String]) {
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

/// Counts of the category keys of a column over some rows, and of missing values.
fn category_counts(column: &Column, rows: &[usize]) -> (BTreeMap<String, usize>, usize) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut missing = 0usize;
    match &column.values {
        ColumnValues::Text { dictionary, codes } => {
            let mut by_code = vec![0usize; dictionary.len()];
            for &row in rows {
                match codes.get(row).and_then(|&c| by_code.get_mut(c as usize)) {
                    Some(n) => *n += 1,
                    None => missing += 1,
                }
            }
            for (value, n) in dictionary.iter().zip(by_code) {
                if n > 0 {
                    *counts.entry(value.clone()).or_insert(0) += n;
                }
            }
        }
        ColumnValues::Numeric(_) => {
            for &row in rows {
                match Cell::of_column(column, row).key() {
                    Some(key) => *counts.entry(key.into_owned()).or_insert(0) += 1,
                    None => missing += 1,
                }
            }
        }
    }
    (counts, missing)
}

/// Fits the step for one column from its training rows.
fn fit_step(
    column: &Column,
    action: &Action,
    rows: &[usize],
    decimal_comma: bool,
    config: &PrepConfig,
) -> Option<Step> {
    let numbers = || -> Vec<Option<f64>> {
        rows.iter()
            .map(|&row| Cell::of_column(column, row).number(decimal_comma))
            .collect()
    };
    let frequent = |n: usize| n > 0 && n >= config.rare_min_count;
    Some(match action {
        Action::Drop => return None,
        Action::Numeric {
            impute,
            indicator,
            scale,
        } => Step::Numeric(NumericStep::fit(&numbers(), *impute, *indicator, *scale)),
        Action::Boolean { indicator } => {
            let values = match &column.values {
                ColumnValues::Numeric(_) => {
                    let finite: Vec<f64> = numbers()
                        .into_iter()
                        .flatten()
                        .filter(|x| x.is_finite())
                        .collect();
                    let zero = finite.iter().copied().fold(f64::INFINITY, f64::min);
                    let one = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let (zero, one) = if finite.is_empty() {
                        (0.0, 1.0)
                    } else {
                        (zero, one)
                    };
                    BooleanValues::Numbers {
                        zero: format!("{zero}"),
                        one: format!("{one}"),
                    }
                }
                ColumnValues::Text { .. } => BooleanValues::Words,
            };
            let mut step = BooleanStep {
                values,
                fill: 0.0,
                indicator: *indicator,
            };
            let (mut ones, mut zeros) = (0usize, 0usize);
            for &row in rows {
                match step.bit(Cell::of_column(column, row), decimal_comma) {
                    Some(b) if b > 0.5 => ones += 1,
                    Some(_) => zeros += 1,
                    None => {}
                }
            }
            step.fill = if ones > zeros { 1.0 } else { 0.0 };
            Step::Boolean(step)
        }
        Action::Categorical { encoding } => {
            let (counts, missing) = category_counts(column, rows);
            match encoding {
                Encoding::OneHot => Step::OneHot(OneHotStep {
                    categories: counts
                        .iter()
                        .filter(|&(_, &n)| frequent(n))
                        .map(|(c, _)| c.clone())
                        .collect(),
                    missing: frequent(missing),
                }),
                Encoding::Ordinal => {
                    let categories: Vec<String> = counts
                        .iter()
                        .filter(|&(_, &n)| frequent(n))
                        .map(|(c, _)| c.clone())
                        .collect();
                    let k = categories.len() as u32;
                    let (missing_code, levels) = if frequent(missing) {
                        (k + 1, k + 1)
                    } else {
                        (0, k)
                    };
                    Step::Ordinal(OrdinalStep {
                        categories,
                        missing_code,
                        levels,
                    })
                }
                Encoding::Frequency => {
                    let n = rows.len().max(1) as f64;
                    let share = |count: usize| stats::finite_f32(count as f64 / n);
                    let (kept, rare): (Vec<_>, Vec<_>) =
                        counts.into_iter().partition(|&(_, c)| frequent(c));
                    let rare_rows: usize = rare.iter().map(|&(_, c)| c).sum();
                    Step::Frequency(FrequencyStep {
                        frequencies: kept.iter().map(|&(_, c)| share(c)).collect(),
                        categories: kept.into_iter().map(|(category, _)| category).collect(),
                        missing: share(missing),
                        other: stats::finite_f32(rare_rows as f64 / n / rare.len().max(1) as f64),
                    })
                }
            }
        }
        Action::Date {
            parts,
            impute,
            indicator,
            scale,
        } => {
            let (counts, _) = category_counts(column, rows);
            let (mut month_first_only, mut day_first_only) = (0usize, 0usize);
            for (text, &n) in &counts {
                match (parse_datetime(text, false), parse_datetime(text, true)) {
                    (Some(_), None) => month_first_only += n,
                    (None, Some(_)) => day_first_only += n,
                    _ => {}
                }
            }
            let mut step = DateStep {
                day_first: day_first_only > month_first_only,
                parts: Vec::new(),
                indicator: *indicator,
            };
            let seconds: Vec<Option<f64>> = rows
                .iter()
                .map(|&row| step.seconds(Cell::of_column(column, row)))
                .collect();
            step.parts = parts
                .iter()
                .map(|&part| {
                    let values: Vec<Option<f64>> = seconds
                        .iter()
                        .map(|t| t.map(|t| part_value(part, t)))
                        .collect();
                    let numeric = NumericStep::fit(&values, *impute, false, *scale);
                    DatePartStep {
                        part,
                        impute: numeric.impute,
                        scaler: numeric.scaler,
                    }
                })
                .collect();
            Step::Date(step)
        }
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
            let mean = stats::mean(&ys).unwrap_or(0.0);
            let std = stats::std_population(&ys, mean);
            TargetEncoding::Regression {
                mean: stats::finite_f32(mean),
                std: stats::divisor_f32(std),
                standardized: config.standardize_target,
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
    Ok(FittedPipeline {
        columns,
        target: plan.target.clone(),
        task: plan.task,
        decimal_comma,
        feature_names,
        steps,
        target_encoding,
    })
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
