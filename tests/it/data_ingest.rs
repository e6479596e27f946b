//! CSV ingest: dialects, quoting, encodings, and every bad-input error.

use hearth::data::{
    ColumnValues, DataError, Ingest, IngestOptions, MISSING_CODE, MISSING_MARKERS, read_csv_bytes,
    read_csv_path,
};

use crate::support::{csv, json, names, numbers, read_err, temp_dir, texts};

fn some(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some(v.to_string())).collect()
}

#[test]
fn empty_files() {
    for bytes in [
        &b""[..],
        b"   ",
        b"\n\n\r\n",
        b"\xEF\xBB\xBF",
        b"\xEF\xBB\xBF \t\n",
    ] {
        let e = read_err("penguins.csv", bytes);
        assert_eq!(
            e,
            DataError::Empty {
                file: "penguins.csv".into()
            },
            "{bytes:?}"
        );
        assert_eq!(e.to_string(), "penguins.csv is empty.");
    }
}

#[test]
fn header_only() {
    for bytes in [
        &b"species,island,year\n"[..],
        b"species,island,year",
        b"a;b\r\n\r\n",
    ] {
        let e = read_err("penguins.csv", bytes);
        assert!(matches!(e, DataError::HeaderOnly { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            "penguins.csv has a header row but no data rows."
        );
    }
}

#[test]
fn ragged_row_names_the_line() {
    let mut csv = String::from("a,b,c,d,e,f,g,h\n");
    for i in 0..8 {
        csv.push_str(&format!("{i},1,2,3,4,5,6,7\n"));
    }
    // A quoted newline: the record on physical lines 10–11 is still fine.
    csv.push_str("9,\"two\nlines\",2,3,4,5,6,7\n");
    csv.push_str("10,1,2,3,4,5,6,7,8\n"); // line 12: nine fields
    let e = read_err("data.csv", csv.as_bytes());
    assert_eq!(
        e.to_string(),
        "data.csv, line 12: expected 8 fields as in the header but found 9."
    );
    assert!(matches!(
        e,
        DataError::Ragged {
            line: 12,
            expected: 8,
            found: 9,
            ..
        }
    ));

    let e = read_err("data.csv", b"a,b,c\r\n1,2,3\r\n4,5\r\n");
    assert_eq!(
        e.to_string(),
        "data.csv, line 3: expected 3 fields as in the header but found 2."
    );

    let e = read_err("data.csv", b"1,2,3\n4,5,6\n7,8,9,10\n");
    assert_eq!(
        e.to_string(),
        "data.csv, line 3: expected 3 fields as in the first row but found 4."
    );
}

#[test]
fn unclosed_quote_names_where_it_opened() {
    let e = read_err("data.csv", b"name,city\nx,Paris\ny,\"Lon\ndon\nz,Rome\n");
    assert_eq!(
        e,
        DataError::UnclosedQuote {
            file: "data.csv".into(),
            line: 3,
            column: 2,
            column_name: Some("city".into()),
        }
    );
    assert_eq!(
        e.to_string(),
        "data.csv, line 3, column 2 (city): a quoted field starts here but its closing quote is missing."
    );
}

#[test]
fn binary_data_is_rejected() {
    let e = read_err("data.csv", b"a,b\n1,2\nx\x00y,3\n");
    assert_eq!(
        e.to_string(),
        "data.csv does not look like text: line 3 contains a NUL byte (binary data?)."
    );
    // Control characters everywhere.
    let noise: Vec<u8> = (0..400u32).map(|i| (i % 9 + 1) as u8).collect();
    assert!(matches!(
        read_err("x.bin", &noise),
        DataError::NotText { .. }
    ));
    // A ZIP archive (e.g. .xlsx) and UTF-16.
    assert!(matches!(
        read_err("x.xlsx", b"PK\x03\x04\x14\x00"),
        DataError::NotText { .. }
    ));
    assert!(matches!(
        read_err("u.csv", b"\xFF\xFEa\x00,\x00b\x00"),
        DataError::NotText { .. }
    ));
    // A NUL byte far past the sniffed sample is still found, with its line.
    let mut csv = String::from("a,b\n");
    for i in 0..20_000 {
        csv.push_str(&format!("{i},{i}\n"));
    }
    let mut bytes = csv.into_bytes();
    bytes.extend_from_slice(b"1,\x002\n");
    let e = read_err("late.csv", &bytes);
    assert_eq!(
        e.to_string(),
        "late.csv does not look like text: line 20002 contains a NUL byte (binary data?)."
    );
}

#[test]
fn size_limit() {
    let options = IngestOptions {
        max_bytes: 16,
        ..IngestOptions::default()
    };
    let e = read_csv_bytes("big.csv", b"a,b\n1,2\n3,4\n5,6\n7,8\n", options.clone())
        .expect_err("over the limit");
    assert!(matches!(e, DataError::TooLarge { limit: 16, .. }), "{e:?}");
    let message = e.to_string();
    assert!(message.starts_with("big.csv is too large: "), "{message}");
    assert!(message.contains(" MB"), "{message}");
    // Exactly at the limit is fine.
    let ok = read_csv_bytes("ok.csv", b"a,b\n1,2\n3,4\n5,6\n", options).expect("16 bytes");
    assert_eq!(ok.rows, 3);
    // Streaming: the error comes as soon as the limit is passed.
    let mut ingest = Ingest::new(
        "stream.csv",
        IngestOptions {
            max_bytes: 1 << 20,
            ..IngestOptions::default()
        },
    );
    let chunk = vec![b'1'; 300 * 1024];
    let mut failed = None;
    for i in 0..5 {
        if let Err(e) = ingest.push(&chunk) {
            failed = Some((i, e));
            break;
        }
    }
    let (i, e) = failed.expect("limit reached");
    assert_eq!(i, 3);
    assert_eq!(
        e.to_string(),
        "stream.csv is too large: 1.2 MB or more, over the limit of 1 MB."
    );
    assert_eq!(ingest.bytes_seen(), 4 * 300 * 1024);
    // Later pushes and finish report the same error.
    assert_eq!(ingest.push(b"x"), Err(e.clone()));
    assert_eq!(ingest.finish().map(|d| d.rows), Err(e));
}

#[test]
fn size_limit_from_file_metadata() {
    let dir = temp_dir();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, vec![b'a'; 3 << 20]).expect("write");
    let options = IngestOptions {
        max_bytes: 1 << 20,
        ..IngestOptions::default()
    };
    let e = read_csv_path(&path, options).expect_err("too large");
    assert_eq!(
        e.to_string(),
        "big.csv is too large: 3 MB, over the limit of 1 MB."
    );
}

#[test]
fn read_from_path() {
    let dir = temp_dir();
    let path = dir.path().join("small.csv");
    std::fs::write(&path, "x,y\n1,a\n2,b\n").expect("write");
    let d = read_csv_path(&path, IngestOptions::default()).expect("read");
    assert_eq!(d.source, "small.csv");
    assert_eq!(d.rows, 2);
    let missing = dir.path().join("nope.csv");
    let e = read_csv_path(&missing, IngestOptions::default()).expect_err("missing file");
    assert!(matches!(e, DataError::Io(_)));
    assert!(
        e.to_string().starts_with("Could not read nope.csv: "),
        "{e}"
    );
}

#[test]
fn quoted_fields() {
    let d = csv(b"id,text,n\n1,\"a, b\",2\n2,\"line1\nline2\r\nline3\rline4\",3\n3,\"say \"\"hi\"\"\",4\n4,\"\",5\n");
    assert_eq!(d.rows, 4);
    assert_eq!(
        texts(&d, 1),
        vec![
            Some("a, b".into()),
            Some("line1\nline2\r\nline3\rline4".into()),
            Some("say \"hi\"".into()),
            None, // "" is an empty field: missing
        ]
    );
    assert_eq!(numbers(&d, 2), vec![2.0, 3.0, 4.0, 5.0]);
    // Lenient: a quote inside an unquoted field is literal; text after a closing quote is appended.
    let d = csv(b"a,b\nab\"c,\"ab\"c\nx,y\n");
    assert_eq!(texts(&d, 0), some(&["ab\"c", "x"]));
    assert_eq!(texts(&d, 1), some(&["abc", "y"]));
}

#[test]
fn line_endings_bom_and_blank_lines() {
    let expected = csv(b"a,b\n1,x\n2,y\n");
    for bytes in [
        &b"a,b\r\n1,x\r\n2,y\r\n"[..],
        b"\xEF\xBB\xBFa,b\n1,x\n2,y\n",
        b"a,b\n1,x\n2,y",
        b"a,b\r1,x\r2,y\r",
        b"\n\na,b\n\n1,x\r\n\r\n2,y\n\n\n",
        b"a,b\n1,x\n   \n2,y\n",
    ] {
        let d = csv(bytes);
        assert_eq!(names(&d), ["a", "b"], "{bytes:?}");
        assert_eq!(d.rows, 2, "{bytes:?}");
        assert_eq!(json(&d), json(&expected), "{bytes:?}");
    }
}

#[test]
fn sniffs_each_delimiter() {
    for (delimiter, bytes) in [
        (b',', &b"a,b,c\n1,2,x\n3,4,y\n"[..]),
        (b';', b"a;b;c\n1;2;x\n3;4;y\n"),
        (b'\t', b"a\tb\tc\n1\t2\tx\n3\t4\ty\n"),
        (b'|', b"a|b|c\n1|2|x\n3|4|y\n"),
    ] {
        let d = csv(bytes);
        assert_eq!(d.dialect.delimiter, delimiter);
        assert_eq!(names(&d), ["a", "b", "c"]);
        assert_eq!(numbers(&d, 1), vec![2.0, 4.0]);
        assert_eq!(texts(&d, 2), some(&["x", "y"]));
    }
    // Commas inside text do not fool the sniffer.
    let d = csv(b"city\tpopulation\n\"Paris, FR\"\t2.1\nBerlin, DE\t3.6\n");
    assert_eq!(d.dialect.delimiter, b'\t');
    assert_eq!(texts(&d, 0), some(&["Paris, FR", "Berlin, DE"]));
    // One column.
    let d = csv(b"value\n1\n2\n3\n");
    assert_eq!(d.dialect.delimiter, b',');
    assert_eq!(names(&d), ["value"]);
    assert_eq!(numbers(&d, 0), vec![1.0, 2.0, 3.0]);
    // An explicit delimiter wins.
    let d = read_csv_bytes(
        "t.csv",
        b"a,b;c\n1,2;3\n",
        IngestOptions {
            delimiter: Some(b';'),
            ..IngestOptions::default()
        },
    )
    .expect("read");
    assert_eq!(names(&d), ["a,b", "c"]);
}

#[test]
fn decimal_comma() {
    let d = csv(b"width;height;name\n3,5;10;a\n-2,25;1e3;b\n;7;c\n");
    assert!(d.dialect.decimal_comma);
    assert_eq!(d.dialect.delimiter, b';');
    let w = numbers(&d, 0);
    assert_eq!(w.get(..2), Some(&[3.5, -2.25][..]));
    assert!(w.get(2).is_some_and(|v| v.is_nan()));
    assert_eq!(numbers(&d, 1), vec![10.0, 1000.0, 7.0]);
    assert!(!d.notes.is_empty());
    // With a decimal comma, a point is not a decimal separator.
    let d = csv(b"a;b\n3,5;1.5\n4,5;x\n");
    assert!(d.dialect.decimal_comma);
    assert_eq!(texts(&d, 1), some(&["1.5", "x"]));
    // No decimal comma in comma-separated files, nor when disabled.
    let d = csv(b"a,b\n\"3,5\",1.5\n");
    assert!(!d.dialect.decimal_comma);
    assert_eq!(texts(&d, 0), some(&["3,5"]));
    assert_eq!(numbers(&d, 1), vec![1.5]);
    let d = read_csv_bytes(
        "t.csv",
        b"a;b\n3,5;1\n",
        IngestOptions {
            decimal_comma: Some(false),
            ..IngestOptions::default()
        },
    )
    .expect("read");
    assert!(!d.dialect.decimal_comma);
    assert_eq!(texts(&d, 0), some(&["3,5"]));
    // Converting a decimal-comma column to text writes the numbers back with commas.
    let d = csv(b"a;b\n1,50;1\n2,25;2\nn/a;3\nother;4\n");
    assert_eq!(
        texts(&d, 0),
        vec![
            Some("1,50".into()),
            Some("2,25".into()),
            None,
            Some("other".into())
        ]
    );
}

#[test]
fn every_missing_marker() {
    let mut text = String::from("x,t\n");
    let markers: Vec<&str> = MISSING_MARKERS
        .iter()
        .copied()
        .chain(["na", "n/a", "NAN", "NULL", " NA ", "  "])
        .collect();
    for m in &markers {
        text.push_str(&format!("{m},{m}\n"));
    }
    text.push_str("1.5,word\n");
    let d = csv(text.as_bytes());
    let x = numbers(&d, 0);
    assert_eq!(x.len(), markers.len() + 1);
    assert!(x.iter().take(markers.len()).all(|v| v.is_nan()));
    assert_eq!(x.last(), Some(&1.5));
    match &d.columns.get(1).expect("t").values {
        ColumnValues::Text { dictionary, codes } => {
            assert_eq!(dictionary, &["word"]);
            assert!(codes.iter().take(markers.len()).all(|&c| c == MISSING_CODE));
        }
        other => panic!("{other:?}"),
    }
    let column = d.columns.first().expect("x");
    assert!(column.is_missing(0));
    assert!(!column.is_missing(markers.len()));
    assert!(column.is_missing(markers.len() + 1)); // past the end
    // "None" is not a missing marker.
    let d = csv(b"a\nNone\nx\n");
    assert_eq!(texts(&d, 0), some(&["None", "x"]));
}

#[test]
fn numbers_parse_after_trimming_but_text_is_kept() {
    let d = csv(b"n,t\n 1 ,  padded \n+2.5e1,x\ninf,y\n-Infinity,z\n");
    let n = numbers(&d, 0);
    assert_eq!(n.get(..2), Some(&[1.0, 25.0][..]));
    assert_eq!(n.get(2), Some(&f64::INFINITY));
    assert_eq!(n.get(3), Some(&f64::NEG_INFINITY));
    assert_eq!(texts(&d, 1).first(), Some(&Some("  padded ".to_string())));
}

#[test]
fn header_detection() {
    let d = csv(b"1,2,3\n4,5,6\n");
    assert!(!d.dialect.has_header);
    assert_eq!(names(&d), ["column_1", "column_2", "column_3"]);
    assert_eq!(d.rows, 2);
    assert_eq!(numbers(&d, 0), vec![1.0, 4.0]);
    assert!(!d.notes.is_empty());

    let d = csv(b"height,weight\n1.5,60\n1.8,80\n");
    assert!(d.dialect.has_header);
    assert_eq!(names(&d), ["height", "weight"]);
    assert!(d.notes.is_empty(), "{:?}", d.notes);

    // A first row with repeated values that also occur below: data, not a header.
    let d = csv(b"yes,yes\nno,yes\nyes,no\n");
    assert!(!d.dialect.has_header);
    assert_eq!(d.rows, 3);

    // A single row of numbers is data.
    let d = csv(b"1,2\n");
    assert!(!d.dialect.has_header);
    assert_eq!(d.rows, 1);

    // Overrides.
    let forced = |bytes: &[u8], has_header| {
        read_csv_bytes(
            "t.csv",
            bytes,
            IngestOptions {
                has_header: Some(has_header),
                ..IngestOptions::default()
            },
        )
        .expect("read")
    };
    let d = forced(b"1,2\n3,4\n", true);
    assert_eq!(names(&d), ["1", "2"]);
    assert_eq!(d.rows, 1);
    let d = forced(b"a,b\n3,4\n", false);
    assert_eq!(names(&d), ["column_1", "column_2"]);
    assert_eq!(texts(&d, 0), some(&["a", "3"]));
}

#[test]
fn duplicate_and_empty_header_names() {
    let d = csv(b"name,name, ,age,name,\nx,y,z,1,w,v\n");
    assert_eq!(
        names(&d),
        ["name", "name_2", "column_3", "age", "name_3", "column_6"]
    );
}

#[test]
fn windows_1252_fallback() {
    let d = csv(b"name,city\nx,Z\xfcrich\ny,Paris\nz,\x93M\xfcnchen\x94\n");
    assert_eq!(
        texts(&d, 1),
        some(&["Zürich", "Paris", "\u{201c}München\u{201d}"])
    );
    assert_eq!(
        d.notes,
        ["Line 2 is not valid UTF-8; text was decoded as Windows-1252 (2 fields affected)."]
    );
    assert_eq!(
        d.preview.first().and_then(|r| r.get(1)).map(String::as_str),
        Some("Zürich")
    );
    // Valid UTF-8 is left alone.
    let d = csv("name,city\nx,Zürich\n".as_bytes());
    assert_eq!(texts(&d, 1), some(&["Zürich"]));
    assert!(d.notes.is_empty());
}

#[test]
fn numeric_column_turns_into_text() {
    let d = csv(b"v\n1\n2\nx\n");
    match &d.columns.first().expect("v").values {
        ColumnValues::Text { dictionary, codes } => {
            assert_eq!(dictionary, &["1", "2", "x"]);
            assert_eq!(codes, &[0, 1, 2]);
        }
        other => panic!("{other:?}"),
    }
    // Numbers are written back as the column wrote them when that is cheap to know.
    let d = csv(b"v\n1.50\n2.25\nNA\n10.00\nabc\n");
    assert_eq!(
        texts(&d, 0),
        vec![
            Some("1.50".into()),
            Some("2.25".into()),
            None,
            Some("10.00".into()),
            Some("abc".into())
        ]
    );
    let d = csv(b"v\n3\n-0.5\n7\nn/a\nfoo\n");
    assert_eq!(
        texts(&d, 0),
        vec![
            Some("3".into()),
            Some("-0.5".into()),
            Some("7".into()),
            None,
            Some("foo".into())
        ]
    );
}

#[test]
fn preview_holds_the_first_rows_raw() {
    let mut text = String::from("a,b\n");
    for i in 0..30 {
        text.push_str(&format!("{i}.0,\" t{i}\"\n"));
    }
    let d = csv(text.as_bytes());
    assert_eq!(d.rows, 30);
    assert_eq!(d.preview.len(), 20);
    assert_eq!(
        d.preview.first(),
        Some(&vec!["0.0".to_string(), " t0".to_string()])
    );
    assert_eq!(
        d.preview.last(),
        Some(&vec!["19.0".to_string(), " t19".to_string()])
    );
}

#[test]
fn text_after_many_numbers_is_noted() {
    let mut text = String::from("zip,n\n");
    for i in 0..12 {
        text.push_str(&format!("{},{i}\n", 10_000 + i));
    }
    text.push_str("12345-6789,12\n");
    let d = csv(text.as_bytes());
    assert_eq!(texts(&d, 0).first(), Some(&Some("10000".to_string())));
    assert_eq!(texts(&d, 0).last(), Some(&Some("12345-6789".to_string())));
    assert_eq!(
        d.notes,
        ["Column \"zip\" is read as text: line 14 has \"12345-6789\" after 12 numbers."]
    );
}
