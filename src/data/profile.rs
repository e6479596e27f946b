//! Column profiling: kinds, missing/distinct counts, most frequent values, target suggestion.
//! The numeric machinery (summary, distinct count, histogram) is in `describe.rs`.

use serde::{Deserialize, Serialize};

use super::dataset::{Column, ColumnValues, Dataset, Dialect};
use super::datetime::parse_datetime;
use super::describe::{Bins, Described, Histogram, NumericSummary, describe, is_integral};
use super::hash::FastMap;
use super::numbers::Numbers;

/// Values listed in [`ColumnProfile::top`].
pub const TOP_VALUES: usize = 10;
/// Summary of a dataset for the user and for choosing a target.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Profile {
    pub source: String,
    pub rows: usize,
    pub dialect: Dialect,
    pub notes: Vec<String>,
    pub columns: Vec<ColumnProfile>,
    /// The first data rows, raw text; header names are in `columns[i].name`.
    pub preview: Vec<Vec<String>>,
    pub suggested_target: Option<String>,
    pub suggested_task: Option<Task>,
}

/// What one column holds.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ColumnProfile {
    pub name: String,
    pub kind: ColumnKind,
    pub missing: usize,
    /// Distinct non-missing values (numbers compare by value, so `1` and `1.0` are one).
    pub distinct: usize,
    /// Over the finite values of numeric columns (all kinds stored as numbers), and over 0/1 for
    /// text booleans (the `true`/`yes`/`y`/`t` value counts as 1).
    pub numeric: Option<NumericSummary>,
    /// Up to 10 most frequent values, most frequent first, ties by value; for text columns and for
    /// boolean or constant numeric ones (empty for numeric, integer and all-missing columns).
    pub top: Vec<CategoryCount>,
    /// Numeric columns: up to 20 equal-width bins over the finite values. Date/time columns: the
    /// same over Unix seconds (UTC), so `min` and `max` are timestamps.
    pub histogram: Option<Histogram>,
}

/// The inferred kind of a column.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Numeric,
    Integer,
    Boolean,
    Categorical,
    Identifier,
    DateTime,
    Text,
    Constant,
    AllMissing,
}

impl ColumnKind {
    /// A short user-facing label.
    pub fn label(self) -> &'static str {
        match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Integer => "integer",
            ColumnKind::Boolean => "boolean",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Identifier => "identifier",
            ColumnKind::DateTime => "date/time",
            ColumnKind::Text => "free text",
            ColumnKind::Constant => "constant",
            ColumnKind::AllMissing => "all missing",
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CategoryCount {
    pub value: String,
    pub count: usize,
}

/// A learning task.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    BinaryClassification,
    MulticlassClassification,
    Regression,
}

impl Task {
    /// A short user-facing label.
    pub fn label(self) -> &'static str {
        match self {
            Task::BinaryClassification => "binary classification",
            Task::MulticlassClassification => "multiclass classification",
            Task::Regression => "regression",
        }
    }
}

/// Column names that usually hold the target (compared lowercased).
const TARGET_NAMES: [&str; 11] = [
    "target",
    "label",
    "class",
    "y",
    "outcome",
    "species",
    "survived",
    "churn",
    "price",
    "quality",
    "progression",
];

/// Profiles every column and suggests a target and task.
pub fn profile(dataset: &Dataset) -> Profile {
    let mut notes = dataset.notes.clone();
    let mut columns = Vec::with_capacity(dataset.columns.len());
    for column in &dataset.columns {
        let (profiled, mixed) = profile_column(column, dataset.dialect.decimal_comma);
        if let Some(note) = mixed
            && !notes
                .iter()
                .any(|n| n.starts_with(&super::read_as_text_note_start(&column.name)))
        {
            notes.push(note);
        }
        columns.push(profiled);
    }
    let mut profile = Profile {
        source: dataset.source.clone(),
        rows: dataset.rows,
        dialect: dataset.dialect.clone(),
        notes,
        columns,
        preview: dataset.preview.clone(),
        suggested_target: None,
        suggested_task: None,
    };
    profile.suggested_target = suggest_target(&profile);
    profile.suggested_task = profile
        .suggested_target
        .as_deref()
        .and_then(|t| suggest_task(&profile, t));
    profile
}

/// Classification needs rows per class: a target with more classes than this share of its
/// rows (and more than [`MANY_CLASSES`]) is refused.
pub const MAX_CLASS_SHARE: f64 = 0.05;
/// Up to this many classes are never "too many", whatever the row count (a small teaching table
/// with 4 classes in 30 rows is fine).
pub const MANY_CLASSES: usize = 20;

/// Whether `classes` classes over `rows` rows leave too few rows per class to learn from.
pub fn too_many_classes(classes: usize, rows: usize) -> bool {
    classes > MANY_CLASSES && classes as f64 > MAX_CLASS_SHARE * rows as f64
}

/// Why `column` cannot be predicted by any task, as words that complete "it cannot be predicted:
/// …" (e.g. "every value is missing"), or `None` when some task can use it.
pub fn target_problem(profile: &Profile, column: &ColumnProfile) -> Option<String> {
    let present = profile.rows.saturating_sub(column.missing);
    match column.kind {
        ColumnKind::AllMissing => Some("every value is missing".to_string()),
        ColumnKind::Constant => Some(match column.top.first() {
            Some(only) => format!("every row has the same value (\"{}\")", only.value),
            None => "every row has the same value".to_string(),
        }),
        ColumnKind::Identifier => Some(format!(
            "it identifies rows ({} distinct values in {present} rows) rather than describing them",
            column.distinct
        )),
        ColumnKind::Text => Some(format!(
            "it is free text or names ({} distinct values in {present} rows)",
            column.distinct
        )),
        ColumnKind::DateTime => Some("it is a date/time; predict a number or a category".into()),
        ColumnKind::Categorical if too_many_classes(column.distinct, present) => Some(format!(
            "it has {} classes in {present} rows, more than {}% of the rows, which leaves too few rows per class to learn from",
            column.distinct,
            MAX_CLASS_SHARE * 100.0
        )),
        _ => None,
    }
}

/// What a person should know before training on `target`, one sentence each: rows without a
/// target value are left out. Empty for an unknown column.
pub fn target_warnings(profile: &Profile, target: &str) -> Vec<String> {
    let Some(column) = profile.columns.iter().find(|c| c.name == target) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    if column.missing > 0 && column.kind != ColumnKind::AllMissing {
        warnings.push(format!(
            "{} of {} rows have no value for \"{target}\"; they are left out of training and testing.",
            column.missing, profile.rows
        ));
    }
    warnings
}

/// The task for predicting `target`: `None` for unusable targets (see [`target_problem`]: an
/// identifier, free text, date/time, constant or all-missing column, a category with too many
/// classes, or a name that is not a column).
pub fn suggest_task(profile: &Profile, target: &str) -> Option<Task> {
    let column = profile.columns.iter().find(|c| c.name == target)?;
    if target_problem(profile, column).is_some() {
        return None;
    }
    match column.kind {
        ColumnKind::Identifier
        | ColumnKind::Text
        | ColumnKind::DateTime
        | ColumnKind::Constant
        | ColumnKind::AllMissing => None,
        ColumnKind::Boolean => Some(Task::BinaryClassification),
        _ if column.distinct == 2 => Some(Task::BinaryClassification),
        ColumnKind::Categorical => (column.distinct >= 3).then_some(Task::MulticlassClassification),
        ColumnKind::Integer if (3..=10).contains(&column.distinct) => {
            Some(Task::MulticlassClassification)
        }
        ColumnKind::Integer | ColumnKind::Numeric => Some(Task::Regression),
    }
}

/// Names of a date or time's parts: a table split a timestamp into these (a flight table's
/// `year, month, day, hour, minute`), and they are what one predicts *from*, not what one
/// predicts, even when they come last.
fn names_a_time_part(name: &str) -> bool {
    const PARTS: [&str; 9] = [
        "year", "month", "day", "weekday", "hour", "minute", "second", "time", "date",
    ];
    let lower = name.to_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .any(|word| PARTS.contains(&word) || PARTS.iter().any(|p| word == format!("{p}s")))
}

/// A usable column with a conventional target name, else the last boolean, categorical
/// (≤ 50 distinct), integer or numeric column whose name is not a date/time part.
fn suggest_target(profile: &Profile) -> Option<String> {
    let by_name = profile.columns.iter().find(|c| {
        let lower = c.name.to_lowercase();
        (TARGET_NAMES.contains(&lower.as_str())
            || lower.ends_with("_target")
            || lower.ends_with("_label"))
            && suggest_task(profile, &c.name).is_some()
    });
    let column = by_name.or_else(|| {
        profile.columns.iter().rev().find(|c| {
            let usable = match c.kind {
                ColumnKind::Boolean | ColumnKind::Integer | ColumnKind::Numeric => true,
                ColumnKind::Categorical => c.distinct <= 50,
                _ => false,
            };
            usable && !names_a_time_part(&c.name) && suggest_task(profile, &c.name).is_some()
        })
    })?;
    Some(column.name.clone())
}

/// The column's profile, and for a text column of mostly numbers the note saying so.
fn profile_column(column: &Column, decimal_comma: bool) -> (ColumnProfile, Option<String>) {
    match &column.values {
        ColumnValues::Numeric(values) => (profile_numeric(&column.name, values), None),
        ColumnValues::Text { dictionary, codes } => {
            profile_text(&column.name, dictionary, codes, decimal_comma)
        }
    }
}

/// A note for a text column whose values are mostly numbers: it is read as categories, which
/// a person who expected a number column should hear about (ingest says so itself, with the
/// line, when the text came after ten numbers; this covers text that came first).
/// `used` holds each value that occurs with its count, as `profile_text` found them.
fn mixed_note(name: &str, used: &[(&str, usize)], decimal_comma: bool) -> Option<String> {
    let (mut numbers, mut text, mut example) = (0usize, 0usize, None);
    for &(value, n) in used {
        if super::number::parse_number(value.as_bytes(), decimal_comma).is_some() {
            numbers += n;
        } else {
            text += n;
            example.get_or_insert(value);
        }
    }
    let example: String = example?.chars().take(40).collect();
    (numbers > text).then(|| {
        format!(
            "Column \"{name}\" mixes numbers and text ({numbers} of {} values are numbers, but not \"{example}\"), so it is read as categories; mark the odd values as missing to use it as a number.",
            numbers + text
        )
    })
}

/// A header that names a row index: `…id`, the names R and pandas give the row names they
/// write (`rownames`, `Unnamed: 0`, `index`), or the name Hearth gives an empty header
/// (`column_N`; the first, unnamed column of a written data frame is its index).
fn looks_like_id_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.ends_with("id")
        || matches!(lower.as_str(), "rownames" | "index" | "unnamed: 0" | "row")
        || lower
            .strip_prefix("column_")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn profile_numeric(name: &str, values: &Numbers) -> ColumnProfile {
    // The finite values, gathered in the one pass over the column.
    let mut finite: Vec<f64> = Vec::with_capacity(values.len());
    let mut missing = 0usize;
    let mut infinite = 0usize;
    let (mut positive_infinity, mut negative_infinity) = (false, false);
    let mut integral = true;
    let mut ascending = true;
    let mut previous = f64::NEG_INFINITY;
    for v in values.iter() {
        if v.is_nan() {
            missing += 1;
            continue;
        }
        if v <= previous {
            ascending = false;
        }
        previous = v;
        if v.is_finite() {
            integral &= is_integral(v);
            finite.push(v);
        } else {
            infinite += 1;
            positive_infinity |= v > 0.0;
            negative_infinity |= v < 0.0;
        }
    }
    let described = describe(&finite, true);
    // A column's worth of memory, given back before the top values are counted.
    drop(finite);
    let Described {
        summary: numeric,
        distinct: finite_distinct,
        histogram,
    } = described;
    let (min, max) = numeric.as_ref().map_or((0.0, 0.0), |s| (s.min, s.max));
    let distinct_count =
        finite_distinct + usize::from(positive_infinity) + usize::from(negative_infinity);
    let present = values.len() - missing;
    let kind = if present == 0 {
        ColumnKind::AllMissing
    } else if distinct_count == 1 {
        ColumnKind::Constant
    } else if distinct_count == 2 && integral && infinite == 0 {
        ColumnKind::Boolean
    } else if integral
        && infinite == 0
        && distinct_count == present
        && present >= 20
        && (looks_like_id_name(name)
            || (max - min < 2.0 * present as f64 && (ascending || present >= 100)))
    {
        ColumnKind::Identifier
    } else if integral {
        ColumnKind::Integer
    } else {
        ColumnKind::Numeric
    };
    let top = if matches!(kind, ColumnKind::Boolean | ColumnKind::Constant) {
        let mut counts: FastMap<u64, (f64, usize)> = FastMap::default();
        for v in values.iter().filter(|v| !v.is_nan()) {
            let entry = counts
                .entry(if v == 0.0 { 0 } else { v.to_bits() })
                .or_insert((v, 0));
            entry.1 += 1;
        }
        top_values(
            counts
                .into_values()
                .map(|(v, n)| (format!("{}", if v == 0.0 { 0.0 } else { v }), n))
                .collect(),
        )
    } else {
        Vec::new()
    };
    ColumnProfile {
        name: name.to_string(),
        kind,
        missing,
        distinct: distinct_count,
        numeric,
        top,
        histogram,
    }
}

const TRUE_FALSE: [(&str, &str); 4] = [("true", "false"), ("yes", "no"), ("y", "n"), ("t", "f")];

/// Whether a text column has (nearly) one value per row: at least 20 values, at least 90% of
/// them distinct.
pub fn nearly_unique(distinct: usize, present: usize) -> bool {
    present >= 20 && distinct.saturating_mul(10) >= present.saturating_mul(9)
}

/// For two values forming a boolean pair (case-insensitive), which one means true.
fn boolean_pair(a: &str, b: &str) -> Option<bool> {
    let (a, b) = (a.trim().to_lowercase(), b.trim().to_lowercase());
    TRUE_FALSE.iter().find_map(|&(t, f)| {
        if a == t && b == f {
            Some(true)
        } else if a == f && b == t {
            Some(false)
        } else {
            None
        }
    })
}

fn profile_text(
    name: &str,
    dictionary: &[String],
    codes: &[u32],
    decimal_comma: bool,
) -> (ColumnProfile, Option<String>) {
    let mut counts = vec![0usize; dictionary.len()];
    let mut missing = 0usize;
    for &code in codes {
        match counts.get_mut(code as usize) {
            Some(n) => *n += 1,
            None => missing += 1,
        }
    }
    let present = codes.len() - missing;
    // (value, count) of the values that occur.
    let used: Vec<(&str, usize)> = dictionary
        .iter()
        .zip(&counts)
        .filter(|&(_, &n)| n > 0)
        .map(|(v, &n)| (v.as_str(), n))
        .collect();
    let distinct = used.len();
    let mut numeric = None;
    let mut histogram = None;
    let kind = if present == 0 {
        ColumnKind::AllMissing
    } else if distinct == 1 {
        ColumnKind::Constant
    } else if let [(a, na), (b, nb)] = used.as_slice()
        && let Some(a_is_true) = boolean_pair(a, b)
    {
        let (ones, zeros) = if a_is_true { (*na, *nb) } else { (*nb, *na) };
        let bits: Vec<f64> = std::iter::repeat_n(0.0, zeros)
            .chain(std::iter::repeat_n(1.0, ones))
            .collect();
        numeric = describe(&bits, false).summary;
        ColumnKind::Boolean
    } else if let Some(h) = datetime_histogram(&used, present) {
        histogram = Some(h);
        ColumnKind::DateTime
    } else if nearly_unique(distinct, present) {
        // A value per row (names, ticket numbers, comments) identifies rows rather than
        // predicts, and each value occurs too rarely to be written into a shared model.
        let code_like = used.iter().all(|(v, _)| {
            !v.is_empty() && v.chars().count() <= 64 && !v.chars().any(char::is_whitespace)
        });
        if code_like {
            ColumnKind::Identifier
        } else {
            ColumnKind::Text
        }
    } else {
        let (mut chars, mut words) = (0usize, 0usize);
        for (v, n) in &used {
            chars = chars.saturating_add(v.chars().count().saturating_mul(*n));
            words = words.saturating_add(v.split_whitespace().count().saturating_mul(*n));
        }
        let mean_chars = chars as f64 / present as f64;
        let mean_words = words as f64 / present as f64;
        if (mean_chars > 30.0 || mean_words >= 4.0) && distinct * 2 > present {
            ColumnKind::Text
        } else {
            ColumnKind::Categorical
        }
    };
    let top = if kind == ColumnKind::AllMissing {
        Vec::new()
    } else {
        top_values(used.iter().map(|&(v, n)| (v.to_string(), n)).collect())
    };
    let mixed = matches!(kind, ColumnKind::Categorical | ColumnKind::Text)
        .then(|| mixed_note(name, &used, decimal_comma))
        .flatten();
    let profile = ColumnProfile {
        name: name.to_string(),
        kind,
        missing,
        distinct,
        numeric,
        top,
        histogram,
    };
    (profile, mixed)
}

/// The histogram of a text column if ≥ 95% of its values are dates or date-times.
fn datetime_histogram(used: &[(&str, usize)], present: usize) -> Option<Histogram> {
    // Parse each distinct value in both day orders; pick the order with more evidence.
    let mut parsed: Vec<(Option<f64>, Option<f64>, usize)> = Vec::with_capacity(used.len());
    let (mut dates, mut month_first_only, mut day_first_only) = (0usize, 0usize, 0usize);
    let mut failures = 0usize;
    let allowed_failures = present / 20; // 5%
    for &(v, n) in used {
        let mf = parse_datetime(v, false);
        let df = parse_datetime(v, true);
        match (mf, df) {
            (None, None) => {
                failures += n;
                if failures > allowed_failures {
                    return None;
                }
            }
            (Some(_), None) => month_first_only += n,
            (None, Some(_)) => day_first_only += n,
            _ => {}
        }
        if mf.is_some() || df.is_some() {
            dates += n;
        }
        parsed.push((mf, df, n));
    }
    if (dates as f64) < 0.95 * present as f64 {
        return None;
    }
    let day_first = day_first_only > month_first_only;
    let stamps: Vec<(f64, usize)> = parsed
        .into_iter()
        .filter_map(|(mf, df, n)| {
            let t = if day_first { df.or(mf) } else { mf.or(df) };
            t.map(|t| (t, n))
        })
        .collect();
    let (min, max) = stamps
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(t, _)| {
            (lo.min(t), hi.max(t))
        });
    if !(min.is_finite() && max.is_finite()) {
        return None;
    }
    let mut h = Bins::new(min, max);
    for (t, n) in stamps {
        h.add(t, n);
    }
    Some(h.into_histogram())
}

/// The `TOP_VALUES` most frequent values: by count, then by value.
fn top_values(mut values: Vec<(String, usize)>) -> Vec<CategoryCount> {
    let order =
        |a: &(String, usize), b: &(String, usize)| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0));
    if values.len() > TOP_VALUES {
        values.select_nth_unstable_by(TOP_VALUES - 1, order);
        values.truncate(TOP_VALUES);
    }
    values.sort_unstable_by(order);
    values
        .into_iter()
        .map(|(value, count)| CategoryCount { value, count })
        .collect()
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_orders_by_count_then_value() {
        let top = top_values(
            ["b", "a", "c", "d"]
                .iter()
                .zip([2, 2, 5, 1])
                .map(|(v, n)| (v.to_string(), n))
                .collect(),
        );
        let got: Vec<(&str, usize)> = top.iter().map(|c| (c.value.as_str(), c.count)).collect();
        assert_eq!(got, [("c", 5), ("a", 2), ("b", 2), ("d", 1)]);
        let many: Vec<(String, usize)> = (0..30).map(|i| (format!("v{i:02}"), 1)).collect();
        let top = top_values(many);
        assert_eq!(top.len(), TOP_VALUES);
        assert_eq!(top.first().map(|c| c.value.as_str()), Some("v00"));
        assert_eq!(top.last().map(|c| c.value.as_str()), Some("v09"));
    }

    #[test]
    fn boolean_pairs() {
        assert_eq!(boolean_pair("Yes", "no"), Some(true));
        assert_eq!(boolean_pair("F", "T"), Some(false));
        assert_eq!(boolean_pair("yes", "false"), None);
        assert_eq!(boolean_pair("male", "female"), None);
    }
}
