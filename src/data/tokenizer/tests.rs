//! The tokenizer's tests: fixed cases, a reference parser on random input, and the
//! throughput comparison with csv-core (ignored by default).

use super::*;

fn records(data: &[u8], delimiter: u8, chunk: usize) -> (Vec<Vec<String>>, Vec<u64>) {
    let mut tok = Tokenizer::new(delimiter);
    let mut sink = Collect::new(usize::MAX);
    for piece in data.chunks(chunk.max(1)) {
        tok.feed(piece, &mut sink, "t.csv").expect("feed");
    }
    tok.finish(&mut sink, |_| DataError::Io("unclosed".into()))
        .expect("finish");
    let recs = sink
        .records
        .iter()
        .map(|r| {
            r.iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect()
        })
        .collect();
    (recs, sink.lines)
}

fn strs(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

#[test]
fn basic_and_quoted() {
    let data = b"a,b,c\r\n1,\"x,y\",\"he said \"\"hi\"\"\"\n\"multi\r\nline\",,\n\n  \nlast,\"\",z";
    for chunk in 1..=data.len() {
        let (recs, lines) = records(data, b',', chunk);
        assert_eq!(
            recs,
            strs(&[
                &["a", "b", "c"],
                &["1", "x,y", "he said \"hi\""],
                &["multi\r\nline", "", ""],
                &["last", "", "z"],
            ]),
            "chunk {chunk}"
        );
        assert_eq!(lines, vec![1, 2, 3, 7], "chunk {chunk}");
    }
}

#[test]
fn lenient_quotes() {
    let (recs, _) = records(b"ab\"c,\"ab\"c,d\n", b',', 100);
    assert_eq!(recs, strs(&[&["ab\"c", "abc", "d"]]));
    let (recs, _) = records(b"\"a\"\"\",b\r", b',', 100);
    assert_eq!(recs, strs(&[&["a\"", "b"]]));
}

#[test]
fn lone_cr_and_trailing_delimiter() {
    let (recs, lines) = records(b"a;b\r1;\r2;3", b';', 100);
    assert_eq!(recs, strs(&[&["a", "b"], &["1", ""], &["2", "3"]]));
    assert_eq!(lines, vec![1, 2, 3]);
}

#[test]
fn unclosed_quote_and_nul() {
    let mut tok = Tokenizer::new(b',');
    let mut sink = Collect::new(usize::MAX);
    tok.feed(b"a,b\n1,\"open\n\n", &mut sink, "t.csv")
        .expect("feed");
    let mut seen = None;
    let result = tok.finish(&mut sink, |u| {
        seen = Some(u);
        DataError::Io("unclosed".into())
    });
    assert!(result.is_err());
    assert_eq!(seen, Some(Unclosed { line: 2, field: 1 }));
    assert_eq!(tok.line(), 4);
    let mut tok = Tokenizer::new(b',');
    let err = tok.feed(b"a\nb\x00", &mut sink, "t.csv");
    assert!(matches!(err, Err(DataError::NotText { line: 2, .. })));
}

/// A straightforward byte-at-a-time implementation of the same rules, for comparison.
fn reference(data: &[u8]) -> Option<Vec<Vec<Vec<u8>>>> {
    let mut records = Vec::new();
    let mut record: Vec<Vec<u8>> = Vec::new();
    let mut field = Vec::new();
    let (mut state, mut in_record, mut quoted) = (0, false, false);
    let mut end = |record: &mut Vec<Vec<u8>>, field: &mut Vec<u8>, quoted: bool| {
        if record.is_empty() && !quoted && field.iter().all(u8::is_ascii_whitespace) {
            field.clear();
        } else {
            record.push(std::mem::take(field));
            records.push(std::mem::take(record));
        }
    };
    for &b in data {
        match (state, b) {
            (0, b'"') => (in_record, quoted, state) = (true, true, 2),
            (0, b',') => {
                in_record = true;
                record.push(std::mem::take(&mut field));
            }
            (0, b'\r' | b'\n') => {
                if in_record {
                    end(&mut record, &mut field, quoted);
                }
                (in_record, quoted) = (false, false);
            }
            (0, _) | (1, _) if b != b',' && b != b'\r' && b != b'\n' => {
                field.push(b);
                (in_record, state) = (true, 1);
            }
            (1 | 3, b',') => {
                record.push(std::mem::take(&mut field));
                (state, quoted) = (0, false);
            }
            (1 | 3, _) if b == b'\r' || b == b'\n' => {
                end(&mut record, &mut field, quoted);
                (state, in_record, quoted) = (0, false, false);
            }
            (2, b'"') => state = 3,
            (2, _) => field.push(b),
            (3, b'"') => {
                field.push(b'"');
                state = 2;
            }
            (3, _) => {
                field.push(b);
                state = 1;
            }
            _ => unreachable!(),
        }
    }
    match state {
        2 => return None,
        0 if !in_record => {}
        _ => end(&mut record, &mut field, quoted),
    }
    Some(records)
}

#[test]
fn matches_reference_on_random_input() {
    let alphabet = b"ab,\"\r\n x,,\"abcdefghij0123";
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for case in 0..400 {
        let len = 1 + case % 97 + (case / 97) * 50;
        let data: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                alphabet[(seed % alphabet.len() as u64) as usize]
            })
            .collect();
        let expected = reference(&data);
        for chunk in [1, 2, 3, 7, 8, 9, 16, 1000] {
            let mut tok = Tokenizer::new(b',');
            let mut sink = Collect::new(usize::MAX);
            for piece in data.chunks(chunk) {
                tok.feed(piece, &mut sink, "t.csv").expect("feed");
            }
            let result = tok
                .finish(&mut sink, |_| DataError::Io("unclosed".into()))
                .map(|()| sink.records);
            assert_eq!(
                result.ok(),
                expected,
                "case {case}, chunk {chunk}: {data:?}"
            );
        }
    }
}

#[test]
fn long_fields_cross_word_boundaries() {
    // Specials at every offset relative to the 8-byte words.
    for pad in 0..20 {
        let a = "x".repeat(pad);
        let data = format!("{a},\"{a}\"\"{a}\r\n{a}\"\n{a}|{a}\r{a}\n");
        let (recs, lines) = records(data.as_bytes(), b',', 1000);
        let quoted = format!("{a}\"{a}\r\n{a}");
        assert_eq!(
            recs,
            vec![
                vec![a.clone(), quoted],
                vec![format!("{a}|{a}")],
                vec![a.clone()]
            ]
            .into_iter()
            .filter(|r| !(r.len() == 1 && r[0].is_empty()))
            .collect::<Vec<_>>(),
            "pad {pad}"
        );
        assert_eq!(lines.first(), Some(&1));
    }
}

#[test]
fn stops_when_asked() {
    let mut tok = Tokenizer::new(b',');
    let mut sink = Collect::new(2);
    let more = tok.feed(b"a\nb\nc\nd\n", &mut sink, "t.csv").expect("feed");
    assert!(!more);
    assert_eq!(sink.records.len(), 2);
}

/// Throughput of this tokenizer against csv-core on one file, 4 MiB chunks as the worker
/// reads them. Run with `HEARTH_BENCH_CSV=FILE cargo test --release --no-default-features
/// --lib tokenizer_throughput -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark; needs HEARTH_BENCH_CSV"]
fn tokenizer_throughput() {
    struct Count(u64, u64);
    impl Sink for Count {
        fn field(&mut self, content: &[u8], _: bool, _: u64) -> Result<(), DataError> {
            self.0 += content.len() as u64;
            Ok(())
        }
        fn end_record(&mut self, _: u64) -> Result<bool, DataError> {
            self.1 += 1;
            Ok(true)
        }
    }
    let Some(path) = std::env::var_os("HEARTH_BENCH_CSV") else {
        return;
    };
    let data = std::fs::read(path).expect("read the file");
    let mb = data.len() as f64 / 1e6;
    let chunk = 4 << 20;
    for _ in 0..3 {
        let start = std::time::Instant::now();
        let mut tok = Tokenizer::new(b',');
        let mut sink = Count(0, 0);
        for piece in data.chunks(chunk) {
            tok.feed(piece, &mut sink, "t.csv").expect("feed");
        }
        tok.finish(&mut sink, |_| DataError::Io("unclosed".into()))
            .expect("finish");
        let ours = start.elapsed().as_secs_f64();

        let start = std::time::Instant::now();
        let mut reader = csv_core::Reader::new();
        let (mut out, mut ends) = (vec![0u8; 1 << 16], vec![0usize; 1024]);
        let (mut bytes, mut records, mut used, mut ended) = (0u64, 0u64, 0usize, 0usize);
        let mut pieces = data.chunks(chunk);
        let mut input: &[u8] = pieces.next().unwrap_or_default();
        loop {
            let (result, nin, nout, nend) = reader.read_record(
                input,
                out.get_mut(used..).unwrap_or_default(),
                ends.get_mut(ended..).unwrap_or_default(),
            );
            input = input.get(nin..).unwrap_or_default();
            used += nout;
            ended += nend;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {
                    input = pieces.next().unwrap_or_default();
                }
                csv_core::ReadRecordResult::Record => {
                    records += 1;
                    bytes += used as u64;
                    (used, ended) = (0, 0);
                }
                csv_core::ReadRecordResult::End => break,
                _ => panic!("record over 64 KiB or 1,024 fields"),
            }
        }
        let theirs = start.elapsed().as_secs_f64();
        println!(
            "{mb:.1} MB: ours {ours:.3} s ({:.0} MB/s, {} records, {} bytes), csv-core {theirs:.3} s ({:.0} MB/s, {records} records, {bytes} bytes)",
            mb / ours,
            sink.1,
            sink.0,
            mb / theirs
        );
    }
}
