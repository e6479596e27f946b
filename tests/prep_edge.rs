//! Preprocessing edge cases: leakage, single class, all-missing and constant columns, unseen
//! categories at inference, tiny classes, infinities, missing targets, dates, decimal commas,
//! and user overrides (applied, or refused with one sentence).

use hearth::data::{
    Column, ColumnValues, Dataset, Dialect, IngestOptions, MISSING_CODE, Task, profile,
    read_csv_bytes,
};
use hearth::prep::{
    Action, ColumnChoice, ColumnSettings, DatePart, Encoding, FittedPipeline, Impute, Plan,
    PrepConfig, PrepError, Prepared, Scale, Step, TargetEncoding, Targets, fit, plan,
};

fn csv(text: &str) -> Dataset {
    match read_csv_bytes("edge.csv", text.as_bytes(), IngestOptions::default()) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    }
}

fn text_column(name: &str, values: &[Option<&str>]) -> Column {
    let mut dictionary: Vec<String> = Vec::new();
    let codes = values
        .iter()
        .map(|v| match v {
            None => MISSING_CODE,
            Some(v) => match dictionary.iter().position(|d| d == v) {
                Some(i) => i as u32,
                None => {
                    dictionary.push(v.to_string());
                    dictionary.len() as u32 - 1
                }
            },
        })
        .collect();
    Column {
        name: name.to_string(),
        values: ColumnValues::Text { dictionary, codes },
    }
}

fn numeric_column(name: &str, values: Vec<f64>) -> Column {
    Column {
        name: name.to_string(),
        values: ColumnValues::Numeric(values),
    }
}

fn dataset(columns: Vec<Column>) -> Dataset {
    let rows = columns.first().map_or(0, Column::len);
    Dataset {
        source: "synthetic".to_string(),
        dialect: Dialect {
            delimiter: b',',
            has_header: true,
            decimal_comma: false,
        },
        columns,
        rows,
        preview: Vec::new(),
        notes: Vec::new(),
    }
}

fn try_prepare(
    dataset: &Dataset,
    target: &str,
    task: Task,
    config: &PrepConfig,
) -> Result<(Plan, Prepared), PrepError> {
    let plan = plan(&profile(dataset), target, task, config)?;
    let prepared = fit(dataset, &plan, config)?;
    Ok((plan, prepared))
}

fn prepare(dataset: &Dataset, target: &str, task: Task, config: &PrepConfig) -> (Plan, Prepared) {
    match try_prepare(dataset, target, task, config) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

fn config(json: &str) -> PrepConfig {
    match PrepConfig::from_json(json) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

fn feature(pipeline: &FittedPipeline, name: &str) -> usize {
    match pipeline.feature_names.iter().position(|n| n == name) {
        Some(i) => i,
        None => panic!("no feature {name} in {:?}", pipeline.feature_names),
    }
}

fn step<'a>(pipeline: &'a FittedPipeline, column: &str) -> &'a Step {
    match pipeline.steps.iter().find(|s| s.column == column) {
        Some(s) => &s.step,
        None => panic!("no step for {column}"),
    }
}

fn all_rows(dataset: &Dataset) -> Vec<usize> {
    (0..dataset.rows).collect()
}

/// Batch and single-row paths agree bit for bit on every row, and every cell is finite.
fn assert_consistent(pipeline: &FittedPipeline, dataset: &Dataset) {
    let matrix = match pipeline.transform_dataset(dataset, &all_rows(dataset)) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    assert!(matrix.values.iter().all(|v| v.is_finite()), "{matrix:?}");
    for row in 0..dataset.rows {
        let raw: Vec<Option<String>> = dataset.columns.iter().map(|c| c.raw(row)).collect();
        let fields: Vec<Option<&str>> = raw.iter().map(Option::as_deref).collect();
        let single = pipeline.transform_row(&fields);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&single), bits(matrix.row(row)), "row {row}");
    }
}

fn sorted_median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn amount(row: usize) -> f64 {
    (row % 17) as f64 * 2.5 + row as f64 * 0.1
}

/// Builds a mixed dataset of 80 rows whose valid and test rows can be poisoned.
fn leakage_dataset(poison: &[usize]) -> Dataset {
    let n = 80;
    let poisoned = |row: usize| poison.contains(&row);
    let x: Vec<f64> = (0..n)
        .map(|r| {
            if poisoned(r) {
                1e6 + r as f64
            } else if r % 11 == 0 {
                f64::NAN
            } else {
                ((r * 37) % 23) as f64 + 0.5
            }
        })
        .collect();
    let z: Vec<f64> = (0..n)
        .map(|r| {
            if poisoned(r) {
                -5e5
            } else {
                (r % 7) as f64 * 1.5
            }
        })
        .collect();
    let colours = ["red", "green", "blue"];
    let colour: Vec<Option<&str>> = (0..n)
        .map(|r| {
            if poisoned(r) {
                Some("LEAK")
            } else {
                colours.get(r % 3).copied()
            }
        })
        .collect();
    let codes: Vec<String> = (0..n)
        .map(|r| {
            if poisoned(r) {
                "LEAK".to_string()
            } else {
                format!("k{}", r % 13)
            }
        })
        .collect();
    let code: Vec<Option<&str>> = codes.iter().map(|s| Some(s.as_str())).collect();
    let dates: Vec<String> = (0..n)
        .map(|r| {
            if poisoned(r) {
                "2099-12-31".to_string()
            } else {
                format!("20{:02}-{:02}-{:02}", 10 + r % 5, 1 + r % 12, 1 + r % 28)
            }
        })
        .collect();
    let date: Vec<Option<&str>> = dates.iter().map(|s| Some(s.as_str())).collect();
    let y: Vec<Option<&str>> = (0..n)
        .map(|r| Some(if r % 3 == 0 { "yes_class" } else { "no_class" }))
        .collect();
    let amount: Vec<f64> = (0..n)
        .map(|r| if poisoned(r) { 1e9 } else { amount(r) })
        .collect();
    dataset(vec![
        numeric_column("x", x),
        numeric_column("z", z),
        text_column("colour", &colour),
        text_column("code", &code),
        text_column("date", &date),
        text_column("y", &y),
        numeric_column("amount", amount),
    ])
}

#[test]
fn statistics_come_from_the_training_rows_only() {
    let config = config(
        r#"{"one_hot_max": 5, "rare_min_count": 1,
            "columns": {"z": {"impute": "mean", "scale": "min_max"},
                        "code": {"encoding": "frequency"}}}"#,
    );
    let clean = leakage_dataset(&[]);
    let (plan, prepared) = prepare(&clean, "y", Task::BinaryClassification, &config);
    let split = prepared.split.clone();
    let held_out: Vec<usize> = [&split.valid[..], &split.test[..]].concat();
    assert!(!held_out.is_empty());

    // Poison every validation and test row with extreme values and new categories, and fit
    // the same plan again: the split is the same, and so must be every fitted statistic.
    let poisoned = leakage_dataset(&held_out);
    let refit = match fit(&poisoned, &plan, &config) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(refit.split, split);
    assert_eq!(
        refit.pipeline, prepared.pipeline,
        "a statistic depends on validation or test rows"
    );
    assert_consistent(&refit.pipeline, &poisoned);

    // And explicitly: each statistic equals the training rows' one, not the all-rows one.
    let x = poisoned.column("x").map(|c| c.values.clone());
    let Some(ColumnValues::Numeric(x)) = x else {
        panic!("x is numeric");
    };
    let train_x: Vec<f64> = split
        .train
        .iter()
        .map(|&r| x[r])
        .filter(|v| !v.is_nan())
        .collect();
    let all_x: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    let Step::Numeric(sx) = step(&refit.pipeline, "x") else {
        panic!("numeric step for x");
    };
    let train_median = sorted_median(train_x.clone()) as f32;
    assert_eq!(sx.impute, train_median);
    assert_ne!(sx.impute, sorted_median(all_x.clone()) as f32);
    // The standard scaler sees the imputed training values.
    let imputed: Vec<f64> = split
        .train
        .iter()
        .map(|&r| {
            if x[r].is_nan() {
                f64::from(train_median)
            } else {
                x[r]
            }
        })
        .collect();
    assert!((f64::from(sx.scaler.center) - mean(&imputed)).abs() < 1e-4);
    assert!(f64::from(sx.scaler.center) < 100.0);

    let Step::Numeric(sz) = step(&refit.pipeline, "z") else {
        panic!("numeric step for z");
    };
    assert_eq!(sz.scaler.kind, Scale::MinMax);
    assert_eq!(sz.scaler.center, 0.0, "min of training z, not -5e5");
    assert_eq!(sz.low, 0.0);

    let Step::OneHot(colour) = step(&refit.pipeline, "colour") else {
        panic!("one-hot colour");
    };
    assert_eq!(colour.categories, ["blue", "green", "red"]);
    let Step::Frequency(code) = step(&refit.pipeline, "code") else {
        panic!("frequency code");
    };
    assert!(!code.categories.iter().any(|c| c == "LEAK"));
    let total: f32 = code.frequencies.iter().sum();
    assert!((total - 1.0).abs() < 1e-5, "shares of the training rows");
    let Step::Date(date) = step(&refit.pipeline, "date") else {
        panic!("date step");
    };
    let year = date.parts.iter().find(|p| p.part == DatePart::Year);
    assert!(year.is_some_and(|p| p.scaler.center < 2015.0 && p.impute < 2015.0));

    // A poisoned category at inference is simply unseen.
    let matrix = match refit.pipeline.transform_dataset(&poisoned, &split.test) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let other = feature(&refit.pipeline, "colour=(other)");
    assert!((0..matrix.rows).all(|r| matrix.row(r).get(other) == Some(&1.0)));
}

#[test]
fn the_regression_target_is_scaled_with_training_rows_only() {
    let clean = leakage_dataset(&[]);
    let config = PrepConfig::default();
    let (plan, prepared) = prepare(&clean, "amount", Task::Regression, &config);
    let split = &prepared.split;
    let held_out: Vec<usize> = [&split.valid[..], &split.test[..]].concat();
    let poisoned = leakage_dataset(&held_out);
    let refit = match fit(&poisoned, &plan, &config) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(&refit.split, split);
    assert_eq!(refit.pipeline, prepared.pipeline);
    let TargetEncoding::Regression { mean: m, .. } = refit.pipeline.target_encoding else {
        panic!("regression");
    };
    let train: Vec<f64> = split.train.iter().map(|&r| amount(r)).collect();
    assert!((f64::from(m) - mean(&train)).abs() < 1e-3);
}

#[test]
fn a_single_class_is_refused_with_a_clear_message() {
    let d = csv("x,y\n1,a\n2,a\n3,a\n4,\n");
    let e = try_prepare(&d, "y", Task::BinaryClassification, &PrepConfig::default());
    let Err(e) = e else {
        panic!("single class accepted");
    };
    assert_eq!(
        e,
        PrepError::SingleClass {
            target: "y".to_string(),
            class: "a".to_string()
        }
    );
    assert_eq!(
        e.to_string(),
        "The target \"y\" has a single class (\"a\"), and classification needs at least two."
    );
    // The same when the plan allows it but the data does not (only missing otherwise).
    let other = csv("x,y\n1,a\n2,b\n3,b\n");
    let plan = match plan(
        &profile(&other),
        "y",
        Task::BinaryClassification,
        &PrepConfig::default(),
    ) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert!(matches!(
        fit(&d, &plan, &PrepConfig::default()),
        Err(PrepError::SingleClass { .. })
    ));
}

#[test]
fn all_missing_constant_and_identifier_columns_are_dropped_with_reasons() {
    let mut text = String::from("id,empty,same,x,label\n");
    for i in 0..30 {
        text.push_str(&format!(
            "u{i},NA,7,{},{}\n",
            i % 5,
            if i % 2 == 0 { "a" } else { "b" }
        ));
    }
    let d = csv(&text);
    let (plan, prepared) = prepare(
        &d,
        "label",
        Task::BinaryClassification,
        &PrepConfig::default(),
    );
    let reason = |c: &str| {
        plan.decision(c)
            .map(|d| (d.action.clone(), d.reason.clone()))
    };
    assert_eq!(
        reason("id"),
        Some((
            Action::Drop,
            "identifier-like: 30 distinct values, (nearly) one per row, so it names rows rather than describes them".to_string()
        ))
    );
    assert_eq!(
        reason("empty"),
        Some((
            Action::Drop,
            "all missing: no value to learn from".to_string()
        ))
    );
    assert_eq!(
        reason("same"),
        Some((Action::Drop, "constant: one value (7)".to_string()))
    );
    assert_eq!(prepared.pipeline.feature_names, ["x"]);
    assert_consistent(&prepared.pipeline, &d);

    // Keeping an all-missing column is refused; keeping the others works.
    let e = try_prepare(
        &d,
        "label",
        Task::BinaryClassification,
        &config(r#"{"columns": {"empty": "keep"}}"#),
    );
    assert!(matches!(e, Err(PrepError::NotApplicable { ref column, .. }) if column == "empty"));
    let (plan, prepared) = prepare(
        &d,
        "label",
        Task::BinaryClassification,
        &config(r#"{"columns": {"id": {"encoding": "frequency"}, "same": "keep"}}"#),
    );
    assert!(plan.decision("id").is_some_and(|d| d.overridden));
    assert_eq!(prepared.pipeline.feature_names, ["id", "same", "x"]);
    assert_consistent(&prepared.pipeline, &d);
}

#[test]
fn unseen_categories_missing_values_and_garbage_never_fail_at_inference() {
    let d = match hearth::data::read_csv_path(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/penguins.csv"),
        IngestOptions::default(),
    ) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let (_, prepared) = prepare(
        &d,
        "species",
        Task::MulticlassClassification,
        &PrepConfig::default(),
    );
    let p = &prepared.pipeline;
    let width = p.feature_names.len();
    // species, island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex, year
    let row = p.transform_row(&[
        Some("Adelie"),
        Some("Atlantis"),
        Some("NA"),
        Some("not a number"),
        Some("inf"),
        Some("-inf"),
        Some("unknown"),
        None,
    ]);
    assert_eq!(row.len(), width);
    assert!(row.iter().all(|v| v.is_finite()));
    assert_eq!(row.get(feature(p, "island=(other)")), Some(&1.0));
    assert_eq!(row.get(feature(p, "island=Biscoe")), Some(&0.0));
    assert_eq!(row.get(feature(p, "sex=(other)")), Some(&1.0));
    let Step::Numeric(bill) = step(p, "bill_length_mm") else {
        panic!("numeric");
    };
    let imputed = ((f64::from(bill.impute) - f64::from(bill.scaler.center))
        / f64::from(bill.scaler.scale)) as f32;
    assert_eq!(row.get(feature(p, "bill_length_mm")), Some(&imputed));
    // Missing sex is its own (frequent) category in penguins.
    let missing_sex = p.transform_row(&[None, None, None, None, None, None, Some("NA"), None]);
    assert_eq!(missing_sex.get(feature(p, "sex=(missing)")), Some(&1.0));
    // Empty, short and over-long rows.
    for raw in [vec![], vec![None], vec![Some(""); 3], vec![Some("x"); 20]] {
        let out = p.transform_row(&raw);
        assert_eq!(out.len(), width);
        assert!(out.iter().all(|v| v.is_finite()));
    }
    assert_eq!(p.transform_named(&Default::default()), p.transform_row(&[]));
}

#[test]
fn a_class_with_one_row_goes_to_training_with_a_note() {
    let mut text = String::from("x,y\n");
    for i in 0..40 {
        text.push_str(&format!("{i},{}\n", if i % 2 == 0 { "a" } else { "b" }));
    }
    text.push_str("99,rare\n");
    text.push_str("98,pair\n97,pair\n");
    let d = csv(&text);
    // By default the two tiny classes are pooled: their names stay out of the model.
    let (_, pooled) = prepare(
        &d,
        "y",
        Task::MulticlassClassification,
        &PrepConfig::default(),
    );
    assert_eq!(
        pooled.pipeline.target_encoding,
        TargetEncoding::Labels {
            classes: vec!["a".into(), "b".into(), "(other)".into()]
        }
    );
    let notes = pooled.summary.notes.join(" ");
    assert!(
        notes.contains("2 classes of \"y\" seen fewer than 5 times are pooled as \"(other)\""),
        "{notes}"
    );
    match pooled.pipeline.encode_targets(&d, &[40, 41, 0]) {
        Ok(Targets::Classes(c)) => assert_eq!(c, [2, 2, 0]),
        other => panic!("{other:?}"),
    }
    // Kept as they are when the user lowers the minimum to 1.
    let (_, prepared) = prepare(
        &d,
        "y",
        Task::MulticlassClassification,
        &config(r#"{"rare_min_count": 1}"#),
    );
    let split = &prepared.split;
    assert!(split.train.contains(&40), "the single 'rare' row trains");
    assert!(split.train.contains(&41) && split.train.contains(&42));
    let notes = prepared.summary.notes.join(" ");
    assert!(
        notes.contains("Class \"rare\" has only 1 row with a target"),
        "{notes}"
    );
    assert!(notes.contains("Class \"pair\" has only 2 rows"), "{notes}");
    assert!(!split.valid.is_empty() && !split.test.is_empty());
    // The class list has every class, and every training target encodes.
    match prepared.pipeline.encode_targets(&d, &split.train) {
        Ok(Targets::Classes(c)) => assert!(c.contains(&3)),
        other => panic!("{other:?}"),
    }
    assert_eq!(prepared.pipeline.class_name(2), Some("pair"));

    // With folds the tiny classes train in every fold.
    let folds = PrepConfig {
        folds: Some(3),
        rare_min_count: 1,
        ..PrepConfig::default()
    };
    let (_, prepared) = prepare(&d, "y", Task::MulticlassClassification, &folds);
    for i in 0..3 {
        assert!(prepared.split.fold_train(i).contains(&40));
    }
    // More folds than training rows is a setting error.
    let small = csv("x,y\n1,a\n2,b\n3,a\n4,b\n");
    let e = try_prepare(
        &small,
        "y",
        Task::BinaryClassification,
        &PrepConfig {
            folds: Some(10),
            rare_min_count: 1,
            ..PrepConfig::default()
        },
    );
    assert!(
        matches!(&e, Err(PrepError::Setting { setting, .. }) if setting == "folds"),
        "{e:?}"
    );
}

#[test]
fn infinities_become_the_training_extremes_and_never_reach_the_features() {
    let mut text = String::from("x,big,y\n");
    for i in 0..30 {
        let x = match i {
            3 => "inf".to_string(),
            4 => "-inf".to_string(),
            5 => "Infinity".to_string(),
            6 => "1e308".to_string(),
            _ => format!("{}", i % 10),
        };
        text.push_str(&format!(
            "{x},{},{}\n",
            if i % 2 == 0 { "1e300" } else { "-1e300" },
            i % 4
        ));
    }
    let d = csv(&text);
    let (_, prepared) = prepare(&d, "y", Task::Regression, &PrepConfig::default());
    assert_consistent(&prepared.pipeline, &d);
    let p = &prepared.pipeline;
    let Step::Numeric(x) = step(p, "x") else {
        panic!("numeric");
    };
    assert!(x.high.is_finite() && x.low.is_finite());
    let plus = p.transform_row(&[Some("inf")]);
    let at_high = p.transform_row(&[Some(&format!("{}", f64::from(x.high)))]);
    assert_eq!(plus.first(), at_high.first());
    let minus = p.transform_row(&[Some("-inf")]);
    let at_low = p.transform_row(&[Some(&format!("{}", f64::from(x.low)))]);
    assert_eq!(minus.first(), at_low.first());
    let all = all_rows(&d);
    let matrix = match p.transform_dataset(&d, &all) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    assert!(matrix.values.iter().all(|v| v.is_finite()));
    match p.encode_targets(&d, &all) {
        Ok(Targets::Values(v)) => assert!(v.iter().all(|y| y.is_finite())),
        other => panic!("{other:?}"),
    }
}

#[test]
fn rows_without_a_target_are_left_out_with_a_note() {
    let mut text = String::from("x,y\n");
    for i in 0..20 {
        let y = if i % 5 == 0 {
            "NA".to_string()
        } else {
            format!("{}", i as f64 * 1.5)
        };
        text.push_str(&format!("{i},{y}\n"));
    }
    text.push_str("7,inf\n");
    let d = csv(&text);
    let (_, prepared) = prepare(&d, "y", Task::Regression, &PrepConfig::default());
    assert_eq!(prepared.summary.excluded_rows, 5);
    assert_eq!(prepared.summary.rows, 16);
    assert!(
        prepared
            .summary
            .notes
            .iter()
            .any(|n| n == "5 rows without a usable value for the target \"y\" are left out."),
        "{:?}",
        prepared.summary.notes
    );
    let split = &prepared.split;
    for row in [0, 5, 10, 15, 20] {
        assert!(
            !split.train.contains(&row)
                && !split.valid.contains(&row)
                && !split.test.contains(&row)
        );
    }
    assert_eq!(
        prepared.pipeline.encode_targets(&d, &[0]),
        Err(PrepError::MissingTarget {
            row: 0,
            target: "y".to_string()
        })
    );
    let e = csv("x,y\n1,NA\n2,NA\n3,5\n");
    let plan = match plan(&profile(&e), "y", Task::Regression, &PrepConfig::default()) {
        Err(err) => err.to_string(),
        Ok(_) => String::new(),
    };
    assert!(plan.contains("one value"), "{plan}");
}

#[test]
fn dates_become_parts_and_unreadable_dates_are_imputed() {
    let mut text = String::from("when,stamp,y\n");
    for i in 0..40 {
        text.push_str(&format!(
            "{:02}/{:02}/20{:02},2021-03-{:02}T{:02}:15:00,{}\n",
            1 + i % 28,
            1 + i % 12,
            10 + i % 6,
            1 + i % 28,
            i % 24,
            if i % 2 == 0 { "a" } else { "b" }
        ));
    }
    let d = csv(&text);
    let (plan, prepared) = prepare(&d, "y", Task::BinaryClassification, &PrepConfig::default());
    assert_eq!(
        plan.decision("when").map(|d| &d.action),
        Some(&Action::Date {
            parts: vec![DatePart::Year, DatePart::Month, DatePart::DayOfWeek],
            impute: Impute::Median,
            indicator: false,
            scale: Scale::Standard,
        })
    );
    assert_eq!(
        plan.decision("stamp").map(|d| &d.action),
        Some(&Action::Date {
            parts: vec![DatePart::Month, DatePart::DayOfWeek, DatePart::Hour],
            impute: Impute::Median,
            indicator: false,
            scale: Scale::Standard,
        })
    );
    let p = &prepared.pipeline;
    let Step::Date(when) = step(p, "when") else {
        panic!("date step");
    };
    assert!(when.day_first, "13/01/2010 and the like are day-first");
    assert_consistent(p, &d);
    assert_eq!(
        p.feature_names,
        [
            "when_year",
            "when_month",
            "when_day_of_week",
            "stamp_month",
            "stamp_day_of_week",
            "stamp_hour"
        ]
    );
    let out = p.transform_row(&[Some("not a date"), Some("31/02/2020"), None]);
    assert!(out.iter().all(|v| v.is_finite()));

    // Overrides: other parts with an indicator, or dropped.
    let (plan, prepared) = prepare(
        &d,
        "y",
        Task::BinaryClassification,
        &config(
            r#"{"columns": {"when": {"parts": ["day", "year"], "indicator": true, "scale": "none"},
                            "stamp": "drop"}}"#,
        ),
    );
    assert!(
        plan.decision("when")
            .is_some_and(|d| d.overridden && d.reason.starts_with("override: year, day"))
    );
    assert_eq!(
        prepared.pipeline.feature_names,
        ["when_year", "when_day", "when_missing"]
    );
    let out = prepared
        .pipeline
        .transform_row(&[Some("25/12/2013"), None, None]);
    assert_eq!(out, [2013.0, 25.0, 0.0]);
    let missing = prepared.pipeline.transform_row(&[Some("garbage")]);
    assert_eq!(missing.get(2), Some(&1.0));
}

#[test]
fn decimal_comma_files_read_the_same_in_both_paths() {
    let mut text = String::from("a;b;y\n");
    for i in 0..30 {
        text.push_str(&format!("{},{};x{};{}\n", i, i % 7, i % 3, i % 2));
    }
    let d = csv(&text);
    assert!(d.dialect.decimal_comma);
    let (_, prepared) = prepare(&d, "y", Task::BinaryClassification, &PrepConfig::default());
    let p = &prepared.pipeline;
    assert!(p.decimal_comma);
    assert_consistent(p, &d);
    // A raw field with a decimal comma, and the same with a point, give the same features.
    assert_eq!(
        p.transform_row(&[Some("3,5"), Some("x1")]),
        p.transform_row(&[Some("3.5"), Some("x1")])
    );
    assert_eq!(p.class_name(1), Some("1"));
}

#[test]
fn overrides_apply_and_are_marked() {
    let d = match hearth::data::read_csv_path(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/penguins.csv"),
        IngestOptions::default(),
    ) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let config = config(
        r#"{"seed": 3, "columns": {
            "island": {"encoding": "ordinal"},
            "bill_length_mm": {"impute": "mean", "indicator": true, "scale": "robust"},
            "body_mass_g": {"impute": {"constant": 4000}, "scale": "none"},
            "sex": {"encoding": "frequency"},
            "year": "drop"}}"#,
    );
    let (plan, prepared) = prepare(&d, "species", Task::MulticlassClassification, &config);
    let decision = |c: &str| match plan.decision(c) {
        Some(d) => d.clone(),
        None => panic!("no decision for {c}"),
    };
    assert!(decision("island").overridden);
    assert_eq!(
        decision("island").reason,
        "override: ordinal: 3 categories ≤ 10; seen < 5 times in training or unseen → 0"
    );
    assert_eq!(decision("year").action, Action::Drop);
    assert_eq!(decision("year").reason, "override: dropped");
    assert!(!decision("bill_depth_mm").overridden);
    assert_eq!(
        decision("bill_length_mm").action,
        Action::Numeric {
            impute: Impute::Mean,
            indicator: true,
            scale: Scale::Robust
        }
    );
    let p = &prepared.pipeline;
    assert_eq!(
        p.feature_names,
        [
            "island",
            "bill_length_mm",
            "bill_length_mm_missing",
            "bill_depth_mm",
            "flipper_length_mm",
            "body_mass_g",
            "sex"
        ]
    );
    let Step::Numeric(mass) = step(p, "body_mass_g") else {
        panic!("numeric");
    };
    assert_eq!(
        (mass.impute, mass.scaler.center, mass.scaler.scale),
        (4000.0, 0.0, 1.0)
    );
    let Step::Ordinal(island) = step(p, "island") else {
        panic!("ordinal");
    };
    assert_eq!(island.categories, ["Biscoe", "Dream", "Torgersen"]);
    let out = p.transform_row(&[
        None,
        Some("Dream"),
        None,
        None,
        None,
        Some("NA"),
        None,
        None,
    ]);
    assert_eq!(out.first(), Some(&(2.0 / 3.0)));
    assert_eq!(out.get(2), Some(&1.0), "the missing indicator");
    assert_eq!(out.get(5), Some(&4000.0));
    assert_consistent(p, &d);

    // A config value round-trips through JSON.
    let json = serde_json::to_string(&config).unwrap_or_default();
    assert_eq!(PrepConfig::from_json(&json), Ok(config));
}

#[test]
fn overrides_that_do_not_fit_are_refused_in_one_sentence() {
    let d = match hearth::data::read_csv_path(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/penguins.csv"),
        IngestOptions::default(),
    ) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let p = profile(&d);
    let refuse = |json: &str| -> String {
        match plan(&p, "species", Task::MulticlassClassification, &config(json)) {
            Ok(_) => panic!("accepted: {json}"),
            Err(e) => e.to_string(),
        }
    };
    assert_eq!(
        refuse(r#"{"columns": {"bill_length_mm": {"encoding": "one_hot"}}}"#),
        "Override for \"bill_length_mm\": \"encoding\": \"one_hot\" does not apply because the column is numeric (use impute, indicator or scale)."
    );
    assert_eq!(
        refuse(r#"{"columns": {"flipper": "drop"}}"#),
        "Override for \"flipper\": there is no such column; the columns are species, island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex, year."
    );
    assert_eq!(
        refuse(r#"{"columns": {"island": {"scale": "robust"}}}"#),
        "Override for \"island\": \"scale\" does not apply because the column holds text (categorical; use encoding)."
    );
    assert_eq!(
        refuse(r#"{"columns": {"island": {"indicator": true}}}"#),
        "Override for \"island\": \"indicator\" does not apply because the column is categorical, and missing values are a category of their own."
    );
    assert_eq!(
        refuse(r#"{"columns": {"year": {"parts": ["year"]}}}"#),
        "Override for \"year\": \"parts\" does not apply because it is not a date/time column."
    );
    assert_eq!(
        refuse(r#"{"columns": {"species": "drop"}}"#),
        "Override for \"species\": it is the target, which is encoded by the task rather than by column settings."
    );
    assert_eq!(
        refuse(r#"{"split": {"train": 0.5, "valid": 0.1, "test": 0.1}}"#),
        "Setting \"split\": the train, valid and test parts must add up to 100%, but they add up to 70%."
    );
    // Unusable targets and tasks.
    let e = plan(&p, "island", Task::Regression, &PrepConfig::default());
    assert_eq!(
        e.err().map(|e| e.to_string()).unwrap_or_default(),
        "The target \"island\" cannot be predicted: it is categorical, not numbers; choose a classification task."
    );
    let e = plan(
        &p,
        "species",
        Task::BinaryClassification,
        &PrepConfig::default(),
    );
    assert!(matches!(e, Err(PrepError::UnusableTarget { .. })));
    let e = plan(&p, "nope", Task::Regression, &PrepConfig::default());
    assert!(matches!(e, Err(PrepError::UnknownTarget { .. })));
    // Bad JSON is a config error, not a panic.
    let e = PrepConfig::from_json(r#"{"columns": {"island": {"encoding": "hashing"}}}"#);
    assert!(matches!(e, Err(PrepError::Config { .. })), "{e:?}");
    let settings = ColumnSettings {
        impute: Some(Impute::Constant(f64::NAN)),
        ..ColumnSettings::default()
    };
    let mut bad = PrepConfig::default();
    bad.columns
        .insert("bill_length_mm".to_string(), ColumnChoice::Set(settings));
    assert!(matches!(
        plan(&p, "species", Task::MulticlassClassification, &bad),
        Err(PrepError::NotApplicable { .. })
    ));
}

#[test]
fn high_cardinality_categories_use_frequency_or_ordinal() {
    let mut text = String::from("city,y\n");
    for i in 0..60 {
        text.push_str(&format!("c{},{}\n", i % 15, i % 2));
    }
    let d = csv(&text);
    let (plan, prepared) = prepare(&d, "y", Task::BinaryClassification, &PrepConfig::default());
    assert_eq!(
        plan.decision("city").map(|d| d.reason.as_str()),
        Some(
            "frequency: 15 categories > 10; share of training rows, seen < 5 times in training or unseen → other"
        )
    );
    let p = &prepared.pipeline;
    // About 3 training rows a city: every city is rarer than 5, so none is listed and all
    // share the mean rare share, as unseen ones do.
    let Step::Frequency(city) = step(p, "city") else {
        panic!("frequency step");
    };
    assert!(city.categories.is_empty(), "{city:?}");
    assert!(city.other > 0.05 && city.other < 0.09, "{city:?}");
    assert_eq!(p.transform_row(&[Some("elsewhere")]), [city.other]);
    assert_eq!(p.transform_row(&[Some("c3")]), [city.other]);
    assert_consistent(p, &d);
    let (_, prepared) = prepare(
        &d,
        "y",
        Task::BinaryClassification,
        &config(r#"{"high_cardinality": "ordinal", "rare_min_count": 1}"#),
    );
    let Step::Ordinal(city) = step(&prepared.pipeline, "city") else {
        panic!("ordinal");
    };
    assert_eq!(city.categories.len(), 15);
    assert_eq!(prepared.pipeline.transform_row(&[Some("elsewhere")]), [0.0]);
    assert_consistent(&prepared.pipeline, &d);
    // One-hot for all: rare categories share the (other) feature.
    let (_, prepared) = prepare(
        &d,
        "y",
        Task::BinaryClassification,
        &config(r#"{"columns": {"city": {"encoding": "one_hot"}}, "rare_min_count": 4}"#),
    );
    let Step::OneHot(city) = step(&prepared.pipeline, "city") else {
        panic!("one-hot");
    };
    assert!(city.categories.len() < 15);
    assert_consistent(&prepared.pipeline, &d);
}

#[test]
fn text_booleans_and_numeric_booleans_are_zero_one() {
    let mut text = String::from("flag,bit,y\n");
    for i in 0..30 {
        let flag = match i % 3 {
            0 => "Yes",
            1 => "No",
            _ => "NA",
        };
        text.push_str(&format!("{flag},{},{}\n", 3 + i % 2 * 4, i % 2));
    }
    let d = csv(&text);
    let (plan, prepared) = prepare(
        &d,
        "y",
        Task::BinaryClassification,
        &config(r#"{"columns": {"flag": {"indicator": true}}}"#),
    );
    assert!(matches!(
        plan.decision("bit").map(|d| &d.action),
        Some(Action::Boolean { .. })
    ));
    let p = &prepared.pipeline;
    assert_eq!(p.feature_names, ["flag", "flag_missing", "bit"]);
    assert_eq!(p.transform_row(&[Some("yes"), Some("7")]), [1.0, 0.0, 1.0]);
    assert_eq!(p.transform_row(&[Some("No"), Some("3")]), [0.0, 0.0, 0.0]);
    let unknown = p.transform_row(&[Some("maybe"), Some("5")]);
    assert_eq!(unknown.get(1), Some(&1.0));
    assert_consistent(p, &d);
    // As a category instead.
    let (_, prepared) = prepare(
        &d,
        "y",
        Task::BinaryClassification,
        &config(r#"{"columns": {"flag": {"encoding": "one_hot"}, "bit": {"scale": "min_max"}}}"#),
    );
    assert_eq!(
        prepared.pipeline.feature_names,
        [
            "flag=No",
            "flag=Yes",
            "flag=(missing)",
            "flag=(other)",
            "bit"
        ]
    );
    assert_consistent(&prepared.pipeline, &d);
}

#[test]
fn transform_errors_are_typed() {
    let d = csv("x,y\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n");
    // Three rows a class: below the privacy minimum of 5, so both classes would be pooled.
    let keep_all = config(r#"{"rare_min_count": 1}"#);
    assert!(matches!(
        try_prepare(&d, "y", Task::BinaryClassification, &PrepConfig::default()),
        Err(PrepError::RareClasses {
            classes: 2,
            min_count: 5,
            ..
        })
    ));
    let (_, prepared) = prepare(&d, "y", Task::BinaryClassification, &keep_all);
    let p = &prepared.pipeline;
    assert_eq!(
        p.transform_dataset(&d, &[99]).err(),
        Some(PrepError::RowOutOfRange { row: 99, rows: 6 })
    );
    let other = csv("z,y\n1,a\n");
    assert_eq!(
        p.transform_dataset(&other, &[0]).err(),
        Some(PrepError::MissingColumn {
            column: "x".to_string()
        })
    );
    let new_class = csv("x,y\n1,c\n");
    assert_eq!(
        p.encode_targets(&new_class, &[0])
            .err()
            .map(|e| e.to_string()),
        Some(
            "Data row 1: \"c\" is not a class of the target \"y\" known to the pipeline."
                .to_string()
        )
    );
    let mut broken = p.clone();
    broken.feature_names.push("extra".to_string());
    assert!(matches!(
        broken.transform_dataset(&d, &[0]),
        Err(PrepError::Inconsistent { .. })
    ));
    assert_eq!(broken.transform_row(&[Some("1")]).len(), 1);
    let empty = p.transform_dataset(&d, &[]);
    assert!(empty.is_ok_and(|m| m.rows == 0 && m.values.is_empty()));
    let _ = Encoding::OneHot;
}
