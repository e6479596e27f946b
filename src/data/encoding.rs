//! Field decoding: UTF-8, with a Windows-1252 fallback for fields that are not valid UTF-8.
//!
//! Why not `encoding_rs` (the WHATWG decoder browsers use): it decodes all 256 bytes exactly as
//! this table does (test `every_byte_matches_encoding_rs`), but its decoder dispatches over every
//! encoding it knows, so the CJK tables come along: measured on 2026-12-01, `hearth-worker.wasm`
//! (release, wasm32) grew from 30,333,301 to 30,500,642 bytes (+163 KiB) with
//! `WINDOWS_1252.decode_without_bom_handling`, for 32 table entries. `hearth-app.wasm` did not
//! change (±0.3 KB: the page never decodes CSV). It stays a dev-dependency for the comparison.

use std::borrow::Cow;

/// Windows-1252 code points for the bytes 0x80–0x9F. The five bytes the code page leaves
/// undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1 control with the same number, as
/// browsers do. Bytes 0xA0–0xFF are Latin-1 (the code point equals the byte).
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// Decodes one byte of Windows-1252.
#[inline]
pub(crate) fn cp1252_char(b: u8) -> char {
    if (0x80..0xA0).contains(&b) {
        CP1252_HIGH
            .get(usize::from(b - 0x80))
            .copied()
            .unwrap_or(char::REPLACEMENT_CHARACTER)
    } else {
        char::from(b)
    }
}

/// Decodes bytes as Windows-1252 (every byte sequence is valid).
pub(crate) fn decode_cp1252(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| cp1252_char(b)).collect()
}

/// Decodes a field: UTF-8 when valid, else Windows-1252. The flag says whether the fallback was used.
#[inline]
pub(crate) fn decode_field(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => (Cow::Owned(decode_cp1252(bytes)), true),
    }
}

/// Remembers where the Windows-1252 fallback was first needed, for the user-visible note.
#[derive(Clone, Debug, Default)]
pub(crate) struct FallbackTracker {
    pub first_line: Option<u64>,
    pub fields: u64,
}

impl FallbackTracker {
    /// Decodes a field, recording a fallback on `line`.
    #[inline]
    pub(crate) fn decode<'a>(&mut self, bytes: &'a [u8], line: u64) -> Cow<'a, str> {
        let (text, fell_back) = decode_field(bytes);
        if fell_back {
            self.record(line);
        }
        text
    }

    pub(crate) fn record(&mut self, line: u64) {
        if self.first_line.is_none() {
            self.first_line = Some(line);
        }
        self.fields = self.fields.saturating_add(1);
    }

    /// The note for `Dataset::notes`, if any field needed the fallback.
    pub(crate) fn note(&self) -> Option<String> {
        let line = self.first_line?;
        let fields = if self.fields == 1 {
            "1 field".to_string()
        } else {
            format!("{} fields", self.fields)
        };
        Some(format!(
            "Line {line} is not valid UTF-8; text was decoded as Windows-1252 ({fields} affected)."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_matches_encoding_rs() {
        for b in 0..=255u8 {
            let byte = [b];
            let (theirs, _, _) = encoding_rs::WINDOWS_1252.decode(&byte);
            assert_eq!(decode_cp1252(&[b]), theirs, "byte {b:#04x}");
            assert_eq!(cp1252_char(b).to_string(), theirs, "byte {b:#04x}");
        }
        let all: Vec<u8> = (0..=255).collect();
        let (theirs, _, _) = encoding_rs::WINDOWS_1252.decode(&all);
        assert_eq!(decode_cp1252(&all), theirs);
    }

    #[test]
    fn decodes_windows_1252() {
        assert_eq!(decode_cp1252(b"Z\xfcrich"), "Zürich");
        assert_eq!(
            decode_cp1252(b"\x80 \x9f \x81 \xa0 \xff"),
            "€ Ÿ \u{81} \u{a0} ÿ"
        );
        assert_eq!(decode_cp1252(b"\x93quoted\x94 \x96"), "“quoted” –");
        let (text, fell_back) = decode_field("Zürich".as_bytes());
        assert_eq!(text, "Zürich");
        assert!(!fell_back);
        let mut tracker = FallbackTracker::default();
        assert_eq!(tracker.decode(b"\xe9t\xe9", 4), "été");
        assert_eq!(tracker.decode(b"ok", 5), "ok");
        assert_eq!(tracker.decode(b"\xe0", 9), "à");
        assert_eq!(
            tracker.note().as_deref(),
            Some(
                "Line 4 is not valid UTF-8; text was decoded as Windows-1252 (2 fields affected)."
            )
        );
    }
}
