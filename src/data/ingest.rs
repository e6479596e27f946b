//! Streaming CSV ingest: dialect sniffing, header detection, and column building.

use serde::{Deserialize, Serialize};

use super::dataset::{Column, ColumnValues, Dataset, Dialect, MISSING_CODE};
use super::encoding::{FallbackTracker, decode_field};
use super::error::DataError;
use super::hash::FastMap;
use super::number::{StyleTracker, is_missing_marker, parse_number, parse_number_shape};
use super::tokenizer::{Collect, Sink, Tokenizer};

/// Number of data rows kept as raw text in [`Dataset::preview`].
pub const PREVIEW_ROWS: usize = 20;

/// The delimiters tried when sniffing, in order of preference on a tie.
pub const SNIFF_DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Bytes buffered before sniffing (more when the first records are longer).
const SNIFF_BYTES: usize = 64 * 1024;
/// Records examined when sniffing.
const SNIFF_RECORDS: usize = 50;
/// Past this much buffered data one complete record is enough to start.
const SNIFF_CAP: usize = 16 << 20;

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

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// 1-based line of byte `pos`.
fn line_at(bytes: &[u8], pos: usize) -> u64 {
    let mut line = 1u64;
    let mut prev_cr = false;
    for &b in bytes.iter().take(pos) {
        if b == b'\r' || (b == b'\n' && !prev_cr) {
            line += 1;
        }
        prev_cr = b == b'\r';
    }
    line
}

/// Rejects input that is clearly not CSV text. Only the first 64 KiB are examined here; a NUL
/// byte later in the file is caught by the tokenizer.
fn check_text(file: &str, sample: &[u8]) -> Result<(), DataError> {
    let not_text = |line: u64, detail: String| DataError::NotText {
        file: file.to_string(),
        line,
        detail,
    };
    if sample.starts_with(b"\xFF\xFE") || sample.starts_with(b"\xFE\xFF") {
        return Err(not_text(
            1,
            "it is UTF-16 encoded text; save it as UTF-8 and try again".to_string(),
        ));
    }
    if sample.starts_with(b"PK\x03\x04") {
        return Err(not_text(
            1,
            "it is a ZIP archive (an Excel workbook?); export it as CSV first".to_string(),
        ));
    }
    if sample.starts_with(b"\x1F\x8B") {
        return Err(not_text(
            1,
            "it is gzip-compressed; decompress it first".to_string(),
        ));
    }
    let head = sample.get(..SNIFF_BYTES).unwrap_or(sample);
    if let Some(pos) = head.iter().position(|&b| b == 0) {
        let line = line_at(head, pos);
        return Err(not_text(
            line,
            format!("line {line} contains a NUL byte (binary data?)"),
        ));
    }
    let is_control =
        |b: &u8| (*b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || *b == 0x7F;
    let controls = head.iter().filter(|b| is_control(b)).count();
    if controls > 0 && controls * 10 > head.len() {
        let pos = head.iter().position(is_control).unwrap_or(0);
        let line = line_at(head, pos);
        return Err(not_text(
            line,
            format!("line {line} contains control characters (binary data?)"),
        ));
    }
    Ok(())
}

/// Parses up to `limit` complete records of `sample` (plus the last one at end of file).
fn sample_records(sample: &[u8], delimiter: u8, eof: bool, limit: usize) -> Collect {
    let mut tokenizer = Tokenizer::new(delimiter);
    let mut collect = Collect::new(limit);
    match tokenizer.feed(sample, &mut collect, "") {
        Ok(true) if eof => {
            // An unclosed quote is reported by the real parse; here it only ends the sample.
            let _ = tokenizer.finish(&mut collect, |_| DataError::Io(String::new()));
        }
        _ => {}
    }
    collect
}

/// Rows a file of `total` bytes probably has, judging by the line length in `sample`.
fn estimate_rows(sample: &[u8], total: u64) -> usize {
    let head = sample.get(..SNIFF_BYTES).unwrap_or(sample);
    let lines = head.iter().filter(|&&b| b == b'\n').count().max(1);
    let per_line = (head.len() as f64 / lines as f64).max(2.0);
    // A little over the estimate, so that the last rows do not trigger a doubling.
    let rows = total as f64 / per_line * 1.02 + 16.0;
    // Cap what a bad guess can cost: a row takes at least two bytes.
    rows.min(total as f64 / 2.0 + 16.0).min((1u64 << 31) as f64) as usize
}

/// Whether the buffered start of the file is enough to sniff from.
fn sample_ready(sample: &[u8]) -> bool {
    let head = sample.get(..SNIFF_BYTES).unwrap_or(sample);
    if head.contains(&0) {
        return true; // reported right away by `check_text`
    }
    let records = sample_records(strip_bom(sample), b',', false, 2)
        .records
        .len();
    records >= 2 || (records >= 1 && sample.len() >= SNIFF_CAP)
}

/// Field counts of a candidate delimiter over the sample.
struct DelimiterScore {
    delimiter: u8,
    /// The most frequent field count (ties: the larger).
    mode: usize,
    /// Records with `mode` fields.
    consistent: u64,
    records: u64,
    /// Weighted count of fields that contain another candidate delimiter.
    suspicious: u64,
    fields: u64,
}

fn sniff_delimiter(sample: &[u8], eof: bool) -> u8 {
    let mut best: Option<DelimiterScore> = None;
    for &delimiter in &SNIFF_DELIMITERS {
        let collected = sample_records(sample, delimiter, eof, SNIFF_RECORDS);
        if collected.records.is_empty() {
            continue;
        }
        let mut counts: Vec<usize> = collected.records.iter().map(Vec::len).collect();
        counts.sort_unstable();
        let (mut mode, mut consistent) = (0usize, 0u64);
        for run in counts.chunk_by(|a, b| a == b) {
            let len = run.len() as u64;
            if let Some(&count) = run.first()
                && len >= consistent
            {
                mode = count;
                consistent = len;
            }
        }
        if mode <= 1 {
            continue;
        }
        let mut suspicious = 0u64;
        let mut fields = 0u64;
        for field in collected.records.iter().flatten() {
            fields += 1;
            if delimiter == b';' && is_decimal_comma_number(field) {
                continue;
            }
            for &other in &SNIFF_DELIMITERS {
                if other != delimiter && field.contains(&other) {
                    // Tabs and pipes are rare in text, so finding them inside fields is
                    // stronger evidence that they were the real delimiter.
                    suspicious += match other {
                        b'\t' => 4,
                        b'|' => 2,
                        _ => 1,
                    };
                }
            }
        }
        let score = DelimiterScore {
            delimiter,
            mode,
            consistent,
            records: collected.records.len() as u64,
            suspicious,
            fields: fields.max(1),
        };
        let better = match &best {
            None => true,
            Some(b) => {
                let consistency =
                    (score.consistent * b.records).cmp(&(b.consistent * score.records));
                let clean = (b.suspicious * score.fields).cmp(&(score.suspicious * b.fields));
                consistency
                    .then(clean)
                    .then(score.mode.cmp(&b.mode))
                    .is_gt()
            }
        };
        if better {
            best = Some(score);
        }
    }
    best.map_or(b',', |b| b.delimiter)
}

/// `3,5`, `-12,25`: a number written with a decimal comma (and no other separator).
fn is_decimal_comma_number(field: &[u8]) -> bool {
    let t = field.trim_ascii();
    let t = t
        .strip_prefix(b"-")
        .or_else(|| t.strip_prefix(b"+"))
        .unwrap_or(t);
    let mut parts = t.split(|&b| b == b',');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), None) => {
            !a.is_empty()
                && !b.is_empty()
                && a.iter().all(u8::is_ascii_digit)
                && b.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// Whether the first record is a header: yes, unless it looks like data.
fn detect_header(records: &[Vec<Vec<u8>>], decimal_comma: bool) -> bool {
    let Some((first, rest)) = records.split_first() else {
        return true;
    };
    let is_number = |f: &[u8]| {
        !is_missing_marker(f) && parse_number(f, decimal_comma).is_some_and(|v| !v.is_nan())
    };
    // A number in a column whose other values are mostly numbers: data.
    for (j, cell) in first.iter().enumerate() {
        if !is_number(cell) {
            continue;
        }
        let (mut numbers, mut present) = (0usize, 0usize);
        for field in rest.iter().filter_map(|r| r.get(j)) {
            if is_missing_marker(field) {
                continue;
            }
            present += 1;
            if is_number(field) {
                numbers += 1;
            }
        }
        if present == 0 || numbers * 2 >= present {
            return false;
        }
    }
    // All distinct, non-empty strings: names.
    let mut seen = std::collections::HashSet::new();
    if first
        .iter()
        .all(|cell| !cell.trim_ascii().is_empty() && seen.insert(cell.as_slice()))
    {
        return true;
    }
    // Otherwise a value that reappears below in its own column means data (a name would not).
    for (j, cell) in first.iter().enumerate() {
        if is_missing_marker(cell) {
            continue;
        }
        if rest.iter().any(|r| r.get(j) == Some(cell)) {
            return false;
        }
    }
    true
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

/// Builds the columns as records stream by.
struct ColumnSink {
    file: String,
    names: Vec<String>,
    columns: Vec<Builder>,
    has_header: bool,
    /// The next record is the header: skip it.
    skip_header: bool,
    decimal_comma: bool,
    field_index: usize,
    rows: usize,
    preview: Vec<Vec<String>>,
    preview_row: Vec<String>,
    encoding: FallbackTracker,
    notes: Vec<String>,
}

impl ColumnSink {
    fn new(
        file: &str,
        names: Vec<String>,
        has_header: bool,
        decimal_comma: bool,
        encoding: FallbackTracker,
    ) -> Self {
        let columns = names.iter().map(|_| Builder::new()).collect();
        ColumnSink {
            file: file.to_string(),
            names,
            columns,
            has_header,
            skip_header: has_header,
            decimal_comma,
            field_index: 0,
            rows: 0,
            preview: Vec::new(),
            preview_row: Vec::new(),
            encoding,
            notes: Vec::new(),
        }
    }

    /// Reserves room for about `rows` rows in the numeric columns.
    fn reserve(&mut self, rows: usize) {
        for column in &mut self.columns {
            if let Builder::Numeric { values, .. } = column {
                // Only a hint: if the memory is not there, grow as needed instead.
                let _ = values.try_reserve(rows);
            }
        }
    }
}

impl Sink for ColumnSink {
    #[inline(always)]
    fn field(&mut self, content: &[u8], _last: bool, record_line: u64) -> Result<(), DataError> {
        let index = self.field_index;
        self.field_index += 1;
        if self.skip_header {
            return Ok(());
        }
        let Some(column) = self.columns.get_mut(index) else {
            return Ok(()); // an extra field: reported at the end of the record
        };
        if self.rows < PREVIEW_ROWS {
            self.preview_row.push(decode_field(content).0.into_owned());
        }
        // The hot path: a number in a numeric column.
        if let Builder::Numeric {
            values,
            style,
            numbers,
        } = column
            && let Some((value, shape)) = parse_number_shape(content, self.decimal_comma)
        {
            values.push(value);
            if !value.is_nan() {
                style.observe(shape);
                *numbers += 1;
            }
            return Ok(());
        }
        let mut cx = PushContext {
            decimal_comma: self.decimal_comma,
            line: record_line,
            encoding: &mut self.encoding,
            file: &self.file,
            name: self.names.get(index).map_or("", String::as_str),
            notes: &mut self.notes,
        };
        column.push_non_number(content, &mut cx)
    }

    #[inline]
    fn end_record(&mut self, record_line: u64) -> Result<bool, DataError> {
        let found = std::mem::replace(&mut self.field_index, 0);
        if self.skip_header {
            self.skip_header = false;
            return Ok(true);
        }
        if found != self.names.len() {
            return Err(DataError::Ragged {
                file: self.file.clone(),
                line: record_line,
                expected: self.names.len(),
                found,
                header: self.has_header,
            });
        }
        if self.rows < PREVIEW_ROWS {
            self.preview.push(std::mem::take(&mut self.preview_row));
        }
        self.rows += 1;
        Ok(true)
    }
}

struct PushContext<'a> {
    decimal_comma: bool,
    line: u64,
    encoding: &'a mut FallbackTracker,
    file: &'a str,
    name: &'a str,
    notes: &'a mut Vec<String>,
}

/// A column under construction: numeric until the first value that is neither a number nor a
/// missing marker, then text.
enum Builder {
    Numeric {
        values: Vec<f64>,
        style: StyleTracker,
        /// Non-missing values so far.
        numbers: usize,
    },
    Text(TextBuilder),
}

impl Builder {
    fn new() -> Self {
        Builder::Numeric {
            values: Vec::new(),
            style: StyleTracker::default(),
            numbers: 0,
        }
    }

    /// Adds a value that is not a number (the caller tried that first for numeric columns): a
    /// missing value, or text, which turns a numeric column into a text column.
    fn push_non_number(
        &mut self,
        content: &[u8],
        cx: &mut PushContext<'_>,
    ) -> Result<(), DataError> {
        if let Builder::Numeric {
            values,
            style,
            numbers,
        } = self
        {
            if is_missing_marker(content) {
                values.push(f64::NAN);
                return Ok(());
            }
            let text = TextBuilder::from_numbers(values, style, cx)?;
            if *numbers >= 10 {
                let shown: String = decode_field(content).0.chars().take(40).collect();
                cx.notes.push(format!(
                    "{}line {} has \"{}\" after {} numbers.",
                    super::read_as_text_note_start(cx.name),
                    cx.line,
                    shown,
                    numbers
                ));
            }
            *self = Builder::Text(text);
        }
        match self {
            Builder::Text(text) => text.push(content, cx),
            Builder::Numeric { .. } => Ok(()),
        }
    }

    fn into_values(self) -> ColumnValues {
        match self {
            Builder::Numeric { mut values, .. } => {
                if values.capacity() - values.len() > values.len() / 16 {
                    values.shrink_to_fit();
                }
                ColumnValues::Numeric(values)
            }
            Builder::Text(text) => text.into_values(),
        }
    }
}

/// A dictionary-encoded text column under construction.
struct TextBuilder {
    index: FastMap<Box<str>, u32>,
    codes: Vec<u32>,
}

impl TextBuilder {
    /// Converts the numbers read so far to text, written back as the column wrote them where
    /// that is cheap to know (see `StyleTracker::render`).
    fn from_numbers(
        values: &Vec<f64>,
        style: &StyleTracker,
        cx: &mut PushContext<'_>,
    ) -> Result<Self, DataError> {
        let mut text = TextBuilder {
            index: FastMap::default(),
            // The numbers' capacity is the best guess of the column's final length.
            codes: Vec::with_capacity(values.capacity().max(16)),
        };
        for &value in values {
            if value.is_nan() {
                text.codes.push(MISSING_CODE);
            } else {
                let rendered = style.render(value, cx.decimal_comma);
                let code = text.intern(&rendered, cx)?;
                text.codes.push(code);
            }
        }
        Ok(text)
    }

    #[inline]
    fn intern(&mut self, value: &str, cx: &PushContext<'_>) -> Result<u32, DataError> {
        if let Some(&code) = self.index.get(value) {
            return Ok(code);
        }
        let code = u32::try_from(self.index.len())
            .ok()
            .filter(|&c| c != MISSING_CODE)
            .ok_or_else(|| DataError::TooManyValues {
                file: cx.file.to_string(),
                line: cx.line,
                column: cx.name.to_string(),
            })?;
        self.index.insert(value.into(), code);
        Ok(code)
    }

    #[inline]
    fn push(&mut self, content: &[u8], cx: &mut PushContext<'_>) -> Result<(), DataError> {
        if is_missing_marker(content) {
            self.codes.push(MISSING_CODE);
            return Ok(());
        }
        let text = cx.encoding.decode(content, cx.line);
        let code = self.intern(&text, cx)?;
        self.codes.push(code);
        Ok(())
    }

    fn into_values(self) -> ColumnValues {
        let mut dictionary = vec![String::new(); self.index.len()];
        for (value, code) in self.index {
            if let Some(slot) = dictionary.get_mut(code as usize) {
                *slot = value.into_string();
            }
        }
        let mut codes = self.codes;
        codes.shrink_to_fit();
        ColumnValues::Text { dictionary, codes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recs(rows: &[&[&str]]) -> Vec<Vec<Vec<u8>>> {
        rows.iter()
            .map(|r| r.iter().map(|s| s.as_bytes().to_vec()).collect())
            .collect()
    }

    #[test]
    fn header_detection() {
        assert!(detect_header(&recs(&[&["a", "b"], &["1", "2"]]), false));
        assert!(!detect_header(&recs(&[&["1", "2"], &["3", "4"]]), false));
        assert!(!detect_header(&recs(&[&["1", "x"]]), false));
        assert!(detect_header(&recs(&[&["x", "y"]]), false));
        assert!(detect_header(
            &recs(&[&["red", "yes"], &["blue", "no"], &["red", "no"]]),
            false
        ));
        assert!(!detect_header(
            &recs(&[&["yes", "yes"], &["no", "yes"], &["yes", "no"]]),
            false
        ));
        assert!(detect_header(&recs(&[&["a", "a"], &["b", "c"]]), false));
        assert!(detect_header(
            &recs(&[&["2020", "name"], &["x", "y"]]),
            false
        ));
        assert!(!detect_header(&recs(&[&["1,5", "a"], &["2,5", "b"]]), true));
    }

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

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n", true), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2;3\n", true), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n", true), b'\t');
        assert_eq!(sniff_delimiter(b"a|b\n1|2\n", true), b'|');
        assert_eq!(sniff_delimiter(b"1,5;2,5\n3,5;4,5\n", true), b';');
        assert_eq!(sniff_delimiter(b"x\n1\n2\n", true), b',');
        assert_eq!(
            sniff_delimiter(b"New York, NY\t8\nParis, FR\t2\n", true),
            b'\t'
        );
        assert_eq!(
            sniff_delimiter(b"name,note\nx,\"a;b;c\"\ny,\"d;e\"\nz,f\n", true),
            b','
        );
    }

    #[test]
    fn binary_input() {
        assert!(matches!(
            check_text("x.bin", b"ab\ncd\x00"),
            Err(DataError::NotText { line: 2, .. })
        ));
        assert!(check_text("x.bin", &[1, 2, 3, 4, 5, 6, 7, 8, b'a']).is_err());
        assert!(check_text("x.xlsx", b"PK\x03\x04rest").is_err());
        assert!(check_text("ok.csv", b"a,b\n1,2\n").is_ok());
        assert_eq!(line_at(b"a\r\nb\rc\nd", 8), 4);
    }

    #[test]
    fn decimal_comma_pattern() {
        assert!(is_decimal_comma_number(b"3,5"));
        assert!(is_decimal_comma_number(b" -12,25 "));
        assert!(!is_decimal_comma_number(b"3,5,6"));
        assert!(!is_decimal_comma_number(b"3,"));
        assert!(!is_decimal_comma_number(b"a,b"));
    }
}
