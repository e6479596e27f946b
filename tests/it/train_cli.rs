//! `hearth train` and `hearth predict` as a user runs them: the model file, the per-epoch
//! lines, predictions, and one-sentence errors for bad settings.

use hearth::train::{Metrics, ModelFile, ModelKind};

use crate::support::{
    assert_ok, assert_one_sentence_error, hearth, path_of, read, sample, temp_dir, write,
};

#[test]
fn train_writes_a_model_that_loads_and_predicts() {
    let dir = temp_dir();
    let out = path_of(&dir, "iris.hearth");
    let output = hearth(&[
        "train",
        &sample("iris.csv"),
        "--target",
        "species",
        "--model",
        "mlp",
        "--hidden",
        "8,8",
        "--epochs",
        "12",
        "--lr",
        "0.02",
        "--batch",
        "16",
        "--seed",
        "3",
        "--device",
        "cpu",
        "--out",
        &out,
    ]);
    let stdout = assert_ok(&output);
    let epoch_lines = stdout.lines().filter(|l| l.starts_with("epoch ")).count();
    assert_eq!(epoch_lines, 12, "{stdout}");
    assert!(stdout.contains("device: CPU"), "{stdout}");
    assert!(stdout.contains("model: mlp 8-8 relu"), "{stdout}");
    assert!(stdout.contains("\ntest: acc "), "{stdout}");
    assert!(stdout.contains("wrote "), "{stdout}");
    let model = match ModelFile::from_json(&read(&out)) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(model.training.epochs_run, 12);
    assert_eq!(model.config.seed, 3);
    assert_eq!(model.config.batch_size, 16);
    assert_eq!(
        model.config.model,
        ModelKind::Mlp(hearth::train::MlpSettings {
            hidden: vec![8, 8],
            activation: hearth::train::Activation::Relu,
            dropout: 0.0,
            layer_norm: false
        })
    );
    assert!(matches!(
        model.test_metrics,
        Some(Metrics::Classification(_))
    ));

    let predictions = path_of(&dir, "predictions.csv");
    let output = hearth(&["predict", &out, &sample("iris.csv"), "--out", &predictions]);
    assert_ok(&output);
    let text = read(&predictions);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("predicted_species,p_setosa,p_versicolor,p_virginica")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 150);
    let correct = rows
        .iter()
        .zip(read(&sample("iris.csv")).lines().skip(1))
        .filter(|(prediction, row)| row.ends_with(prediction.split(',').next().unwrap_or("?")))
        .count();
    assert!(correct > 120, "{correct} of 150 right");
}

#[test]
fn train_reads_config_files_and_flags_override_them() {
    let dir = temp_dir();
    let config = path_of(&dir, "train.json");
    write(
        &config,
        r#"{"model": "linear", "optimizer": {"sgd": {"momentum": 0.5}}, "learning_rate": 0.05, "epochs": 30, "seed": 9}"#,
    );
    let prep = path_of(&dir, "prep.json");
    write(&prep, r#"{"seed": 5, "columns": {"s6_glucose": "drop"}}"#);
    let out = path_of(&dir, "diabetes.hearth");
    let output = hearth(&[
        "train",
        &sample("diabetes.csv"),
        "--target",
        "progression",
        "--config",
        &config,
        "--prep-config",
        &prep,
        "--epochs",
        "4",
        "--device",
        "cpu",
        "--out",
        &out,
    ]);
    let stdout = assert_ok(&output);
    assert!(stdout.contains("model: linear"), "{stdout}");
    assert!(stdout.contains("9 features"), "{stdout}");
    assert!(stdout.contains("rmse "), "{stdout}");
    let model = match ModelFile::from_json(&read(&out)) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(model.config.epochs, 4);
    assert_eq!(model.config.seed, 9);
    assert_eq!(model.config.learning_rate, 0.05);
    assert!(
        !model
            .pipeline
            .feature_names
            .iter()
            .any(|f| f == "s6_glucose")
    );
    assert!(matches!(model.test_metrics, Some(Metrics::Regression(_))));

    // Regression predictions are numbers in the target's units.
    let output = hearth(&["predict", &out, &sample("diabetes.csv")]);
    let stdout = assert_ok(&output);
    let values: Vec<f64> = stdout
        .lines()
        .skip(1)
        .map(|l| l.parse::<f64>().unwrap_or(f64::NAN))
        .collect();
    assert_eq!(values.len(), 442);
    assert!(
        values
            .iter()
            .all(|v| v.is_finite() && *v > 0.0 && *v < 400.0)
    );
}

#[test]
fn auto_device_reports_the_timings_it_chose_by() {
    let dir = temp_dir();
    let out = path_of(&dir, "auto.hearth");
    let output = hearth(&[
        "train",
        &sample("iris.csv"),
        "--target",
        "species",
        "--epochs",
        "2",
        "--out",
        &out,
    ]);
    let stdout = assert_ok(&output);
    assert!(
        stdout.lines().any(|l| l.starts_with("timing: CPU ")),
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("timing: GPU (wgpu)")),
        "{stdout}"
    );
    assert!(stdout.contains("ms per step"), "{stdout}");
    let model = match ModelFile::from_json(&read(&out)) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    assert!(model.training.device.is_some());
}

#[test]
fn bad_settings_exit_1_with_one_sentence() {
    let dir = temp_dir();
    let out = path_of(&dir, "never.hearth");
    let iris = sample("iris.csv");
    let base = [
        "train",
        iris.as_str(),
        "--target",
        "species",
        "--device",
        "cpu",
        "--out",
        out.as_str(),
    ];
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        assert_one_sentence_error(&hearth(&args))
    };
    let message = run(&["--lr", "0"]);
    assert_eq!(
        message,
        "error: Training setting \"learning_rate\": must be above 0 and at most 10, not 0."
    );
    assert!(run(&["--batch", "0"]).contains("\"batch_size\""));
    assert!(run(&["--epochs", "0"]).contains("\"epochs\""));
    assert!(run(&["--hidden", "8,0"]).contains("\"hidden\""));
    assert!(run(&["--hidden", "8,x"]).contains("--hidden 8,x"));
    assert!(run(&["--hidden", "1,1,1,1,1"]).contains("1 to 4 hidden layers"));
    assert!(run(&["--model", "linear", "--hidden", "8"]).contains("--model mlp"));
    let config = path_of(&dir, "typo.json");
    write(&config, r#"{"epoch": 3}"#);
    let message = run(&["--config", &config]);
    assert!(message.contains("unknown field `epoch`"), "{message}");
    let message = run(&["--config", &path_of(&dir, "missing.json")]);
    assert!(message.contains("could not read it"), "{message}");
    let message = assert_one_sentence_error(&hearth(&[
        "train",
        &sample("iris.csv"),
        "--target",
        "petals",
        "--out",
        &out,
    ]));
    assert!(message.contains("no such column"), "{message}");
    assert!(!std::path::Path::new(&out).exists());

    let not_a_model = path_of(&dir, "not.hearth");
    write(&not_a_model, "{}");
    let message = assert_one_sentence_error(&hearth(&["predict", &not_a_model, &iris]));
    assert!(message.contains("not a Hearth model"), "{message}");
}
