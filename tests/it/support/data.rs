//! Datasets for the suites: the bundled samples and CSV text written inline.

use std::fmt::Display;

use hearth::data::{
    ColumnValues, DataError, Dataset, IngestOptions, read_csv_bytes, read_csv_path,
};

/// The value, or a panic showing the error: the suites' `?`.
pub fn ok<T, E: Display>(result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => panic!("{error}"),
    }
}

/// A bundled sample dataset (`static/<name>`) read with the default options.
pub fn bundled(name: &str) -> Dataset {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("static")
        .join(name);
    ok(read_csv_path(&path, IngestOptions::default()))
}

/// CSV bytes read with the default options, as a file named `test.csv`.
pub fn csv(bytes: impl AsRef<[u8]>) -> Dataset {
    ok(read_csv_bytes(
        "test.csv",
        bytes.as_ref(),
        IngestOptions::default(),
    ))
}

/// The error reading `bytes` as a file called `name`.
pub fn read_err(name: &str, bytes: &[u8]) -> DataError {
    match read_csv_bytes(name, bytes, IngestOptions::default()) {
        Ok(d) => panic!("expected an error, got {} rows", d.rows),
        Err(e) => e,
    }
}

/// The column names.
pub fn names(d: &Dataset) -> Vec<&str> {
    d.columns.iter().map(|c| c.name.as_str()).collect()
}

/// The column's values as text (`None` = missing).
pub fn texts(d: &Dataset, column: usize) -> Vec<Option<String>> {
    let c = d.columns.get(column).expect("column");
    (0..c.len()).map(|r| c.raw(r)).collect()
}

/// A numeric column's values.
pub fn numbers(d: &Dataset, column: usize) -> Vec<f64> {
    match &d.columns.get(column).expect("column").values {
        ColumnValues::Numeric(v) => v.to_vec(),
        other => panic!("column {column} is not numeric: {other:?}"),
    }
}

/// Serialised form, to compare datasets (NaN serialises as null, so missing values compare equal).
pub fn json(d: &Dataset) -> String {
    serde_json::to_string(d).expect("serialise")
}
