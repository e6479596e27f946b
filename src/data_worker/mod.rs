//! The data worker (`hearth-data-worker`, built without burn or tract): load a CSV, profile
//! it, fit its preprocessing, and hand other steps rows of it. It starts with the page, so
//! that a dropped file's profile shows after 0.3 MB of worker instead of the 1.0 MB (gzip)
//! of the CPU compute worker (2.2 MB for WebGPU's), which carries burn and starts only when a
//! step needs it.
//!
//! Training needs the examples in the compute worker's own memory (a worker cannot share a
//! Rust heap with another), so this worker hands them over a block of rows at a time
//! ([`Request::ShareTraining`], `train::handover`) rather than the compute worker reading and
//! parsing the file again: the tab holds one parsed copy of the table. A search pool's
//! worker keeps a [`Data`] of its own, built by this same code.

use std::cell::RefCell;
use std::cell::RefMut;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{File, MessageEvent};

use crate::clock::Stopwatch;
use crate::data::{self, Dataset, Ingest, Profile, Task};
use crate::explain;
use crate::prep::{self, PrepConfig, Prepared};
use crate::protocol::{
    Background, DialectChoice, Envelope, HandoverMessage, PAGE_MAX_BYTES, Request, Response,
    WorkerRole,
};
use crate::teach::{FileDigest, FileSeal, Table};
use crate::train::handover::{BLOCK_ROWS, Handover};
use crate::web_worker::{self, CHUNK_BYTES, post, post_floats, scope};
use crate::{samples, web_file};

/// Where the current dataset came from, kept so the user's dialect corrections can re-parse it.
#[derive(Clone)]
pub enum Source {
    Sample { name: String, bytes: Rc<Vec<u8>> },
    File(File),
}

impl Source {
    fn name(&self) -> String {
        match self {
            Source::Sample { name, .. } => name.clone(),
            Source::File(file) => file.name(),
        }
    }

    fn len(&self) -> u64 {
        match self {
            Source::Sample { bytes, .. } => bytes.len() as u64,
            Source::File(file) => file.size() as u64,
        }
    }

    /// The file's SHA-256, and the file packed for a link when it is small (read again in
    /// chunks: only a Teach lesson on the table asks, so loading does not pay for it).
    fn seal(&self) -> Result<FileSeal, String> {
        match self {
            Source::Sample { bytes, .. } => Ok(FileSeal::of(bytes)),
            Source::File(file) => {
                let mut digest = FileDigest::new(file.size() as u64);
                web_file::read_in_chunks(file, CHUNK_BYTES, |chunk, _| {
                    digest.update(chunk);
                    Ok::<(), std::convert::Infallible>(())
                })
                .map_err(|error| match error {
                    web_file::ChunkError::Read(error) => {
                        format!("{} could not be read again: {error}.", file.name())
                    }
                    web_file::ChunkError::Consumer(never) => match never {},
                })?;
                Ok(digest.finish())
            }
        }
    }
}

/// The loaded dataset and its fitted preprocessing.
#[derive(Default)]
pub struct Data {
    source: Option<Source>,
    pub dataset: Option<Dataset>,
    profile: Option<Profile>,
    /// The fitted preprocessing and split, kept for training.
    pub prepared: Option<Prepared>,
    /// The source's SHA-256 (and packed bytes), read once for the Teach step's table: each new
    /// preparation asks for the table again, the file stays the same.
    seal: Option<FileSeal>,
}

/// Entry point of the data worker's wasm module.
pub fn start() {
    console_error_panic_hook::set_once();
    let data = Rc::new(RefCell::new(Data::default()));
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = data.clone();
        spawn_local(async move {
            let response = match Envelope::<Request>::from_js(&event.data()) {
                Err(error) => Response::Failed {
                    message: format!("The page sent a message the worker could not read: {error}."),
                },
                Ok(Envelope { message, file, .. }) if message.role() == WorkerRole::Data => {
                    handle(message, file, || data.borrow_mut()).await
                }
                Ok(_) => Response::Failed {
                    message: "The data worker loads and prepares data; the compute worker trains."
                        .into(),
                },
            };
            post(response);
        });
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(Response::WorkerStarted);
}

/// Answers a request whose [`Request::role`] is [`WorkerRole::Data`], on the [`Data`] that
/// `data` lends (it is borrowed only between awaits).
pub async fn handle<'a>(
    request: Request,
    file: Option<File>,
    data: impl Fn() -> RefMut<'a, Data>,
) -> Response {
    let result = match request {
        Request::LoadSample { name, dialect } => match fetch_sample(&name).await {
            Ok(bytes) => data().load(
                Source::Sample {
                    name,
                    bytes: Rc::new(bytes),
                },
                &dialect,
            ),
            Err(message) => Err(message),
        },
        Request::LoadFile { name, dialect, .. } => match file {
            Some(file) => data().load(Source::File(file), &dialect),
            None => Err(format!("{name} did not reach the worker; choose it again.")),
        },
        Request::Reparse { dialect } => {
            let source = data().source.clone();
            match source {
                Some(source) => data().load(source, &dialect),
                None => Err("There is no dataset to re-read yet; load one first.".to_string()),
            }
        }
        Request::Prepare {
            target,
            task,
            config,
        } => return data().prepare(&target, task, &config),
        Request::BackgroundRows {
            columns,
            rows,
            seed,
        } => return data().background_rows(&columns, rows, seed),
        Request::TeachTable { seed } => return data().teach_table(seed),
        Request::ShareTraining { share } => return data().hand_over(share),
        other => Err(format!("{other:?} is not a request for the data worker.")),
    };
    result.unwrap_or_else(|message| Response::Failed { message })
}

impl Data {
    /// Parses and profiles `source`; on success it becomes the current dataset.
    fn load(&mut self, source: Source, dialect: &DialectChoice) -> Result<Response, String> {
        let clock = Stopwatch::start();
        let name = source.name();
        let total = source.len();
        let dataset = read_dataset(&source, dialect)?;
        post(Response::Progress {
            task: format!("Profiling {name}"),
            done: total as f64,
            total: total as f64,
        });
        let profile = data::profile(&dataset);
        *self = Data {
            source: Some(source),
            dataset: Some(dataset),
            profile: Some(profile.clone()),
            prepared: None,
            seal: None,
        };
        Ok(Response::Profiled {
            profile,
            millis: clock.elapsed_ms(),
            memory_bytes: web_worker::memory_bytes(),
        })
    }

    /// Posts the current preparation's examples for the compute worker: the shape, then each
    /// block (its values transferred); answers the end.
    fn hand_over(&self, share: u64) -> Response {
        let failed =
            |message: String| Response::Handover(HandoverMessage::Failed { share, message });
        let (Some(dataset), Some(prepared)) = (&self.dataset, &self.prepared) else {
            return failed(
                "There is no prepared data to train on; prepare it first (step 2).".into(),
            );
        };
        let handover = Handover::new(prepared, dataset);
        post(Response::Handover(HandoverMessage::Shape {
            share,
            shape: Box::new(handover.shape()),
        }));
        for block in handover.blocks(BLOCK_ROWS) {
            match block {
                Ok((block, values)) => post_floats(
                    Response::Handover(HandoverMessage::Block { share, block }),
                    &values,
                ),
                Err(error) => return failed(error.to_string()),
            }
        }
        Response::Handover(HandoverMessage::End { share })
    }

    /// Decides and fits the preprocessing of the current dataset; keeps it for training.
    fn prepare(&mut self, target: &str, task: Task, config: &PrepConfig) -> Response {
        let (Some(dataset), Some(profile)) = (&self.dataset, &self.profile) else {
            return Response::PrepareFailed {
                message: "Load a dataset first.".to_string(),
            };
        };
        let fitted = prep::plan(profile, target, task, config)
            .and_then(|plan| prep::fit(dataset, &plan, config).map(|prepared| (plan, prepared)));
        match fitted {
            Ok((plan, prepared)) => {
                let response = Response::Prepared {
                    plan,
                    summary: prepared.summary.clone(),
                    feature_names: prepared.pipeline.feature_names.clone(),
                };
                self.prepared = Some(prepared);
                response
            }
            Err(error) => {
                self.prepared = None;
                Response::PrepareFailed {
                    message: error.to_string(),
                }
            }
        }
    }

    /// Up to `rows` rows of the loaded dataset (seeded), laid out as `columns`, for the Use
    /// step's explanations: the data the model was made from, in the usual case. `None` rows
    /// when no dataset is loaded or it lacks one of the columns.
    fn background_rows(&self, columns: &[String], rows: usize, seed: u64) -> Response {
        let sample = self
            .dataset
            .as_ref()
            .filter(|dataset| {
                dataset.rows > 0 && columns.iter().all(|c| dataset.column(c).is_some())
            })
            .map(|dataset| {
                let rows = explain::sample_background(dataset, columns, rows, seed);
                let source = format!("{} rows of {}", rows.len(), dataset.source);
                Background { rows, source }
            });
        Response::BackgroundRows {
            columns: columns.to_vec(),
            sample,
        }
    }

    /// The loaded dataset as its fitted preprocessing encodes it, for the Teach step.
    fn teach_table(&mut self, seed: u64) -> Response {
        let Data {
            dataset: Some(dataset),
            prepared: Some(prepared),
            source: Some(source),
            seal,
            ..
        } = self
        else {
            return Response::TeachFailed {
                message: "Load a dataset and choose its target in the Data step first.".into(),
            };
        };
        let table = Table::from_prepared(dataset, prepared, seed)
            .map_err(|error| error.to_string())
            .and_then(|mut table| {
                if seal.is_none() {
                    *seal = Some(source.seal()?);
                }
                table.file = seal.clone();
                Ok(table)
            });
        match table {
            Ok(table) => Response::TeachTable(Box::new(table)),
            Err(message) => Response::TeachFailed { message },
        }
    }
}

/// Parses `source`, posting progress as it reads a file.
fn read_dataset(source: &Source, dialect: &DialectChoice) -> Result<Dataset, String> {
    match source {
        Source::Sample { name, bytes } => {
            web_worker::check_size(name, bytes.len() as u64)?;
            let mut ingest = Ingest::new(name, dialect.to_options(PAGE_MAX_BYTES));
            ingest.set_size_hint(bytes.len() as u64);
            for chunk in bytes.chunks(CHUNK_BYTES) {
                ingest.push(chunk).map_err(|error| error.to_string())?;
            }
            ingest.finish().map_err(|error| error.to_string())
        }
        Source::File(file) => web_worker::read_csv_file(file, dialect),
    }
}

async fn fetch_sample(name: &str) -> Result<Vec<u8>, String> {
    let sample =
        samples::find(name).ok_or_else(|| format!("There is no bundled sample called {name}."))?;
    let response = JsFuture::from(scope().fetch_with_str(&format!("static/{}", sample.file)))
        .await
        .map_err(|error| js_error(name, error))?;
    let response: web_sys::Response = response.dyn_into().map_err(|error| js_error(name, error))?;
    if !response.ok() {
        return Err(format!(
            "The bundled sample {name} could not be loaded (HTTP {}).",
            response.status()
        ));
    }
    let buffer = response
        .array_buffer()
        .map_err(|error| js_error(name, error))?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|error| js_error(name, error))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn js_error(name: &str, error: JsValue) -> String {
    format!("{name} could not be read: {}.", web_file::describe(error))
}
