//! `hearth export` as a user runs it: the comparison table, the ONNX file, and one-sentence
//! errors for settings that cannot work.

use crate::support::{assert_ok, assert_one_sentence_error, hearth, path_of, sample, temp_dir};

fn train_iris(dir: &tempfile::TempDir) -> String {
    let model = path_of(dir, "iris.hearth");
    assert_ok(&hearth(&[
        "train",
        &sample("iris.csv"),
        "--target",
        "species",
        "--hidden",
        "16",
        "--epochs",
        "10",
        "--seed",
        "2",
        "--device",
        "cpu",
        "--out",
        &model,
    ]));
    model
}

#[test]
fn export_prints_the_table_and_writes_the_chosen_variant() {
    let dir = temp_dir();
    let model = train_iris(&dir);
    let out = path_of(&dir, "iris.onnx");
    let report = path_of(&dir, "report.json");
    let stdout = assert_ok(&hearth(&[
        "export",
        &model,
        "--data",
        &sample("iris.csv"),
        "--quantize",
        "static",
        "--calibration-method",
        "99.9",
        "--prune",
        "0.5",
        "--out",
        &out,
        "--report",
        &report,
    ]));
    for row in ["fp32", "fp16", "dynamic-int8", "static-int8  "] {
        assert!(stdout.contains(row), "{stdout}");
    }
    assert!(stdout.contains("<- written"), "{stdout}");
    assert!(stdout.contains("pruned: 0.5000"), "{stdout}");
    assert!(stdout.contains("(pruning curve)"), "{stdout}");
    let bytes = std::fs::read(&out).unwrap_or_default();
    assert!(bytes.len() > 100);
    let json = std::fs::read_to_string(&report).unwrap_or_default();
    let parsed: hearth::compress::CompressionReport = match serde_json::from_str(&json) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(parsed.variants.len(), 4);
    assert!((parsed.sparsity - 0.5).abs() < 0.01);
    assert_eq!(
        parsed.variants[3].onnx_bytes,
        bytes.len(),
        "the written file is the static variant"
    );
}

#[test]
fn export_without_data_still_writes_the_file() {
    let dir = temp_dir();
    let model = train_iris(&dir);
    let out = path_of(&dir, "iris.onnx");
    let stdout = assert_ok(&hearth(&[
        "export",
        &model,
        "--quantize",
        "dynamic",
        "--out",
        &out,
    ]));
    assert!(stdout.contains("give --data"), "{stdout}");
    assert!(std::fs::metadata(&out).is_ok());
}

#[test]
fn export_errors_are_one_sentence() {
    let dir = temp_dir();
    let model = train_iris(&dir);
    let out = path_of(&dir, "iris.onnx");
    let line = assert_one_sentence_error(&hearth(&[
        "export",
        &model,
        "--quantize",
        "static",
        "--out",
        &out,
    ]));
    assert!(line.contains("--calibration"), "{line}");
    let line = assert_one_sentence_error(&hearth(&[
        "export", &model, "--prune", "1.5", "--out", &out,
    ]));
    assert!(line.contains("sparsity"), "{line}");
    let line = assert_one_sentence_error(&hearth(&[
        "export",
        &model,
        "--prune",
        "0.5",
        "--fine-tune-epochs",
        "2",
        "--out",
        &out,
    ]));
    assert!(line.contains("--data"), "{line}");
    let line = assert_one_sentence_error(&hearth(&[
        "export",
        &model,
        "--calibration-method",
        "loud",
        "--out",
        &out,
    ]));
    assert!(line.contains("--calibration-method"), "{line}");
    // A file trained on other data does not split like the model's.
    let line = assert_one_sentence_error(&hearth(&[
        "export",
        &model,
        "--data",
        &sample("penguins.csv"),
        "--out",
        &out,
    ]));
    assert!(line.contains("--data"), "{line}");
}
