//! A resumable, byte-level RFC 4180 tokenizer.
//!
//! Bytes arrive in chunks of any size; chunk boundaries may fall anywhere (inside a quoted field,
//! between `\r` and `\n`, inside a multi-byte character). A field that lies within one chunk is
//! handed to the [`Sink`] as a slice of that chunk without copying; only fields that span a chunk
//! boundary or contain doubled quotes are assembled in a reused buffer.
//!
//! Rules (lenient where real files are sloppy):
//! * fields are separated by the delimiter; records end at `\n`, `\r\n` or a lone `\r`;
//! * a field that starts with `"` is quoted: it may contain delimiters, newlines, and `""` for a
//!   literal quote;
//! * a `"` inside an unquoted field (`ab"c`) is literal text;
//! * text after a closing quote and before the next delimiter (`"ab"c`) is appended (`abc`);
//! * a record with no bytes (a blank line), or one unquoted field of only whitespace, is skipped;
//! * a NUL byte anywhere is an error (binary data).
//!
//! Line numbers are 1-based physical lines: `\n`, `\r\n` and a lone `\r` each end a line, also
//! inside quoted fields.
//!
//! Why not `csv-core` (a resumable push parser too): measured natively on 2026-12-01 with the
//! ignored test `tokenizer_throughput` (release, 4 MiB chunks, best of 3), this tokenizer reads
//! a `gen_csv` file (300k rows × 20 numbers, 44 MB) at 1,079 MB/s against csv-core's
//! `read_record` at 839 MB/s, and a text-heavy one (400k rows × 7, 16 MB) at 1,054 against
//! 596 MB/s: it hands fields within a chunk to the sink as slices, where csv-core copies every
//! field into an output buffer. It also does what csv-core leaves to its caller: the physical
//! line of each record and of an unclosed quote's opening (for the one-sentence error), skipping
//! whitespace-only lines, and rejecting NUL bytes as binary data. The tests are in
//! `tokenizer/tests.rs`, which also holds that benchmark.

use super::error::DataError;

const NORMAL: u8 = 0;
const DELIM: u8 = 1;
const CR: u8 = 2;
const LF: u8 = 3;
const NUL: u8 = 4;
const QUOTE: u8 = 5;

/// Receives fields and records from the tokenizer.
pub(crate) trait Sink {
    /// One field's content (quotes removed, `""` unescaped). `last` is true for the last field of
    /// its record; `record_line` is the line on which the record starts.
    fn field(&mut self, content: &[u8], last: bool, record_line: u64) -> Result<(), DataError>;
    /// The end of a record. Returning `Ok(false)` stops the tokenizer (used when sampling).
    fn end_record(&mut self, record_line: u64) -> Result<bool, DataError>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// At the start of a field (or of a record).
    FieldStart,
    /// Inside an unquoted field (or the tail of a quoted one, after its closing quote).
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// A chunk ended right after a quote inside a quoted field: `""` or the closing quote.
    QuoteInQuoted,
}

/// Where the tokenizer stopped when the input ended inside a quoted field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unclosed {
    pub line: u64,
    /// 0-based field index within the record.
    pub field: usize,
}

pub(crate) struct Tokenizer {
    /// Byte classes for unquoted text (delimiter, CR, LF, NUL are special).
    unquoted: [u8; 256],
    /// Byte classes inside quotes (quote, CR, LF, NUL are special).
    quoted: [u8; 256],
    /// The delimiter in every byte of a word, for [`scan`].
    delimiter_word: u64,
    state: State,
    /// Content of the current field assembled so far, when `pending`.
    buf: Vec<u8>,
    pending: bool,
    /// The current field started with a quote.
    field_quoted: bool,
    field_index: usize,
    in_record: bool,
    record_line: u64,
    line: u64,
    /// The previous chunk ended with `\r` (so a leading `\n` does not start another line).
    prev_cr: bool,
    quote_line: u64,
    /// Whether a sink asked to stop.
    stopped: bool,
}

impl Tokenizer {
    pub(crate) fn new(delimiter: u8) -> Self {
        let mut unquoted = [NORMAL; 256];
        let mut quoted = [NORMAL; 256];
        for table in [&mut unquoted, &mut quoted] {
            table[usize::from(b'\r')] = CR;
            table[usize::from(b'\n')] = LF;
            table[0] = NUL;
        }
        quoted[usize::from(b'"')] = QUOTE;
        // The callers never pass CR, LF, NUL or '"' as the delimiter; if they did, those bytes
        // would simply keep their own meaning.
        if !matches!(delimiter, b'\r' | b'\n' | 0 | b'"') {
            unquoted[usize::from(delimiter)] = DELIM;
        }
        // A delimiter the tables ignore is scanned as a NUL, which stops the scan where the
        // table lookup then decides.
        let delimiter_word = if unquoted[usize::from(delimiter)] == DELIM {
            splat(delimiter)
        } else {
            0
        };
        Tokenizer {
            unquoted,
            quoted,
            delimiter_word,
            state: State::FieldStart,
            buf: Vec::new(),
            pending: false,
            field_quoted: false,
            field_index: 0,
            in_record: false,
            record_line: 1,
            line: 1,
            prev_cr: false,
            quote_line: 1,
            stopped: false,
        }
    }

    /// The current physical line (1-based).
    #[cfg(test)]
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    #[inline]
    fn begin_record(&mut self) {
        if !self.in_record {
            self.in_record = true;
            self.record_line = self.line;
        }
    }

    /// Counts the line break at `data[i]` (a `\r` or `\n`).
    #[inline]
    fn newline(&mut self, data: &[u8], i: usize) {
        let is_lf = data.get(i) == Some(&b'\n');
        if is_lf {
            let after_cr = match i.checked_sub(1) {
                Some(p) => data.get(p) == Some(&b'\r'),
                None => self.prev_cr,
            };
            if !after_cr {
                self.line += 1;
            }
        } else {
            self.line += 1;
        }
    }

    /// Emits the current field, whose content is the pending buffer followed by `tail`.
    #[inline(always)]
    fn emit<S: Sink>(&mut self, tail: &[u8], last: bool, sink: &mut S) -> Result<(), DataError> {
        let content: &[u8] = if self.pending {
            self.buf.extend_from_slice(tail);
            &self.buf
        } else {
            tail
        };
        if last
            && self.field_index == 0
            && !self.field_quoted
            && content.iter().all(u8::is_ascii_whitespace)
        {
            // A line of only whitespace: skip it like a blank line.
            self.in_record = false;
        } else {
            sink.field(content, last, self.record_line)?;
            if last {
                self.field_index = 0;
                self.in_record = false;
                if !sink.end_record(self.record_line)? {
                    self.stopped = true;
                }
            } else {
                self.field_index += 1;
            }
        }
        self.buf.clear();
        self.pending = false;
        self.field_quoted = false;
        Ok(())
    }

    /// Ends the unquoted field that started at `start` where [`scan`] stopped (`*i`), or, at
    /// the end of the chunk, keeps it pending. Returns `Ok(false)` at the end of the chunk.
    #[inline(always)]
    fn end_unquoted<S: Sink>(
        &mut self,
        data: &[u8],
        start: usize,
        i: &mut usize,
        sink: &mut S,
        file: &str,
    ) -> Result<bool, DataError> {
        let Some(&b) = data.get(*i) else {
            self.buf
                .extend_from_slice(data.get(start..).unwrap_or_default());
            self.pending = true;
            self.state = State::Unquoted;
            return Ok(false);
        };
        let class = self.unquoted[usize::from(b)];
        if class == NUL {
            return Err(self.nul_error(file));
        }
        let last = class != DELIM;
        self.emit(data.get(start..*i).unwrap_or_default(), last, sink)?;
        if last {
            self.newline(data, *i);
        }
        self.state = State::FieldStart;
        *i += 1;
        Ok(true)
    }

    #[cold]
    fn nul_error(&self, file: &str) -> DataError {
        DataError::NotText {
            file: file.to_string(),
            line: self.line,
            detail: format!("line {} contains a NUL byte (binary data?)", self.line),
        }
    }

    /// Feeds one chunk. Returns `Ok(false)` if the sink asked to stop.
    pub(crate) fn feed<S: Sink>(
        &mut self,
        data: &[u8],
        sink: &mut S,
        file: &str,
    ) -> Result<bool, DataError> {
        if self.stopped {
            return Ok(false);
        }
        let mut i = 0usize;
        // Start of the current field's not-yet-buffered content within `data`.
        let mut start = 0usize;
        while !self.stopped {
            match self.state {
                State::FieldStart => {
                    let Some(&b) = data.get(i) else { break };
                    if b == b'"' {
                        self.begin_record();
                        self.state = State::Quoted;
                        self.field_quoted = true;
                        self.quote_line = self.line;
                        i += 1;
                        start = i;
                        continue;
                    }
                    match self.unquoted[usize::from(b)] {
                        NORMAL => {
                            // The common case, handled here without another trip round the loop.
                            self.begin_record();
                            start = i;
                            i = scan(data, i + 1, self.delimiter_word, &self.unquoted);
                            if !self.end_unquoted(data, start, &mut i, sink, file)? {
                                break;
                            }
                        }
                        DELIM => {
                            self.begin_record();
                            self.emit(&[], false, sink)?;
                            i += 1;
                        }
                        CR | LF => {
                            if self.in_record {
                                // The record ended right after a delimiter: an empty last field.
                                self.emit(&[], true, sink)?;
                            }
                            self.newline(data, i);
                            i += 1;
                        }
                        _ => return Err(self.nul_error(file)),
                    }
                }
                State::Unquoted => {
                    i = scan(data, i, self.delimiter_word, &self.unquoted);
                    if !self.end_unquoted(data, start, &mut i, sink, file)? {
                        break;
                    }
                }
                State::Quoted => {
                    i = scan(data, i, splat(b'"'), &self.quoted);
                    let Some(&b) = data.get(i) else {
                        self.buf
                            .extend_from_slice(data.get(start..).unwrap_or_default());
                        self.pending = true;
                        break;
                    };
                    match self.quoted[usize::from(b)] {
                        QUOTE => match data.get(i + 1) {
                            None => {
                                self.buf
                                    .extend_from_slice(data.get(start..i).unwrap_or_default());
                                self.pending = true;
                                self.state = State::QuoteInQuoted;
                                i += 1;
                            }
                            Some(b'"') => {
                                // A doubled quote: keep one.
                                self.buf
                                    .extend_from_slice(data.get(start..=i).unwrap_or_default());
                                self.pending = true;
                                i += 2;
                                start = i;
                            }
                            Some(&next) => {
                                let class = self.unquoted[usize::from(next)];
                                if matches!(class, DELIM | CR | LF) {
                                    let last = class != DELIM;
                                    self.emit(data.get(start..i).unwrap_or_default(), last, sink)?;
                                    if last {
                                        self.newline(data, i + 1);
                                    }
                                    self.state = State::FieldStart;
                                    i += 2;
                                } else {
                                    // Text after the closing quote: append it.
                                    self.buf
                                        .extend_from_slice(data.get(start..i).unwrap_or_default());
                                    self.pending = true;
                                    self.state = State::Unquoted;
                                    i += 1;
                                    start = i;
                                }
                            }
                        },
                        CR | LF => {
                            self.newline(data, i);
                            i += 1;
                        }
                        _ => return Err(self.nul_error(file)),
                    }
                }
                State::QuoteInQuoted => {
                    let Some(&b) = data.get(i) else { break };
                    if b == b'"' {
                        self.buf.push(b'"');
                        self.state = State::Quoted;
                        i += 1;
                        start = i;
                        continue;
                    }
                    let class = self.unquoted[usize::from(b)];
                    if matches!(class, DELIM | CR | LF) {
                        let last = class != DELIM;
                        self.emit(&[], last, sink)?;
                        if last {
                            self.newline(data, i);
                        }
                        self.state = State::FieldStart;
                        i += 1;
                    } else {
                        self.state = State::Unquoted;
                        start = i;
                    }
                }
            }
        }
        if let Some(&b) = data.last() {
            self.prev_cr = b == b'\r';
        }
        Ok(!self.stopped)
    }

    /// Ends the input: flushes the last record. When the input ends inside a quoted field,
    /// `unclosed` builds the error from where that field opened.
    pub(crate) fn finish<S: Sink>(
        &mut self,
        sink: &mut S,
        unclosed: impl FnOnce(Unclosed) -> DataError,
    ) -> Result<(), DataError> {
        if self.stopped {
            return Ok(());
        }
        let state = std::mem::replace(&mut self.state, State::FieldStart);
        match state {
            State::FieldStart if self.in_record => self.emit(&[], true, sink),
            State::FieldStart => Ok(()),
            State::Unquoted | State::QuoteInQuoted => self.emit(&[], true, sink),
            State::Quoted => Err(unclosed(Unclosed {
                line: self.quote_line,
                field: self.field_index,
            })),
        }
    }
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// `b` in every byte of a word.
#[inline(always)]
const fn splat(b: u8) -> u64 {
    LOW_BITS * b as u64
}

/// The high bit of the lowest zero byte of `x` is set (bits above it may be spurious).
#[inline(always)]
const fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS
}

/// Index of the first byte at or after `i` that is `special` (delimiter or quote, as a splatted
/// word), CR, LF or NUL; `data.len()` if none. Eight bytes at a time, then byte by byte with
/// `table` (where exactly those bytes are not `NORMAL`).
#[inline(always)]
fn scan(data: &[u8], mut i: usize, special: u64, table: &[u8; 256]) -> usize {
    while let Some(word) = data.get(i..i + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let w = u64::from_le_bytes(bytes);
        let hits = zero_bytes(w ^ special)
            | zero_bytes(w ^ splat(b'\r'))
            | zero_bytes(w ^ splat(b'\n'))
            | zero_bytes(w);
        if hits != 0 {
            // The lowest flagged byte is a true match (little-endian: the first in memory).
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = data.get(i) {
        if table[usize::from(b)] != NORMAL {
            break;
        }
        i += 1;
    }
    i
}

/// Collects raw records, for sniffing the dialect from a sample.
#[derive(Default)]
pub(crate) struct Collect {
    pub records: Vec<Vec<Vec<u8>>>,
    pub lines: Vec<u64>,
    current: Vec<Vec<u8>>,
    pub limit: usize,
}

impl Collect {
    pub(crate) fn new(limit: usize) -> Self {
        Collect {
            limit,
            ..Collect::default()
        }
    }
}

impl Sink for Collect {
    fn field(&mut self, content: &[u8], _last: bool, _line: u64) -> Result<(), DataError> {
        self.current.push(content.to_vec());
        Ok(())
    }

    fn end_record(&mut self, record_line: u64) -> Result<bool, DataError> {
        self.records.push(std::mem::take(&mut self.current));
        self.lines.push(record_line);
        Ok(self.records.len() < self.limit)
    }
}

#[cfg(test)]
mod tests;
