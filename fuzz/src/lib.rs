//! The fuzz targets' bodies: each takes libFuzzer's bytes, runs one reader of outside input
//! the way the page, the CLI or the server runs it, and panics only on a bug — an error the
//! input deserves is the expected outcome. Oracles beyond "does not panic" are checked where
//! the engine promises them (one-row path = batch path; finite features; the exported graph
//! answers every row the pipeline reads).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use hearth::compress::Quantization;
use hearth::data::{Dataset, Ingest, IngestOptions, Task, profile, read_csv_bytes};
use hearth::infer::OnnxModel;
use hearth::prep::{PrepConfig, Prepared, fit, plan};
use hearth::search::Study;
use hearth::train::{ModelFile, ModelKind, TrainConfig, Trainer, TrainingData};

/// Tables larger than this are cut: the targets look for bugs in the logic, not for speed.
const MAX_BYTES: usize = 16 * 1024;

/// CSV bytes, pushed in chunks of a size the first byte picks (as the page's worker streams a
/// file), then profiled, with every column tried as the target.
pub fn csv_profile(data: &[u8]) {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(first).max(1);
    let mut ingest = Ingest::new("fuzz.csv", IngestOptions::default());
    ingest.set_size_hint(bytes.len() as u64);
    for piece in bytes.chunks(chunk) {
        if ingest.push(piece).is_err() {
            return;
        }
    }
    let Ok(dataset) = ingest.finish() else {
        return;
    };
    let whole = read_csv_bytes("fuzz.csv", bytes, IngestOptions::default())
        .expect("the same bytes read at once must read as they did in chunks");
    assert_eq!(whole.rows, dataset.rows, "chunked and whole reads disagree");
    let profiled = profile(&dataset);
    assert_eq!(profiled.columns.len(), dataset.columns.len());
    for column in &profiled.columns {
        let _ = hearth::data::target_problem(&profiled, column);
        let _ = hearth::data::suggest_task(&profiled, &column.name);
        let _ = hearth::data::target_warnings(&profiled, &column.name);
    }
}

/// A small table and a target column (picked by the first byte), prepared as the page does;
/// every row's one-row path must equal the batch matrix bit for bit, every cell finite.
pub fn prep(data: &[u8]) {
    let Some((dataset, prepared)) = prepared(data) else {
        return;
    };
    let pipeline = &prepared.pipeline;
    let all: Vec<usize> = (0..dataset.rows).collect();
    let matrix = pipeline
        .transform_dataset(&dataset, &all)
        .expect("a fitted pipeline transforms its own dataset");
    assert!(matrix.values.iter().all(|v| v.is_finite()), "a feature is not finite");
    for row in 0..dataset.rows {
        let raw: Vec<Option<String>> = dataset.columns.iter().map(|c| c.raw(row)).collect();
        let fields: Vec<Option<&str>> = raw.iter().map(Option::as_deref).collect();
        let single = pipeline.transform_row(&fields);
        let batch = matrix.row(row);
        assert_eq!(single.len(), batch.len());
        for (a, b) in single.iter().zip(batch) {
            assert_eq!(a.to_bits(), b.to_bits(), "row {row}: one-row {a}, batch {b}");
        }
        let named: BTreeMap<String, String> = dataset
            .columns
            .iter()
            .zip(&raw)
            .filter_map(|(c, v)| v.clone().map(|v| (c.name.clone(), v)))
            .collect();
        assert_eq!(pipeline.transform_named(&named), single, "row {row}: by name");
    }
    let _ = pipeline.encode_targets(&dataset, &all);
}

/// Text read as the files a user can open: a `.hearth` model (then written as ONNX and loaded
/// back, as `hearth serve` does), a study, and the settings files.
pub fn model_json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(study) = Study::from_json(&text) {
        let again = study.to_json().expect("a study read back can be written");
        Study::from_json(&again).expect("a study written reads back");
    }
    let _ = PrepConfig::from_json(&text);
    let _ = TrainConfig::from_json(&text);
    let Ok(model) = ModelFile::from_json(&text) else {
        return;
    };
    if let Ok(bytes) = hearth::export::to_onnx_quantized(&model, Quantization::None, None) {
        OnnxModel::load("fuzz.onnx", &bytes).expect("tract loads every graph the export writes");
    }
}

/// A table prepared as in [`prep`], a small model trained on it (a linear model on burn's CPU
/// device or a few boosted trees, by the second byte), exported as ONNX and run in tract on
/// every raw row of the table: the graph must load and answer with finite numbers.
pub fn export(data: &[u8]) {
    let Some(&choice) = data.get(1) else {
        return;
    };
    let Some((dataset, prepared)) = prepared(data) else {
        return;
    };
    let Ok(examples) = TrainingData::from_prepared(&prepared, &dataset) else {
        return;
    };
    let model = if choice % 2 == 0 {
        ModelKind::Linear
    } else {
        ModelKind::Gbdt(Default::default())
    };
    let config = TrainConfig { model, epochs: 2, seed: u64::from(choice), ..TrainConfig::default() };
    let Ok(mut trainer) = Trainer::new(
        hearth::compute::init_cpu(),
        &prepared.pipeline,
        examples.train,
        examples.valid,
        &config,
    ) else {
        return;
    };
    while !trainer.done() {
        if pollster::block_on(trainer.next_epoch()).is_err() {
            return;
        }
    }
    let model = pollster::block_on(ModelFile::from_trainer(&trainer, None, None))
        .expect("a trained model can be saved");
    let Ok(bytes) = hearth::export::to_onnx_quantized(&model, Quantization::None, None) else {
        return;
    };
    let graph = OnnxModel::load("fuzz.onnx", &bytes).expect("tract loads what the export writes");
    let rows = graph.dataset_rows(&dataset).expect("the graph reads the table it was trained on");
    let answers = graph.predict(&rows).expect("the graph answers every row");
    assert!(answers.probabilities.iter().chain(&answers.values).all(|v| v.is_finite()));
}

/// A request body for `hearth serve`, read as the first byte says: an Open Inference Protocol
/// V2 `infer` body, TF Serving's `instances`, or CSV; for the penguins model.
pub fn serve_request(data: &[u8]) {
    use hearth::serve::request::{csv_rows, instance_rows, v2_rows};
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let model = penguins();
    let rows = match first % 3 {
        0 => v2_rows(model, body).map(|(rows, _)| rows),
        1 => instance_rows(model, body),
        _ => csv_rows(model, body),
    };
    if let Ok(rows) = rows
        && !rows.is_empty()
    {
        model.predict(&rows).expect("rows the parser accepted are answered");
    }
}

/// The bytes after the first two as a table (at most [`MAX_BYTES`]), its target picked by the
/// first byte, planned and fitted with the default settings and the split the first byte's
/// high bit picks (holdout or 3 folds).
fn prepared(data: &[u8]) -> Option<(Dataset, Prepared)> {
    let (&first, rest) = data.split_first()?;
    let bytes = rest.get(1..)?;
    let bytes = &bytes[..bytes.len().min(MAX_BYTES)];
    let dataset = read_csv_bytes("fuzz.csv", bytes, IngestOptions::default()).ok()?;
    if dataset.columns.is_empty() {
        return None;
    }
    let profiled = profile(&dataset);
    let target = &profiled.columns[usize::from(first) % profiled.columns.len()];
    let task = hearth::data::suggest_task(&profiled, &target.name).unwrap_or(Task::Regression);
    let config = if first >= 128 {
        PrepConfig::from_json(r#"{"folds": 3, "split": {"train": 0.8, "valid": 0.0, "test": 0.2}}"#)
            .expect("the folds settings read")
    } else {
        PrepConfig::default()
    };
    let plan = plan(&profiled, &target.name, task, &config).ok()?;
    let prepared = fit(&dataset, &plan, &config).ok()?;
    Some((dataset, prepared))
}

/// The model every serve input is read for: a linear model on the bundled penguins, trained
/// once per process.
fn penguins() -> &'static OnnxModel {
    static MODEL: OnceLock<OnnxModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let csv = include_bytes!("../../static/penguins.csv");
        let dataset = read_csv_bytes("penguins.csv", csv, IngestOptions::default())
            .expect("the bundled sample reads");
        let config = PrepConfig::default();
        let plan = plan(&profile(&dataset), "species", Task::MulticlassClassification, &config)
            .expect("penguins plans");
        let prepared = fit(&dataset, &plan, &config).expect("penguins fits");
        let examples = TrainingData::from_prepared(&prepared, &dataset).expect("examples");
        let config = TrainConfig { model: ModelKind::Linear, epochs: 3, ..TrainConfig::default() };
        let mut trainer = Trainer::new(
            hearth::compute::init_cpu(),
            &prepared.pipeline,
            examples.train,
            examples.valid,
            &config,
        )
        .expect("a linear model on penguins");
        while !trainer.done() {
            pollster::block_on(trainer.next_epoch()).expect("an epoch");
        }
        let model = pollster::block_on(ModelFile::from_trainer(&trainer, None, None))
            .expect("the model");
        let bytes = hearth::export::to_onnx_quantized(&model, Quantization::None, None)
            .expect("the export");
        OnnxModel::load("penguins.onnx", &bytes).expect("tract loads it")
    })
}
