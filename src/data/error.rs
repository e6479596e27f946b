//! The one error type of the data layer.
//!
//! Every message is one sentence meant for the person who picked the file: it names the file,
//! the 1-based physical line (embedded newlines in quoted fields count), and the column when known.

/// Why a CSV file could not be read.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum DataError {
    /// The file has no bytes, or only whitespace and/or a byte-order mark.
    #[error("{file} is empty.")]
    Empty { file: String },

    /// The file has a header row and nothing after it.
    #[error("{file} has a header row but no data rows.")]
    HeaderOnly { file: String },

    /// A record has a different number of fields than the header (or, without a header, the first row).
    #[error(
        "{file}, line {line}: expected {expected} fields as in the {reference} but found {found}.",
        reference = if *.header { "header" } else { "first row" }
    )]
    Ragged {
        file: String,
        /// Line on which the record starts.
        line: u64,
        expected: usize,
        found: usize,
        /// Whether the expected count comes from a header row (otherwise from the first data row).
        header: bool,
    },

    /// The file ends inside a quoted field.
    #[error(
        "{file}, line {line}, column {column}{}: a quoted field starts here but its closing quote is missing.",
        column_suffix(.column_name)
    )]
    UnclosedQuote {
        file: String,
        /// Line of the opening quote.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// The column's name, when the field is within the header's columns.
        column_name: Option<String>,
    },

    /// The bytes do not look like a text file (NUL bytes, many control characters, UTF-16, a ZIP archive…).
    #[error("{file} does not look like text: {detail}.")]
    NotText {
        file: String,
        /// Line where the offending bytes were found.
        line: u64,
        /// What was found, e.g. "line 3 contains a NUL byte (binary data?)".
        detail: String,
    },

    /// The file is bigger than `IngestOptions::max_bytes`.
    #[error(
        "{file} is too large: {} MB{}, over the limit of {} MB.",
        mb(*.size),
        if *.at_least { " or more" } else { "" },
        mb(*.limit)
    )]
    TooLarge {
        file: String,
        /// File size in bytes (or the bytes seen so far when streaming, see `at_least`).
        size: u64,
        /// The limit in bytes.
        limit: u64,
        /// True when the size is only a lower bound (the input was streamed and cut off).
        at_least: bool,
    },

    /// A column has more distinct text values than can be numbered (over 4 billion).
    #[error("{file}, line {line}: column {column} has too many distinct values.")]
    TooManyValues {
        file: String,
        line: u64,
        column: String,
    },

    /// Reading the file failed (native only); the message names the file.
    #[error("{0}")]
    Io(String),
}

fn column_suffix(name: &Option<String>) -> String {
    match name {
        Some(name) => format!(" ({name})"),
        None => String::new(),
    }
}

/// Bytes as megabytes (2^20 bytes), with one decimal unless whole.
pub(crate) fn mb(bytes: u64) -> String {
    let v = bytes as f64 / (1u64 << 20) as f64;
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v < 0.1 {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0');
        if s.ends_with('.') {
            format!("{s}0")
        } else {
            s.to_string()
        }
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_sentence() {
        let e = DataError::Ragged {
            file: "data.csv".into(),
            line: 12,
            expected: 8,
            found: 9,
            header: true,
        };
        assert_eq!(
            e.to_string(),
            "data.csv, line 12: expected 8 fields as in the header but found 9."
        );
        let e = DataError::UnclosedQuote {
            file: "a.csv".into(),
            line: 3,
            column: 2,
            column_name: Some("city".into()),
        };
        assert_eq!(
            e.to_string(),
            "a.csv, line 3, column 2 (city): a quoted field starts here but its closing quote is missing."
        );
        let e = DataError::TooLarge {
            file: "big.csv".into(),
            size: 3 << 20,
            limit: 1 << 20,
            at_least: false,
        };
        assert_eq!(
            e.to_string(),
            "big.csv is too large: 3 MB, over the limit of 1 MB."
        );
        assert_eq!(mb(1536 * 1024), "1.5");
        assert_eq!(mb(1 << 30), "1024");
    }
}
