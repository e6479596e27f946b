//! Monitoring: is new data still like the data the model was trained on?
//!
//! Every fitted pipeline carries each input column's training distribution
//! ([`ColumnReference`](crate::prep::ColumnReference): quantile-bin or category counts, no
//! row). [`drift_report`] summarises a new dataset column by column the way the pipeline reads
//! it and judges each column with Evidently's default rules: a reference of at most 1,000 rows
//! is tested (two-sample Kolmogorov–Smirnov for numbers, chi-square for categories and for
//! numbers with at most 5 distinct values; drift at p < 0.05), a larger one measured
//! (Wasserstein distance over the reference's standard deviation, Jensen–Shannon distance;
//! drift at ≥ 0.1). The population stability index is shown beside each; the dataset drifted
//! when half of its columns did. Host code only (no burn), for the CLI and the page alike.

mod over_time;
mod report;
pub mod statistics;

pub use over_time::{FEWEST_CHUNK_ROWS, MOST_CHUNKS, drift_over_time};
pub use report::{
    ChunkDrift, ColumnDrift, DATASET_SHARE, DISTANCE, DriftOverTime, DriftReport, DriftTest,
    MonitorError, P_VALUE, SMALL_REFERENCE, drift_report, prediction_drift,
};
