//! Ingest in chunks and on hostile bytes: any chunking gives the same dataset and the same
//! error as one piece, size hints stay hints, and arbitrary bytes never panic.

use hearth::data::{DataError, Ingest, IngestOptions, read_csv_bytes};

use crate::support::{csv, json, names, numbers, read_err, texts};

/// A file with every awkward feature, repeated to pass the 64 KiB sniffing sample, so that the
/// small chunks reach the streaming tokenizer too.
fn tricky_file() -> Vec<u8> {
    let mut bytes = b"\xEF\xBB\xBFid,\"na\"\"me\",note,score,mixed\r\n".to_vec();
    let rows: [&[u8]; 7] = [
        b"1,\"Smith, J\",\"multi\r\nline\",3.5,7\r\n",
        b"2,\"O\"\"Brien\",\"x\ny\",NA,8\n",
        b"3,Z\xfcrich,\xc3\xa9t\xc3\xa9 \xe2\x82\xac,-1e2,?\r\n",
        b"\r\n",
        b"4,\"\",\"\",,9\r",
        b"5,plain,\"tail\"er,  4.25 ,text\n",
        b"6,\xe6\x97\xa5\xe6\x9c\xac,\"\"\"\",1,10",
    ];
    let mut n = 0;
    while bytes.len() < 80 * 1024 {
        for row in rows {
            bytes.extend_from_slice(row);
        }
        bytes.push(b'\n');
        n += 1;
    }
    assert!(n > 100);
    bytes
}

#[test]
fn chunk_boundaries_anywhere() {
    let bytes = tricky_file();
    let whole = csv(&bytes);
    assert_eq!(whole.rows % 6, 0);
    assert_eq!(names(&whole), ["id", "na\"me", "note", "score", "mixed"]);
    let notes: Vec<Option<String>> = texts(&whole, 2).into_iter().take(6).collect();
    assert_eq!(
        notes,
        vec![
            Some("multi\r\nline".to_string()),
            Some("x\ny".to_string()),
            Some("été €".to_string()),
            None,
            Some("tailer".to_string()),
            Some("\"".to_string()),
        ]
    );
    assert_eq!(texts(&whole, 1).get(2), Some(&Some("Zürich".to_string())));
    assert_eq!(texts(&whole, 1).get(5), Some(&Some("日本".to_string())));
    assert_eq!(whole.notes.len(), 1, "{:?}", whole.notes);
    let expected = json(&whole);
    for size in 1..=17 {
        let mut ingest = Ingest::new("test.csv", IngestOptions::default());
        for chunk in bytes.chunks(size) {
            ingest.push(chunk).expect("push");
        }
        assert_eq!(ingest.bytes_seen(), bytes.len() as u64);
        let d = ingest.finish().expect("finish");
        assert_eq!(json(&d), expected, "chunk size {size}");
    }
    // Uneven chunk sizes too.
    let mut ingest = Ingest::new("test.csv", IngestOptions::default());
    let mut rest = &bytes[..];
    let mut k = 0usize;
    while !rest.is_empty() {
        let size = (k * 7919 % 5000 + 1).min(rest.len());
        let (chunk, tail) = rest.split_at(size);
        ingest.push(chunk).expect("push");
        rest = tail;
        k += 1;
    }
    assert_eq!(json(&ingest.finish().expect("finish")), expected);
}

#[test]
fn errors_are_the_same_in_any_chunking() {
    let mut csv = b"a,b\n".to_vec();
    for i in 0..10_000 {
        csv.extend_from_slice(format!("{i},\"q\"\"{i}\"\n").as_bytes());
    }
    csv.extend_from_slice(b"1,\"never closed\n2,3\n");
    let whole = read_err("q.csv", &csv);
    assert!(
        matches!(
            whole,
            DataError::UnclosedQuote {
                line: 10_002,
                column: 2,
                ..
            }
        ),
        "{whole:?}"
    );
    for size in [1, 2, 3, 5, 8, 13] {
        let mut ingest = Ingest::new("q.csv", IngestOptions::default());
        for chunk in csv.chunks(size) {
            ingest.push(chunk).expect("push");
        }
        assert_eq!(
            ingest.finish().map(|d| d.rows),
            Err(whole.clone()),
            "size {size}"
        );
    }
}

#[test]
fn size_hints_are_only_hints() {
    for hint in [0, 10, u64::MAX] {
        let mut ingest = Ingest::new("h.csv", IngestOptions::default());
        ingest.set_size_hint(hint);
        ingest.push(b"a,b\n1,2\n3,4\n").expect("push");
        let d = ingest.finish().expect("finish");
        assert_eq!(numbers(&d, 1), vec![2.0, 4.0]);
    }
}

/// Arbitrary bytes never panic, in one piece or in chunks, and profiling whatever parsed
/// never panics either.
#[test]
fn arbitrary_bytes_do_not_panic() {
    let alphabet: &[u8] = b",,,;\t|\"\r\n\n 0123456789.-+eE,NAna?\xc3\xa9\xff\x80x,1,2\n";
    let mut seed = 0x853c_49e6_748f_ea9bu64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for case in 0..3000 {
        let len = (next() % 120) as usize;
        if case % 2 == 0 {
            // Well-formed records of awkward fields.
            let tokens: [&[u8]; 16] = [
                b"",
                b"NA",
                b"1",
                b"-2.5",
                b"3,5",
                b"\"a,b\"",
                b"\"x\"\"y\"",
                b"\"l1\nl2\"",
                b"\xc3\xa9",
                b"\xff",
                b"  7 ",
                b"1e3",
                b"abc",
                b"true",
                b"2024-01-02",
                b"0.10",
            ];
            let columns = 1 + (next() % 4) as usize;
            let separator = [b',', b';', b'\t', b'|'][(next() % 4) as usize];
            let mut bytes = Vec::new();
            for _ in 0..(next() % 30) {
                for c in 0..columns {
                    if c > 0 {
                        bytes.push(separator);
                    }
                    bytes.extend_from_slice(tokens[(next() % 16) as usize]);
                }
                bytes.extend_from_slice(if next() % 2 == 0 { b"\n" } else { b"\r\n" });
            }
            check_no_panic(case, &bytes);
            continue;
        }
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if case % 50 == 0 {
                    r as u8
                } else {
                    alphabet[(r % alphabet.len() as u64) as usize]
                }
            })
            .collect();
        check_no_panic(case, &bytes);
    }
}

fn check_no_panic(case: usize, bytes: &[u8]) {
    let whole = read_csv_bytes("fuzz.csv", bytes, IngestOptions::default());
    if let Ok(d) = &whole {
        let p = hearth::data::profile(d);
        assert_eq!(p.columns.len(), d.columns.len());
        assert!(d.columns.iter().all(|c| c.len() == d.rows));
        serde_json::to_string(&p).expect("profile serialises");
    }
    let mut ingest = Ingest::new("fuzz.csv", IngestOptions::default());
    let mut failed = None;
    for chunk in bytes.chunks(1 + case % 5) {
        if let Err(e) = ingest.push(chunk) {
            failed = Some(e);
            break;
        }
    }
    let chunked = match failed {
        Some(e) => Err(e),
        None => ingest.finish(),
    };
    assert_eq!(
        chunked.as_ref().map(json).map_err(Clone::clone),
        whole.as_ref().map(json).map_err(Clone::clone),
        "case {case}: {bytes:?}"
    );
}
