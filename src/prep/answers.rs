//! What prediction drift compares with: the distribution of a model's answers on its test
//! split, kept in the model file beside the input columns' references, and new answers laid
//! out as a column to observe against it.

use crate::data::{Column, ColumnValues, MISSING_CODE};

use super::pipeline::Prediction;
use super::reference::{ColumnReference, categories, numeric_reference};
use super::stats;

/// The distribution of a model's answers on its test split, for prediction drift: the classes
/// predicted, as categories (class names are the target's, not training rows, so none is
/// pooled), or the values, as numbers. `column` names it ("predicted species").
pub fn prediction_reference(column: &str, predictions: &[Prediction]) -> ColumnReference {
    let values = match predictions.first() {
        Some(Prediction::Value { .. }) => {
            let values: Vec<f64> = predictions
                .iter()
                .filter_map(|p| match p {
                    Prediction::Value { value } if value.is_finite() => Some(*value),
                    _ => None,
                })
                .collect();
            numeric_reference(&stats::sorted(&values))
        }
        _ => categories(
            predictions.iter().filter_map(|p| match p {
                Prediction::Class { name, .. } => Some(name.clone()),
                Prediction::Value { .. } => None,
            }),
            1,
            false,
        ),
    };
    ColumnReference {
        column: column.to_string(),
        rows: predictions.len() as u64,
        missing: 0,
        values,
    }
}

/// Answers as a column, to observe against a [`prediction_reference`].
pub fn prediction_column(column: &str, predictions: &[Prediction]) -> Column {
    let values = match predictions.first() {
        Some(Prediction::Value { .. }) => ColumnValues::Numeric(
            predictions
                .iter()
                .map(|p| match p {
                    Prediction::Value { value } => *value,
                    Prediction::Class { .. } => f64::NAN,
                })
                .collect(),
        ),
        _ => {
            let mut dictionary: Vec<String> = Vec::new();
            let codes = predictions
                .iter()
                .map(|p| match p {
                    Prediction::Class { name, .. } => {
                        let at = dictionary
                            .iter()
                            .position(|d| d == name)
                            .unwrap_or_else(|| {
                                dictionary.push(name.clone());
                                dictionary.len() - 1
                            });
                        at as u32
                    }
                    Prediction::Value { .. } => MISSING_CODE,
                })
                .collect();
            ColumnValues::Text { dictionary, codes }
        }
    };
    Column {
        name: column.to_string(),
        values,
    }
}
