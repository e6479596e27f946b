//! CSV ingest and column profiling.
//!
//! * [`Ingest`] / [`read_csv_bytes`] / `read_csv_path` turn CSV bytes (streamed in chunks of any
//!   size) into a column-oriented [`Dataset`]: the dialect (delimiter, header, decimal comma) is
//!   sniffed, numbers are parsed straight from the bytes, text is dictionary-encoded.
//! * [`profile`] summarises a dataset per column ([`ColumnKind`], missing and distinct counts,
//!   numeric summary, most frequent values, histogram) and suggests a target and task.
//!
//! Nothing here touches the file system except `read_csv_path` (native only), and nothing
//! panics on any input bytes: errors are [`DataError`]s with one-sentence messages.
//!
//! Reading rules, in short:
//! * RFC 4180 quoting (delimiters, CR/LF/CRLF newlines and `""` inside quotes); a UTF-8 BOM is
//!   dropped; blank lines and lines of only whitespace are skipped; a final newline adds no row.
//! * Lenient where real files are sloppy: a `"` inside an unquoted field (`ab"c`) is literal
//!   text, and text after a closing quote (`"ab"c`) is appended (`abc`).
//! * Missing values: [`MISSING_MARKERS`] after trimming, case-insensitively.
//! * A column stays numeric while every non-missing value parses as a number (after trimming;
//!   `+`, exponents and `inf` accepted); the first other value turns it into text, and the
//!   earlier numbers are written back as they were written when all had the same number of
//!   decimals or were in shortest form (otherwise in shortest form, e.g. `1.50` → `1.5`).
//! * A field that is not valid UTF-8 is decoded as Windows-1252, with one note in
//!   [`Dataset::notes`].
//!
//! Profiling rules beyond the obvious: a numeric column with exactly two distinct whole values
//! (`0/1`, but also `1/2` as in `diabetes.csv`'s `sex`) is boolean; a text column with two
//! values forming a true/false, yes/no, y/n or t/f pair is boolean, other two-valued text is
//! categorical (and still a binary target).

mod columns;
mod dataset;
mod datetime;
mod describe;
mod encoding;
mod error;
mod hash;
mod ingest;
mod number;
mod numbers;
mod profile;
mod sniff;
mod tokenizer;

pub use columns::PREVIEW_ROWS;
pub use dataset::{Column, ColumnValues, Dataset, Dialect, MISSING_CODE};
pub(crate) use datetime::civil_parts;
pub use datetime::{is_datetime, parse_datetime};
pub use describe::{HISTOGRAM_BINS, Histogram, NumericSummary};
pub use error::DataError;
#[cfg(not(target_arch = "wasm32"))]
pub use ingest::read_csv_path;
pub use ingest::{Ingest, IngestOptions, read_csv_bytes};
pub use number::{MISSING_MARKERS, is_missing_marker, parse_number};
pub use numbers::Numbers;
pub use profile::{
    CategoryCount, ColumnKind, ColumnProfile, MANY_CLASSES, MAX_CLASS_SHARE, Profile, TOP_VALUES,
    Task, nearly_unique, profile, suggest_task, target_problem, target_warnings, too_many_classes,
};
pub use sniff::SNIFF_DELIMITERS;

/// How the note about a numeric column read as text begins (ingest writes it with the line;
/// the profile adds one, without a line, only when ingest did not).
pub(crate) fn read_as_text_note_start(column: &str) -> String {
    format!("Column \"{column}\" is read as text: ")
}
