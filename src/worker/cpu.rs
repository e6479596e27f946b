//! What only the CPU worker does (`cpu` feature): the current model (loaded, picked or
//! refitted) and its export, a search pool's trials and ensembles, and a Teach lesson's plane,
//! all on burn's CPU device. The WebGPU worker, built without that device, only trains.

use std::cell::{RefCell, RefMut};
use std::rc::Rc;

use web_sys::File;

use super::{
    Engine, NO_WEBGPU, current_model, export, no_webgpu, post, post_timing, training,
    yield_to_event_loop,
};
use crate::compute::{self, Accelerator};
use crate::data_worker;
use crate::prep::FittedPipeline;
use crate::protocol::{PAGE_MAX_BYTES, Request, Response, WorkerRole};
use crate::search::runner::{TrialSetup, refit, refit_ensemble, run_trial, select_ensemble};
use crate::search::{Outcome, Study, StudySettings, Trial, TrialTicket};
use crate::teach::ModelPlaneQuery;
use crate::train::{
    DeviceChoiceError, DevicePreference, DeviceRequest, DeviceSelection, GpuOffer, ModelFile,
    TrainConfig, TrainingData, choose_device,
};
use crate::web_gpu::{GpuAdapter, default_adapter};
use crate::web_worker::CHUNK_BYTES;
use crate::{format, web_file};

/// Answers a request only the CPU worker takes; `None` when it needs no answer of its own.
pub(super) async fn handle(
    engine: &Rc<RefCell<Engine>>,
    request: Request,
    file: Option<File>,
) -> Option<Response> {
    let response = match request {
        Request::LoadModel { name } => load_model(engine, &name, file),
        Request::UseModel { name, model } => match ModelFile::from_json(&model) {
            Ok(file) => current_model(engine, file, Vec::new(), Some(name)),
            Err(error) => Response::TrainFailed {
                message: format!("{name}: {error}"),
            },
        },
        Request::RunTrial {
            settings,
            ticket,
            outputs,
        } => run_search_trial(engine, &settings, &ticket, outputs).await,
        Request::SelectEnsemble {
            settings,
            candidates,
        } => select_trials_ensemble(engine, &settings, &candidates),
        Request::RefitEnsemble { study } => refit_study_ensemble(engine, &study).await,
        Request::Refit { settings, trial } => refit_trial(engine, &settings, &trial).await,
        Request::Export(settings) => export::export(engine, &settings).await,
        Request::ModelPlane(query) => model_plane(engine, &query).await,
        Request::TrialDecision { number, decision } => {
            engine
                .borrow()
                .decisions
                .borrow_mut()
                .insert(number, decision);
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
            response
        }
        _ => Response::Failed {
            message:
                "The compute worker trains; the Use and Teach steps have workers of their own."
                    .into(),
        },
    };
    Some(response)
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

/// The device to train on and why: the one the page chose by timing (`chosen`), or this
/// worker's choice among its own devices ([`choose_device`]: the one named, or with "auto" the
/// fastest by timing).
pub(super) async fn training_device(
    gpu: Option<burn::tensor::Device>,
    preference: DevicePreference,
    chosen: Option<DeviceSelection>,
    pipeline: &FittedPipeline,
    data: &TrainingData,
    config: &TrainConfig,
) -> Result<(burn::tensor::Device, DeviceSelection), Response> {
    if let Some(selection) = chosen {
        return match (selection.accelerator, gpu) {
            (Accelerator::Cpu, _) => Ok((compute::init_cpu(), selection)),
            (Accelerator::Gpu, Some(device)) => Ok((device, selection)),
            (Accelerator::Gpu, None) => Err(no_webgpu()),
        };
    }
    // Asked before timing: "auto" skips timing an emulated GPU, which takes seconds to lose.
    // The CPU worker has no GPU device (the page starts the WebGPU one for a hardware GPU, and
    // has each time its own): the same answer says why. The adapter is asked only where it
    // decides something.
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
    let picked = choose_device(request, pipeline, &data.train, config, post_timing).await;
    match picked {
        Ok(picked) => Ok(picked),
        Err(DeviceChoiceError::NoGpu(_)) => Err(no_webgpu()),
        Err(DeviceChoiceError::Timing(error)) => Err(Response::TrainFailed {
            message: error.to_string(),
        }),
    }
}

/// Why the browser's WebGPU is not worth timing: it runs on a software renderer.
async fn software_renderer() -> Option<String> {
    match default_adapter().await {
        GpuAdapter::Software(renderer) => Some(format!(
            "WebGPU here runs on {renderer}, which emulates a GPU on the processor and is slower than the CPU"
        )),
        GpuAdapter::Missing | GpuAdapter::Hardware => None,
    }
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
