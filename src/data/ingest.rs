//! Streaming CSV ingest: dialect sniffing, header detection, and column building.

use serde::{Deserialize, Serialize};

use super::columns::ColumnSink;
use super::dataset::{Column, Dataset, Dialect};
use super::encoding::FallbackTracker;
use super::error::DataError;
use super::sniff::{
    SNIFF_BYTES, SNIFF_RECORDS, check_text, detect_header, estimate_rows, is_decimal_comma_number,
    sample_ready, sample_records, sniff_delimiter, strip_bom,
};
use super::tokenizer::Tokenizer;

/// How to read a CSV file. `IngestOptions::default()` detects everything.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct IngestOptions {
    /// `None` = sniff among `,` `;` tab `|`.
    pub delimiter: Option<u8>,
    /// `None` = detect whether the first record is a header.
    pub has_header: Option<bool>,
    /// `None` = auto: true only when the delimiter is `;` and numbers like `3,5` appear.
    pub decimal_comma: Option<bool>,
    /// Size limit in bytes; default 1 GiB.
    pub max_bytes: u64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            delimiter: None,
            has_header: None,
            decimal_comma: None,
            max_bytes: 1 << 30,
        }
    }
}

/// Streaming ingest: bytes arrive in chunks of any size (a chunk boundary can fall anywhere:
/// inside a quoted field, between `\r` and `\n`, inside a multi-byte UTF-8 character).
///
/// The first ~64 KiB are buffered to sniff the dialect; after that every chunk is parsed as it
/// arrives, straight into typed columns, so memory holds the columns and not the file.
pub struct Ingest {
    source: String,
    options: IngestOptions,
    bytes_seen: u64,
    size_hint: Option<u64>,
    stage: Stage,
    error: Option<DataError>,
}

enum Stage {
    /// Collecting the sample the dialect is sniffed from.
    Sampling {
        buf: Vec<u8>,
        next_check: usize,
    },
    Parsing(Box<Parser>),
    Done,
}

struct Parser {
    tokenizer: Tokenizer,
    sink: ColumnSink,
    dialect: Dialect,
    notes: Vec<String>,
}

impl Ingest {
    /// Starts an ingest of the file called `source_name` (used in messages).
    pub fn new(source_name: &str, options: IngestOptions) -> Self {
        Ingest {
            source: source_name.to_string(),
            options,
            bytes_seen: 0,
            size_hint: None,
            stage: Stage::Sampling {
                buf: Vec::new(),
                next_check: SNIFF_BYTES,
            },
            error: None,
        }
    }

    /// Total bytes pushed so far.
    pub fn bytes_seen(&self) -> u64 {
        self.bytes_seen
    }

    /// Tells the ingest how many bytes the whole input has (e.g. the file size), so that the
    /// columns are allocated once at about the right size instead of growing by doubling.
    /// Optional; call it before the first `push`. A wrong hint costs only time or memory.
    pub fn set_size_hint(&mut self, total_bytes: u64) {
        self.size_hint = Some(total_bytes);
    }

    /// Parses the next chunk. After an error, every later call returns the same error.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), DataError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        let result = self.push_inner(chunk);
        if let Err(error) = &result {
            self.error = Some(error.clone());
            self.stage = Stage::Done;
        }
        result
    }

    fn push_inner(&mut self, chunk: &[u8]) -> Result<(), DataError> {
        self.bytes_seen = self.bytes_seen.saturating_add(chunk.len() as u64);
        if self.bytes_seen > self.options.max_bytes {
            return Err(DataError::TooLarge {
                file: self.source.clone(),
                size: self.bytes_seen,
                limit: self.options.max_bytes,
                at_least: true,
            });
        }
        match &mut self.stage {
            Stage::Sampling { buf, next_check } => {
                if buf.is_empty() && chunk.len() >= SNIFF_BYTES && sample_ready(chunk) {
                    // A big first chunk is its own sample: no copy.
                    self.stage = Stage::Done;
                    return self.begin(chunk, false);
                }
                buf.extend_from_slice(chunk);
                if buf.len() >= *next_check {
                    if sample_ready(buf) {
                        let sample = std::mem::take(buf);
                        self.stage = Stage::Done;
                        return self.begin(&sample, false);
                    }
                    *next_check = buf.len().saturating_mul(2);
                }
                Ok(())
            }
            Stage::Parsing(parser) => parser.feed(chunk, &self.source),
            Stage::Done => Ok(()),
        }
    }

    /// Ends the input and returns the dataset.
    pub fn finish(mut self) -> Result<Dataset, DataError> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        if let Stage::Sampling { buf, .. } = &mut self.stage {
            let sample = std::mem::take(buf);
            self.stage = Stage::Done;
            self.begin(&sample, true)?;
        }
        let Stage::Parsing(parser) = std::mem::replace(&mut self.stage, Stage::Done) else {
            return Err(DataError::Empty { file: self.source });
        };
        parser.finish(self.source)
    }

    /// Sniffs the dialect from `sample` (the start of the file) and starts parsing with it.
    fn begin(&mut self, sample: &[u8], eof: bool) -> Result<(), DataError> {
        let file = self.source.as_str();
        check_text(file, sample)?;
        let body = strip_bom(sample);
        if eof && body.iter().all(u8::is_ascii_whitespace) {
            return Err(DataError::Empty {
                file: file.to_string(),
            });
        }
        let mut notes = Vec::new();
        let delimiter = match self.options.delimiter {
            Some(d) if !matches!(d, b'"' | b'\r' | b'\n' | 0) => d,
            Some(d) => {
                notes.push(format!(
                    "The delimiter byte 0x{d:02X} cannot separate fields, so the delimiter was detected instead."
                ));
                sniff_delimiter(body, eof)
            }
            None => sniff_delimiter(body, eof),
        };
        let sample = sample_records(body, delimiter, eof, SNIFF_RECORDS);
        let decimal_comma = match self.options.decimal_comma {
            Some(v) => v,
            None => {
                let found = delimiter == b';'
                    && sample
                        .records
                        .iter()
                        .flatten()
                        .any(|f| is_decimal_comma_number(f));
                if found {
                    notes.push(
                        "Numbers use a decimal comma (3,5 means 3.5), as the delimiter is a semicolon."
                            .to_string(),
                    );
                }
                found
            }
        };
        let has_header = match self.options.has_header {
            Some(v) => v,
            None => {
                let header = detect_header(&sample.records, decimal_comma);
                if !header && !sample.records.is_empty() {
                    notes.push(
                        "The first row holds data, not column names, so the columns are named column_1, column_2, …"
                            .to_string(),
                    );
                }
                header
            }
        };
        let mut encoding = FallbackTracker::default();
        let first = sample
            .records
            .first()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let names = if has_header {
            let line = sample.lines.first().copied().unwrap_or(1);
            let raw: Vec<String> = first
                .iter()
                .map(|f| encoding.decode(f, line).trim().to_string())
                .collect();
            let names = unique_names(&raw);
            notes.extend(renamed_notes(&raw, &names));
            names
        } else {
            (1..=first.len()).map(|j| format!("column_{j}")).collect()
        };
        let dialect = Dialect {
            delimiter,
            has_header,
            decimal_comma,
        };
        let mut sink = ColumnSink::new(file, names, has_header, decimal_comma, encoding);
        if let Some(total) = self.size_hint {
            sink.reserve(estimate_rows(body, total.min(self.options.max_bytes)));
        }
        let mut parser = Box::new(Parser {
            tokenizer: Tokenizer::new(delimiter),
            sink,
            dialect,
            notes,
        });
        parser.feed(body, file)?;
        self.stage = Stage::Parsing(parser);
        Ok(())
    }
}

impl Parser {
    fn feed(&mut self, chunk: &[u8], file: &str) -> Result<(), DataError> {
        self.tokenizer.feed(chunk, &mut self.sink, file).map(|_| ())
    }

    fn finish(mut self, file: String) -> Result<Dataset, DataError> {
        let names = self.sink.names.clone();
        self.tokenizer
            .finish(&mut self.sink, |u| DataError::UnclosedQuote {
                file: file.clone(),
                line: u.line,
                column: u.field.saturating_add(1),
                column_name: names.get(u.field).cloned(),
            })?;
        let sink = self.sink;
        if sink.rows == 0 {
            return Err(if sink.has_header {
                DataError::HeaderOnly { file }
            } else {
                DataError::Empty { file }
            });
        }
        let mut notes = self.notes;
        notes.extend(sink.encoding.note());
        notes.extend(sink.notes);
        let columns = sink
            .names
            .into_iter()
            .zip(sink.columns)
            .map(|(name, builder)| Column {
                name,
                values: builder.into_values(),
            })
            .collect();
        Ok(Dataset {
            source: file,
            dialect: self.dialect,
            columns,
            rows: sink.rows,
            preview: sink.preview,
            notes,
        })
    }
}

/// Reads a whole CSV file held in memory.
pub fn read_csv_bytes(
    source_name: &str,
    bytes: &[u8],
    options: IngestOptions,
) -> Result<Dataset, DataError> {
    let mut ingest = Ingest::new(source_name, options);
    ingest.set_size_hint(bytes.len() as u64);
    ingest.push(bytes)?;
    ingest.finish()
}

/// Reads a CSV file from disk, streaming it in 1 MiB chunks. The source name is the file name.
#[cfg(not(target_arch = "wasm32"))]
pub fn read_csv_path(path: &std::path::Path, options: IngestOptions) -> Result<Dataset, DataError> {
    use std::io::Read;

    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let io_error = |e: std::io::Error| DataError::Io(format!("Could not read {name}: {e}."));
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().ok().map(|meta| meta.len());
    if let Some(size) = size
        && size > options.max_bytes
    {
        return Err(DataError::TooLarge {
            file: name,
            size,
            limit: options.max_bytes,
            at_least: false,
        });
    }
    let mut ingest = Ingest::new(&name, options);
    if let Some(size) = size {
        ingest.set_size_hint(size);
    }
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => ingest.push(buf.get(..n).unwrap_or_default())?,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(e)),
        }
    }
    ingest.finish()
}

/// One note per header name that [`unique_names`] had to change, so a renamed column is never
/// a surprise ("Column 4 is also named "price", so it is read as "price_2".").
fn renamed_notes(raw: &[String], names: &[String]) -> Vec<String> {
    raw.iter()
        .zip(names)
        .enumerate()
        .filter(|(_, (raw, name))| raw != name)
        .map(|(j, (raw, name))| {
            if raw.is_empty() {
                format!("Column {} has no name in the header, so it is called \"{name}\".", j + 1)
            } else {
                format!(
                    "Column {} is also named \"{raw}\" (names must be unique), so it is read as \"{name}\".",
                    j + 1
                )
            }
        })
        .collect()
}

/// Makes header names unique and non-empty: duplicates get `_2`, `_3`…; empty names become
/// `column_N` (N = 1-based position).
pub(crate) fn unique_names(raw: &[String]) -> Vec<String> {
    use std::collections::HashSet;
    let reserved: HashSet<&str> = raw
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    let mut used: HashSet<String> = HashSet::new();
    let mut names = Vec::with_capacity(raw.len());
    for (j, name) in raw.iter().enumerate() {
        let base = if name.is_empty() {
            format!("column_{}", j + 1)
        } else {
            name.clone()
        };
        let fresh =
            !used.contains(&base) && (!name.is_empty() || !reserved.contains(base.as_str()));
        let chosen = if fresh {
            base
        } else {
            let mut k = 2usize;
            loop {
                let candidate = format!("{base}_{k}");
                if !used.contains(&candidate) && !reserved.contains(candidate.as_str()) {
                    break candidate;
                }
                k += 1;
            }
        };
        used.insert(chosen.clone());
        names.push(chosen);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let raw: Vec<String> = ["a", "a", "", "a_2", "b", "", "column_3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            unique_names(&raw),
            ["a", "a_3", "column_3_2", "a_2", "b", "column_6", "column_3"]
        );
        let names = unique_names(&raw);
        let notes = renamed_notes(&raw, &names);
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert_eq!(
            notes[0],
            "Column 2 is also named \"a\" (names must be unique), so it is read as \"a_3\"."
        );
        assert_eq!(
            notes[1],
            "Column 3 has no name in the header, so it is called \"column_3_2\"."
        );
    }
}
