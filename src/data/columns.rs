//! Building the columns as records stream by: numbers parsed straight from the bytes, text
//! dictionary-encoded, a numeric column turned to text at its first non-number. Split from
//! `ingest.rs`, which feeds the tokenizer into a [`ColumnSink`].

use super::dataset::{ColumnValues, MISSING_CODE};
use super::encoding::{FallbackTracker, decode_field};
use super::error::DataError;
use super::hash::FastMap;
use super::number::{StyleTracker, is_missing_marker, parse_number_shape};
use super::numbers::Numbers;
use super::tokenizer::Sink;

/// Number of data rows kept as raw text in [`Dataset::preview`](super::Dataset::preview).
pub const PREVIEW_ROWS: usize = 20;

/// Builds the columns as records stream by.
pub(super) struct ColumnSink {
    pub(super) file: String,
    pub(super) names: Vec<String>,
    pub(super) columns: Vec<Builder>,
    pub(super) has_header: bool,
    /// The next record is the header: skip it.
    pub(super) skip_header: bool,
    pub(super) decimal_comma: bool,
    pub(super) field_index: usize,
    pub(super) rows: usize,
    pub(super) preview: Vec<Vec<String>>,
    pub(super) preview_row: Vec<String>,
    pub(super) encoding: FallbackTracker,
    pub(super) notes: Vec<String>,
}

impl ColumnSink {
    pub(super) fn new(
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
    pub(super) fn reserve(&mut self, rows: usize) {
        for column in &mut self.columns {
            if let Builder::Numeric { values, .. } = column {
                values.try_reserve(rows);
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
            match shape.plain_decimals() {
                Some(decimals) => values.push_plain(value, decimals),
                None => values.push(value),
            }
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
pub(super) enum Builder {
    Numeric {
        values: Numbers,
        style: StyleTracker,
        /// Non-missing values so far.
        numbers: usize,
    },
    Text(TextBuilder),
}

impl Builder {
    fn new() -> Self {
        Builder::Numeric {
            values: Numbers::new(),
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

    pub(super) fn into_values(self) -> ColumnValues {
        match self {
            Builder::Numeric { mut values, .. } => {
                values.shrink();
                ColumnValues::Numeric(values)
            }
            Builder::Text(text) => text.into_values(),
        }
    }
}

/// A dictionary-encoded text column under construction.
pub(super) struct TextBuilder {
    index: FastMap<Box<str>, u32>,
    codes: Vec<u32>,
}

impl TextBuilder {
    /// Converts the numbers read so far to text, written back as the column wrote them where
    /// that is cheap to know (see `StyleTracker::render`).
    fn from_numbers(
        values: &Numbers,
        style: &StyleTracker,
        cx: &mut PushContext<'_>,
    ) -> Result<Self, DataError> {
        let mut text = TextBuilder {
            index: FastMap::default(),
            // The numbers' capacity is the best guess of the column's final length.
            codes: Vec::with_capacity(values.capacity().max(16)),
        };
        for value in values.iter() {
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
