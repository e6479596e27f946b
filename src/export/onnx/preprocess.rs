//! The preprocessing part of the graph: the raw inputs to the feature matrix, as the fitted
//! pipeline computes it.

use std::collections::BTreeMap;

use super::super::contract::{ExportError, GraphInput};
use super::super::graph::{Builder, ML_DOMAIN, attr_int, attr_ints, attr_strings};
use super::super::proto::data_type;
use crate::data::MISSING_MARKERS;
use crate::prep::{
    BooleanStep, BooleanValues, FALSE_WORDS, FittedColumn, FittedPipeline, NumericStep, Step,
    TRUE_WORDS,
};

/// The feature matrix from the raw inputs, as [`FittedPipeline::transform_row`] computes it,
/// with its columns in the graph's order: the returned `order` gives, for each column of the
/// matrix, the pipeline feature it is (the first layer's weight rows are put in that order).
/// Number-valued booleans come first (one small piece each), then the text columns (one
/// `Reshape` of their lookups side by side), then every numeric column in one block (one
/// `Concat` of the inputs, one vectorised impute/cap/scale with `[1, n]` constants), then
/// their missing indicators.
pub(super) fn preprocess(
    b: &mut Builder,
    pipeline: &FittedPipeline,
    inputs: &[GraphInput],
) -> Result<(String, Vec<usize>), ExportError> {
    let mut pieces = Vec::new();
    let mut order = Vec::new();
    let mut lookups = Vec::new();
    let mut lookup_order = Vec::new();
    let mut numerics: Vec<(&str, &NumericStep, usize)> = Vec::new();
    let mut offset = 0usize;
    for (fitted, input) in pipeline.steps.iter().zip(inputs) {
        let width = fitted.step.width();
        match &fitted.step {
            Step::Numeric(step) => numerics.push((&input.name, step, offset)),
            Step::Boolean(BooleanStep {
                values: BooleanValues::Numbers { zero, one },
                fill,
                indicator,
            }) => {
                let number = |text: &str| {
                    text.parse::<f64>()
                        .map(|x| x as f32)
                        .map_err(|_| ExportError::Column {
                            column: fitted.column.clone(),
                            reason: format!("its boolean value \"{text}\" is not a number"),
                        })
                };
                let (zero, one) = (number(zero)?, number(one)?);
                let x = input.name.as_str();
                let one_c = b.float("one", one);
                let zero_c = b.float("zero", zero);
                let is_one = b.op("Equal", &[x, &one_c], vec![]);
                let is_zero = b.op("Equal", &[x, &zero_c], vec![]);
                let (bit1, bit0, fill_c) =
                    (b.float("1", 1.0), b.float("0", 0.0), b.float("fill", *fill));
                let otherwise = b.op("Where", &[&is_zero, &bit0, &fill_c], vec![]);
                pieces.push(b.op("Where", &[&is_one, &bit1, &otherwise], vec![]));
                if *indicator {
                    let known = b.op("Or", &[&is_one, &is_zero], vec![]);
                    let unknown = b.op("Not", &[&known], vec![]);
                    pieces.push(b.op(
                        "Cast",
                        &[&unknown],
                        vec![attr_int("to", i64::from(data_type::FLOAT))],
                    ));
                }
                order.extend(offset..offset + width);
            }
            Step::Boolean(_) | Step::OneHot(_) | Step::Ordinal(_) | Step::Frequency(_) => {
                lookups.push(lookup(b, pipeline, fitted, &input.name, offset, width));
                lookup_order.extend(offset..offset + width);
            }
            Step::Date(_) => {
                return Err(ExportError::Column {
                    column: fitted.column.clone(),
                    reason: "date/time columns cannot be exported".to_string(),
                });
            }
        }
        offset += width;
    }
    if !lookups.is_empty() {
        // Each lookup is `[N, 1, width]`: side by side on the last axis, then one `Reshape`.
        let width: usize = lookups.iter().map(|(_, width)| width).sum();
        let names: Vec<&str> = lookups.iter().map(|(name, _)| name.as_str()).collect();
        let joined = concat(b, &names, 2);
        let shape = b.int64s("shape", &[2], &[-1, width as i64]);
        pieces.push(b.op("Reshape", &[&joined, &shape], vec![]));
        order.extend(lookup_order);
    }
    if !numerics.is_empty() {
        numeric(b, &numerics, &mut pieces, &mut order);
    }
    if pieces.is_empty() {
        return Err(ExportError::Model {
            reason: "its preprocessing makes no feature".to_string(),
        });
    }
    let refs: Vec<&str> = pieces.iter().map(String::as_str).collect();
    Ok((concat(b, &refs, 1), order))
}

/// The values side by side on `axis` (a single value as it is).
fn concat(b: &mut Builder, values: &[&str], axis: i64) -> String {
    match values {
        [one] => one.to_string(),
        _ => b.op("Concat", values, vec![attr_int("axis", axis)]),
    }
}

/// Every numeric column `(input, step, first feature)` at once: missing (NaN) → the imputed
/// value, ±∞ → the training extremes, then scaled, each with one `[1, n]` constant; then the
/// missing indicators of the columns that have one.
fn numeric(
    b: &mut Builder,
    columns: &[(&str, &NumericStep, usize)],
    pieces: &mut Vec<String>,
    order: &mut Vec<usize>,
) {
    let names: Vec<&str> = columns.iter().map(|(name, _, _)| *name).collect();
    let x = concat(b, &names, 1);
    let dims = [1, columns.len()];
    let row = |b: &mut Builder, what: &str, value: fn(&NumericStep) -> f32| {
        let values: Vec<f32> = columns.iter().map(|(_, step, _)| value(step)).collect();
        b.floats(what, &dims, &values)
    };
    let is_nan = b.op("IsNaN", &[&x], vec![]);
    let impute = row(b, "impute", |s| s.impute);
    let imputed = b.op("Where", &[&is_nan, &impute, &x], vec![]);
    let (inf, neg_inf) = (
        b.float("inf", f32::INFINITY),
        b.float("neg_inf", f32::NEG_INFINITY),
    );
    let (high, low) = (row(b, "high", |s| s.high), row(b, "low", |s| s.low));
    let is_inf = b.op("Equal", &[&imputed, &inf], vec![]);
    let capped = b.op("Where", &[&is_inf, &high, &imputed], vec![]);
    let is_neg_inf = b.op("Equal", &[&capped, &neg_inf], vec![]);
    let floored = b.op("Where", &[&is_neg_inf, &low, &capped], vec![]);
    let center = row(b, "center", |s| s.scaler.center);
    let scale = row(b, "scale", |s| s.scaler.scale);
    let centered = b.op("Sub", &[&floored, &center], vec![]);
    pieces.push(b.op("Div", &[&centered, &scale], vec![]));
    order.extend(columns.iter().map(|(_, _, offset)| *offset));
    let flagged: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].1.indicator)
        .collect();
    if flagged.is_empty() {
        return;
    }
    let flags = b.op(
        "Cast",
        &[&is_nan],
        vec![attr_int("to", i64::from(data_type::FLOAT))],
    );
    pieces.push(if flagged.len() == columns.len() {
        flags
    } else {
        let indices: Vec<i64> = flagged.iter().map(|&i| i as i64).collect();
        let indices = b.int64s("indicator_columns", &[indices.len()], &indices);
        b.op("Gather", &[&flags, &indices], vec![attr_int("axis", 1)])
    });
    order.extend(flagged.iter().map(|&i| columns[i].2 + 1));
}

/// A text column through a lookup table: `CategoryMapper` gives each known spelling its row
/// (anything else the row of unseen values), `Gather` takes that row of features, `[N, 1,
/// width]`; returns it and the width. Each row is what [`FittedPipeline::transform_named`]
/// makes of the spelling, so the graph cannot drift from the pipeline. Spellings: the
/// categories (or the boolean words in every letter case) and the missing markers in every
/// letter case. The table holds each distinct row once, and a spelling whose row is the
/// unseen row is left to the mapper's default.
fn lookup(
    b: &mut Builder,
    pipeline: &FittedPipeline,
    fitted: &FittedColumn,
    x: &str,
    offset: usize,
    width: usize,
) -> (String, usize) {
    let mut vocabulary: Vec<String> = match &fitted.step {
        Step::OneHot(s) => s.categories.clone(),
        Step::Ordinal(s) => s.categories.clone(),
        Step::Frequency(s) => s.categories.clone(),
        _ => TRUE_WORDS
            .iter()
            .chain(&FALSE_WORDS)
            .flat_map(|word| letter_cases(word))
            .collect(),
    };
    vocabulary.extend(MISSING_MARKERS.iter().flat_map(|m| letter_cases(m)));
    let mut seen = std::collections::HashSet::new();
    vocabulary.retain(|v| seen.insert(v.clone()));
    // A spelling that is in no list: the row of unseen values.
    let mut unseen = String::from("\u{0}");
    while seen.contains(&unseen) {
        unseen.push('\u{0}');
    }
    let features_of = |value: &str| -> Vec<u32> {
        let row = BTreeMap::from([(fitted.column.clone(), value.to_string())]);
        let all = pipeline.transform_named(&row);
        all.get(offset..offset + width)
            .map(<[f32]>::to_vec)
            .unwrap_or_else(|| vec![0.0; width])
            .into_iter()
            .map(f32::to_bits)
            .collect()
    };
    // Rows by their bits (so that -0.0 and NaN rows stay exactly as the pipeline writes them).
    let mut rows: Vec<Vec<u32>> = vec![features_of(&unseen)];
    let mut keys = Vec::new();
    let mut indices = Vec::new();
    for value in &vocabulary {
        let features = features_of(value);
        let index = rows.iter().position(|r| *r == features).unwrap_or_else(|| {
            rows.push(features);
            rows.len() - 1
        });
        if index != 0 {
            keys.push(value.as_str());
            indices.push(index as i64);
        }
    }
    if keys.is_empty() {
        // Every spelling gives the unseen row; the mapper still needs one pair.
        keys.push(unseen.as_str());
        indices.push(0);
    }
    let index = b
        .op_outputs(
            "CategoryMapper",
            ML_DOMAIN,
            &[x],
            1,
            vec![
                attr_strings("cats_strings", keys),
                attr_ints("cats_int64s", indices),
                attr_int("default_int64", 0),
            ],
        )
        .into_iter()
        .next()
        .unwrap_or_default();
    let table: Vec<f32> = rows
        .iter()
        .flatten()
        .map(|&bits| f32::from_bits(bits))
        .collect();
    let table = b.floats("table", &[rows.len(), width], &table);
    let gathered = b.op("Gather", &[&table, &index], vec![attr_int("axis", 0)]);
    (gathered, width)
}

/// Every upper/lower-case spelling of an ASCII word (other characters kept).
fn letter_cases(word: &str) -> Vec<String> {
    let mut spellings = vec![String::new()];
    for c in word.chars() {
        let (lower, upper) = (c.to_ascii_lowercase(), c.to_ascii_uppercase());
        spellings = spellings
            .into_iter()
            .flat_map(|prefix| {
                if lower == upper {
                    vec![format!("{prefix}{c}")]
                } else {
                    vec![format!("{prefix}{lower}"), format!("{prefix}{upper}")]
                }
            })
            .collect();
    }
    spellings
}

#[cfg(test)]
mod tests {
    use super::letter_cases;

    #[test]
    fn letter_cases_cover_every_spelling() {
        assert_eq!(letter_cases("n/a").len(), 4);
        assert!(letter_cases("NaN").contains(&"nan".to_string()));
        assert_eq!(letter_cases("").len(), 1);
        assert_eq!(letter_cases("?"), vec!["?".to_string()]);
    }
}
