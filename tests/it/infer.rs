//! `hearth predict` with the exported ONNX file (tract, through `hearth::infer`): the same
//! answers as the `.hearth` model (burn) for float32 on every bundled dataset, and one sentence
//! for a file that is not a Hearth export or a CSV that does not fit it. (`export_tract.rs`
//! compares every numeric form.)

use hearth::infer::{Answers, OnnxModel, batch_score, predictions_csv};
use hearth::train::Metrics;

use crate::support::{
    assert_ok, assert_one_sentence_error, csv, hearth, path_of, read, sample, temp_dir,
    train_sample, write,
};

/// Trains a small model on a bundled sample, exports float32, and returns both files' paths.
fn model_and_onnx(
    dir: &tempfile::TempDir,
    name: &str,
    target: &str,
    model: &str,
) -> (String, String) {
    let hearth_path = train_sample(dir, name, target, &["--model", model, "--epochs", "15"]);
    let onnx_path = path_of(dir, &format!("{name}.onnx"));
    assert_ok(&hearth(&["export", &hearth_path, "--out", &onnx_path]));
    (hearth_path, onnx_path)
}

fn table(text: &str) -> (String, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_string();
    (
        header,
        lines
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect(),
    )
}

#[test]
fn the_onnx_file_answers_as_the_model_file_does() {
    let dir = temp_dir();
    for (name, target, model) in [
        ("penguins.csv", "species", "mlp"),
        ("iris.csv", "species", "gbdt"),
        ("diabetes.csv", "progression", "linear"),
    ] {
        let (hearth_path, onnx_path) = model_and_onnx(&dir, name, target, model);
        let burn = assert_ok(&hearth(&[
            "predict",
            &hearth_path,
            &sample(name),
            "--device",
            "cpu",
        ]));
        let tract = assert_ok(&hearth(&["predict", &onnx_path, &sample(name)]));
        let (burn_header, burn_rows) = table(&burn);
        let (tract_header, tract_rows) = table(&tract);
        assert_eq!(burn_header, tract_header, "{name}");
        assert_eq!(burn_rows.len(), tract_rows.len(), "{name}");
        for (b, t) in burn_rows.iter().zip(&tract_rows) {
            if target == "progression" {
                let (b, t): (f64, f64) = (
                    b[0].parse().expect("a value"),
                    t[0].parse().expect("a value"),
                );
                assert!(
                    (b - t).abs() <= 1e-5 * b.abs().max(1.0),
                    "{name}: {b} against {t}"
                );
            } else {
                assert_eq!(b[0], t[0], "{name}: the labels differ");
                for (p, q) in b[1..].iter().zip(&t[1..]) {
                    let (p, q): (f32, f32) = (p.parse().expect("p"), q.parse().expect("p"));
                    assert!((p - q).abs() <= 1e-5, "{name}: {p} against {q}");
                }
            }
        }
    }
}

#[test]
fn a_batch_with_its_target_is_scored() {
    let dir = temp_dir();
    let (hearth_path, onnx_path) = model_and_onnx(&dir, "penguins.csv", "species", "linear");
    let out = path_of(&dir, "predictions.csv");
    let mut reports = Vec::new();
    for model in [&hearth_path, &onnx_path] {
        let text = assert_ok(&hearth(&[
            "predict",
            model,
            &sample("penguins.csv"),
            "--out",
            &out,
            "--device",
            "cpu",
        ]));
        let batch: Vec<&str> = text.lines().skip(1).collect();
        assert!(
            batch[0].starts_with("batch: 344 of 344 rows have a known \"species\": acc "),
            "{text}"
        );
        // The confusion matrix: a header, then one row per class summing to its rows.
        let counts: u64 = batch[3..6]
            .iter()
            .flat_map(|line| line.split_whitespace().skip(1))
            .map(|n| n.parse::<u64>().expect("a count"))
            .sum();
        assert_eq!(counts, 344, "{text}");
        reports.push(batch.join("\n"));
    }
    // The exported file scores the batch as the model file does.
    assert_eq!(reports[0], reports[1]);
    // Without the target column there is nothing to score.
    let text = read(&sample("penguins.csv"));
    let unlabeled: String = text
        .lines()
        .map(|line| {
            line.split_once(',')
                .map_or(line, |(_, rest)| rest)
                .to_string()
                + "\n"
        })
        .collect();
    let file = path_of(&dir, "unlabeled.csv");
    write(&file, &unlabeled);
    let text = assert_ok(&hearth(&["predict", &onnx_path, &file, "--out", &out]));
    assert!(!text.contains("batch:"), "{text}");
}

#[test]
fn files_and_rows_that_do_not_fit_are_named() {
    let dir = temp_dir();
    let (hearth_path, onnx_path) = model_and_onnx(&dir, "penguins.csv", "species", "linear");
    // Not ONNX at all.
    let junk = path_of(&dir, "junk.onnx");
    write(&junk, "this is not a model\n");
    let error = assert_one_sentence_error(&hearth(&["predict", &junk, &sample("penguins.csv")]));
    assert!(
        error.contains("junk.onnx") && error.contains("not an ONNX model"),
        "{error}"
    );
    // ONNX, but not Hearth's: the metadata that names the inputs is gone.
    let mut cut = std::fs::read(&onnx_path).expect("the export");
    // The metadata entry's key: protobuf field 1, 6 bytes, "inputs".
    let at = cut
        .windows(8)
        .position(|w| w == b"\x0a\x06inputs")
        .expect("the metadata key");
    cut[at + 7] = b'z';
    let foreign = path_of(&dir, "foreign.onnx");
    std::fs::write(&foreign, &cut).expect("written");
    let error = assert_one_sentence_error(&hearth(&["predict", &foreign, &sample("penguins.csv")]));
    assert!(
        error.contains("not a Hearth export") && error.contains("\"inputs\""),
        "{error}"
    );
    // ONNX with an operator outside the export contract, which the runtime does not register
    // (same length, so the protobuf stays valid).
    let mut alien = std::fs::read(&onnx_path).expect("the export");
    let at = alien
        .windows(7)
        .position(|w| w == b"Softmax")
        .expect("the classifier's Softmax");
    alien[at..at + 7].copy_from_slice(b"Softmix");
    let alien_path = path_of(&dir, "alien.onnx");
    std::fs::write(&alien_path, &alien).expect("written");
    let error =
        assert_one_sentence_error(&hearth(&["predict", &alien_path, &sample("penguins.csv")]));
    assert!(
        error.contains("alien.onnx") && error.contains("Softmix"),
        "{error}"
    );
    // A CSV without a column the model reads.
    let text = read(&sample("penguins.csv"));
    // Column 2 is bill_length_mm.
    let without: String = text
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            [&fields[..2], &fields[3..]].concat().join(",") + "\n"
        })
        .collect();
    let short = path_of(&dir, "short.csv");
    write(&short, &without);
    let error = assert_one_sentence_error(&hearth(&["predict", &onnx_path, &short]));
    assert!(
        error.contains("short.csv") && error.contains("\"bill_length_mm\""),
        "{error}"
    );
    // Words where the model reads numbers: the row and the column.
    let words = path_of(&dir, "words.csv");
    write(
        &words,
        "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\nDream,39,18,181,heavy,male,2007\n",
    );
    let error = assert_one_sentence_error(&hearth(&["predict", &onnx_path, &words]));
    assert!(
        error.contains("Row 1") && error.contains("\"body_mass_g\"") && error.contains("heavy"),
        "{error}"
    );
    // The .hearth file still predicts the same file (its pipeline reads the words as missing).
    assert_ok(&hearth(&[
        "predict",
        &hearth_path,
        &words,
        "--device",
        "cpu",
    ]));
}

#[test]
fn the_predictions_table_keeps_the_file_and_adds_the_answers() {
    // What the Use step's batch downloads and scores.
    let dir = temp_dir();
    let (_, onnx_path) = model_and_onnx(&dir, "penguins.csv", "species", "linear");
    let bytes = std::fs::read(&onnx_path).expect("the exported file");
    let model = OnnxModel::load("penguins.onnx", &bytes).expect("a Hearth export");
    let dataset = csv(read(&sample("penguins.csv")));
    let answers = model
        .predict(&model.dataset_rows(&dataset).expect("the model's columns"))
        .expect("answers");
    let text = predictions_csv(&dataset, &model.target, &model.class_names, &answers);
    let table = csv(&text);
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let mut expected: Vec<String> = dataset.columns.iter().map(|c| c.name.clone()).collect();
    expected.push("predicted_species".into());
    expected.extend(model.class_names.iter().map(|c| format!("p_{c}")));
    assert_eq!(names, expected);
    assert_eq!(table.rows, dataset.rows);
    let (species, predicted) = (
        table.column("species").expect("species"),
        table.column("predicted_species").expect("predictions"),
    );
    let mut right = 0;
    for row in 0..table.rows {
        // The file's own fields come back as they were read.
        for column in &dataset.columns {
            let copy = table.column(&column.name).expect("copied");
            assert_eq!(copy.raw(row), column.raw(row), "row {row}, {}", column.name);
        }
        let sum: f64 = model
            .class_names
            .iter()
            .map(|c| {
                let field = table.column(&format!("p_{c}")).and_then(|p| p.raw(row));
                field
                    .and_then(|f| f.parse::<f64>().ok())
                    .expect("a probability")
            })
            .sum();
        assert!((sum - 1.0).abs() < 1e-5, "row {row}: {sum}");
        right += usize::from(species.raw(row) == predicted.raw(row));
    }
    let score = batch_score(species, false, &model.class_names, &answers).expect("scored");
    assert_eq!((score.scored, score.rows), (344, 344));
    match score.metrics {
        Metrics::Classification(m) => {
            assert!((m.accuracy - right as f64 / 344.0).abs() < 1e-12);
            assert_eq!(m.confusion.iter().flatten().sum::<u64>(), 344);
        }
        Metrics::Regression(_) => panic!("penguins' species is a class"),
    }
    // No rows answered: nothing to score.
    assert_eq!(
        batch_score(species, false, &model.class_names, &Answers::empty()),
        None
    );
}
