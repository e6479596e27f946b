//! Column profiling on the bundled datasets and on synthetic columns of every kind.

use hearth::data::{
    ColumnKind, ColumnProfile, NumericSummary, Profile, Task, profile, suggest_task,
    target_problem, target_warnings,
};

use crate::support::{bundled, csv};

/// The profile of CSV text.
fn of(text: &str) -> Profile {
    profile(&csv(text))
}

fn column<'a>(p: &'a Profile, name: &str) -> &'a ColumnProfile {
    match p.columns.iter().find(|c| c.name == name) {
        Some(c) => c,
        None => panic!("no column {name}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn assert_summary(actual: &NumericSummary, expected: [f64; 7]) {
    let got = [
        actual.min,
        actual.max,
        actual.mean,
        actual.std,
        actual.p25,
        actual.median,
        actual.p75,
    ];
    for (g, e) in got.iter().zip(expected) {
        assert!(close(*g, e), "got {got:?}, expected {expected:?}");
    }
}

#[test]
fn penguins() {
    let p = profile(&bundled("penguins.csv"));
    assert_eq!(p.source, "penguins.csv");
    assert_eq!(p.rows, 344);
    assert!(p.dialect.has_header);
    assert_eq!(p.dialect.delimiter, b',');
    assert!(p.notes.is_empty(), "{:?}", p.notes);
    let species = column(&p, "species");
    assert_eq!(species.kind, ColumnKind::Categorical);
    assert_eq!(species.distinct, 3);
    assert_eq!(
        species.top.first().map(|c| (c.value.as_str(), c.count)),
        Some(("Adelie", 152))
    );
    let bill = column(&p, "bill_length_mm");
    assert_eq!(bill.kind, ColumnKind::Numeric);
    assert_eq!(bill.missing, 2);
    assert_eq!(bill.distinct, 164);
    // Computed with Python's statistics module (quantiles: method="inclusive", as numpy).
    let summary = bill.numeric.as_ref().expect("summary");
    assert_summary(
        summary,
        [
            32.1,
            59.6,
            43.9219298245614,
            5.4595837139265315,
            39.225,
            44.45,
            48.5,
        ],
    );
    let histogram = bill.histogram.as_ref().expect("histogram");
    assert_eq!(histogram.counts.len(), 20);
    assert_eq!(histogram.counts.iter().sum::<usize>(), 342);
    assert_eq!(column(&p, "year").kind, ColumnKind::Integer);
    assert_eq!(column(&p, "body_mass_g").kind, ColumnKind::Integer);
    assert_eq!(column(&p, "island").kind, ColumnKind::Categorical);
    let sex = column(&p, "sex");
    assert_eq!(sex.kind, ColumnKind::Categorical);
    assert_eq!(sex.missing, 11);
    assert_eq!(sex.distinct, 2);
    assert_eq!(p.suggested_target.as_deref(), Some("species"));
    assert_eq!(p.suggested_task, Some(Task::MulticlassClassification));
    assert_eq!(p.preview.len(), 20);
    assert_eq!(
        p.preview.get(3).and_then(|r| r.get(2)).map(String::as_str),
        Some("NA")
    );
}

#[test]
fn iris() {
    let p = profile(&bundled("iris.csv"));
    assert_eq!(p.rows, 150);
    assert_eq!(p.suggested_target.as_deref(), Some("species"));
    assert_eq!(p.suggested_task, Some(Task::MulticlassClassification));
    let sepal = column(&p, "sepal_length_cm");
    assert_eq!(sepal.kind, ColumnKind::Numeric);
    assert_eq!(sepal.missing, 0);
    assert_eq!(sepal.distinct, 35);
    assert_summary(
        sepal.numeric.as_ref().expect("summary"),
        [
            4.3,
            7.9,
            5.843333333333334,
            0.828066127977863,
            5.1,
            5.8,
            6.4,
        ],
    );
    let species = column(&p, "species");
    assert_eq!(species.kind, ColumnKind::Categorical);
    let top: Vec<(&str, usize)> = species
        .top
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    assert_eq!(top, [("setosa", 50), ("versicolor", 50), ("virginica", 50)]);
}

#[test]
fn diabetes() {
    let p = profile(&bundled("diabetes.csv"));
    assert_eq!(p.rows, 442);
    assert_eq!(p.suggested_target.as_deref(), Some("progression"));
    assert_eq!(p.suggested_task, Some(Task::Regression));
    let sex = column(&p, "sex");
    assert_eq!(sex.kind, ColumnKind::Boolean);
    assert_eq!(sex.distinct, 2);
    assert_eq!(sex.top.len(), 2);
    assert_eq!(column(&p, "age").kind, ColumnKind::Integer);
    assert_eq!(column(&p, "bmi").kind, ColumnKind::Numeric);
    let target = column(&p, "progression");
    assert_eq!(target.kind, ColumnKind::Integer);
    assert_summary(
        target.numeric.as_ref().expect("summary"),
        [
            25.0,
            346.0,
            152.13348416289594,
            77.09300453299109,
            87.0,
            140.5,
            211.5,
        ],
    );
    assert_eq!(suggest_task(&p, "sex"), Some(Task::BinaryClassification));
    assert_eq!(suggest_task(&p, "bmi"), Some(Task::Regression));
    assert_eq!(suggest_task(&p, "no such column"), None);
}

/// A CSV with `n` rows from a function of the row number, one column per function.
fn synthetic(columns: &[(&str, &dyn Fn(usize) -> String)], n: usize) -> String {
    let mut csv = columns.iter().map(|c| c.0).collect::<Vec<_>>().join(",");
    csv.push('\n');
    for i in 0..n {
        let row: Vec<String> = columns.iter().map(|c| (c.1)(i)).collect();
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    csv
}

#[test]
fn every_kind() {
    let words = [
        "the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "again",
    ];
    let csv = synthetic(
        &[
            ("user_id", &|i| {
                format!("{}", 1000 + i * 7 % 40 * 3 + i / 40)
            }),
            ("row", &|i| format!("{}", i + 1)),
            ("code", &|i| format!("AB{:04}X", (i * 37) % 1000)),
            ("when", &|i| {
                format!("2024-01-{:02}T10:{:02}:00Z", i % 28 + 1, i % 60)
            }),
            ("day", &|i| format!("{:02}/03/2023", i % 31 + 1)),
            ("comment", &|i| {
                let w = |k: usize| words[(i * 3 + k * 7) % words.len()];
                format!("\"{} {} {} {} number {i}\"", w(0), w(1), w(2), w(3))
            }),
            ("same", &|_| "x".to_string()),
            ("nothing", &|i| ["", "NA", "?"][i % 3].to_string()),
            ("flag", &|i| ["yes", "No"][i % 2].to_string()),
            ("bit", &|i| format!("{}", i % 3 % 2)),
            ("color", &|i| {
                ["red", "green", "blue", "red"][i % 4].to_string()
            }),
            ("count", &|i| format!("{}", i % 7)),
            ("ratio", &|i| format!("{}", i as f64 / 8.0)),
        ],
        40,
    );
    let p = of(&csv);
    let kind = |name: &str| column(&p, name).kind;
    assert_eq!(kind("user_id"), ColumnKind::Identifier);
    assert_eq!(kind("row"), ColumnKind::Identifier);
    assert_eq!(kind("code"), ColumnKind::Identifier);
    assert_eq!(kind("when"), ColumnKind::DateTime);
    assert_eq!(kind("day"), ColumnKind::DateTime);
    assert_eq!(kind("comment"), ColumnKind::Text);
    assert_eq!(kind("same"), ColumnKind::Constant);
    assert_eq!(kind("nothing"), ColumnKind::AllMissing);
    assert_eq!(kind("flag"), ColumnKind::Boolean);
    assert_eq!(kind("bit"), ColumnKind::Boolean);
    assert_eq!(kind("color"), ColumnKind::Categorical);
    assert_eq!(kind("count"), ColumnKind::Integer);
    assert_eq!(kind("ratio"), ColumnKind::Numeric);

    let nothing = column(&p, "nothing");
    assert_eq!((nothing.missing, nothing.distinct), (40, 0));
    assert!(nothing.numeric.is_none() && nothing.histogram.is_none() && nothing.top.is_empty());
    let same = column(&p, "same");
    assert_eq!(same.distinct, 1);
    assert_eq!(
        same.top.first().map(|c| (c.value.as_str(), c.count)),
        Some(("x", 40))
    );
    // Text booleans get a 0/1 summary: "yes" = 1.
    let flag = column(&p, "flag");
    assert_eq!(flag.numeric.as_ref().map(|s| s.mean), Some(0.5));
    // Date/time histogram over Unix seconds.
    let day = column(&p, "day").histogram.as_ref().expect("histogram");
    assert_eq!(day.min, 1_677_628_800.0); // 2023-03-01
    assert_eq!(day.max, 1_680_220_800.0); // 2023-03-31
    assert_eq!(day.counts.iter().sum::<usize>(), 40);

    // Identifiers, free text, date/time and constants are not targets; the last usable column is.
    assert_eq!(p.suggested_target.as_deref(), Some("ratio"));
    assert_eq!(p.suggested_task, Some(Task::Regression));
    for unusable in ["user_id", "code", "when", "comment", "same", "nothing"] {
        assert_eq!(suggest_task(&p, unusable), None, "{unusable}");
    }
    assert_eq!(suggest_task(&p, "flag"), Some(Task::BinaryClassification));
    assert_eq!(suggest_task(&p, "bit"), Some(Task::BinaryClassification));
    assert_eq!(
        suggest_task(&p, "color"),
        Some(Task::MulticlassClassification)
    );
    assert_eq!(
        suggest_task(&p, "count"),
        Some(Task::MulticlassClassification)
    );
    assert_eq!(suggest_task(&p, "row"), None);
}

#[test]
fn small_columns_are_not_identifiers() {
    // Fewer than 20 rows: distinct integers are just integers, distinct words categorical.
    let p = of("id,name\n1,a\n2,b\n3,c\n");
    assert_eq!(column(&p, "id").kind, ColumnKind::Integer);
    assert_eq!(column(&p, "name").kind, ColumnKind::Categorical);
    // Distinct floats are never identifiers.
    let csv = synthetic(&[("x", &|i| format!("{}.5", i))], 30);
    assert_eq!(column(&of(&csv), "x").kind, ColumnKind::Numeric);
}

#[test]
fn numeric_summary_by_hand() {
    // 1, 2, 3, 4, 10: mean 4; squared deviations 9+4+1+0+36 = 50, /4 = 12.5; quartiles 2, 3, 4.
    let p = of("v,w\n3,a\n1,b\nNA,c\n10,d\n2,e\n4,f\n");
    let v = column(&p, "v");
    assert_eq!(v.kind, ColumnKind::Integer);
    assert_eq!((v.missing, v.distinct), (1, 5));
    assert_summary(
        v.numeric.as_ref().expect("summary"),
        [1.0, 10.0, 4.0, 12.5f64.sqrt(), 2.0, 3.0, 4.0],
    );
    let h = v.histogram.as_ref().expect("histogram");
    assert_eq!((h.min, h.max), (1.0, 10.0));
    let mut expected = vec![0usize; 20];
    for bin in [0, 2, 4, 6, 19] {
        expected[bin] = 1;
    }
    assert_eq!(h.counts, expected);
    assert!(v.top.is_empty());

    // One value: std 0, one bin.
    let p = of("v,w\n7.5,a\n");
    let v = column(&p, "v");
    assert_eq!(v.kind, ColumnKind::Constant);
    assert_summary(
        v.numeric.as_ref().expect("summary"),
        [7.5, 7.5, 7.5, 0.0, 7.5, 7.5, 7.5],
    );
    assert_eq!(
        v.histogram.as_ref().map(|h| h.counts.clone()),
        Some(vec![1])
    );

    // Infinities are values (not missing) but stay out of the statistics.
    let p = of("v\n1\ninf\n3\n-inf\n2.5\n");
    let v = column(&p, "v");
    assert_eq!((v.kind, v.missing, v.distinct), (ColumnKind::Numeric, 0, 5));
    assert_summary(
        v.numeric.as_ref().expect("summary"),
        [1.0, 3.0, 6.5 / 3.0, 1.0408329997330663, 1.75, 2.5, 2.75],
    );
    // Finite numbers only in JSON: no nulls.
    let json = serde_json::to_string(&p).expect("json");
    assert!(!json.contains("null"), "{json}");
}

#[test]
fn top_values_ties_by_value() {
    let p = of("c,n\nb,1\na,2\nc,3\nb,4\na,5\nd,6\nc,7\n");
    let top: Vec<(&str, usize)> = column(&p, "c")
        .top
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    assert_eq!(top, [("a", 2), ("b", 2), ("c", 2), ("d", 1)]);
    let csv = synthetic(
        &[
            ("c", &|i| format!("v{:02}", i % 25)),
            ("n", &|i| format!("{i}")),
        ],
        100,
    );
    let c = column(&of(&csv), "c").top.clone();
    assert_eq!(c.len(), 10);
    assert_eq!(
        c.first().map(|c| (c.value.as_str(), c.count)),
        Some(("v00", 4))
    );
}

#[test]
fn suggested_targets() {
    // A conventional name wins over position…
    let p = of("label,x\nyes,1.5\nno,2.5\nyes,3.5\n");
    assert_eq!(p.suggested_target.as_deref(), Some("label"));
    assert_eq!(p.suggested_task, Some(Task::BinaryClassification));
    let p = of("House_Price,rooms\n100.5,3\n200.25,4\n150,2\n");
    assert_eq!(p.suggested_target.as_deref(), Some("rooms"));
    let p = of("price,rooms\n100.5,3\n200.25,4\n150,2\n");
    assert_eq!(p.suggested_target.as_deref(), Some("price"));
    assert_eq!(p.suggested_task, Some(Task::Regression));
    let p = of("churn_label,a\nx,1\ny,2\nz,3\n");
    assert_eq!(p.suggested_target.as_deref(), Some("churn_label"));
    assert_eq!(p.suggested_task, Some(Task::MulticlassClassification));
    // …unless that column is unusable.
    let p = of("target,x\nk,1.5\nk,2.5\nk,3.5\n");
    assert_eq!(p.suggested_target.as_deref(), Some("x"));
    // Categorical columns with more than 50 values are skipped in the fallback.
    let csv = synthetic(
        &[
            ("n", &|i| format!("{}", i % 2)),
            ("cat", &|i| format!("c{} d", i % 60)),
        ],
        120,
    );
    let p = of(&csv);
    assert_eq!(column(&p, "cat").kind, ColumnKind::Categorical);
    assert_eq!(p.suggested_target.as_deref(), Some("n"));
    assert_eq!(p.suggested_task, Some(Task::BinaryClassification));
    // Nothing usable.
    let p = of("a\nx\n");
    assert_eq!((p.suggested_target, p.suggested_task), (None, None));
}

#[test]
fn labels_and_serde() {
    assert_eq!(ColumnKind::DateTime.label(), "date/time");
    assert_eq!(ColumnKind::Text.label(), "free text");
    assert_eq!(ColumnKind::AllMissing.label(), "all missing");
    assert_eq!(
        Task::MulticlassClassification.label(),
        "multiclass classification"
    );
    assert_eq!(
        serde_json::to_string(&ColumnKind::AllMissing)
            .ok()
            .as_deref(),
        Some("\"all_missing\"")
    );
    assert_eq!(
        serde_json::to_string(&Task::BinaryClassification)
            .ok()
            .as_deref(),
        Some("\"binary_classification\"")
    );
    let p = profile(&bundled("penguins.csv"));
    let json = serde_json::to_string(&p).expect("json");
    let back: Profile = serde_json::from_str(&json).expect("parse");
    // serde_json parses floats to within an ulp or so, so compare the numbers loosely.
    assert_eq!(
        (back.rows, &back.preview, &back.suggested_target),
        (p.rows, &p.preview, &p.suggested_target)
    );
    assert_eq!(back.columns.len(), p.columns.len());
    for (b, c) in back.columns.iter().zip(&p.columns) {
        assert_eq!(
            (&b.name, b.kind, b.missing, b.distinct, &b.top),
            (&c.name, c.kind, c.missing, c.distinct, &c.top)
        );
        assert_eq!(
            b.histogram.as_ref().map(|h| &h.counts),
            c.histogram.as_ref().map(|h| &h.counts)
        );
        match (&b.numeric, &c.numeric) {
            (Some(x), Some(y)) => {
                assert_summary(x, [y.min, y.max, y.mean, y.std, y.p25, y.median, y.p75])
            }
            (None, None) => {}
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn nearly_unique_text_is_free_text_or_an_identifier_and_never_a_target() {
    // 40 rows: a name per row but one repeated (97.5% distinct), a code per row, a city.
    let mut csv = String::from("name,code,city,y\n");
    for i in 0..40 {
        let name = if i == 39 { 0 } else { i };
        csv.push_str(&format!(
            "\"Surname{name}, Mr. Given\",C{i:04},{},{}\n",
            ["Oslo", "Bergen"][i % 2],
            i % 3
        ));
    }
    let p = of(&csv);
    assert_eq!(column(&p, "name").kind, ColumnKind::Text);
    assert_eq!(column(&p, "code").kind, ColumnKind::Identifier);
    assert_eq!(column(&p, "city").kind, ColumnKind::Categorical);
    assert_eq!(suggest_task(&p, "name"), None);
    assert_eq!(
        target_problem(&p, column(&p, "name")).as_deref(),
        Some("it is free text or names (39 distinct values in 40 rows)")
    );
    assert_eq!(
        target_problem(&p, column(&p, "code")).as_deref(),
        Some("it identifies rows (40 distinct values in 40 rows) rather than describing them")
    );
    assert_eq!(target_problem(&p, column(&p, "city")), None);
}

#[test]
fn a_category_with_too_many_classes_for_its_rows_is_no_target() {
    // 30 classes in 400 rows: 7.5% of the rows.
    let mut csv = String::from("x,kind\n");
    for i in 0..400 {
        csv.push_str(&format!("{i},k{}\n", i % 30));
    }
    let p = of(&csv);
    assert_eq!(suggest_task(&p, "kind"), None);
    let problem = target_problem(&p, column(&p, "kind")).unwrap_or_default();
    assert!(
        problem.starts_with("it has 30 classes in 400 rows, more than 5% of the rows"),
        "{problem}"
    );
    // 20 classes are never too many, even in few rows.
    let mut small = String::from("x,kind\n");
    for i in 0..40 {
        small.push_str(&format!("{i},k{}\n", i % 20));
    }
    assert_eq!(
        suggest_task(&of(&small), "kind"),
        Some(Task::MulticlassClassification)
    );
}

#[test]
fn a_constant_target_says_why_and_missing_targets_warn() {
    let p = of("a,b\nsame,1\nsame,\nsame,3\nsame,4\n");
    assert_eq!(
        target_problem(&p, column(&p, "a")).as_deref(),
        Some("every row has the same value (\"same\")")
    );
    assert_eq!(
        target_warnings(&p, "b"),
        ["1 of 4 rows have no value for \"b\"; they are left out of training and testing."]
    );
    assert!(target_warnings(&p, "a").is_empty());
}

#[test]
fn the_suggested_target_is_not_a_time_part() {
    let mut csv = String::from("carrier,distance,arr_delay,dep_time,hour,minute\n");
    for i in 0..50 {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            ["AA", "UA"][i % 2],
            100 + 7 * i,
            (i as i64 * 13) % 50 - 20,
            500 + i,
            i % 24,
            (i * 7) % 60
        ));
    }
    assert_eq!(of(&csv).suggested_target.as_deref(), Some("arr_delay"));
}

#[test]
fn a_column_of_numbers_with_some_text_first_gets_a_note() {
    let mut csv = String::from("x,y\nunknown,1\n");
    for i in 0..30 {
        csv.push_str(&format!("{},{}\n", i % 10, i % 2));
    }
    let p = of(&csv);
    assert_eq!(column(&p, "x").kind, ColumnKind::Categorical);
    let note = p.notes.join(" ");
    assert!(
        note.contains(
            "Column \"x\" mixes numbers and text (30 of 31 values are numbers, but not \"unknown\")"
        ),
        "{note}"
    );
    // Text after ten numbers: ingest's note with the line, and no second one.
    let mut late = String::from("x,y\n");
    for i in 0..30 {
        late.push_str(&format!("{},{}\n", i % 10, i % 2));
    }
    late.push_str("unknown,1\n");
    let p = of(&late);
    assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
    assert!(p.notes[0].contains("line 32"), "{:?}", p.notes);
}

#[test]
fn a_shuffled_row_index_is_an_identifier_even_without_a_name() {
    // A data frame written with its row names (R: "rownames" or an empty header; pandas:
    // "Unnamed: 0"), then split at random, so the index is out of order.
    let mut csv = String::from(",rownames,Unnamed: 0,position,area,y\n");
    let mut order: Vec<u64> = (1..=150).collect();
    let mut state = 7u64;
    for i in (1..order.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        order.swap(i, (state >> 33) as usize % (i + 1));
    }
    for (row, &index) in order.iter().enumerate() {
        // `position`: unique and dense but in order; `area`: unique, spread far apart.
        csv.push_str(&format!(
            "{index},{index},{},{row},{},{}\n",
            index - 1,
            index * 37 + 1000,
            row % 3
        ));
    }
    let p = of(&csv);
    let kind = |name: &str| column(&p, name).kind;
    assert_eq!(kind("column_1"), ColumnKind::Identifier);
    assert_eq!(kind("rownames"), ColumnKind::Identifier);
    assert_eq!(kind("Unnamed: 0"), ColumnKind::Identifier);
    assert_eq!(kind("position"), ColumnKind::Identifier);
    assert_eq!(kind("area"), ColumnKind::Integer);
}
