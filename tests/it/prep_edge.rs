//! Preprocessing edge cases: single class, all-missing and constant columns, unseen
//! categories at inference, tiny classes, infinities, missing targets, dates, decimal commas,
//! high cardinality, booleans and typed transform errors. Leakage is in `prep_leakage`, user
//! overrides in `prep_overrides`.

use hearth::data::{Task, profile};
use hearth::prep::{
    Action, DatePart, Encoding, Impute, PrepConfig, PrepError, Scale, Step, TargetEncoding,
    Targets, fit, plan,
};

use crate::support::{
    assert_row_path_matches_batch, bundled, config, csv, feature, prepare, step, try_prepare,
};

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
    assert_row_path_matches_batch(&prepared.pipeline, &d);

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
    assert_row_path_matches_batch(&prepared.pipeline, &d);
}

#[test]
fn unseen_categories_missing_values_and_garbage_never_fail_at_inference() {
    let d = bundled("penguins.csv");
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
    assert_row_path_matches_batch(&prepared.pipeline, &d);
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
    // Beyond float32's range is infinite too, as the exported graph (float inputs) reads it;
    // found by tests/it/properties.rs, where 1e39 scored differently in the two.
    assert_eq!(p.transform_row(&[Some("1e39")]), plus);
    assert_eq!(p.transform_row(&[Some("-1e39")]), minus);
    let all: Vec<usize> = (0..d.rows).collect();
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
    assert_row_path_matches_batch(p, &d);
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
    assert_row_path_matches_batch(p, &d);
    // A raw field with a decimal comma, and the same with a point, give the same features.
    assert_eq!(
        p.transform_row(&[Some("3,5"), Some("x1")]),
        p.transform_row(&[Some("3.5"), Some("x1")])
    );
    assert_eq!(p.class_name(1), Some("1"));
}

#[test]
fn high_cardinality_categories_use_frequency_or_ordinal() {
    let mut text = String::from("city,y\n");
    for i in 0..60 {
        text.push_str(&format!("c{},{}\n", i % 15, i % 2));
    }
    let d = csv(&text);
    let (plan, prepared) = prepare(
        &d,
        "y",
        Task::BinaryClassification,
        &config(r#"{"one_hot_max": 10}"#),
    );
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
    assert_row_path_matches_batch(p, &d);
    let (_, prepared) = prepare(
        &d,
        "y",
        Task::BinaryClassification,
        &config(r#"{"high_cardinality": "ordinal", "one_hot_max": 10, "rare_min_count": 1}"#),
    );
    let Step::Ordinal(city) = step(&prepared.pipeline, "city") else {
        panic!("ordinal");
    };
    assert_eq!(city.categories.len(), 15);
    assert_eq!(prepared.pipeline.transform_row(&[Some("elsewhere")]), [0.0]);
    assert_row_path_matches_batch(&prepared.pipeline, &d);
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
    assert_row_path_matches_batch(&prepared.pipeline, &d);
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
    assert_row_path_matches_batch(p, &d);
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
    assert_row_path_matches_batch(&prepared.pipeline, &d);
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
