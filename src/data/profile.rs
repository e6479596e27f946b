//! Column profiling: kinds, missing/distinct counts, summaries, histograms, target suggestion.

use serde::{Deserialize, Serialize};

use super::dataset::{Column, ColumnValues, Dataset, Dialect};
use super::datetime::parse_datetime;
use super::hash::FastMap;

/// Values listed in [`ColumnProfile::top`].
pub const TOP_VALUES: usize = 10;
/// Bins of a numeric [`Histogram`].
pub const HISTOGRAM_BINS: usize = 20;

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

/// Statistics over finite values. `std` is the sample standard deviation (n − 1; 0 for one
/// value); quantiles interpolate linearly (numpy's default). All fields are finite.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NumericSummary {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub std: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CategoryCount {
    pub value: String,
    pub count: usize,
}

/// Equal-width bins between `min` and `max` (one bin when they are equal); the last bin
/// includes `max`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Histogram {
    pub min: f64,
    pub max: f64,
    pub counts: Vec<usize>,
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
    let columns: Vec<ColumnProfile> = dataset.columns.iter().map(profile_column).collect();
    let mut notes = dataset.notes.clone();
    for (column, profiled) in dataset.columns.iter().zip(&columns) {
        if let Some(note) = mixed_note(column, profiled, dataset.dialect.decimal_comma)
            && !notes
                .iter()
                .any(|n| n.starts_with(&super::read_as_text_note_start(&column.name)))
        {
            notes.push(note);
        }
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

fn profile_column(column: &Column) -> ColumnProfile {
    match &column.values {
        ColumnValues::Numeric(values) => profile_numeric(&column.name, values),
        ColumnValues::Text { dictionary, codes } => profile_text(&column.name, dictionary, codes),
    }
}

/// A note for a text column whose values are mostly numbers: it is read as categories, which
/// a person who expected a number column should hear about (ingest says so itself, with the
/// line, when the text came after ten numbers; this covers text that came first).
fn mixed_note(column: &Column, profiled: &ColumnProfile, decimal_comma: bool) -> Option<String> {
    let ColumnValues::Text { dictionary, codes } = &column.values else {
        return None;
    };
    if !matches!(profiled.kind, ColumnKind::Categorical | ColumnKind::Text) {
        return None;
    }
    let mut counts = vec![0usize; dictionary.len()];
    for &code in codes {
        if let Some(n) = counts.get_mut(code as usize) {
            *n += 1;
        }
    }
    let (mut numbers, mut text, mut example) = (0usize, 0usize, None);
    for (value, &n) in dictionary.iter().zip(&counts).filter(|&(_, &n)| n > 0) {
        if super::number::parse_number(value.as_bytes(), decimal_comma).is_some() {
            numbers += n;
        } else {
            text += n;
            example.get_or_insert(value.as_str());
        }
    }
    let example: String = example?.chars().take(40).collect();
    (numbers > text).then(|| {
        format!(
            "Column \"{}\" mixes numbers and text ({numbers} of {} values are numbers, but not \"{example}\"), so it is read as categories; mark the odd values as missing to use it as a number.",
            column.name,
            numbers + text
        )
    })
}

fn looks_like_id_name(name: &str) -> bool {
    name.to_lowercase().ends_with("id")
}

fn profile_numeric(name: &str, values: &[f64]) -> ColumnProfile {
    let mut missing = 0usize;
    let mut infinite = 0usize;
    let (mut positive_infinity, mut negative_infinity) = (false, false);
    let mut integral = true;
    let mut ascending = true;
    let mut previous = f64::NEG_INFINITY;
    for &v in values {
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
        } else {
            infinite += 1;
            positive_infinity |= v > 0.0;
            negative_infinity |= v < 0.0;
        }
    }
    let described = if missing + infinite == 0 {
        describe(values, true)
    } else {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        describe(&finite, true)
    };
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
        && (looks_like_id_name(name) || (ascending && max - min < 2.0 * present as f64))
    {
        ColumnKind::Identifier
    } else if integral {
        ColumnKind::Integer
    } else {
        ColumnKind::Numeric
    };
    let top = if matches!(kind, ColumnKind::Boolean | ColumnKind::Constant) {
        let mut counts: FastMap<u64, (f64, usize)> = FastMap::default();
        for &v in values.iter().filter(|v| !v.is_nan()) {
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

fn profile_text(name: &str, dictionary: &[String], codes: &[u32]) -> ColumnProfile {
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
    ColumnProfile {
        name: name.to_string(),
        kind,
        missing,
        distinct,
        numeric,
        top,
        histogram,
    }
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

/// Replaces a non-finite result (an overflow on extreme inputs) with the nearest finite value.
fn finite_or_clamp(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else if x == f64::NEG_INFINITY {
        f64::MIN
    } else if x.is_nan() {
        0.0
    } else {
        f64::MAX
    }
}

/// Compensated (Neumaier) summation: accurate to about one rounding for typical data.
#[derive(Default)]
struct Neumaier {
    sum: f64,
    compensation: f64,
}

impl Neumaier {
    #[inline(always)]
    fn add(&mut self, v: f64) {
        let t = self.sum + v;
        if self.sum.abs() >= v.abs() {
            self.compensation += (self.sum - t) + v;
        } else {
            self.compensation += (v - t) + self.sum;
        }
        self.sum = t;
    }

    fn total(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// What [`describe`] finds in finite values.
struct Described {
    summary: Option<NumericSummary>,
    /// Distinct values (+0 and -0 are one).
    distinct: usize,
    histogram: Option<Histogram>,
}

/// Summary statistics, distinct count and (if asked) histogram of finite values, in three
/// passes: min, max and sum; then squared deviations, histogram bins and the range of decimal
/// grid keys; then counting sort on that grid, or a sort.
fn describe(values: &[f64], histogram: bool) -> Described {
    let n = values.len();
    if n == 0 {
        return Described {
            summary: None,
            distinct: 0,
            histogram: None,
        };
    }
    let count = n as f64;
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut sum = Neumaier::default();
    for &v in values {
        min = min.min(v);
        max = max.max(v);
        sum.add(v);
    }
    let mut mean = sum.total() / count;
    if !mean.is_finite() {
        // The sum overflowed: average pre-divided values instead.
        mean = values.iter().map(|v| v / count).sum::<f64>();
    }
    let mean = finite_or_clamp(mean).max(min).min(max);

    let scale = grid_scale(values);
    let mut keys = scale.map(|_| (i64::MAX, i64::MIN));
    let mut bins = histogram.then(|| Bins::new(min, max));
    let mut squares = 0.0f64;
    for &v in values {
        squares += (v - mean) * (v - mean);
        if let Some(bins) = &mut bins {
            bins.add(v, 1);
        }
        if let (Some(scale), Some((lo, hi))) = (scale, &mut keys) {
            match round_key(v, scale) {
                Some(k) => {
                    *lo = (*lo).min(k);
                    *hi = (*hi).max(k);
                }
                None => keys = None,
            }
        }
    }
    let std = if n > 1 {
        let mut std = (squares / (count - 1.0)).sqrt();
        if !std.is_finite() {
            // Overflow on huge values: compute on a scaled copy.
            let scale = min.abs().max(max.abs());
            let m = mean / scale;
            let ss: f64 = values
                .iter()
                .map(|v| (v / scale - m) * (v / scale - m))
                .sum();
            std = (ss / (count - 1.0)).sqrt() * scale;
        }
        finite_or_clamp(std)
    } else {
        0.0
    };
    let grid = scale
        .zip(keys)
        .and_then(|(scale, (lo, hi))| DecimalGrid::new(scale, lo, hi, n));
    let counted = grid.and_then(|grid| grid.order_statistics(values));
    let ([p25, median, p75], distinct) = counted.unwrap_or_else(|| sorted_order_statistics(values));
    Described {
        summary: Some(NumericSummary {
            min,
            max,
            mean,
            std,
            p25,
            median,
            p75,
        }),
        distinct,
        histogram: bins.map(Bins::into_histogram),
    }
}

/// Quartiles and distinct count by sorting (as integer keys: faster than comparing floats).
fn sorted_order_statistics(values: &[f64]) -> ([f64; 3], usize) {
    let mut keys: Vec<u64> = values.iter().copied().map(sort_key).collect();
    keys.sort_unstable();
    let distinct = 1 + keys
        .iter()
        .zip(keys.iter().skip(1))
        .filter(|(a, b)| a != b)
        .count();
    let quartiles = [0.25, 0.5, 0.75].map(|q| quantile(&keys, q));
    (quartiles, distinct)
}

/// Values that are all decimals with at most a few places in a narrow range (whole numbers,
/// prices, measurements…): each is `k / scale` for an integer `k` between `min_k` and
/// `max_k`, so counting sort does what sorting would, in linear time.
struct DecimalGrid {
    scale: f64,
    min_k: i64,
    span: usize,
}

/// Half-away-from-zero rounding of `v * scale` to an integer, without `f64::round` (a libm call
/// on x86-64); `None` when too large to be exact.
#[inline(always)]
fn round_key(v: f64, scale: f64) -> Option<i64> {
    let x = v * scale;
    if x.abs() >= 9.0e15 {
        return None;
    }
    Some((x + if x >= 0.0 { 0.5 } else { -0.5 }) as i64)
}

/// The grid key of `v`, if `v` is exactly the double nearest to `key / scale`.
#[inline(always)]
fn grid_key(v: f64, scale: f64) -> Option<i64> {
    round_key(v, scale).filter(|&k| k as f64 / scale == v)
}

/// The number of decimal places the values seem to have (as a power of ten), judging by the
/// first values; [`DecimalGrid::order_statistics`] checks every value.
fn grid_scale(values: &[f64]) -> Option<f64> {
    let head = values.get(..64).unwrap_or(values);
    [1.0, 10.0, 100.0, 1000.0, 10_000.0]
        .into_iter()
        .find(|&scale| head.iter().all(|&v| grid_key(v, scale).is_some()))
}

impl DecimalGrid {
    /// The grid for keys from `min_k` to `max_k`, unless the range is too wide to count
    /// (more than a few slots per value).
    fn new(scale: f64, min_k: i64, max_k: i64, n: usize) -> Option<DecimalGrid> {
        let max_span = n.saturating_mul(4).saturating_add(1024);
        let span = usize::try_from(max_k.checked_sub(min_k)?)
            .ok()?
            .checked_add(1)?;
        (span <= max_span).then_some(DecimalGrid { scale, min_k, span })
    }

    fn value(&self, slot: usize) -> f64 {
        (self.min_k + slot as i64) as f64 / self.scale
    }

    /// Quartiles (numpy's linear interpolation) and the distinct count, by counting sort;
    /// `None` if a value is not on the grid after all.
    fn order_statistics(&self, values: &[f64]) -> Option<([f64; 3], usize)> {
        let mut counts = vec![0u32; self.span];
        for &v in values {
            let slot = usize::try_from(grid_key(v, self.scale)? - self.min_k).ok()?;
            let count = counts.get_mut(slot)?;
            *count = count.saturating_add(1);
        }
        let distinct = counts.iter().filter(|&&c| c > 0).count();
        // The order statistics needed: positions i and i + 1 of each quartile.
        let last = values.len().saturating_sub(1);
        let wanted: Vec<(usize, f64)> = [0.25, 0.5, 0.75]
            .iter()
            .map(|q| {
                let pos = q * last as f64;
                let i = (pos.floor() as usize).min(last);
                (i, pos - i as f64)
            })
            .collect();
        let mut targets: Vec<usize> = wanted
            .iter()
            .flat_map(|&(i, _)| [i, (i + 1).min(last)])
            .collect();
        targets.sort_unstable();
        targets.dedup();
        // Walk the counts once, noting the value at each target position.
        let mut found: Vec<(usize, f64)> = Vec::with_capacity(targets.len());
        let mut seen = 0usize;
        let mut next = targets.iter().peekable();
        for (slot, &count) in counts.iter().enumerate() {
            seen += count as usize;
            while let Some(&&target) = next.peek() {
                if target < seen {
                    found.push((target, self.value(slot)));
                    next.next();
                } else {
                    break;
                }
            }
        }
        let at = |position: usize| {
            found
                .iter()
                .find(|(p, _)| *p == position)
                .map_or(0.0, |&(_, v)| v)
        };
        let mut quartiles = [0.0; 3];
        for (slot, &(i, frac)) in quartiles.iter_mut().zip(&wanted) {
            let a = at(i);
            let b = at((i + 1).min(last));
            *slot = finite_or_clamp(a + (b - a) * frac);
        }
        Some((quartiles, distinct))
    }
}

/// An integer key that sorts like the f64 (for non-NaN values; -0 maps to +0).
#[inline]
fn sort_key(v: f64) -> u64 {
    let bits = if v == 0.0 { 0 } else { v.to_bits() };
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

#[inline]
fn from_sort_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// The q-quantile of sorted keys with linear interpolation (numpy's default).
fn quantile(keys: &[u64], q: f64) -> f64 {
    let Some(last) = keys.len().checked_sub(1) else {
        return 0.0;
    };
    let pos = q * last as f64;
    let i = (pos.floor() as usize).min(last);
    let frac = pos - i as f64;
    let a = keys.get(i).map_or(0.0, |&k| from_sort_key(k));
    let b = keys.get(i + 1).map_or(a, |&k| from_sort_key(k));
    let mut v = a + (b - a) * frac;
    if !v.is_finite() {
        v = a * (1.0 - frac) + b * frac;
    }
    finite_or_clamp(v)
}

/// Whether a finite value is a whole number (without `f64::trunc`, a libm call on x86-64).
#[inline]
fn is_integral(v: f64) -> bool {
    // Every f64 of magnitude 2^52 or more is whole; below that the i64 round trip is exact.
    v.abs() >= 4_503_599_627_370_496.0 || (v as i64) as f64 == v
}

/// A histogram under construction.
struct Bins {
    min: f64,
    max: f64,
    /// Bins per half-unit: `(v/2 - min/2) * scale` is the bin position (halved so that
    /// `max - min` cannot overflow).
    scale: f64,
    counts: Vec<usize>,
}

impl Bins {
    fn new(min: f64, max: f64) -> Self {
        let bins = if min < max { HISTOGRAM_BINS } else { 1 };
        Bins {
            min,
            max,
            scale: bins as f64 / (max * 0.5 - min * 0.5),
            counts: vec![0; bins],
        }
    }

    #[inline]
    fn add(&mut self, v: f64, n: usize) {
        let last = self.counts.len().saturating_sub(1);
        let index = if last == 0 {
            0
        } else {
            (((v * 0.5 - self.min * 0.5) * self.scale) as usize).min(last)
        };
        if let Some(c) = self.counts.get_mut(index) {
            *c += n;
        }
    }

    fn into_histogram(self) -> Histogram {
        Histogram {
            min: self.min,
            max: self.max,
            counts: self.counts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summarize(values: Vec<f64>) -> (Option<NumericSummary>, usize) {
        let d = describe(&values, false);
        (d.summary, d.distinct)
    }

    fn decimal_grid(values: &[f64]) -> Option<DecimalGrid> {
        let scale = grid_scale(values)?;
        let keys: Option<Vec<i64>> = values.iter().map(|&v| round_key(v, scale)).collect();
        let keys = keys?;
        let lo = keys.iter().copied().min()?;
        let hi = keys.iter().copied().max()?;
        DecimalGrid::new(scale, lo, hi, values.len())
    }

    fn quartiles(values: &[f64]) -> [f64; 3] {
        let (summary, _) = summarize(values.to_vec());
        let s = summary.expect("summary");
        [s.p25, s.median, s.p75]
    }

    #[test]
    fn quartiles_match_numpy() {
        // numpy.percentile([1,2,3,4], [25,50,75]) = [1.75, 2.5, 3.25]
        assert_eq!(quartiles(&[4.0, 1.0, 3.0, 2.0]), [1.75, 2.5, 3.25]);
        assert_eq!(quartiles(&[7.0]), [7.0, 7.0, 7.0]);
        let v: Vec<f64> = (0..101).rev().map(f64::from).collect();
        assert_eq!(quartiles(&v), [25.0, 50.0, 75.0]);
        assert_eq!(quartiles(&[1.0, 2.0, 10.0]), [1.5, 2.0, 6.0]);
    }

    #[test]
    fn sort_keys_order_like_floats() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut values: Vec<f64> = (0..5000)
            .map(|i| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                match i % 5 {
                    0 => (seed % 1000) as f64 - 500.0,
                    1 => f64::from_bits(seed >> 2) * if seed & 1 == 0 { 1.0 } else { -1.0 },
                    2 => -0.0,
                    3 => 0.0,
                    _ => (seed % 7) as f64 * 0.25,
                }
            })
            .filter(|v: &f64| v.is_finite())
            .collect();
        let mut keys: Vec<u64> = values.iter().copied().map(sort_key).collect();
        keys.sort_unstable();
        let sorted: Vec<f64> = keys.iter().map(|&k| from_sort_key(k)).collect();
        values.sort_by(f64::total_cmp);
        for v in &mut values {
            if *v == 0.0 {
                *v = 0.0;
            }
        }
        assert_eq!(sorted, values);
        let (_, distinct) = summarize(vec![3.0, 1.0, 3.0, -0.0, 0.0, 7.0, 1.0]);
        assert_eq!(distinct, 4);
    }

    #[test]
    fn summary_is_finite_on_extremes() {
        let s = summarize(vec![f64::MAX, -f64::MAX, f64::MAX])
            .0
            .expect("summary");
        for x in [s.min, s.max, s.mean, s.std, s.p25, s.median, s.p75] {
            assert!(x.is_finite(), "{s:?}");
        }
        let mut h = Bins::new(-f64::MAX, f64::MAX);
        h.add(f64::MAX, 1);
        h.add(-f64::MAX, 1);
        h.add(0.0, 1);
        let h = h.into_histogram();
        assert_eq!(h.counts.iter().sum::<usize>(), 3);
        assert_eq!(h.counts.first(), Some(&1));
        assert_eq!(h.counts.last(), Some(&1));
    }

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
    fn counting_and_sorting_agree() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for case in 0..200 {
            let n = 300 + (next() % 300) as usize;
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    let r = next();
                    match case % 5 {
                        0 => (r % 50) as f64 - 25.0,
                        1 => ((r % 2000) as f64 - 1000.0) / 100.0,
                        2 => ((r % 1000) as f64) / 1000.0,
                        3 => [-0.0, 0.0, 1.0][(r % 3) as usize],
                        _ => ((r % 1000) as f64) / 10_000.0 + 1e6,
                    }
                })
                .collect();
            let Some(grid) = decimal_grid(&values) else {
                panic!("case {case}: {values:?}")
            };
            let counted = grid.order_statistics(&values);
            let sorted = sorted_order_statistics(&values);
            assert_eq!(counted, Some(sorted), "case {case}: {values:?}");
        }
        // Not on a grid: random doubles, huge values, a spread too wide to count; and a value
        // off the grid after the first 64 (caught while counting).
        assert!(decimal_grid(&[0.1 + 0.2, 1.0]).is_none());
        let mut late: Vec<f64> = (0..100).map(f64::from).collect();
        late.push(0.1 + 0.2);
        let grid = decimal_grid(&late).expect("judged by the first values");
        assert_eq!(grid.order_statistics(&late), None);
        let (summary, distinct) = summarize(late.clone());
        assert_eq!(distinct, 101);
        assert_eq!(summary.map(|s| s.median), Some(49.0));
        assert!(decimal_grid(&[1e300, 1.0]).is_none());
        assert!(decimal_grid(&[0.0, 1e9]).is_none());
    }

    #[test]
    fn integral_values() {
        assert!(is_integral(-3.0) && is_integral(1e300) && !is_integral(2.5));
        assert!(!is_integral(-1e-300) && is_integral(-0.0));
    }

    #[test]
    fn boolean_pairs() {
        assert_eq!(boolean_pair("Yes", "no"), Some(true));
        assert_eq!(boolean_pair("F", "T"), Some(false));
        assert_eq!(boolean_pair("yes", "false"), None);
        assert_eq!(boolean_pair("male", "female"), None);
    }
}
