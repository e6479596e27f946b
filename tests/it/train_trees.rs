//! Gradient-boosted trees as the third model family, end to end: the trainer trains them on
//! each head (ten rounds an epoch, the best epoch's rounds kept, the same seed giving the same
//! trees), the `.hearth` file keeps and checks the booster, the network-only operations refuse
//! them naming "model", their ONNX graph run by tract agrees with `hearth predict`'s numbers,
//! the search space maps a trees point onto training settings, and the CLI trains, searches,
//! predicts and refuses with one sentence.

use hearth::compress::{
    self, Calibration, CompressError, CompressedModel, EvaluationRows, Granularity, PruneSettings,
    Quantization,
};
use hearth::data::Task;
use hearth::export;
use hearth::prep::{Prepared, TargetEncoding};
use hearth::search::{ParamValue, Params, Space, Study, TrialState, train_config};
use hearth::train::gbdt::{GbdtSettings, Objective};
use hearth::train::{
    EpochReport, Fitted, Metrics, ModelFile, ModelKind, ROUNDS_PER_EPOCH, TrainConfig, TrainError,
    Trainer, TrainingData, evaluate_outputs,
};
use pollster::block_on;

use crate::support::{
    assert_ok, assert_one_sentence_error, bundled, hearth, ok, path_of, prepared, read, sample,
    temp_dir, tract_run, train, write,
};

const PENGUINS: (&str, &str, Task) = ("penguins.csv", "species", Task::MulticlassClassification);
const PENGUIN_SEX: (&str, &str, Task) = ("penguins.csv", "sex", Task::BinaryClassification);
const DIABETES: (&str, &str, Task) = ("diabetes.csv", "progression", Task::Regression);

/// Trees with a feature subsample, so that the seed matters.
fn trees_config(epochs: usize, seed: u64) -> TrainConfig {
    TrainConfig {
        model: ModelKind::Gbdt(GbdtSettings {
            feature_subsample: 0.8,
            ..GbdtSettings::default()
        }),
        epochs,
        seed,
        ..TrainConfig::default()
    }
}

fn trained(
    case: (&str, &str, Task),
    seed: u64,
) -> (Prepared, TrainingData, Trainer, Vec<EpochReport>) {
    let (prepared, data) = prepared(case.0, case.1, case.2);
    let (trainer, reports) = train(&prepared, &data, &trees_config(15, seed));
    (prepared, data, trainer, reports)
}

fn model_file(trainer: &Trainer) -> ModelFile {
    ok(block_on(ModelFile::from_trainer(trainer, None, None)))
}

fn timeless(reports: &[EpochReport]) -> Vec<EpochReport> {
    let strip = |r: &EpochReport| EpochReport {
        elapsed_ms: 0.0,
        samples_per_sec: 0.0,
        ..r.clone()
    };
    reports.iter().map(strip).collect()
}

#[test]
fn trees_train_on_every_head_and_repeat_with_the_seed() {
    for (case, bound) in [(PENGUINS, 0.95), (PENGUIN_SEX, 0.9), (DIABETES, 0.3)] {
        let (prepared, data, trainer, reports) = trained(case, 7);
        assert!(trainer.done() && !reports.is_empty(), "{}", case.1);
        for r in &reports {
            assert_eq!((r.steps, r.rows), (ROUNDS_PER_EPOCH, data.train.rows()));
            assert_eq!(r.learning_rate, 0.1, "the trees' learning rate is reported");
            assert!(r.train_loss.is_finite());
        }
        assert_eq!(ROUNDS_PER_EPOCH, 10);
        let best = trainer.best().cloned().expect("a best epoch");
        let booster = trainer.best_booster().expect("trees");
        assert_eq!(booster.rounds(), best.epoch * ROUNDS_PER_EPOCH);
        // The booster cut at the best epoch reproduces that epoch's validation metrics, and
        // `evaluate` is the metrics of `predict`'s outputs.
        let valid = data.valid.as_deref().expect("validation rows");
        let evaluated = ok(block_on(trainer.evaluate(valid)));
        assert_eq!(Some(&evaluated), best.valid_metrics.as_ref(), "{}", case.1);
        let outputs = ok(block_on(trainer.predict(&valid.features)));
        assert_eq!(outputs.len(), valid.rows() * trainer.head().outputs());
        let from_outputs = evaluate_outputs(trainer.head(), &prepared.pipeline, &outputs, valid);
        assert_eq!(from_outputs, evaluated);
        // Accuracy or R²; measured: 1.0 (species), 0.96 (sex), 0.40 (diabetes, best epoch 2).
        let score = match &evaluated {
            Metrics::Classification(m) => m.accuracy,
            Metrics::Regression(m) => m.r2,
        };
        assert!(score >= bound, "{}: {score} (epoch {})", case.1, best.epoch);
        // The same seed gives the same reports and the same trees, bit for bit.
        let (_, _, again, reports_again) = trained(case, 7);
        assert_eq!(timeless(&reports), timeless(&reports_again));
        let (a, b) = (model_file(&trainer).fitted, model_file(&again).fitted);
        assert_eq!(a, b);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
    }
    let (_, _, seven, _) = trained(PENGUINS, 7);
    let (_, _, eight, _) = trained(PENGUINS, 8);
    assert_ne!(
        seven.best_booster(),
        eight.best_booster(),
        "the seed draws the features"
    );
}

#[test]
fn the_model_file_keeps_and_checks_the_booster() {
    for case in [PENGUINS, PENGUIN_SEX] {
        let (prepared, _, trainer, _) = trained(case, 3);
        let file = model_file(&trainer);
        let json = ok(file.to_json());
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(value.get("booster").is_some() && value.get("weights").is_none());
        let loaded = ok(ModelFile::from_json(&json));
        assert_eq!(loaded, file);
        assert_eq!(loaded.booster(), trainer.best_booster().as_ref());
        // The loaded file predicts every row as the trainer does.
        let dataset = bundled(case.0);
        let all: Vec<usize> = (0..dataset.rows).collect();
        let features = ok(prepared.pipeline.transform_dataset(&dataset, &all));
        let device = hearth::compute::init_cpu();
        let predicted = ok(block_on(loaded.predict_dataset(&device, &dataset)));
        assert_eq!(predicted.outputs, ok(block_on(trainer.predict(&features))));
        assert_eq!(predicted.predictions.len(), dataset.rows);
    }
    let (_, _, trainer, _) = trained(PENGUIN_SEX, 3);
    let file = model_file(&trainer);
    let refused = |edit: fn(&mut hearth::train::gbdt::Booster), needle: &str| {
        let mut broken = file.clone();
        let Fitted::Booster(booster) = &mut broken.fitted else {
            panic!("trees")
        };
        edit(booster);
        let error = ModelFile::from_json(&serde_json::to_string(&broken).unwrap()).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains(needle) && text.ends_with('.') && !text.contains('\n'),
            "{text}"
        );
    };
    // Squared error has one output like the logistic head: only the objective is wrong.
    refused(|b| b.objective = Objective::Squared, "objective");
    refused(|b| b.features += 1, "features");
}

#[test]
fn network_only_operations_refuse_trees_naming_the_model() {
    let (prepared, data, trainer, _) = trained(PENGUINS, 5);
    let named_model = |error: &TrainError| {
        assert!(
            matches!(error, TrainError::Setting { setting, .. } if setting == "model"),
            "{error}"
        );
    };
    named_model(&block_on(trainer.best_weights()).unwrap_err());
    named_model(&block_on(trainer.current_weights()).unwrap_err());
    let file = model_file(&trainer);
    named_model(&file.weights().unwrap_err());
    // Weights from a network of the same data cannot start trees.
    let (network, _) = train(
        &prepared,
        &data,
        &TrainConfig {
            model: ModelKind::Linear,
            epochs: 1,
            ..TrainConfig::default()
        },
    );
    let weights = ok(block_on(network.best_weights()));
    let device = hearth::compute::init_cpu();
    let started = Trainer::with_weights(
        device,
        &prepared.pipeline,
        data.train.clone(),
        data.valid.clone(),
        &trees_config(2, 1),
        &weights,
    );
    named_model(&started.err().expect("refused"));
    match compress::prune_model(&file, &PruneSettings::default()) {
        Err(CompressError::Train(error)) => named_model(&error),
        other => panic!("{:?}", other.map(|_| ())),
    }
    match CompressedModel::new(&file, Quantization::Float16, None) {
        Err(error @ CompressError::TreesStayFloat32 { .. }) => {
            assert!(error.to_string().contains("float32"), "{error}")
        }
        other => panic!("{other:?}"),
    }
    let variants = Quantization::variants(Granularity::PerChannel, Some(Calibration::MinMax));
    let rows = EvaluationRows {
        valid: data.valid.as_deref(),
        test: data.test.as_deref(),
    };
    let compared = ok(export::compare(
        &file,
        &variants,
        Some(&data.train.features),
        rows,
    ));
    let only = compared.report.variants.iter().map(|v| v.quantization);
    assert_eq!(only.collect::<Vec<_>>(), vec![Quantization::None]);
    assert_eq!(compared.files.len(), 1);
    assert_eq!(compared.report.variants[0].max_output_difference, 0.0);
    assert!(compared.report.parameters > 0);
}

/// Every raw row of a bundled CSV through the tree model's float32 ONNX graph in tract: the
/// probabilities (classification) or values (regression), row after row.
fn tract_outputs(model: &ModelFile, name: &str) -> Vec<f32> {
    let bytes = ok(export::to_onnx_quantized(model, Quantization::None, None));
    tract_run(&bytes, &model.pipeline, name).1
}

#[test]
fn the_onnx_trees_agree_with_the_model_file_in_tract() {
    for case in [PENGUINS, DIABETES] {
        let (_, _, trainer, _) = trained(case, 4);
        let model = model_file(&trainer);
        let dataset = bundled(case.0);
        let ours = ok(block_on(
            model.predict_dataset(&hearth::compute::init_cpu(), &dataset),
        ));
        // Regression: the graph gives the target's units, the file the standardised value.
        let expected: Vec<f64> = match model.pipeline.target_encoding {
            TargetEncoding::Labels { .. } => ours.outputs.iter().map(|&p| f64::from(p)).collect(),
            TargetEncoding::Regression { .. } => ours
                .outputs
                .iter()
                .map(|&y| model.pipeline.decode_value(y))
                .collect(),
        };
        let theirs = tract_outputs(&model, case.0);
        assert_eq!(theirs.len(), expected.len(), "{}", case.0);
        for (row, (a, b)) in theirs.iter().zip(&expected).enumerate() {
            let difference = (f64::from(*a) - b).abs() / b.abs().max(1.0);
            assert!(
                difference <= 1e-5,
                "{} output {row}: tract {a}, Hearth {b}",
                case.0
            );
        }
    }
}

fn point(pairs: &[(&str, ParamValue)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[test]
fn the_search_space_maps_a_trees_point() {
    let trees = point(&[
        ("model", ParamValue::Text("gbdt".into())),
        ("tree_learning_rate", ParamValue::Float(0.05)),
        ("leaves", ParamValue::Int(12)),
        ("min_leaf_rows", ParamValue::Int(7)),
        ("l2", ParamValue::Float(0.5)),
        ("feature_subsample", ParamValue::Float(0.75)),
        ("epochs", ParamValue::Int(30)),
    ]);
    let base = TrainConfig::default();
    let config = ok(train_config(&trees, &base, 9));
    let expected = GbdtSettings {
        learning_rate: 0.05,
        max_leaves: 12,
        min_leaf_rows: 7,
        l2: 0.5,
        feature_subsample: 0.75,
        ..GbdtSettings::default()
    };
    assert_eq!(config.model, ModelKind::Gbdt(expected));
    assert_eq!(
        (config.seed, config.epochs, config.learning_rate),
        (9, 30, base.learning_rate)
    );
    let space = Space::for_task(300, false);
    ok(space.check_point(&trees));
    let mut with_network = trees.clone();
    with_network.insert("learning_rate".into(), ParamValue::Float(0.01));
    let error = space.check_point(&with_network).unwrap_err().to_string();
    assert!(error.contains("\"learning_rate\""), "{error}");
    let mut without_leaves = trees;
    without_leaves.remove("leaves");
    let error = space.check_point(&without_leaves).unwrap_err().to_string();
    assert!(error.contains("\"leaves\""), "{error}");
}

#[test]
fn a_search_fixed_to_trees_saves_trees() {
    let dir = temp_dir();
    let space = path_of(&dir, "space.json");
    let (out, model) = (path_of(&dir, "study.json"), path_of(&dir, "best.hearth"));
    write(&space, r#"{"model": {"fixed": {"value": "gbdt"}}}"#);
    let penguins = sample("penguins.csv");
    let args = [
        "search", &penguins, "--target", "species", "--epochs", "3", "--trials", "3", "--seed", "4",
    ];
    assert_ok(&hearth(
        &[
            &args[..],
            &["--space", &space, "--out", &out, "--model-out", &model],
        ]
        .concat(),
    ));
    let study = ok(Study::from_json(&read(&out)));
    assert_eq!(study.trials.len(), 3);
    for trial in &study.trials {
        assert_eq!(trial.state, TrialState::Complete, "{trial:?}");
        let model = trial.params.get("model").and_then(ParamValue::as_str);
        assert_eq!(model, Some("gbdt"));
        assert!(trial.params.contains_key("leaves") && !trial.params.contains_key("learning_rate"));
    }
    let json: serde_json::Value = serde_json::from_str(&read(&model)).unwrap();
    assert!(json.get("booster").is_some() && json.get("weights").is_none());
    assert!(ok(ModelFile::from_json(&read(&model))).booster().is_some());
}

#[test]
fn the_cli_trains_predicts_and_refuses_trees() {
    let dir = temp_dir();
    let (model, predictions) = (path_of(&dir, "iris.hearth"), path_of(&dir, "p.csv"));
    let iris = sample("iris.csv");
    let stdout = assert_ok(&hearth(&[
        "train", &iris, "--target", "species", "--model", "gbdt", "--epochs", "5", "--lr", "0.2",
        "--out", &model,
    ]));
    assert!(stdout.contains("10 boosting rounds per epoch"), "{stdout}");
    let file = ok(ModelFile::from_json(&read(&model)));
    match &file.config.model {
        ModelKind::Gbdt(trees) => assert_eq!(trees.learning_rate, 0.2),
        other => panic!("{other:?}"),
    }
    assert!(file.booster().is_some() && file.training.epochs_run <= 5);
    assert_ok(&hearth(&["predict", &model, &iris, "--out", &predictions]));
    assert_eq!(read(&predictions).lines().count(), 151);
    let onnx = path_of(&dir, "iris.onnx");
    let export = |q: &str| {
        hearth(&[
            "export",
            &model,
            "--quantize",
            q,
            "--data",
            &iris,
            "--out",
            &onnx,
        ])
    };
    let line = assert_one_sentence_error(&export("static"));
    assert!(line.contains("float32"), "{line}");
    assert_ok(&export("none"));
    let out = path_of(&dir, "x.hearth");
    let args = [
        "train", &iris, "--target", "species", "--model", "gbdt", "--hidden", "8", "--out", &out,
    ];
    let line = assert_one_sentence_error(&hearth(&args));
    assert!(line.contains("--hidden"), "{line}");
}
