//! Preprocessing on the bundled datasets: the plan's decisions, the split, finite features,
//! batch and single-row transforms agreeing bit for bit on every row, and the JSON round trip.

use std::collections::BTreeSet;

use hearth::data::{ColumnKind, Task, profile};
use hearth::prep::{
    Action, Encoding, FittedPipeline, Impute, Prediction, PrepConfig, Prepared, Scale,
    TargetEncoding, Targets, fit, fit_pipeline, plan,
};

use crate::support::{assert_row_path_matches_batch, bundled, prepare};

const BUNDLED: [(&str, &str, Task); 3] = [
    ("penguins.csv", "species", Task::MulticlassClassification),
    ("iris.csv", "species", Task::MulticlassClassification),
    ("diabetes.csv", "progression", Task::Regression),
];

#[test]
fn penguins_plan_explains_every_decision() {
    let dataset = bundled("penguins.csv");
    let plan = match plan(
        &profile(&dataset),
        "species",
        Task::MulticlassClassification,
        &PrepConfig::default(),
    ) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(
        plan.target_reason,
        "label encoding: 3 classes (Adelie, Chinstrap, Gentoo)"
    );
    assert_eq!(plan.decisions.len(), 7, "one per non-target column");
    assert!(plan.decisions.iter().all(|d| !d.overridden));
    let island = plan.decision("island");
    assert_eq!(
        island.map(|d| &d.action),
        Some(&Action::Categorical {
            encoding: Encoding::OneHot
        })
    );
    assert!(
        island.is_some_and(|d| d.reason.starts_with("one-hot: 3 categories ≤ 50")),
        "{island:?}"
    );
    let bill = plan.decision("bill_length_mm");
    assert_eq!(
        bill.map(|d| &d.action),
        Some(&Action::Numeric {
            impute: Impute::Median,
            indicator: false,
            scale: Scale::Standard
        })
    );
    assert!(bill.is_some_and(|d| d.reason.contains("2 missing → median")));
    assert_eq!(
        plan.decision("year").map(|d| d.kind),
        Some(ColumnKind::Integer)
    );
}

#[test]
fn diabetes_sex_is_a_boolean_and_the_target_is_standardised() {
    let dataset = bundled("diabetes.csv");
    let (_, prepared) = prepare(
        &dataset,
        "progression",
        Task::Regression,
        &PrepConfig::default(),
    );
    let pipeline = &prepared.pipeline;
    assert_eq!(pipeline.feature_names.len(), 10);
    let sex = pipeline
        .feature_names
        .iter()
        .position(|n| n == "sex")
        .unwrap_or(usize::MAX);
    let matrix = match pipeline.transform_dataset(&dataset, &prepared.split.train) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    let values: BTreeSet<u32> = (0..matrix.rows)
        .filter_map(|r| matrix.row(r).get(sex).map(|v| v.to_bits()))
        .collect();
    assert_eq!(values, [0.0f32.to_bits(), 1.0f32.to_bits()].into());

    // Standardised training targets have mean ≈ 0 and std ≈ 1; decoding inverts.
    let Ok(Targets::Values(ys)) = pipeline.encode_targets(&dataset, &prepared.split.train) else {
        panic!("regression targets expected");
    };
    let n = ys.len() as f64;
    let mean = ys.iter().map(|&y| f64::from(y)).sum::<f64>() / n;
    let var = ys
        .iter()
        .map(|&y| (f64::from(y) - mean).powi(2))
        .sum::<f64>()
        / n;
    assert!(mean.abs() < 1e-5, "{mean}");
    assert!((var.sqrt() - 1.0).abs() < 1e-5, "{var}");
    let target = dataset.column("progression");
    for (&row, &y) in prepared.split.train.iter().zip(&ys) {
        let original = target.and_then(|c| c.number(row)).unwrap_or(f64::NAN);
        assert!((pipeline.decode_value(y) - original).abs() < 1e-3);
    }
    match pipeline.decode_prediction(&[0.0]) {
        Some(Prediction::Value { value }) => {
            let TargetEncoding::Regression { mean, .. } = pipeline.target_encoding else {
                panic!("regression encoding expected");
            };
            assert_eq!(value, f64::from(mean));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_bundled_dataset_transforms_identically_row_by_row_and_after_json() {
    for (name, target, task) in BUNDLED {
        let dataset = bundled(name);
        let (_, prepared) = prepare(&dataset, target, task, &PrepConfig::default());
        assert_row_path_matches_batch(&prepared.pipeline, &dataset);

        let json = match serde_json::to_string(&prepared.pipeline) {
            Ok(j) => j,
            Err(e) => panic!("{e}"),
        };
        let back: FittedPipeline = match serde_json::from_str(&json) {
            Ok(p) => p,
            Err(e) => panic!("{name}: {e}"),
        };
        assert_eq!(back, prepared.pipeline, "{name}: JSON round trip");
        let pretty = serde_json::to_string_pretty(&prepared.pipeline).unwrap_or_default();
        assert_eq!(
            serde_json::from_str::<FittedPipeline>(&pretty)
                .ok()
                .as_ref(),
            Some(&prepared.pipeline)
        );
        assert_row_path_matches_batch(&back, &dataset);

        // Prepared (with split and summary) round-trips too.
        let all = serde_json::to_string(&prepared).unwrap_or_default();
        assert_eq!(
            serde_json::from_str::<Prepared>(&all).ok().as_ref(),
            Some(&prepared)
        );
    }
}

#[test]
fn splits_are_disjoint_stratified_and_reproducible() {
    let dataset = bundled("penguins.csv");
    let config = PrepConfig::default();
    let (_, prepared) = prepare(&dataset, "species", Task::MulticlassClassification, &config);
    let split = &prepared.split;
    let summary = &prepared.summary;
    assert_eq!(summary.rows, 344);
    assert_eq!(summary.train + summary.valid + summary.test, 344);
    assert_eq!(
        (summary.train, summary.valid, summary.test),
        (split.train.len(), split.valid.len(), split.test.len())
    );
    let mut all: Vec<usize> = [&split.train[..], &split.valid[..], &split.test[..]].concat();
    all.sort_unstable();
    assert_eq!(all, (0..344).collect::<Vec<_>>());
    assert!(split.train.windows(2).all(|w| w[0] < w[1]));
    assert!((summary.train as f64 / 344.0 - 0.7).abs() < 0.03);

    // Each class's share is about the same in every split.
    let pipeline = &prepared.pipeline;
    let share = |rows: &[usize], class: u32| match pipeline.encode_targets(&dataset, rows) {
        Ok(Targets::Classes(c)) => {
            c.iter().filter(|&&k| k == class).count() as f64 / c.len() as f64
        }
        other => panic!("{other:?}"),
    };
    for class in 0..3 {
        let overall = share(&all, class);
        for rows in [&split.train, &split.valid, &split.test] {
            assert!((share(rows, class) - overall).abs() < 0.05, "class {class}");
        }
    }

    let (_, again) = prepare(&dataset, "species", Task::MulticlassClassification, &config);
    assert_eq!(again, prepared, "the same seed gives the same result");
    let (_, other) = prepare(
        &dataset,
        "species",
        Task::MulticlassClassification,
        &PrepConfig {
            seed: 7,
            ..PrepConfig::default()
        },
    );
    assert_ne!(other.split, prepared.split);
}

#[test]
fn k_fold_holds_out_test_and_deals_the_rest_into_folds() {
    let dataset = bundled("iris.csv");
    let config = PrepConfig {
        folds: Some(5),
        ..PrepConfig::default()
    };
    let profile = profile(&dataset);
    let plan = match plan(&profile, "species", Task::MulticlassClassification, &config) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let prepared = match fit(&dataset, &plan, &config) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let split = &prepared.split;
    assert!(split.valid.is_empty());
    assert_eq!(split.folds.len(), 5);
    assert_eq!(prepared.summary.folds, 5);
    assert_eq!(split.test.len() + split.train.len(), 150);
    let mut dealt: Vec<usize> = split.folds.concat();
    dealt.sort_unstable();
    assert_eq!(dealt, split.train, "the folds partition the training rows");
    let sizes: Vec<usize> = split.folds.iter().map(Vec::len).collect();
    let (min, max) = (sizes.iter().min(), sizes.iter().max());
    assert!(max.zip(min).is_some_and(|(a, b)| a - b <= 1), "{sizes:?}");
    for (i, fold) in split.folds.iter().enumerate() {
        let train = split.fold_train(i);
        assert_eq!(train.len() + fold.len(), split.train.len());
        assert!(train.iter().all(|r| fold.binary_search(r).is_err()));
        // Every class is in every fold.
        match prepared.pipeline.encode_targets(&dataset, fold) {
            Ok(Targets::Classes(c)) => {
                assert_eq!(c.iter().collect::<BTreeSet<_>>().len(), 3)
            }
            other => panic!("{other:?}"),
        }
        // A pipeline per fold, fitted on that fold's training rows only.
        let fold_pipeline = match fit_pipeline(&dataset, &plan, &config, &train) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        assert_ne!(fold_pipeline, prepared.pipeline);
        assert_eq!(
            fold_pipeline.target_encoding,
            prepared.pipeline.target_encoding
        );
    }
}

#[test]
fn class_outputs_decode_to_names() {
    let dataset = bundled("penguins.csv");
    let (_, prepared) = prepare(
        &dataset,
        "species",
        Task::MulticlassClassification,
        &PrepConfig::default(),
    );
    let pipeline = &prepared.pipeline;
    assert_eq!(pipeline.class_name(1), Some("Chinstrap"));
    assert_eq!(pipeline.class_name(3), None);
    assert_eq!(
        pipeline.decode_prediction(&[0.1, 0.7, 0.2]),
        Some(Prediction::Class {
            index: 1,
            name: "Chinstrap".to_string()
        })
    );
    assert_eq!(pipeline.decode_prediction(&[0.1, 0.7]), None);
    assert_eq!(pipeline.decode_prediction(&[]), None);
    match pipeline.encode_targets(&dataset, &[0, 343]) {
        Ok(Targets::Classes(c)) => assert_eq!(c, [0, 1]),
        other => panic!("{other:?}"),
    }
}

/// A CSV of `x` and a target `y` made by `target(x)` for x = 0.01, 0.02, … (400 rows).
fn table_with_target(target: impl Fn(f64) -> f64) -> hearth::data::Dataset {
    let mut text = String::from("x,y\n");
    for i in 1..=400 {
        let x = f64::from(i) / 100.0;
        text.push_str(&format!("{x},{}\n", target(x)));
    }
    crate::support::csv(text)
}

fn log_scale(prepared: &Prepared) -> bool {
    matches!(
        prepared.pipeline.target_encoding,
        TargetEncoding::Regression { log: true, .. }
    )
}

#[test]
fn a_skewed_never_negative_target_is_learned_on_a_log_scale() {
    // exp(x²/2) over x in (0, 4]: long right tail, never negative.
    let skewed = table_with_target(|x| (x * x / 2.0).exp());
    let auto = PrepConfig {
        target_transform: hearth::prep::TargetTransform::Auto,
        ..PrepConfig::default()
    };
    let (_, prepared) = prepare(&skewed, "y", Task::Regression, &auto);
    assert!(log_scale(&prepared));
    // By default the target is learned as it is.
    let (_, plain) = prepare(&skewed, "y", Task::Regression, &PrepConfig::default());
    assert!(!log_scale(&plain));
    assert!(
        prepared
            .summary
            .notes
            .iter()
            .any(|n| n.contains("learned as log(1 + y)") && n.contains("skewness")),
        "{:?}",
        prepared.summary.notes
    );
    // Encoding then decoding gives the value back (the scale is inverted on output).
    let pipeline = &prepared.pipeline;
    for y in [0.0, 1.5, 2980.9] {
        let back = pipeline.decode_value(pipeline.encode_value(y));
        assert!((back - y).abs() <= 1e-4 * y.max(1.0), "{y} → {back}");
    }
    // The same tail shifted below zero, a symmetric target, or the setting "none": as is.
    let negative = table_with_target(|x| (x * x / 2.0).exp() - 2.0);
    let symmetric = table_with_target(|x| (x * 3.0).sin());
    for dataset in [&negative, &symmetric] {
        let (_, prepared) = prepare(dataset, "y", Task::Regression, &auto);
        assert!(!log_scale(&prepared));
    }
    let none = PrepConfig {
        target_transform: hearth::prep::TargetTransform::None,
        ..PrepConfig::default()
    };
    assert!(!log_scale(
        &prepare(&skewed, "y", Task::Regression, &none).1
    ));
    // Forced on a target with negative values: one sentence naming the setting.
    let log = PrepConfig {
        target_transform: hearth::prep::TargetTransform::Log,
        ..PrepConfig::default()
    };
    let error = match crate::support::try_prepare(&negative, "y", Task::Regression, &log) {
        Ok(_) => panic!("log was accepted on negative targets"),
        Err(error) => error.to_string(),
    };
    assert!(
        error.contains("\"target_transform\"") && error.contains("never negative"),
        "{error}"
    );
    // The bundled diabetes target is only mildly skewed (0.4): kept as is.
    let (_, diabetes) = prepare(
        &bundled("diabetes.csv"),
        "progression",
        Task::Regression,
        &PrepConfig::default(),
    );
    assert!(!log_scale(&diabetes));
}
