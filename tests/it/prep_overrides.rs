//! User overrides of the preprocessing plan: applied and marked as the user's, or refused
//! in one sentence when they do not fit the column.

use hearth::data::{Task, profile};
use hearth::prep::{
    Action, ColumnChoice, ColumnSettings, Impute, PrepConfig, PrepError, Scale, Step, plan,
};

use crate::support::{assert_row_path_matches_batch, bundled, config, prepare, step};

#[test]
fn overrides_apply_and_are_marked() {
    let d = bundled("penguins.csv");
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
        "override: ordinal: 3 categories ≤ 50; seen < 5 times in training or unseen → 0"
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
    assert_row_path_matches_batch(p, &d);

    // A config value round-trips through JSON.
    let json = serde_json::to_string(&config).unwrap_or_default();
    assert_eq!(PrepConfig::from_json(&json), Ok(config));
}

#[test]
fn overrides_that_do_not_fit_are_refused_in_one_sentence() {
    let d = bundled("penguins.csv");
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
