//! `hearth prep` as a user runs it: the pipeline file, the features CSV, overrides, seeds,
//! dialect flags, and one-sentence errors.

use hearth::prep::FittedPipeline;

use crate::support::{
    assert_ok, assert_one_sentence_error, hearth, path_of, read, sample, temp_dir, temp_file,
};

#[test]
fn prep_writes_the_pipeline_and_the_training_features() {
    let dir = temp_dir();
    let out = path_of(&dir, "pipeline.json");
    let features = path_of(&dir, "features.csv");
    let output = hearth(&[
        "prep",
        &sample("penguins.csv"),
        "--target",
        "species",
        "--out",
        &out,
        "--emit-features",
        &features,
    ]);
    let stdout = assert_ok(&output);
    assert!(
        stdout.starts_with("penguins.csv: 344 rows; target species (multiclass classification): label encoding: 3 classes (Adelie, Chinstrap, Gentoo)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("island") && stdout.contains("one-hot: 3 categories ≤ 50"),
        "{stdout}"
    );
    assert!(
        stdout.contains("split (seed 42): 240 train, 52 valid, 52 test"),
        "{stdout}"
    );
    assert!(stdout.contains("features: 13"), "{stdout}");

    let pipeline: FittedPipeline = match serde_json::from_str(&read(&out)) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(pipeline.target, "species");
    let csv = read(&features);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    assert_eq!(header, pipeline.feature_names);
    let rows: Vec<Vec<f32>> = lines
        .map(|line| {
            line.split(',')
                .map(|v| v.parse::<f32>().unwrap_or(f32::NAN))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 240);
    assert!(rows.iter().all(|r| r.len() == header.len()));
    assert!(rows.iter().flatten().all(|v| v.is_finite()));
}

#[test]
fn overrides_file_and_seed_apply() {
    let dir = temp_dir();
    let config = temp_file(
        ".json",
        br#"{"columns": {"island": {"encoding": "ordinal"},
                         "bill_length_mm": {"impute": "mean", "indicator": true, "scale": "robust"},
                         "year": "drop"}}"#,
    );
    let config = config.path().to_string_lossy().into_owned();
    let run = |seed: &str, name: &str| {
        let out = path_of(&dir, &format!("{name}.json"));
        let features = path_of(&dir, &format!("{name}.csv"));
        let output = hearth(&[
            "prep",
            &sample("penguins.csv"),
            "--target",
            "species",
            "--config",
            &config,
            "--seed",
            seed,
            "--out",
            &out,
            "--emit-features",
            &features,
        ]);
        (assert_ok(&output), read(&features))
    };
    let (stdout, first) = run("5", "a");
    assert!(stdout.contains("override: ordinal"), "{stdout}");
    assert!(stdout.contains("override: dropped"), "{stdout}");
    assert!(stdout.contains("split (seed 5)"), "{stdout}");
    let header = first.lines().next().unwrap_or_default();
    assert!(
        header.starts_with(
            "island,bill_length_mm,bill_length_mm_missing,bill_depth_mm,flipper_length_mm,body_mass_g,sex=female,sex=male,"
        ) && header.ends_with(",sex=(other)")
            && !header.contains("year"),
        "{header}"
    );
    let (_, again) = run("5", "b");
    assert_eq!(first, again, "the same seed gives the same features");
    let (_, other) = run("6", "c");
    assert_ne!(first, other);
}

#[test]
fn k_fold_and_regression_from_the_cli() {
    let dir = temp_dir();
    let config = temp_file(
        ".json",
        br#"{"folds": 5, "standardize_target": false, "target_transform": "none"}"#,
    );
    let out = path_of(&dir, "p.json");
    let output = hearth(&[
        "prep",
        &sample("diabetes.csv"),
        "--target",
        "progression",
        "--config",
        &config.path().to_string_lossy(),
        "--out",
        &out,
    ]);
    let stdout = assert_ok(&output);
    assert!(
        stdout.contains("split (seed 42): 376 training rows in 5 folds, 66 test"),
        "{stdout}"
    );
    assert!(stdout.contains("target progression (regression): used as is"));
    assert!(
        stdout.contains("boolean: two values (1/2) → 0/1"),
        "{stdout}"
    );
}

#[test]
fn dialect_flags_apply() {
    let mut text = String::new();
    for i in 0..20 {
        text.push_str(&format!("{},5;c{};{}\n", i, i % 3, i % 2));
    }
    let file = temp_file(".csv", text.as_bytes());
    let dir = temp_dir();
    let out = path_of(&dir, "p.json");
    let output = hearth(&[
        "prep",
        &file.path().to_string_lossy(),
        "--header",
        "false",
        "--delimiter",
        ";",
        "--decimal-comma",
        "true",
        "--target",
        "column_3",
        "--task",
        "binary",
        "--out",
        &out,
    ]);
    assert_ok(&output);
    let pipeline: FittedPipeline = match serde_json::from_str(&read(&out)) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert!(pipeline.decimal_comma);
    assert_eq!(pipeline.columns, ["column_1", "column_2", "column_3"]);
}

#[test]
fn bad_overrides_and_targets_are_one_sentence_errors() {
    let dir = temp_dir();
    let out = path_of(&dir, "p.json");
    let with_config = |json: &[u8]| {
        let config = temp_file(".json", json);
        hearth(&[
            "prep",
            &sample("penguins.csv"),
            "--target",
            "species",
            "--config",
            &config.path().to_string_lossy(),
            "--out",
            &out,
        ])
    };
    let stderr = assert_one_sentence_error(&with_config(
        br#"{"columns": {"body_mass_g": {"encoding": "one_hot"}}}"#,
    ));
    assert!(
        stderr.contains("body_mass_g") && stderr.contains("\"encoding\": \"one_hot\""),
        "{stderr}"
    );
    let stderr = assert_one_sentence_error(&with_config(br#"{"columns": {"flipper": "drop"}}"#));
    assert!(stderr.contains("\"flipper\""), "{stderr}");
    let stderr = assert_one_sentence_error(&with_config(br#"{"columns": {"island": {"scal"#));
    assert!(stderr.contains("not valid"), "{stderr}");
    assert!(
        !std::path::Path::new(&out).exists(),
        "nothing written on error"
    );

    let stderr = assert_one_sentence_error(&hearth(&[
        "prep",
        &sample("iris.csv"),
        "--target",
        "petal",
        "--out",
        &out,
    ]));
    assert!(
        stderr.contains("--target petal") && stderr.contains("species"),
        "{stderr}"
    );
    let single = temp_file(".csv", b"x,y\n1,a\n2,a\n3,a\n");
    let stderr = assert_one_sentence_error(&hearth(&[
        "prep",
        &single.path().to_string_lossy(),
        "--target",
        "y",
        "--task",
        "binary",
        "--out",
        &out,
    ]));
    assert!(stderr.contains("single class"), "{stderr}");
    let output = hearth(&[
        "prep",
        &sample("iris.csv"),
        "--target",
        "species",
        "--out",
        "/nonexistent/dir/p.json",
    ]);
    let stderr = assert_one_sentence_error(&output);
    assert!(stderr.contains("Could not write"), "{stderr}");
}
