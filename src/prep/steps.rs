//! The fitted step types (one per used column) and how each turns one value into its
//! features. Fitting them is `fit_steps`'s job.

use serde::{Deserialize, Serialize};

use crate::data::{civil_parts, parse_datetime};

use super::cell::Cell;
use super::config::{DatePart, Scale};
use super::stats;

/// Name suffixes of the extra one-hot features.
pub(crate) const OTHER: &str = "(other)";
pub(super) const MISSING: &str = "(missing)";

/// Words read as true / false by boolean steps on text (compared trimmed, case-insensitively).
/// The ONNX export lists their spellings too.
pub(crate) const TRUE_WORDS: [&str; 4] = ["true", "yes", "y", "t"];
pub(crate) const FALSE_WORDS: [&str; 4] = ["false", "no", "n", "f"];

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

impl Scaler {
    pub(super) fn apply(&self, x: f64) -> f32 {
        stats::finite_f32((x - f64::from(self.center)) / f64::from(self.scale))
    }
}

impl NumericStep {
    /// The value before scaling: imputed and with ±∞ replaced.
    pub(super) fn unscaled(&self, value: Option<f64>) -> f64 {
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
    pub(super) fn bit(&self, cell: Cell<'_>, decimal_comma: bool) -> Option<f32> {
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

pub(super) fn part_value(part: DatePart, seconds: f64) -> f64 {
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
    pub(super) fn seconds(&self, cell: Cell<'_>) -> Option<f64> {
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
    pub(super) fn encode(&self, cell: Cell<'_>, decimal_comma: bool, out: &mut [f32]) {
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
    pub(super) fn feature_names(&self, column: &str) -> Vec<String> {
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
