//! The drift report of a new dataset against a model's training references: schema changes,
//! one drift test per column with Evidently's default rules, PSI beside it, missing-rate
//! change, unseen categories and out-of-range values, and the dataset verdict.

use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::prep::{
    ColumnReference, Observed, ObservedValues, Prediction, ReferenceValues, prediction_column,
};

use super::statistics::{
    BinnedCdf, chi_square, jensen_shannon, ks_p_value, ks_statistic, psi, wasserstein_normed,
};

/// Evidently's switch between the tests: references of at most this many rows are tested
/// (KS, chi-square, drift at p < [`P_VALUE`]); larger ones are measured by a distance (drift at
/// ≥ [`DISTANCE`]), since with many rows every test finds a difference.
pub const SMALL_REFERENCE: u64 = 1_000;
/// The p-value below which a test says the column drifted.
pub const P_VALUE: f64 = 0.05;
/// The distance (normalised Wasserstein, Jensen–Shannon) at which a column drifted.
pub const DISTANCE: f64 = 0.1;
/// The share of drifted columns at which the dataset drifted (Evidently's default).
pub const DATASET_SHARE: f64 = 0.5;
/// Bins of the population stability index: the reference's deciles.
const PSI_BINS: usize = 10;

/// How a column's drift was judged.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DriftTest {
    /// Two-sample Kolmogorov–Smirnov (p-value).
    Ks,
    /// Chi-square goodness of fit (p-value).
    ChiSquare,
    /// Wasserstein distance over the reference's standard deviation.
    Wasserstein,
    /// Jensen–Shannon distance.
    JensenShannon,
}

impl DriftTest {
    pub fn name(self) -> &'static str {
        match self {
            DriftTest::Ks => "K-S p-value",
            DriftTest::ChiSquare => "chi-square p-value",
            DriftTest::Wasserstein => "Wasserstein (normed)",
            DriftTest::JensenShannon => "Jensen-Shannon distance",
        }
    }

    /// Whether a low score means drift (tests' p-values) rather than a high one (distances).
    pub fn low_drifts(self) -> bool {
        matches!(self, DriftTest::Ks | DriftTest::ChiSquare)
    }
}

/// One column's drift.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ColumnDrift {
    pub column: String,
    pub test: DriftTest,
    /// The test's p-value or the distance.
    pub score: f64,
    pub threshold: f64,
    pub drifted: bool,
    /// The population stability index (shown beside the test; not part of the verdict).
    pub psi: f64,
    pub missing_reference: f64,
    pub missing_new: f64,
    /// Share of present new values outside the training range (numbers) or not among the
    /// training categories (categories; includes categories too rare in training to be named).
    pub outside: f64,
    /// Present values a number column could not read.
    pub unreadable: u64,
    /// Per bin or category: (label, reference share, new share), for overlaid histograms.
    pub histogram: Vec<(String, f64, f64)>,
}

/// The whole report.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DriftReport {
    pub source: String,
    pub reference_rows: u64,
    pub rows: u64,
    /// Model input columns the new data lacks.
    pub missing_columns: Vec<String>,
    /// New columns the model does not read (the target included).
    pub extra_columns: Vec<String>,
    /// Columns whose new values are mostly unreadable as the numbers the model expects.
    pub retyped_columns: Vec<String>,
    /// Sorted by how far past (or short of) its threshold each column is, most drifted first.
    pub columns: Vec<ColumnDrift>,
    pub drifted_share: f64,
    /// The dataset verdict: at least [`DATASET_SHARE`] of the columns drifted.
    pub dataset_drift: bool,
    /// The model's answers on the new rows against its answers on the test split (absent when
    /// the model file keeps no test answers); shown apart, not part of the dataset verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prediction: Option<ColumnDrift>,
    /// The same chunk by chunk along the new data's date column, when it has one (see
    /// [`super::drift_over_time`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over_time: Option<DriftOverTime>,
}

/// One chunk of the new rows, by date.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ChunkDrift {
    /// The first and last date in the chunk, as written in the file.
    pub from: String,
    pub to: String,
    pub rows: u64,
    pub drifted_share: f64,
    pub dataset_drift: bool,
    /// The columns that drifted in this chunk (missing ones included).
    pub drifted: Vec<String>,
}

/// The drift of the new rows chunk by chunk along a date column.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DriftOverTime {
    /// The date column the rows were ordered by.
    pub column: String,
    pub chunks: Vec<ChunkDrift>,
}

/// Why there is no report.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MonitorError {
    #[error(
        "The model carries no training reference to monitor against (it was written by an older Hearth); export or train it again to monitor drift."
    )]
    NoReference,
    #[error("{file} has no rows to compare with the training data.")]
    NoRows { file: String },
}

/// Compares `dataset` with a model's training references (a fitted pipeline's `reference`, or
/// an ONNX file's `monitoring_reference`).
pub fn drift_report(
    references: &[ColumnReference],
    dataset: &Dataset,
) -> Result<DriftReport, MonitorError> {
    let first = references.first().ok_or(MonitorError::NoReference)?;
    if dataset.rows == 0 {
        return Err(MonitorError::NoRows {
            file: dataset.source.clone(),
        });
    }
    let mut missing_columns = Vec::new();
    let mut retyped_columns = Vec::new();
    let mut columns = Vec::new();
    for reference in references {
        let Some(column) = dataset.column(&reference.column) else {
            missing_columns.push(reference.column.clone());
            continue;
        };
        let observed = reference.observe(column, dataset.rows, dataset.dialect.decimal_comma);
        let present = observed.rows - observed.missing;
        if present > 0 && observed.unreadable * 2 > present {
            retyped_columns.push(reference.column.clone());
        }
        columns.push(column_drift(reference, &observed));
    }
    let extra_columns = dataset
        .columns
        .iter()
        .filter(|c| !references.iter().any(|r| r.column == c.name))
        .map(|c| c.name.clone())
        .collect();
    columns.sort_by(|a, b| margin(b).total_cmp(&margin(a)));
    let judged = columns.len() + missing_columns.len();
    let drifted = columns.iter().filter(|c| c.drifted).count() + missing_columns.len();
    let drifted_share = if judged == 0 {
        0.0
    } else {
        drifted as f64 / judged as f64
    };
    Ok(DriftReport {
        source: dataset.source.clone(),
        reference_rows: first.rows,
        rows: dataset.rows as u64,
        missing_columns,
        extra_columns,
        retyped_columns,
        columns,
        drifted_share,
        dataset_drift: judged > 0 && drifted_share >= DATASET_SHARE,
        prediction: None,
        over_time: None,
    })
}

/// Prediction drift: the model's answers on the new rows (`predictions`) against its answers
/// on the test split (`reference`, a model file's `test_answers`), judged by the same rules as
/// a column.
pub fn prediction_drift(reference: &ColumnReference, predictions: &[Prediction]) -> ColumnDrift {
    let column = prediction_column(&reference.column, predictions);
    column_drift(
        reference,
        &reference.observe(&column, predictions.len(), false),
    )
}

/// How far a column is past its threshold, on a scale shared by tests and distances: for
/// p-values the order of magnitude below the threshold, for distances the ratio to it.
fn margin(drift: &ColumnDrift) -> f64 {
    if drift.test.low_drifts() {
        (drift.threshold / drift.score.max(1e-300)).log10()
    } else {
        (drift.score / drift.threshold).log10()
    }
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn column_drift(reference: &ColumnReference, observed: &Observed) -> ColumnDrift {
    let small = reference.rows <= SMALL_REFERENCE;
    let missing_reference = share(reference.missing, reference.rows);
    // Unreadable numbers are imputed like missing ones, in training as now.
    let missing_new = share(observed.missing + observed.unreadable, observed.rows);
    let base = |test, score, psi, outside, histogram| {
        let threshold = if small { P_VALUE } else { DISTANCE };
        let drifted = if small {
            score < threshold
        } else {
            score >= threshold
        };
        ColumnDrift {
            column: reference.column.clone(),
            test,
            score,
            threshold,
            drifted,
            psi,
            missing_reference,
            missing_new,
            outside,
            unreadable: observed.unreadable,
            histogram,
        }
    };
    match (&reference.values, &observed.values) {
        (
            ReferenceValues::Numeric {
                min,
                max,
                std,
                edges,
                counts,
                ..
            },
            ObservedValues::Numeric { sorted, infinite },
        ) => {
            let cdf = BinnedCdf::new(edges, counts);
            let present = sorted.len() as u64 + infinite;
            let beyond = sorted.iter().filter(|&&x| x < *min || x > *max).count() as u64;
            let (test, score) = if small {
                let d = ks_statistic(&cdf, sorted);
                let n = reference.rows - reference.missing;
                (DriftTest::Ks, ks_p_value(d, n, sorted.len() as u64))
            } else {
                (
                    DriftTest::Wasserstein,
                    wasserstein_normed(&cdf, *std, sorted),
                )
            };
            let (labels, reference_counts, new_counts) = decile_bins(edges, counts, sorted);
            let histogram = histogram(labels, &reference_counts, &new_counts);
            base(
                test,
                score,
                psi(&reference_counts, &new_counts),
                share(beyond + infinite, present),
                histogram,
            )
        }
        (
            ReferenceValues::Categories { counts, other, .. },
            ObservedValues::Categories {
                counts: new,
                other: new_other,
            },
        ) => {
            let mut labels: Vec<String> = counts.iter().map(|(key, _)| key.clone()).collect();
            let mut reference_counts: Vec<u64> = counts.iter().map(|(_, n)| *n).collect();
            let mut new_counts = new.clone();
            if *other > 0 || *new_other > 0 {
                labels.push(crate::prep::OTHER.to_string());
                reference_counts.push(*other);
                new_counts.push(*new_other);
            }
            let (test, score) = if small {
                (
                    DriftTest::ChiSquare,
                    chi_square(&reference_counts, &new_counts).1,
                )
            } else {
                (
                    DriftTest::JensenShannon,
                    jensen_shannon(&reference_counts, &new_counts),
                )
            };
            let present = new.iter().sum::<u64>() + new_other;
            base(
                test,
                score,
                psi(&reference_counts, &new_counts),
                share(*new_other, present),
                histogram(labels, &reference_counts, &new_counts),
            )
        }
        // A reference and an observation of different shapes cannot come from one reference.
        _ => base(DriftTest::Ks, 1.0, 0.0, 0.0, Vec::new()),
    }
}

fn histogram(labels: Vec<String>, reference: &[u64], new: &[u64]) -> Vec<(String, f64, f64)> {
    let (r, n) = (reference.iter().sum(), new.iter().sum());
    labels
        .into_iter()
        .zip(reference.iter().zip(new))
        .map(|(label, (&a, &b))| (label, share(a, r), share(b, n)))
        .collect()
}

/// The reference's bins merged into deciles (for PSI and the histograms), with the new values
/// counted in the same bins; values outside the range go to the first or last.
fn decile_bins(edges: &[f64], counts: &[u64], sorted: &[f64]) -> (Vec<String>, Vec<u64>, Vec<u64>) {
    let bins = counts.len().min(edges.len());
    let group = bins.div_ceil(PSI_BINS).max(1);
    let mut labels = Vec::new();
    let mut reference = Vec::new();
    let mut bounds = Vec::new();
    for start in (0..bins).step_by(group) {
        let end = (start + group).min(bins);
        reference.push(counts[start..end].iter().sum());
        let (low, high) = (edges[start.saturating_sub(1)], edges[end - 1]);
        labels.push(format!(
            "{}–{}",
            crate::format::number(low),
            crate::format::number(high)
        ));
        bounds.push(high);
    }
    let mut new = vec![0u64; reference.len()];
    for &x in sorted {
        let i = bounds
            .partition_point(|&b| b < x)
            .min(new.len().saturating_sub(1));
        if let Some(count) = new.get_mut(i) {
            *count += 1;
        }
    }
    (labels, reference, new)
}
