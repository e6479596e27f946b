//! Fitting one column's step from its training rows: imputation values, scalers, category
//! lists, frequencies, boolean modes and date order.

use std::collections::BTreeMap;

use crate::data::{Column, ColumnValues, parse_datetime};

use super::cell::Cell;
use super::config::{Encoding, Impute, PrepConfig, Scale};
use super::decide::Action;
use super::stats;
use super::steps::{
    BooleanStep, BooleanValues, DatePartStep, DateStep, FrequencyStep, NumericStep, OneHotStep,
    OrdinalStep, Scaler, Step, part_value,
};

/// Fits a scaler on the values a step will see (already imputed and clipped).
fn fit_scaler(kind: Scale, values: &[f64]) -> Scaler {
    let (center, scale) = match kind {
        Scale::None => (0.0, 1.0),
        Scale::Standard => {
            let mean = stats::mean(values).unwrap_or(0.0);
            (mean, stats::std_population(values, mean))
        }
        Scale::Robust => {
            let sorted = stats::sorted(values);
            let median = stats::median_sorted(&sorted).unwrap_or(0.0);
            let p25 = crate::stats::quantile_sorted(&sorted, 0.25).unwrap_or(0.0);
            let p75 = crate::stats::quantile_sorted(&sorted, 0.75).unwrap_or(0.0);
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

/// The value an impute setting gives for these finite training values (0 when there are none).
fn impute_value(impute: Impute, finite: &[f64]) -> f32 {
    let value = match impute {
        Impute::Constant(c) => c,
        Impute::Mean => stats::mean(finite).unwrap_or(0.0),
        Impute::Median => stats::median_sorted(&stats::sorted(finite)).unwrap_or(0.0),
    };
    stats::finite_f32(value)
}

/// Fits a numeric step: the impute value and the finite extremes, then the scaler on the values
/// the step will see.
fn fit_numeric(
    values: &[Option<f64>],
    impute: Impute,
    indicator: bool,
    scale: Scale,
) -> NumericStep {
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
    step.scaler = fit_scaler(scale, &seen);
    step
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
pub(super) fn fit_step(
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
        } => Step::Numeric(fit_numeric(&numbers(), *impute, *indicator, *scale)),
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
                    let numeric = fit_numeric(&values, *impute, false, *scale);
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
