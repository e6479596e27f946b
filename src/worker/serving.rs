//! The Use step's side of the worker: the exported ONNX file (or one the user dropped) loaded
//! into tract and asked for one row's answer, its explanation, a whole CSV's predictions or
//! the CSV's drift against the training data. The file answers as it was downloaded; the
//! burn model is not involved.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::File;

use super::{CHUNK_BYTES, Engine, Source, post, read_dataset};
use crate::clock::Stopwatch;
use crate::compress::Quantization;
use crate::data::Dataset;
use crate::explain::{self, RawRow};
use crate::infer::{Answers, InputRow, OnnxModel, batch_score, predictions_csv};
use crate::monitor::drift_report;
use crate::protocol::{BatchPredictions, DialectChoice, Response, RowAnswer, ServingModel};
use crate::rng::SplitMix64;
use crate::train::Metrics;
use crate::web_file;

/// Background rows an explanation compares the row with.
const BACKGROUND_ROWS: usize = 100;
/// Rows answered at a time in a batch, between progress messages.
const BATCH_ROWS: usize = 8_192;

/// Loads `bytes` as the model that answers.
pub fn open(engine: &Rc<RefCell<Engine>>, name: &str, bytes: &[u8]) -> Response {
    let clock = Stopwatch::start();
    let model = match OnnxModel::load(name, bytes) {
        Ok(model) => model,
        Err(error) => {
            return Response::UseFailed {
                message: error.to_string(),
            };
        }
    };
    let valid_rmse = model
        .metadata
        .get("valid_metrics")
        .and_then(|json| serde_json::from_str::<Option<Metrics>>(json).ok())
        .flatten()
        .and_then(|metrics| match metrics {
            Metrics::Regression(scores) => Some(scores.rmse),
            Metrics::Classification(_) => None,
        });
    let text = |key: &str| model.metadata.get(key).cloned().unwrap_or_default();
    let serving = ServingModel {
        source: name.to_string(),
        bytes: bytes.len(),
        inputs: model.inputs.clone(),
        target: model.target.clone(),
        task: model.task.clone(),
        class_names: model.class_names.clone(),
        reference: model.reference.clone(),
        model: text("model"),
        quantization: serde_json::from_str::<Quantization>(&text("quantization"))
            .map_or_else(|_| "an unknown form".to_string(), |q| q.label().to_string()),
        valid_rmse,
        load_ms: clock.elapsed_ms(),
    };
    engine.borrow_mut().serving = Some(Rc::new(model));
    Response::Serving(Box::new(serving))
}

/// Reads the attached ONNX file whole (a model is small next to a dataset).
pub fn open_file(engine: &Rc<RefCell<Engine>>, name: &str, file: Option<File>) -> Response {
    let Some(file) = file else {
        return failed(format!("{name} did not reach the worker; choose it again."));
    };
    let mut bytes = Vec::with_capacity(file.size() as usize);
    let read = web_file::read_in_chunks(&file, CHUNK_BYTES, |chunk, _| {
        bytes.extend_from_slice(chunk);
        Ok::<(), String>(())
    });
    if let Err(web_file::ChunkError::Read(error) | web_file::ChunkError::Consumer(error)) = read {
        return failed(format!("{name} could not be read: {error}."));
    }
    if bytes.is_empty() {
        return failed(format!("{name} is empty; an ONNX model file was expected."));
    }
    open(engine, name, &bytes)
}

/// Answers one row.
pub fn answer(engine: &Rc<RefCell<Engine>>, id: u64, row: InputRow) -> Response {
    let Some(model) = serving(engine) else {
        return no_model();
    };
    let clock = Stopwatch::start();
    match model.predict(&[row]) {
        Ok(answers) => Response::Answered {
            id,
            answer: RowAnswer {
                label: answers.labels.first().cloned(),
                probabilities: answers.probabilities,
                value: answers.values.first().copied(),
                millis: clock.elapsed_ms(),
            },
        },
        Err(error) => failed(error.to_string()),
    }
}

/// Explains one row against background rows of the loaded dataset when it has the model's
/// columns (the data the model was made from, in the usual case), else against rows drawn
/// from the training distributions the file carries.
pub fn explain_row(
    engine: &Rc<RefCell<Engine>>,
    id: u64,
    row: InputRow,
    pairs: usize,
    seed: u64,
) -> Response {
    let Some(model) = serving(engine) else {
        return no_model();
    };
    let columns: Vec<String> = model.inputs.iter().map(|i| i.name.clone()).collect();
    let loaded = engine
        .borrow()
        .dataset
        .as_ref()
        .and_then(|dataset| sample_rows(dataset, &model, seed));
    let (background, from) = loaded.unwrap_or_else(|| {
        (
            explain::reference_background(&model.reference, &columns, BACKGROUND_ROWS, seed),
            format!(
                "{BACKGROUND_ROWS} rows drawn column by column from the training distributions in {}",
                model.source
            ),
        )
    });
    let inputs: Vec<usize> = (0..columns.len()).collect();
    let width = model.class_names.len().max(1);
    let predict = |rows: &[RawRow]| -> Result<Vec<f32>, String> {
        let answers = model.predict(rows).map_err(|error| error.to_string())?;
        Ok(if model.classifies() {
            answers.probabilities
        } else {
            answers.values
        })
    };
    match explain::shapley(&row, &inputs, &background, pairs, seed, width, predict) {
        Ok(explanation) => Response::Explained {
            id,
            explanation: Box::new(explanation),
            background: from,
        },
        Err(error) => failed(format!("The answer could not be explained: {error}")),
    }
}

/// Up to [`BACKGROUND_ROWS`] rows of `dataset` (seeded) laid out as the model's inputs, and
/// where they came from in words; `None` when the dataset lacks one of the model's columns.
fn sample_rows(dataset: &Dataset, model: &OnnxModel, seed: u64) -> Option<(Vec<RawRow>, String)> {
    let rows = model
        .dataset_rows(dataset)
        .ok()
        .filter(|rows| !rows.is_empty())?;
    let mut rng = SplitMix64::new(seed);
    let sample: Vec<RawRow> = (0..BACKGROUND_ROWS.min(rows.len()))
        .map(|_| rows[rng.below(rows.len() as u64) as usize].clone())
        .collect();
    let from = format!("{} rows of {}", sample.len(), dataset.source);
    Some((sample, from))
}

/// Answers every row of the attached CSV, posting progress as it goes.
pub fn predict_batch(
    engine: &Rc<RefCell<Engine>>,
    name: &str,
    file: Option<File>,
    dialect: &DialectChoice,
) -> Response {
    let Some(model) = serving(engine) else {
        return no_model();
    };
    let clock = Stopwatch::start();
    let dataset = match read_attached(name, file, dialect) {
        Ok(dataset) => dataset,
        Err(message) => return failed(message),
    };
    let rows = match model.dataset_rows(&dataset) {
        Ok(rows) => rows,
        Err(error) => return failed(error.to_string()),
    };
    let task = format!("Predicting {name}");
    let model_clock = Stopwatch::start();
    let mut answers = Answers::empty();
    for chunk in rows.chunks(BATCH_ROWS) {
        match model.predict(chunk) {
            Ok(more) => answers.extend(more),
            Err(error) => return failed(format!("{name}: {error}")),
        }
        post(Response::Progress {
            task: task.clone(),
            done: answers.rows as f64,
            total: rows.len() as f64,
        });
    }
    let model_ms = model_clock.elapsed_ms();
    let csv = predictions_csv(&dataset, &model.target, &model.class_names, &answers);
    let score = dataset.column(&model.target).and_then(|column| {
        batch_score(
            column,
            dataset.dialect.decimal_comma,
            &model.class_names,
            &answers,
        )
    });
    Response::BatchPredicted(Box::new(BatchPredictions {
        source: name.to_string(),
        rows: answers.rows,
        csv,
        model_ms,
        total_ms: clock.elapsed_ms(),
        score,
    }))
}

/// The drift of the attached CSV against the model's training references.
pub fn monitor(
    engine: &Rc<RefCell<Engine>>,
    name: &str,
    file: Option<File>,
    dialect: &DialectChoice,
) -> Response {
    let Some(model) = serving(engine) else {
        return no_model();
    };
    let dataset = match read_attached(name, file, dialect) {
        Ok(dataset) => dataset,
        Err(message) => return failed(message),
    };
    match drift_report(&model.reference, &dataset) {
        Ok(report) => Response::Monitored(Box::new(report)),
        Err(error) => failed(format!("{}: {error}", model.source)),
    }
}

fn read_attached(
    name: &str,
    file: Option<File>,
    dialect: &DialectChoice,
) -> Result<Dataset, String> {
    let file = file.ok_or_else(|| format!("{name} did not reach the worker; choose it again."))?;
    read_dataset(&Source::File(file), dialect)
}

fn serving(engine: &Rc<RefCell<Engine>>) -> Option<Rc<OnnxModel>> {
    engine.borrow().serving.clone()
}

fn no_model() -> Response {
    failed("No ONNX file is open yet: export the model, or drop an ONNX file on this step.".into())
}

fn failed(message: String) -> Response {
    Response::UseFailed { message }
}
