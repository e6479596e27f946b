//! The trainer on burn's CPU device: gradients against finite differences, determinism, early
//! stopping with the best weights restored, the `.hearth` model file round trip, and errors.

use std::sync::Arc;

use hearth::compute::{self, Accelerator};
use hearth::data::Task;
use hearth::prep::{Matrix, Prediction, Targets};
use hearth::train::{
    Activation, DeviceSelection, DeviceTiming, EpochReport, Examples, Metrics, ModelFile,
    ModelKind, Monitor, OptimizerKind, RegressionLoss, TrainConfig, TrainError, Trainer,
    initial_weights, loss_and_gradient, pick_fastest,
};

use crate::support::{bundled, ok, prepared, prepared_from, train};

fn small_mlp(activation: Activation, layer_norm: bool, dropout: f64) -> ModelKind {
    ModelKind::Mlp(hearth::train::MlpSettings {
        hidden: vec![5, 4],
        activation,
        dropout,
        layer_norm,
    })
}

/// The autodiff gradient of the mean loss matches central differences of the loss, for
/// every weight of a small two-layer MLP with layer norm, on each head.
#[test]
fn autodiff_gradients_match_finite_differences() {
    let device = compute::init_cpu();
    let cases = [
        (
            "iris.csv",
            "species",
            Task::MulticlassClassification,
            RegressionLoss::Mse,
            false,
        ),
        (
            "penguins.csv",
            "sex",
            Task::BinaryClassification,
            RegressionLoss::Mse,
            true,
        ),
        (
            "diabetes.csv",
            "progression",
            Task::Regression,
            RegressionLoss::Mse,
            false,
        ),
        (
            "diabetes.csv",
            "progression",
            Task::Regression,
            RegressionLoss::Huber { delta: 0.5 },
            false,
        ),
    ];
    for (name, target, task, loss, class_weights) in cases {
        let (prepared, data) = prepared(name, target, task);
        let examples = data.train.subset(&(0..12).collect::<Vec<_>>());
        let config = TrainConfig {
            model: small_mlp(Activation::Tanh, true, 0.0),
            loss,
            class_weights,
            ..TrainConfig::default()
        };
        let weights = ok(initial_weights(&prepared.pipeline, &examples, &config));
        let (loss0, gradient) = ok(pollster::block_on(loss_and_gradient(
            &device,
            &prepared.pipeline,
            &config,
            &weights,
            &examples,
        )));
        assert!(loss0.is_finite() && loss0 > 0.0);
        let h = 3e-3f32;
        let mut worst = 0.0f64;
        let analytic: Vec<f32> = gradient.values().collect();
        assert_eq!(analytic.len(), weights.values().count());
        for (i, &g) in analytic.iter().enumerate() {
            let at = |delta: f32| {
                let mut w = weights.clone();
                if let Some(v) = w.values_mut().nth(i) {
                    *v += delta;
                }
                ok(pollster::block_on(loss_and_gradient(
                    &device,
                    &prepared.pipeline,
                    &config,
                    &w,
                    &examples,
                )))
                .0
            };
            let numeric = (at(h) - at(-h)) / (2.0 * f64::from(h));
            let error = (numeric - f64::from(g)).abs();
            assert!(
                error <= 5e-4 + 0.01 * numeric.abs(),
                "{name} {loss:?}: weight {i}: autodiff {g} vs finite difference {numeric}"
            );
            worst = worst.max(error);
        }
        let largest = analytic.iter().fold(0.0f32, |m, g| m.max(g.abs()));
        assert!(largest > 0.01, "{name}: the gradient is all but zero");
        eprintln!(
            "{name} {loss:?}: largest gradient error {worst:.2e} (largest gradient {largest:.3})"
        );
    }
}

/// Everything in a report but the timings.
fn without_timing(reports: &[EpochReport]) -> Vec<EpochReport> {
    reports
        .iter()
        .map(|r| EpochReport {
            elapsed_ms: 0.0,
            samples_per_sec: 0.0,
            ..r.clone()
        })
        .collect()
}

#[test]
fn the_same_seed_gives_identical_metrics_and_weights() {
    let (prepared, data) = prepared("penguins.csv", "species", Task::MulticlassClassification);
    let config = TrainConfig {
        model: small_mlp(Activation::Relu, true, 0.2),
        batch_size: 32,
        epochs: 6,
        seed: 11,
        ..TrainConfig::default()
    };
    let (a, reports_a) = train(&prepared, &data, &config);
    let (b, reports_b) = train(&prepared, &data, &config);
    assert_eq!(without_timing(&reports_a), without_timing(&reports_b));
    assert_eq!(
        ok(pollster::block_on(a.best_weights())),
        ok(pollster::block_on(b.best_weights()))
    );
    assert_eq!(
        ok(pollster::block_on(a.current_weights())),
        ok(pollster::block_on(b.current_weights()))
    );
    let (c, reports_c) = train(&prepared, &data, &TrainConfig { seed: 12, ..config });
    assert_ne!(reports_a[5].train_loss, reports_c[5].train_loss);
    assert_ne!(
        ok(pollster::block_on(a.current_weights())),
        ok(pollster::block_on(c.current_weights()))
    );
}

#[test]
fn early_stopping_keeps_the_best_epochs_weights() {
    let (prepared, data) = prepared("diabetes.csv", "progression", Task::Regression);
    let config = TrainConfig {
        model: small_mlp(Activation::Relu, false, 0.0),
        learning_rate: 0.05,
        batch_size: 16,
        epochs: 300,
        patience: 4,
        ..TrainConfig::default()
    };
    let (trainer, reports) = train(&prepared, &data, &config);
    let last = reports.len();
    assert!(last < 300, "no early stop in 300 epochs");
    let best = trainer.best().cloned();
    let Some(best) = best else {
        panic!("no best epoch")
    };
    assert_eq!(best.epoch, last - 4);
    assert!(reports[best.epoch - 1].is_best);
    assert!(reports[best.epoch..].iter().all(|r| !r.is_best));
    assert_eq!(best.monitor, Monitor::ValidRmse);
    let reason = trainer.finished_reason().unwrap_or_default();
    assert!(reason.contains("no improvement"), "{reason}");
    // The kept weights are the best epoch's: evaluating them on the validation rows gives
    // exactly that epoch's metrics.
    let valid = data
        .valid
        .as_ref()
        .map(|v| ok(pollster::block_on(trainer.evaluate(v))));
    assert_eq!(valid.as_ref(), best.valid_metrics.as_ref());
    match &valid {
        Some(Metrics::Regression(m)) => assert_eq!(m.rmse, best.monitor_value),
        other => panic!("{other:?}"),
    }
    assert_ne!(
        ok(pollster::block_on(trainer.best_weights())),
        ok(pollster::block_on(trainer.current_weights()))
    );
}

#[test]
fn stop_ends_training_and_later_epochs_are_refused() {
    let (prepared, data) = prepared("iris.csv", "species", Task::MulticlassClassification);
    let config = TrainConfig {
        model: ModelKind::Linear,
        epochs: 50,
        ..TrainConfig::default()
    };
    let mut trainer = ok(Trainer::new(
        compute::init_cpu(),
        &prepared.pipeline,
        data.train.clone(),
        data.valid.clone(),
        &config,
    ));
    assert!(!trainer.done());
    let report = ok(pollster::block_on(trainer.next_epoch()));
    assert_eq!(report.epoch, 1);
    assert!(report.is_best);
    assert!(report.elapsed_ms > 0.0 && report.samples_per_sec > 0.0);
    assert_eq!(report.steps, data.train.rows().div_ceil(64));
    trainer.stop();
    assert!(trainer.done());
    match pollster::block_on(trainer.next_epoch()) {
        Err(TrainError::Finished { reason }) => assert_eq!(reason, "stopped by request"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_validation_rows_the_training_loss_is_watched() {
    let (prepared, data) = prepared("iris.csv", "species", Task::MulticlassClassification);
    let config = TrainConfig {
        model: ModelKind::Linear,
        epochs: 3,
        ..TrainConfig::default()
    };
    let mut trainer = ok(Trainer::new(
        compute::init_cpu(),
        &prepared.pipeline,
        data.train.clone(),
        None,
        &config,
    ));
    let report = ok(pollster::block_on(trainer.next_epoch()));
    assert_eq!(report.monitor, Monitor::TrainLoss);
    assert_eq!(report.monitor_value, report.train_loss);
    assert_eq!(report.valid_loss, None);
    assert_eq!(report.valid_metrics, None);
}

#[test]
fn a_saved_model_loads_and_predicts_exactly_as_before() {
    let device = compute::init_cpu();
    for (name, target, task) in [
        ("penguins.csv", "species", Task::MulticlassClassification),
        ("penguins.csv", "sex", Task::BinaryClassification),
        ("diabetes.csv", "progression", Task::Regression),
    ] {
        let dataset = bundled(name);
        let (prepared, data) = prepared_from(&dataset, target, task);
        let config = TrainConfig {
            model: small_mlp(Activation::Gelu, true, 0.1),
            epochs: 4,
            ..TrainConfig::default()
        };
        let (trainer, _) = train(&prepared, &data, &config);
        let test = data
            .test
            .as_ref()
            .map(|t| ok(pollster::block_on(trainer.test(t))));
        let test_metrics = test.as_ref().map(|t| t.metrics.clone());
        let file = ok(pollster::block_on(ModelFile::from_trainer(
            &trainer,
            test,
            Some("CPU".into()),
        )));
        let json = ok(file.to_json());
        let loaded = ok(ModelFile::from_json(&json));
        // Weights, pipeline and settings round-trip exactly (f32 and integers); the f64
        // metrics to the last digit or so (serde_json's default float parsing).
        assert_eq!(loaded.fitted, file.fitted);
        assert_eq!(loaded.pipeline, file.pipeline);
        assert_eq!(loaded.config, file.config);
        assert_eq!(loaded.head, file.head);
        assert_eq!(loaded.training.history.len(), file.training.history.len());
        let accuracy = |m: &Option<Metrics>| match m {
            Some(Metrics::Classification(c)) => c.accuracy,
            Some(Metrics::Regression(r)) => r.rmse,
            None => f64::NAN,
        };
        assert!((accuracy(&loaded.test_metrics) - accuracy(&test_metrics)).abs() < 1e-12);
        // The answers' distribution on the test split, for prediction drift, travels too.
        let answers = file
            .test_answers
            .as_ref()
            .expect("a test split gives answers");
        assert_eq!(loaded.test_answers.as_ref(), Some(answers));
        assert_eq!(
            answers.column,
            format!("predicted_{}", file.pipeline.target)
        );
        assert_eq!(
            answers.rows as usize,
            data.test.as_deref().map_or(0, |t| t.features.rows)
        );
        assert_eq!(loaded.training.epochs_run, 4);
        assert_eq!(loaded.hearth_version, env!("CARGO_PKG_VERSION"));

        // Bit for bit: the trainer's best weights and the loaded file, on the test rows.
        let Some(test_rows) = &data.test else {
            panic!("no test split")
        };
        let before = ok(pollster::block_on(trainer.predict(&test_rows.features)));
        let after = ok(pollster::block_on(
            loaded.predict_matrix(&device, &test_rows.features),
        ));
        assert_eq!(before, after);

        // Raw rows (strings, as a CSV gives them) predict as the batch path does.
        let all = ok(pollster::block_on(
            loaded.predict_dataset(&device, &dataset),
        ));
        assert_eq!(all.predictions.len(), dataset.rows);
        let raw: Vec<Vec<Option<String>>> = (0..dataset.rows)
            .map(|r| dataset.columns.iter().map(|c| c.raw(r)).collect())
            .collect();
        let rows: Vec<Vec<Option<&str>>> = raw
            .iter()
            .map(|r| r.iter().map(Option::as_deref).collect())
            .collect();
        let single = ok(pollster::block_on(loaded.predict_rows(&device, &rows)));
        assert_eq!(single.outputs, all.outputs);
        assert_eq!(single.predictions, all.predictions);
        match (&all.predictions[0], task) {
            (Prediction::Value { value }, Task::Regression) => assert!(value.is_finite()),
            (Prediction::Class { name, .. }, _) => assert!(!name.is_empty()),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn broken_model_files_are_refused_with_one_sentence() {
    let (prepared, data) = prepared("iris.csv", "species", Task::MulticlassClassification);
    let config = TrainConfig {
        model: ModelKind::Linear,
        epochs: 1,
        ..TrainConfig::default()
    };
    let (trainer, _) = train(&prepared, &data, &config);
    let file = ok(pollster::block_on(ModelFile::from_trainer(
        &trainer, None, None,
    )));
    let refused = |text: &str, expected: &str| match ModelFile::from_json(text) {
        Err(error) => {
            let message = error.to_string();
            assert!(message.contains(expected), "{message}");
            assert!(
                message.starts_with("The model file is not usable: "),
                "{message}"
            );
            assert_eq!(message.lines().count(), 1);
        }
        Ok(_) => panic!("accepted: {expected}"),
    };
    refused("not json", "not a JSON object");
    refused(r#"{"format": "onnx"}"#, "not a Hearth model");
    refused(
        r#"{"format": "hearth-model", "format_version": 99}"#,
        "newer Hearth",
    );
    let mut short = file.clone();
    weights_of(&mut short).dense[0].weight.pop();
    refused(
        &serde_json::to_string(&short).unwrap_or_default(),
        "dense layer 1",
    );
    let mut wider = file.clone();
    weights_of(&mut wider).architecture.inputs += 1;
    refused(
        &serde_json::to_string(&wider).unwrap_or_default(),
        "dense layer 1",
    );
    let mut task = file;
    task.head = hearth::train::Head::Binary;
    refused(&serde_json::to_string(&task).unwrap_or_default(), "outputs");
}

#[test]
fn bad_data_and_settings_are_typed_errors() {
    let (prepared, data) = prepared("iris.csv", "species", Task::MulticlassClassification);
    let new = |train: Examples, config: &TrainConfig| {
        Trainer::new(
            compute::init_cpu(),
            &prepared.pipeline,
            Arc::new(train),
            None,
            config,
        )
        .map(|_| ())
    };
    let config = TrainConfig::default();
    let mut narrow = Examples::clone(&data.train);
    narrow.features = Matrix {
        rows: narrow.features.rows,
        cols: 3,
        values: narrow.features.values[..narrow.features.rows * 3].to_vec(),
        feature_names: vec![],
    };
    match new(narrow, &config) {
        Err(TrainError::Data { part, problem }) => {
            assert_eq!(part, "training");
            assert!(problem.contains("3 features"), "{problem}");
        }
        other => panic!("{other:?}"),
    }
    let mut wrong = Examples::clone(&data.train);
    wrong.targets = Targets::Values(vec![0.0; wrong.rows()]);
    assert!(matches!(new(wrong, &config), Err(TrainError::Data { .. })));
    let mut out_of_range = Examples::clone(&data.train);
    out_of_range.targets = Targets::Classes(vec![7; out_of_range.rows()]);
    assert!(matches!(
        new(out_of_range, &config),
        Err(TrainError::Data { .. })
    ));
    let empty = data.train.subset(&[]);
    assert!(matches!(new(empty, &config), Err(TrainError::Data { .. })));
    let bad = TrainConfig {
        learning_rate: -1.0,
        ..TrainConfig::default()
    };
    match new(Examples::clone(&data.train), &bad) {
        Err(error @ TrainError::Setting { .. }) => assert_eq!(
            error.to_string(),
            "Training setting \"learning_rate\": must be above 0 and at most 10, not -1."
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_diverging_run_is_reported_not_panicked() {
    let (prepared, data) = prepared("diabetes.csv", "progression", Task::Regression);
    let config = TrainConfig {
        model: ModelKind::Mlp(hearth::train::MlpSettings {
            hidden: vec![32],
            activation: Activation::Relu,
            dropout: 0.0,
            layer_norm: false,
        }),
        optimizer: OptimizerKind::Sgd { momentum: 0.9 },
        learning_rate: 10.0,
        epochs: 20,
        ..TrainConfig::default()
    };
    let mut trainer = ok(Trainer::new(
        compute::init_cpu(),
        &prepared.pipeline,
        data.train.clone(),
        data.valid.clone(),
        &config,
    ));
    let mut diverged = false;
    while !trainer.done() {
        match pollster::block_on(trainer.next_epoch()) {
            Ok(_) => {}
            Err(TrainError::Diverged { epoch }) => {
                assert!(epoch >= 1);
                diverged = true;
                break;
            }
            Err(other) => panic!("{other}"),
        }
    }
    assert!(diverged, "SGD at learning rate 10 did not diverge");
    assert!(trainer.done());
}

#[test]
fn a_device_whose_warmup_exceeds_the_budget_is_not_timed_further() {
    let (prepared, data) = prepared("iris.csv", "species", Task::MulticlassClassification);
    let config = TrainConfig::default();
    let cpu = compute::init_cpu();
    let timing = ok(pollster::block_on(hearth::train::time_device_within(
        &cpu,
        &prepared.pipeline,
        &data.train,
        &config,
        5,
        0.0,
    )));
    assert!(
        matches!(timing, hearth::train::DeviceTime::OverBudget { warmup_ms } if warmup_ms > 0.0),
        "{timing:?}"
    );
}

#[test]
fn auto_device_choice_times_each_candidate() {
    let (prepared, data) = prepared("iris.csv", "species", Task::MulticlassClassification);
    let config = TrainConfig::default();
    let candidates = vec![
        (Accelerator::Cpu, compute::init_cpu()),
        (Accelerator::Cpu, compute::init_cpu()),
    ];
    let (_device, selection) = ok(pollster::block_on(pick_fastest(
        candidates,
        &prepared.pipeline,
        &data.train,
        &config,
    )));
    assert_eq!(selection.accelerator, Accelerator::Cpu);
    assert_eq!(selection.timings.len(), 2);
    assert!(
        selection
            .timings
            .iter()
            .all(|t| t.ms_per_step.is_some_and(|ms| ms > 0.0))
    );
    assert!(
        selection.reason.contains("ms per step"),
        "{}",
        selection.reason
    );
}

/// The page's choice for "auto" with a hardware GPU, from the timings its two compute workers
/// sent (each its own device): the faster device, every timing kept, a device that failed or
/// gave up after its warm-up named in the reason, and nothing when neither was timed.
#[test]
fn the_fastest_of_two_workers_timings_is_chosen_and_explained() {
    let timed = |accelerator, ms| DeviceTiming {
        accelerator,
        ms_per_step: Some(ms),
        error: None,
    };
    let failed = |accelerator, error: &str| DeviceTiming {
        accelerator,
        ms_per_step: None,
        error: Some(error.into()),
    };
    let selection = DeviceSelection::fastest(vec![
        timed(Accelerator::Cpu, 4.0),
        timed(Accelerator::Gpu, 1.5),
    ]);
    let selection = selection.expect("two timings");
    assert_eq!(selection.accelerator, Accelerator::Gpu);
    assert_eq!(selection.timings.len(), 2);
    assert_eq!(
        selection.reason,
        "GPU (wgpu) was fastest at 1.50 ms per step (vs CPU 4.00 ms)"
    );

    let slow_gpu = DeviceTiming::over_budget(Accelerator::Gpu, 900.0);
    let selection = DeviceSelection::fastest(vec![timed(Accelerator::Cpu, 2.0), slow_gpu]);
    let selection = selection.expect("the CPU was timed");
    assert_eq!(selection.accelerator, Accelerator::Cpu);
    assert_eq!(
        selection.reason,
        "CPU was fastest at 2.00 ms per step (vs GPU (wgpu): its first step took 900 ms, longer than the whole run on the faster device)"
    );

    let selection = DeviceSelection::fastest(vec![
        timed(Accelerator::Cpu, 3.0),
        failed(Accelerator::Gpu, "WebGPU is not available in this browser"),
    ]);
    assert_eq!(
        selection.map(|s| s.reason),
        Some("CPU was fastest at 3.00 ms per step (vs GPU (wgpu) unavailable)".into())
    );
    // A tie goes to the device timed first (the CPU, which compiles nothing).
    let tie = DeviceSelection::fastest(vec![
        timed(Accelerator::Cpu, 2.0),
        timed(Accelerator::Gpu, 2.0),
    ]);
    assert_eq!(tie.map(|s| s.accelerator), Some(Accelerator::Cpu));
    let neither = DeviceSelection::fastest(vec![
        failed(Accelerator::Cpu, "no rows"),
        failed(Accelerator::Gpu, "no adapter"),
    ]);
    assert_eq!(neither, None);
}

/// An MLP's file's weights, to edit.
fn weights_of(file: &mut ModelFile) -> &mut hearth::train::Weights {
    match &mut file.fitted {
        hearth::train::Fitted::Weights(weights) => weights,
        _ => panic!("an MLP's file holds weights"),
    }
}
