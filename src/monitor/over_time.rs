//! Drift over time: when new data has a date column, its rows sorted by date and cut into equal
//! chunks, each compared with the training references like a file of its own — so a user sees
//! when the data began to drift, not only that it did.

use crate::data::{ColumnValues, Dataset, MISSING_CODE, parse_datetime};
use crate::prep::ColumnReference;

use super::report::{ChunkDrift, DriftOverTime, drift_report};

/// The most chunks a file is cut into.
pub const MOST_CHUNKS: usize = 10;
/// The fewest rows a chunk has (fewer rows make every test noise).
pub const FEWEST_CHUNK_ROWS: usize = 30;

/// Drift chunk by chunk along the first column that is not a model input and whose every
/// value reads as a date (rows without a date left out); `None` when there is no such column
/// or too few dated rows for two chunks of [`FEWEST_CHUNK_ROWS`].
pub fn drift_over_time(references: &[ColumnReference], dataset: &Dataset) -> Option<DriftOverTime> {
    let (column, times) = dataset
        .columns
        .iter()
        .filter(|column| !references.iter().any(|r| r.column == column.name))
        .find_map(|column| Some((column, row_times(&column.values)?)))?;
    let mut dated: Vec<(f64, usize)> = times
        .iter()
        .enumerate()
        .filter_map(|(row, time)| time.map(|t| (t, row)))
        .collect();
    dated.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let count = (dated.len() / FEWEST_CHUNK_ROWS).min(MOST_CHUNKS);
    if count < 2 {
        return None;
    }
    let chunks = (0..count)
        .filter_map(|chunk| {
            let start = chunk * dated.len() / count;
            let end = (chunk + 1) * dated.len() / count;
            let rows: Vec<usize> = dated[start..end].iter().map(|&(_, row)| row).collect();
            let date = |row: usize| column.raw(row).unwrap_or_default();
            let report = drift_report(references, &dataset.take_rows(&rows)).ok()?;
            let mut drifted: Vec<String> = report.missing_columns.clone();
            drifted.extend(
                report
                    .columns
                    .iter()
                    .filter(|c| c.drifted)
                    .map(|c| c.column.clone()),
            );
            Some(ChunkDrift {
                from: date(*rows.first()?),
                to: date(*rows.last()?),
                rows: rows.len() as u64,
                drifted_share: report.drifted_share,
                dataset_drift: report.dataset_drift,
                drifted,
            })
        })
        .collect();
    Some(DriftOverTime {
        column: column.name.clone(),
        chunks,
    })
}

/// Each row's time when every present value of a text column reads as a date (in the day order
/// that reads more of them); `None` for other columns.
fn row_times(values: &ColumnValues) -> Option<Vec<Option<f64>>> {
    let ColumnValues::Text { dictionary, codes } = values else {
        return None;
    };
    if dictionary.is_empty() {
        return None;
    }
    let read = |day_first: bool| -> Option<Vec<f64>> {
        dictionary
            .iter()
            .map(|text| parse_datetime(text, day_first))
            .collect()
    };
    let times = read(false).or_else(|| read(true))?;
    Some(
        codes
            .iter()
            .map(|&code| {
                (code != MISSING_CODE)
                    .then(|| times.get(code as usize).copied())
                    .flatten()
            })
            .collect(),
    )
}
