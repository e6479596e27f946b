//! The in-memory, column-oriented result of an ingest.

use serde::{Deserialize, Serialize};

use super::numbers::Numbers;

/// Code of a missing value in [`ColumnValues::Text`].
pub const MISSING_CODE: u32 = u32::MAX;

/// How a CSV file was read: detected or as given in [`IngestOptions`](super::IngestOptions).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Dialect {
    /// The field separator: `b','`, `b';'`, `b'\t'` or `b'|'` when sniffed.
    pub delimiter: u8,
    /// Whether the first record held the column names.
    pub has_header: bool,
    /// Whether numbers use a decimal comma (`3,5` = 3.5; then `.` is not a decimal point).
    pub decimal_comma: bool,
}

/// A parsed CSV file, column by column.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Dataset {
    /// The file name the data came from (used in messages).
    pub source: String,
    pub dialect: Dialect,
    pub columns: Vec<Column>,
    /// Number of data rows (the header excluded).
    pub rows: usize,
    /// The first 20 data rows, raw field text (quotes removed, nothing trimmed).
    pub preview: Vec<Vec<String>>,
    /// Notes for the user about how the file was read (encoding fallback, detected dialect…).
    pub notes: Vec<String>,
}

impl Dataset {
    /// The column with this exact name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The rows at `rows`, in that order, as a dataset of their own (a chunk of a file; no
    /// preview or notes). A row past the end is missing in every column.
    pub fn take_rows(&self, rows: &[usize]) -> Dataset {
        let columns = self
            .columns
            .iter()
            .map(|column| Column {
                name: column.name.clone(),
                values: match &column.values {
                    ColumnValues::Numeric(values) => ColumnValues::Numeric(
                        rows.iter()
                            .map(|&row| values.get(row).unwrap_or(f64::NAN))
                            .collect(),
                    ),
                    ColumnValues::Text { dictionary, codes } => ColumnValues::Text {
                        dictionary: dictionary.clone(),
                        codes: rows
                            .iter()
                            .map(|&row| codes.get(row).copied().unwrap_or(MISSING_CODE))
                            .collect(),
                    },
                },
            })
            .collect();
        Dataset {
            source: self.source.clone(),
            dialect: self.dialect.clone(),
            columns,
            rows: rows.len(),
            preview: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// One column: its (unique, non-empty) name and its values.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Column {
    pub name: String,
    pub values: ColumnValues,
}

/// The values of a column.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub enum ColumnValues {
    /// Every non-missing value parsed as a number. NaN = missing; ±∞ are possible (`inf`).
    Numeric(Numbers),
    /// Text, dictionary-encoded: `codes[row]` indexes `dictionary`; [`MISSING_CODE`] = missing.
    Text {
        dictionary: Vec<String>,
        codes: Vec<u32>,
    },
}

impl ColumnValues {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnValues::Numeric(v) => v.len(),
            ColumnValues::Text { codes, .. } => codes.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Column {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether the value in `row` is missing. Rows past the end count as missing.
    pub fn is_missing(&self, row: usize) -> bool {
        match &self.values {
            ColumnValues::Numeric(v) => v.get(row).is_none_or(|x| x.is_nan()),
            ColumnValues::Text { dictionary, codes } => codes
                .get(row)
                .is_none_or(|&c| dictionary.get(c as usize).is_none()),
        }
    }

    /// The value in `row` as text; `None` when missing (or past the end). Numbers are written in
    /// Rust's shortest round-trip form (`1.50` in the file gives `"1.5"`; see `Dataset::preview`
    /// for the exact text of the first rows).
    pub fn raw(&self, row: usize) -> Option<String> {
        match &self.values {
            ColumnValues::Numeric(v) => v.get(row).filter(|x| !x.is_nan()).map(|x| format!("{x}")),
            ColumnValues::Text { dictionary, codes } => codes
                .get(row)
                .and_then(|&c| dictionary.get(c as usize))
                .cloned(),
        }
    }

    /// The value in `row` as a number: `None` for text columns, missing values and rows past the end.
    pub fn number(&self, row: usize) -> Option<f64> {
        match &self.values {
            ColumnValues::Numeric(v) => v.get(row).filter(|x| !x.is_nan()),
            ColumnValues::Text { .. } => None,
        }
    }
}
