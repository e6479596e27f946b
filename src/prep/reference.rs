//! What monitoring compares new data with: each input column's distribution on the training
//! rows, fitted with the pipeline and written into every model file — and the same summary of
//! a new column, read cell by cell exactly as the pipeline reads it.
//!
//! No training row is kept: numbers as counts between quantile edges (at most
//! [`NUMERIC_BINS`] bins), categories only when seen at least `rare_min_count` times (the rest
//! pooled), so the reference passes the same privacy minimum as the rest of the model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::Column;
use crate::rng::SplitMix64;

use super::cell::Cell;
use super::stats;
use super::steps::Step;

/// The most bins between a numeric column's quantile edges: its CDF is known exactly at the
/// 101 edges, so the KS statistic measured there is within one bin (1 % of the training rows)
/// of the statistic on the raw rows.
pub const NUMERIC_BINS: usize = 100;
/// A numeric column with at most this many distinct training values is compared as
/// categories, as Evidently does.
pub const FEW_VALUES: usize = 5;
/// The most categories a reference names (the most frequent); the rest are pooled.
pub const MOST_CATEGORIES: usize = 200;

/// One input column's training distribution.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ColumnReference {
    pub column: String,
    /// Training rows.
    pub rows: u64,
    /// Training rows where the column is missing (or, for numbers, unreadable: the pipeline
    /// imputes both). ±∞, which the pipeline caps, count in neither this nor the bins.
    pub missing: u64,
    pub values: ReferenceValues,
}

/// The present values of a column on the training rows.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceValues {
    /// Numbers: `counts[0]` values equal to `edges[0]` (the minimum), then `counts[i]` values
    /// in `(edges[i - 1], edges[i]]`; `edges` are quantiles of the training values.
    Numeric {
        min: f64,
        max: f64,
        mean: f64,
        /// Population standard deviation.
        std: f64,
        edges: Vec<f64>,
        counts: Vec<u64>,
    },
    /// Categories (or a number column with few distinct values, keyed by the number in
    /// shortest form), most frequent first; `other` counts the values pooled because they
    /// were rare (or beyond [`MOST_CATEGORIES`]).
    Categories {
        counts: Vec<(String, u64)>,
        other: u64,
        /// Whether the keys are numbers (a new value is read as a number, then keyed).
        numeric: bool,
    },
}

/// A new column summarised against a reference.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    pub rows: u64,
    pub missing: u64,
    /// Present values a numeric reference could not read as numbers.
    pub unreadable: u64,
    pub values: ObservedValues,
}

/// The present values of a new column.
#[derive(Clone, Debug, PartialEq)]
pub enum ObservedValues {
    /// The finite numbers in ascending order, and how many were ±∞.
    Numeric { sorted: Vec<f64>, infinite: u64 },
    /// Count per reference category (same order), then values outside them.
    Categories { counts: Vec<u64>, other: u64 },
}

/// The references of the pipeline's input columns (date columns have none: time always moves
/// on, so their drift says nothing).
pub(super) fn fit_references(
    dataset_columns: &[Column],
    steps: &[(usize, &Step)],
    train_rows: &[usize],
    decimal_comma: bool,
    min_count: usize,
) -> Vec<ColumnReference> {
    steps
        .iter()
        .filter_map(|&(input, step)| {
            let column = dataset_columns.get(input)?;
            fit_reference(column, step, train_rows, decimal_comma, min_count)
        })
        .collect()
}

fn fit_reference(
    column: &Column,
    step: &Step,
    rows: &[usize],
    decimal_comma: bool,
    min_count: usize,
) -> Option<ColumnReference> {
    let numeric = match step {
        Step::Numeric(_) => true,
        Step::Boolean(_) | Step::OneHot(_) | Step::Ordinal(_) | Step::Frequency(_) => false,
        Step::Date(_) => return None,
    };
    let cells = rows.iter().map(|&row| Cell::of_column(column, row));
    let reference = |missing: usize, values| ColumnReference {
        column: column.name.clone(),
        rows: rows.len() as u64,
        missing: missing as u64,
        values,
    };
    if numeric {
        let numbers: Vec<f64> = cells
            .filter_map(|cell| cell.number(decimal_comma))
            .collect();
        let missing = rows.len() - numbers.len();
        let finite: Vec<f64> = numbers.into_iter().filter(|x| x.is_finite()).collect();
        let sorted = stats::sorted(&finite);
        let mut distinct = sorted.clone();
        distinct.dedup();
        if distinct.len() <= FEW_VALUES {
            let keys = sorted.iter().map(|&x| number_key(x));
            return Some(reference(missing, categories(keys, min_count, true)));
        }
        Some(reference(missing, numeric_reference(&sorted)))
    } else {
        let keys: Vec<String> = cells
            .filter_map(|cell| cell.key().map(|k| k.into_owned()))
            .collect();
        let missing = rows.len() - keys.len();
        Some(reference(
            missing,
            categories(keys.into_iter(), min_count, false),
        ))
    }
}

/// The key of a number in a few-values reference: shortest form, as [`Cell::key`] writes it.
fn number_key(x: f64) -> String {
    format!("{x}")
}

pub(super) fn numeric_reference(sorted: &[f64]) -> ReferenceValues {
    let n = sorted.len();
    let bins = NUMERIC_BINS.min(n.max(1));
    let mut edges: Vec<f64> = (0..=bins)
        .filter_map(|i| crate::stats::quantile_sorted(sorted, i as f64 / bins as f64))
        .collect();
    edges.dedup();
    let mut counts = vec![0u64; edges.len()];
    for &x in sorted {
        counts[bin_of(&edges, x)] += 1;
    }
    let mean = stats::mean(sorted).unwrap_or(0.0);
    ReferenceValues::Numeric {
        min: sorted.first().copied().unwrap_or(0.0),
        max: sorted.last().copied().unwrap_or(0.0),
        mean,
        std: stats::std_population(sorted, mean),
        edges,
        counts,
    }
}

/// An index drawn with probability proportional to its weight; `None` when all are zero.
fn weighted_pick(
    weights: impl Iterator<Item = u64> + Clone,
    rng: &mut SplitMix64,
) -> Option<usize> {
    let total: u64 = weights.clone().sum();
    if total == 0 {
        return None;
    }
    let mut at = rng.below(total);
    for (index, weight) in weights.enumerate() {
        if at < weight {
            return Some(index);
        }
        at -= weight;
    }
    None
}

/// The bin of `x` among `edges`: bin 0 is `x ≤ edges[0]`, bin `i` is `(edges[i - 1],
/// edges[i]]`, and values above the last edge fall in the last bin.
pub fn bin_of(edges: &[f64], x: f64) -> usize {
    edges
        .partition_point(|&edge| edge < x)
        .min(edges.len().saturating_sub(1))
}

pub(super) fn categories(
    keys: impl Iterator<Item = String>,
    min_count: usize,
    numeric: bool,
) -> ReferenceValues {
    let mut tally: BTreeMap<String, u64> = BTreeMap::new();
    for key in keys {
        *tally.entry(key).or_default() += 1;
    }
    let mut counts: Vec<(String, u64)> = tally.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let kept = counts
        .iter()
        .take(MOST_CATEGORIES)
        .take_while(|(_, n)| *n >= min_count as u64)
        .count();
    let other = counts[kept..].iter().map(|(_, n)| n).sum();
    counts.truncate(kept);
    ReferenceValues::Categories {
        counts,
        other,
        numeric,
    }
}

impl ColumnReference {
    /// A typical value, as a field a user would type: the median of numbers, the most
    /// frequent category. `None` when the training rows had no present value.
    pub fn typical(&self) -> Option<String> {
        match &self.values {
            // Four significant digits: a quantile is interpolated (4176.0000000001).
            ReferenceValues::Numeric { edges, .. } => edges
                .get(edges.len() / 2)
                .map(|&x| crate::format::number(x)),
            ReferenceValues::Categories { counts, .. } => counts.first().map(|(k, _)| k.clone()),
        }
    }

    /// One value drawn from the training distribution, as a field (`None`: missing, as often
    /// as in training). Numbers are uniform inside a quantile bin; categories pooled as rare
    /// are never drawn, since no name of theirs is kept.
    pub fn draw(&self, rng: &mut SplitMix64) -> Option<String> {
        if self.rows > 0 && rng.below(self.rows) < self.missing {
            return None;
        }
        match &self.values {
            ReferenceValues::Numeric { edges, counts, .. } => {
                let bin = weighted_pick(counts.iter().copied(), rng)?;
                let high = *edges.get(bin)?;
                let low = if bin == 0 { high } else { edges[bin - 1] };
                Some(number_key(low + (high - low) * rng.next_f64()))
            }
            ReferenceValues::Categories { counts, .. } => {
                let at = weighted_pick(counts.iter().map(|(_, n)| *n), rng)?;
                counts.get(at).map(|(k, _)| k.clone())
            }
        }
    }

    /// Summarises `column` (all its rows) the way this reference was fitted.
    pub fn observe(&self, column: &Column, rows: usize, decimal_comma: bool) -> Observed {
        let cells = (0..rows).map(|row| Cell::of_column(column, row));
        let mut missing = 0u64;
        let mut unreadable = 0u64;
        let values = match &self.values {
            ReferenceValues::Numeric { .. } => {
                let mut finite = Vec::new();
                let mut infinite = 0u64;
                for cell in cells {
                    match (cell, cell.number(decimal_comma)) {
                        (Cell::Missing, _) => missing += 1,
                        (_, None) => unreadable += 1,
                        (_, Some(x)) if x.is_finite() => finite.push(x),
                        (_, Some(_)) => infinite += 1,
                    }
                }
                ObservedValues::Numeric {
                    sorted: stats::sorted(&finite),
                    infinite,
                }
            }
            ReferenceValues::Categories {
                counts: reference,
                numeric,
                ..
            } => {
                let index: BTreeMap<&str, usize> = reference
                    .iter()
                    .enumerate()
                    .map(|(i, (key, _))| (key.as_str(), i))
                    .collect();
                let mut counts = vec![0u64; reference.len()];
                let mut other = 0u64;
                for cell in cells {
                    let key = if *numeric {
                        match (cell, cell.number(decimal_comma)) {
                            (Cell::Missing, _) => None,
                            (_, None) => {
                                unreadable += 1;
                                continue;
                            }
                            (_, Some(x)) => Some(std::borrow::Cow::Owned(number_key(x))),
                        }
                    } else {
                        cell.key()
                    };
                    match key {
                        None => missing += 1,
                        Some(key) => match index.get(key.as_ref()) {
                            Some(&i) => counts[i] += 1,
                            None => other += 1,
                        },
                    }
                }
                ObservedValues::Categories { counts, other }
            }
        };
        Observed {
            rows: rows as u64,
            missing,
            unreadable,
            values,
        }
    }
}
