//! One raw value as the steps read it: from a parsed column or from a raw CSV field, so that
//! batch and single-row transforms (and fitting) see the same value.

use std::borrow::Cow;

use crate::data::{Column, ColumnValues, is_missing_marker, parse_number};

/// One value of a column, as the steps see it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Cell<'a> {
    Missing,
    Number(f64),
    Text(&'a str),
}

impl<'a> Cell<'a> {
    pub(super) fn of_column(column: &'a Column, row: usize) -> Cell<'a> {
        match &column.values {
            ColumnValues::Numeric(values) => match values.get(row) {
                Some(x) if !x.is_nan() => Cell::Number(x),
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
    pub(super) fn of_raw(raw: Option<&'a str>) -> Cell<'a> {
        match raw {
            Some(text) if !is_missing_marker(text.as_bytes()) => Cell::Text(text),
            _ => Cell::Missing,
        }
    }

    /// The value as a number: text is parsed with the file's decimal separator, then with a
    /// point (so that `Column::raw` output and decimal-point input work in decimal-comma
    /// files). `None` when missing or unreadable.
    pub(super) fn number(self, decimal_comma: bool) -> Option<f64> {
        let x = match self {
            Cell::Missing => return None,
            Cell::Number(x) => x,
            Cell::Text(text) => parse_number(text.as_bytes(), decimal_comma).or_else(|| {
                decimal_comma
                    .then(|| parse_number(text.as_bytes(), false))
                    .flatten()
            })?,
        };
        if x.is_nan() {
            None
        } else if (x as f32).is_infinite() {
            // Beyond f32's range: infinite, as the exported graph (whose inputs are `float`)
            // reads it, so that both cap it at the training extremes.
            Some(f64::INFINITY.copysign(x))
        } else {
            Some(x)
        }
    }

    /// The value as a category key: text as is, numbers in shortest form (as `Column::raw`).
    pub(super) fn key(self) -> Option<Cow<'a, str>> {
        match self {
            Cell::Missing => None,
            Cell::Number(x) => Some(Cow::Owned(format!("{x}"))),
            Cell::Text(text) => Some(Cow::Borrowed(text)),
        }
    }
}

/// The class label of a row: text as is, numbers in shortest form; `None` when missing or a
/// non-finite number.
pub fn class_key(column: &Column, row: usize) -> Option<Cow<'_, str>> {
    match Cell::of_column(column, row) {
        Cell::Number(x) if !x.is_finite() => None,
        cell => cell.key(),
    }
}

/// The finite number of a row's target.
pub fn target_number(column: &Column, row: usize, decimal_comma: bool) -> Option<f64> {
    Cell::of_column(column, row)
        .number(decimal_comma)
        .filter(|y| y.is_finite())
}
