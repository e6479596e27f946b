//! The Use step's Web Worker: the exported ONNX file (or one the user dropped) loaded into
//! tract and asked for one row's answer, its explanation, a whole CSV's predictions or the
//! CSV's drift against the training data. The file answers as it was downloaded; this worker
//! carries no burn (the `onnx` feature only), and the page starts it only when the step is
//! first shown.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{File, MessageEvent};

use crate::clock::Stopwatch;
use crate::compress::Quantization;
use crate::data::Dataset;
use crate::explain::{self, RawRow};
use crate::infer::{Answers, InputRow, OnnxModel, batch_score, predictions_csv};
use crate::monitor::{drift_over_time, drift_report, prediction_drift};
use crate::protocol::{
    Background, BatchPredictions, DialectChoice, Envelope, Request, Response, RowAnswer,
    ServingModel,
};
use crate::train::Metrics;
use crate::web_file;
use crate::web_worker::{CHUNK_BYTES, post, read_csv_file, scope};

/// The model that answers.
#[derive(Default)]
struct Serving {
    model: Option<Rc<OnnxModel>>,
}

/// Entry point of the worker's wasm module.
pub fn start() {
    console_error_panic_hook::set_once();
    let serving = Rc::new(RefCell::new(Serving::default()));
    // Each request is answered before the next is read: the page's edits arrive in order and
    // each gets its answer in order.
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        post(handle(&serving, &event.data()));
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(Response::WorkerStarted);
}

fn handle(serving: &Rc<RefCell<Serving>>, value: &JsValue) -> Response {
    let Envelope { message, file, .. } = match Envelope::<Request>::from_js(value) {
        Ok(envelope) => envelope,
        Err(error) => {
            return failed(format!(
                "The page sent a message the Use step's worker could not read: {error}."
            ));
        }
    };
    match message {
        Request::OpenOnnx { name } => open_file(serving, &name, file),
        Request::Answer { id, row } => answer(serving, id, row),
        Request::Explain {
            id,
            row,
            background,
            pairs,
            seed,
        } => explain_row(serving, id, row, background, pairs, seed),
        Request::PredictBatch { name, dialect } => predict_batch(serving, &name, file, &dialect),
        Request::Monitor { name, dialect } => monitor(serving, &name, file, &dialect),
        _ => failed(
            "The Use step's worker only runs ONNX files; the engine's worker does the rest.".into(),
        ),
    }
}

/// Rows answered at a time in a batch, between progress messages.
const BATCH_ROWS: usize = 8_192;

/// Loads `bytes` as the model that answers.
fn open(serving: &Rc<RefCell<Serving>>, name: &str, bytes: &[u8]) -> Response {
    let clock = Stopwatch::start();
    let model = match OnnxModel::load(name, bytes) {
        Ok(model) => model,
        Err(error) => return failed(error.to_string()),
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
    let shown = ServingModel {
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
    serving.borrow_mut().model = Some(Rc::new(model));
    Response::Serving(Box::new(shown))
}

/// Reads the attached ONNX file whole (a model is small next to a dataset).
fn open_file(serving: &Rc<RefCell<Serving>>, name: &str, file: Option<File>) -> Response {
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
    open(serving, name, &bytes)
}

/// Answers one row.
fn answer(serving: &Rc<RefCell<Serving>>, id: u64, row: InputRow) -> Response {
    let Some(model) = current(serving) else {
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

/// Explains one row against the page's background rows (the loaded dataset's, from the
/// engine's worker) or, without them, rows drawn from the training distributions the file
/// carries.
fn explain_row(
    serving: &Rc<RefCell<Serving>>,
    id: u64,
    row: InputRow,
    background: Option<Background>,
    pairs: usize,
    seed: u64,
) -> Response {
    let Some(model) = current(serving) else {
        return no_model();
    };
    let columns: Vec<String> = model.inputs.iter().map(|i| i.name.clone()).collect();
    let (background, from) = background
        .filter(|b| !b.rows.is_empty() && b.rows.iter().all(|r| r.len() == columns.len()))
        .map(|b| (b.rows, b.source))
        .unwrap_or_else(|| {
            (
                explain::reference_background(
                    &model.reference,
                    &columns,
                    explain::BACKGROUND_ROWS,
                    seed,
                ),
                format!(
                    "{} rows drawn column by column from the training distributions in {}",
                    explain::BACKGROUND_ROWS,
                    model.source
                ),
            )
        });
    let inputs: Vec<usize> = (0..columns.len()).collect();
    let width = model.class_names.len().max(1);
    let predict = |rows: &[RawRow]| model.outputs(rows).map_err(|error| error.to_string());
    match explain::shapley(&row, &inputs, &background, pairs, seed, width, predict) {
        Ok(explanation) => Response::Explained {
            id,
            explanation: Box::new(explanation),
            background: from,
        },
        Err(error) => failed(format!("The answer could not be explained: {error}")),
    }
}

/// Answers every row of the attached CSV, posting progress as it goes.
fn predict_batch(
    serving: &Rc<RefCell<Serving>>,
    name: &str,
    file: Option<File>,
    dialect: &DialectChoice,
) -> Response {
    let Some(model) = current(serving) else {
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
fn monitor(
    serving: &Rc<RefCell<Serving>>,
    name: &str,
    file: Option<File>,
    dialect: &DialectChoice,
) -> Response {
    let Some(model) = current(serving) else {
        return no_model();
    };
    let dataset = match read_attached(name, file, dialect) {
        Ok(dataset) => dataset,
        Err(message) => return failed(message),
    };
    let mut report = match drift_report(&model.reference, &dataset) {
        Ok(report) => report,
        Err(error) => return failed(format!("{}: {error}", model.source)),
    };
    report.over_time = drift_over_time(&model.reference, &dataset);
    // The model's answers on these rows against its answers on the test split, when the file
    // keeps those and the rows have every column it reads.
    if let (Some(reference), Ok(rows)) = (&model.answers_reference, model.dataset_rows(&dataset)) {
        match model.predict(&rows) {
            Ok(answers) => {
                let predictions = answers.predictions(&model.class_names);
                report.prediction = Some(prediction_drift(reference, &predictions));
            }
            Err(error) => return failed(format!("{name}: {error}")),
        }
    }
    Response::Monitored(Box::new(report))
}

fn read_attached(
    name: &str,
    file: Option<File>,
    dialect: &DialectChoice,
) -> Result<Dataset, String> {
    let file = file.ok_or_else(|| format!("{name} did not reach the worker; choose it again."))?;
    read_csv_file(&file, dialect)
}

fn current(serving: &Rc<RefCell<Serving>>) -> Option<Rc<OnnxModel>> {
    serving.borrow().model.clone()
}

fn no_model() -> Response {
    failed("No ONNX file is open yet: export the model, or drop an ONNX file on this step.".into())
}

fn failed(message: String) -> Response {
    Response::UseFailed { message }
}
