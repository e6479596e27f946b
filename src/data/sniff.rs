//! Sniffing the start of a file: is it text, which delimiter, is the first record a header,
//! does it use decimal commas. Split from `ingest.rs`, which buffers the sample and calls this.

use super::error::DataError;
use super::number::{is_missing_marker, parse_number};
use super::tokenizer::{Collect, Tokenizer};

/// The delimiters tried when sniffing, in order of preference on a tie.
pub const SNIFF_DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Bytes buffered before sniffing (more when the first records are longer).
pub(super) const SNIFF_BYTES: usize = 64 * 1024;
/// Records examined when sniffing.
pub(super) const SNIFF_RECORDS: usize = 50;
/// Past this much buffered data one complete record is enough to start.
pub(super) const SNIFF_CAP: usize = 16 << 20;

pub(super) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// 1-based line of byte `pos`.
pub(super) fn line_at(bytes: &[u8], pos: usize) -> u64 {
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
pub(super) fn check_text(file: &str, sample: &[u8]) -> Result<(), DataError> {
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
pub(super) fn sample_records(sample: &[u8], delimiter: u8, eof: bool, limit: usize) -> Collect {
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
pub(super) fn estimate_rows(sample: &[u8], total: u64) -> usize {
    let head = sample.get(..SNIFF_BYTES).unwrap_or(sample);
    let lines = head.iter().filter(|&&b| b == b'\n').count().max(1);
    let per_line = (head.len() as f64 / lines as f64).max(2.0);
    // A little over the estimate, so that the last rows do not trigger a doubling.
    let rows = total as f64 / per_line * 1.02 + 16.0;
    // Cap what a bad guess can cost: a row takes at least two bytes.
    rows.min(total as f64 / 2.0 + 16.0).min((1u64 << 31) as f64) as usize
}

/// Whether the buffered start of the file is enough to sniff from.
pub(super) fn sample_ready(sample: &[u8]) -> bool {
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

pub(super) fn sniff_delimiter(sample: &[u8], eof: bool) -> u8 {
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
pub(super) fn is_decimal_comma_number(field: &[u8]) -> bool {
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
pub(super) fn detect_header(records: &[Vec<Vec<u8>>], decimal_comma: bool) -> bool {
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
