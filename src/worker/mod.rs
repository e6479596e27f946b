//! The compute worker (`hearth-worker` with burn's CPU device, `hearth-gpu-worker` with its
//! WebGPU device too): training, a search pool's trials, refits, the current model and its
//! export, off the page's thread. The page starts it when a step needs it and first has the
//! data worker hand it the prepared examples, block by block (`train::handover`), so the tab
//! holds one parsed copy of the table. A search pool's worker (which may prepare the rows
//! another way: folds for Auto) loads and prepares them itself with the data worker's code
//! ([`crate::data_worker`]).

use std::cell::{Cell, RefCell, RefMut};
use std::collections::HashMap;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{File, MessageEvent};

use crate::compute;
use crate::compute::Accelerator;
use crate::data_worker::{self, Data};
use crate::prep::FittedPipeline;
use crate::protocol::{
    Envelope, HandoverMessage, MAX_RESIDUAL_POINTS, PAGE_MAX_BYTES, Request, Response,
    SEARCH_WORKER_NAME, TrainedModel, WorkerRole,
};
use crate::search::runner::{TrialSetup, refit, refit_ensemble, run_trial, select_ensemble};
use crate::search::{Decision, Outcome, Study, StudySettings, Trial, TrialTicket};
use crate::teach::ModelPlaneQuery;
use crate::train::handover::Assembly;
use crate::train::{
    DeviceChoiceError, DevicePreference, DeviceRequest, GpuOffer, ModelFile, TestResult,
    TrainConfig, TrainError, Trainer, TrainingData, choose_device, regression_points,
};
use crate::web_gpu::{GpuAdapter, default_adapter};
use crate::web_worker::{CHUNK_BYTES, post, scope};
use crate::{format, web_file};

mod export;

#[derive(Default)]
struct Engine {
    /// A search pool worker's own dataset and preparation, loaded and fitted by the data
    /// worker's code.
    data: Data,
    /// The preprocessing and the examples it trains on: handed over by the data worker, or
    /// (a search pool worker) made once from `data` for every trial.
    training: Option<(FittedPipeline, Rc<TrainingData>)>,
    /// A handover under way: its number and the parts received so far.
    incoming: Option<(u64, Assembly)>,
    /// The device initialised at start-up, when it is a GPU (WebGPU).
    gpu: Option<burn::tensor::Device>,
    /// Set by a stop request; the training loop checks it between epochs.
    stop_training: Rc<Cell<bool>>,
    /// The model last trained or loaded: what the later steps compress and export.
    model: Option<ModelFile>,
    /// The study's answers to this worker's trial epochs, by trial number.
    decisions: Rc<RefCell<HashMap<usize, Decision>>>,
}

/// Entry point of the worker's wasm module.
pub fn start() {
    console_error_panic_hook::set_once();
    let engine = Rc::new(RefCell::new(Engine::default()));

    let handler_engine = engine.clone();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let engine = handler_engine.clone();
        spawn_local(async move {
            if let Some(response) = handle(&engine, event.data()).await {
                post(response);
            }
        });
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(Response::WorkerStarted);
    if scope().name() == SEARCH_WORKER_NAME {
        return;
    }

    spawn_local(async move {
        let (device, report) = compute::init_preferred().await;
        if report.accelerator == Accelerator::Gpu {
            engine.borrow_mut().gpu = Some(device);
        }
        post(Response::DeviceReady(report));
    });
}

/// Answers one request; `None` when the request needs no answer of its own.
async fn handle(engine: &Rc<RefCell<Engine>>, value: JsValue) -> Option<Response> {
    let result = match Envelope::<Request>::from_js(&value) {
        Err(error) => Err(format!(
            "The page sent a message the worker could not read: {error}."
        )),
        Ok(Envelope {
            message,
            file,
            floats,
        }) => match message {
            Request::Handover(message) => {
                return receive_handover(&mut engine.borrow_mut(), message, floats);
            }
            Request::Train { config, device } => return Some(train(engine, &config, device).await),
            Request::LoadModel { name } => return Some(load_model(engine, &name, file)),
            Request::UseModel { name, model } => {
                return Some(match ModelFile::from_json(&model) {
                    Ok(file) => current_model(engine, file, Vec::new(), Some(name)),
                    Err(error) => Response::TrainFailed {
                        message: format!("{name}: {error}"),
                    },
                });
            }
            Request::RunTrial {
                settings,
                ticket,
                outputs,
            } => {
                return Some(run_search_trial(engine, &settings, &ticket, outputs).await);
            }
            Request::SelectEnsemble {
                settings,
                candidates,
            } => {
                return Some(select_trials_ensemble(engine, &settings, &candidates));
            }
            Request::RefitEnsemble { study } => {
                return Some(refit_study_ensemble(engine, &study).await);
            }
            Request::Refit { settings, trial } => {
                return Some(refit_trial(engine, &settings, &trial).await);
            }
            Request::Export(settings) => return Some(export::export(engine, &settings).await),
            Request::ModelPlane(query) => return Some(model_plane(engine, &query).await),
            Request::TrialDecision { number, decision } => {
                engine
                    .borrow()
                    .decisions
                    .borrow_mut()
                    .insert(number, decision);
                return None;
            }
            Request::StopTraining => {
                // The training loop answers, with its last epoch and the model it kept.
                engine.borrow().stop_training.set(true);
                return None;
            }
            // A search pool worker loads and prepares its rows with the data worker's code.
            request if request.role() == WorkerRole::Data => {
                let changes = request.changes_data();
                let response = data_worker::handle(request, file, || {
                    RefMut::map(engine.borrow_mut(), |engine| &mut engine.data)
                })
                .await;
                if changes {
                    engine.borrow_mut().training = None;
                }
                return Some(response);
            }
            _ => Err(
                "The compute worker trains; the Use and Teach steps have workers of their own."
                    .into(),
            ),
        },
    };
    Some(result.unwrap_or_else(|message| Response::Failed { message }))
}

/// The current model's answers over a Teach lesson's plane and on its points, on the CPU
/// device (a few thousand rows: no reason to wake a GPU).
async fn model_plane(engine: &Rc<RefCell<Engine>>, query: &ModelPlaneQuery) -> Response {
    let failed = |message: String| Response::ModelPlaneFailed { message };
    let Some(model) = engine.borrow().model.clone() else {
        return failed(
            "There is no model yet: train one in the Train step (or load a .hearth file there) to see it on this plane."
                .into(),
        );
    };
    let matrix = match query.matrix(&model.pipeline) {
        Ok(matrix) => matrix,
        Err(error) => return failed(error.to_string()),
    };
    let answered = match model.predict_matrix(&compute::init_cpu(), &matrix).await {
        Ok(outputs) => query.answer(&outputs).map_err(|error| error.to_string()),
        Err(error) => Err(error.to_string()),
    };
    match answered {
        Ok(plane) => Response::ModelPlane(Box::new(plane)),
        Err(message) => failed(message),
    }
}

/// Trains on the prepared data, posting each epoch; the best epoch's model is kept.
async fn train(
    engine: &Rc<RefCell<Engine>>,
    config: &TrainConfig,
    preference: DevicePreference,
) -> Response {
    let failed = |error: TrainError| Response::TrainFailed {
        message: error.to_string(),
    };
    let (data, pipeline, gpu, stop) = {
        let mut engine = engine.borrow_mut();
        let (pipeline, data) = match training(&mut engine) {
            Ok(found) => found,
            Err(message) => return Response::TrainFailed { message },
        };
        (
            data,
            pipeline,
            engine.gpu.clone(),
            engine.stop_training.clone(),
        )
    };
    stop.set(false);
    // Asked before timing: "auto" skips timing an emulated GPU, which takes seconds to lose.
    // The CPU worker has no GPU device (the page starts the WebGPU one for a hardware GPU):
    // the same answer says why. The adapter is asked only where it decides something.
    let gpu = match (preference, gpu) {
        (DevicePreference::Cpu | DevicePreference::Gpu, Some(device)) => GpuOffer::Ready(device),
        (DevicePreference::Auto, Some(device)) => match software_renderer().await {
            Some(reason) => GpuOffer::NotWorthTiming { device, reason },
            None => GpuOffer::Ready(device),
        },
        (DevicePreference::Cpu, None) => GpuOffer::Missing(NO_WEBGPU.into()),
        (DevicePreference::Auto | DevicePreference::Gpu, None) => GpuOffer::Missing(
            software_renderer()
                .await
                .unwrap_or_else(|| NO_WEBGPU.into()),
        ),
    };
    let request = DeviceRequest {
        preference,
        gpu,
        chosen_reason: "chosen",
        time_lone_cpu: false,
    };
    let timing = || {
        post(Response::Progress {
            task: "Timing the devices".into(),
            done: 0.0,
            total: 0.0,
        });
    };
    let picked = choose_device(request, &pipeline, &data.train, config, timing).await;
    let (device, selection) = match picked {
        Ok(picked) => picked,
        Err(DeviceChoiceError::NoGpu(_)) => {
            let message = "WebGPU is not available in this browser; train on the CPU.".into();
            return Response::TrainFailed { message };
        }
        Err(DeviceChoiceError::Timing(error)) => return failed(error),
    };
    post(Response::TrainingStarted {
        selection: selection.clone(),
        epochs: config.epochs,
    });
    let trainer = Trainer::new(
        device,
        &pipeline,
        data.train.clone(),
        data.valid.clone(),
        config,
    );
    let mut trainer = match trainer {
        Ok(trainer) => trainer,
        Err(error) => return failed(error),
    };
    while !trainer.done() {
        match trainer.next_epoch().await {
            Ok(report) => post(Response::Epoch(report)),
            Err(error) => return failed(error),
        }
        // Let a stop request in: on the CPU device an epoch's futures never yield.
        yield_to_event_loop().await;
        if stop.get() {
            trainer.stop();
        }
    }
    let (test_result, residuals) = match &data.test {
        Some(test) => match trainer.predict(&test.features).await {
            Ok(outputs) => (
                Some(TestResult::from_outputs(
                    trainer.head(),
                    &pipeline,
                    &outputs,
                    test,
                )),
                regression_points(&pipeline, &outputs, test, MAX_RESIDUAL_POINTS),
            ),
            Err(error) => return failed(error),
        },
        None => (None, Vec::new()),
    };
    let label = selection.accelerator.label().to_string();
    let file = match ModelFile::from_trainer(&trainer, test_result, Some(label)).await {
        Ok(file) => file,
        Err(error) => return failed(error),
    };
    current_model(engine, file, residuals, None)
}

const NO_WEBGPU: &str = "WebGPU is not available in this browser";

/// Why the browser's WebGPU is not worth timing: it runs on a software renderer.
async fn software_renderer() -> Option<String> {
    match default_adapter().await {
        GpuAdapter::Software(renderer) => Some(format!(
            "WebGPU here runs on {renderer}, which emulates a GPU on the processor and is slower than the CPU"
        )),
        GpuAdapter::Missing | GpuAdapter::Hardware => None,
    }
}

/// Makes `file` the current model (for export) and describes it for the page.
fn current_model(
    engine: &Rc<RefCell<Engine>>,
    file: ModelFile,
    residuals: Vec<(f64, f64)>,
    loaded_from: Option<String>,
) -> Response {
    let model = match file.to_json() {
        Ok(model) => model,
        Err(error) => {
            return Response::TrainFailed {
                message: error.to_string(),
            };
        }
    };
    let response = Response::Trained(Box::new(TrainedModel {
        summary: file.training.clone(),
        valid_metrics: file.valid_metrics.clone(),
        test_metrics: file.test_metrics.clone(),
        config: file.config.clone(),
        members: file
            .members()
            .unwrap_or_default()
            .iter()
            .map(|member| {
                let name = member.model.label();
                match member.trial {
                    Some(trial) => format!("trial {trial}: {name} ×{:.2}", member.weight),
                    None => format!("{name} ×{:.2}", member.weight),
                }
            })
            .collect(),
        quantizable: crate::compress::quantizable(&file),
        prunable: file.weights().is_ok(),
        residuals,
        classes: file.pipeline.classes().to_vec(),
        model,
        loaded_from,
    }));
    engine.borrow_mut().model = Some(file);
    response
}

/// Reads a `.hearth` file the user chose; a valid one becomes the current model.
fn load_model(engine: &Rc<RefCell<Engine>>, name: &str, file: Option<File>) -> Response {
    let failed = |message: String| Response::TrainFailed { message };
    let Some(file) = file else {
        return failed(format!("{name} did not reach the worker; choose it again."));
    };
    if file.size() > PAGE_MAX_BYTES as f64 {
        return failed(format!(
            "{name} is {}, more than the page reads ({}); is it a .hearth file?",
            format::bytes(file.size()),
            format::bytes(PAGE_MAX_BYTES as f64)
        ));
    }
    let mut bytes = Vec::new();
    if let Err(web_file::ChunkError::Read(error)) =
        web_file::read_in_chunks(&file, CHUNK_BYTES, |chunk, _| {
            bytes.extend_from_slice(chunk);
            Ok::<(), std::convert::Infallible>(())
        })
    {
        return failed(format!("{name} could not be read: {error}."));
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return failed(format!(
            "{name} is not a .hearth model file: it is not UTF-8 text."
        ));
    };
    match ModelFile::from_json(&text) {
        Ok(model) => current_model(engine, model, Vec::new(), Some(name.to_string())),
        Err(error) => failed(format!("{name}: {error}")),
    }
}

/// The preprocessing and examples this worker trains on: the ones handed over, or (a search
/// pool worker) its own preparation's, made once for every trial and refit.
fn training(engine: &mut Engine) -> Result<(FittedPipeline, Rc<TrainingData>), String> {
    if let Some((pipeline, data)) = &engine.training {
        return Ok((pipeline.clone(), data.clone()));
    }
    let (Some(prepared), Some(dataset)) = (&engine.data.prepared, &engine.data.dataset) else {
        return Err("Prepare the data first (step 2).".to_string());
    };
    let data = Rc::new(TrainingData::from_prepared(prepared, dataset).map_err(|e| e.to_string())?);
    engine.training = Some((prepared.pipeline.clone(), data.clone()));
    Ok((prepared.pipeline.clone(), data))
}

/// One message of the data worker's handover (`floats`: a block's values). The examples
/// being replaced are let go when the new shape arrives, before room is made for the new
/// ones: a wasm heap never shrinks, so holding both would raise this worker's peak for good.
fn receive_handover(
    engine: &mut Engine,
    message: HandoverMessage,
    floats: Option<js_sys::Float32Array>,
) -> Option<Response> {
    let share = message.share();
    let received = |failed: Option<String>| Some(Response::HandedOver { share, failed });
    match message {
        HandoverMessage::Shape { shape, .. } => {
            engine.training = None;
            engine.incoming = None;
            match Assembly::new(*shape) {
                Ok(assembly) => {
                    engine.incoming = Some((share, assembly));
                    None
                }
                Err(error) => received(Some(error.to_string())),
            }
        }
        HandoverMessage::Block { block, .. } => {
            let added = match (&mut engine.incoming, floats) {
                // A block of a handover that failed or was replaced by a newer one.
                (None, _) => return None,
                (Some((current, _)), _) if *current != share => return None,
                (Some((_, assembly)), Some(floats)) => assembly
                    .add(block, &floats.to_vec())
                    .map_err(|error| error.to_string()),
                (Some(_), None) => Err("a block of examples arrived without its values".into()),
            };
            match added {
                Ok(()) => None,
                Err(message) => {
                    engine.incoming = None;
                    received(Some(message))
                }
            }
        }
        HandoverMessage::End { .. } => {
            let (_, assembly) = engine.incoming.take_if(|(current, _)| *current == share)?;
            match assembly.finish() {
                Ok((pipeline, data)) => {
                    engine.training = Some((pipeline, Rc::new(data)));
                    received(None)
                }
                Err(error) => received(Some(error.to_string())),
            }
        }
        HandoverMessage::Failed { message, .. } => {
            engine.incoming.take_if(|(current, _)| *current == share);
            received(Some(message))
        }
    }
}

/// Refits a study's trial on the training and validation rows; it becomes the current model.
async fn refit_trial(
    engine: &Rc<RefCell<Engine>>,
    settings: &StudySettings,
    trial: &Trial,
) -> Response {
    let (pipeline, data) = match training(&mut engine.borrow_mut()) {
        Ok(found) => found,
        Err(message) => return Response::TrainFailed { message },
    };
    let setup = TrialSetup::cpu(&pipeline, &data, settings);
    match refit(&setup, trial).await {
        Ok(file) => current_model(
            engine,
            file,
            Vec::new(),
            Some(format!(
                "trial {} of the search, refitted on the training and validation rows",
                trial.number
            )),
        ),
        Err(error) => Response::TrainFailed {
            message: format!("Refitting trial {}: {error}", trial.number),
        },
    }
}

/// Selects an ensemble of the best trials from their validation outputs, on this search
/// worker's data (the rows the trials were validated on).
fn select_trials_ensemble(
    engine: &Rc<RefCell<Engine>>,
    settings: &StudySettings,
    candidates: &[(usize, Vec<f32>)],
) -> Response {
    let ensemble = training(&mut engine.borrow_mut())
        .ok()
        .and_then(|(pipeline, data)| select_ensemble(settings, &pipeline, &data, candidates));
    Response::Ensemble {
        ensemble: ensemble.map(Box::new),
    }
}

/// Refits a study's ensemble on the training and validation rows; it becomes the current model.
async fn refit_study_ensemble(engine: &Rc<RefCell<Engine>>, study: &Study) -> Response {
    let (pipeline, data) = match training(&mut engine.borrow_mut()) {
        Ok(found) => found,
        Err(message) => return Response::TrainFailed { message },
    };
    let setup = TrialSetup::cpu(&pipeline, &data, &study.settings);
    match refit_ensemble(&setup, study, |_| {}).await {
        Ok(file) => {
            let members: Vec<String> = study
                .ensemble
                .iter()
                .flat_map(|e| &e.members)
                .map(|m| m.trial.to_string())
                .collect();
            current_model(
                engine,
                file,
                Vec::new(),
                Some(format!(
                    "an ensemble of trials {} of the search, refitted on the training and validation rows",
                    members.join(", ")
                )),
            )
        }
        Err(message) => Response::TrainFailed { message },
    }
}

async fn run_search_trial(
    engine: &Rc<RefCell<Engine>>,
    settings: &StudySettings,
    ticket: &TrialTicket,
    outputs: bool,
) -> Response {
    let number = ticket.number;
    let done = |outcome| Response::TrialDone {
        number,
        outcome,
        model: None,
        valid_outputs: None,
    };
    let failed = |error: String| {
        done(Outcome::Failed {
            epochs: 0,
            error,
            elapsed_ms: 0.0,
        })
    };
    let (pipeline, data, decisions) = {
        let mut engine = engine.borrow_mut();
        match training(&mut engine) {
            Ok((pipeline, data)) => (pipeline, data, engine.decisions.clone()),
            Err(message) => return failed(message),
        }
    };
    let setup = TrialSetup {
        keep_outputs: outputs,
        ..TrialSetup::cpu(&pipeline, &data, settings)
    };
    let run = run_trial(&setup, ticket, async |epoch, value| {
        post(Response::TrialEpoch {
            number,
            epoch,
            value,
        });
        loop {
            yield_to_event_loop().await;
            if let Some(decision) = decisions.borrow_mut().remove(&number) {
                return decision;
            }
        }
    })
    .await;
    Response::TrialDone {
        number,
        outcome: run.outcome,
        model: run.model.and_then(|model| model.to_json().ok()),
        valid_outputs: run.valid_outputs,
    }
}

/// Resolves on the next turn of the worker's event loop, so queued messages get handled.
async fn yield_to_event_loop() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = JsFuture::from(promise).await;
}
