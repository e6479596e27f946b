//! The compute workers, off the page's thread: `hearth-worker` (burn's CPU device) trains,
//! runs a search pool's trials, refits, and keeps the current model and exports it (`cpu`);
//! `hearth-gpu-worker` (burn's WebGPU device, built without the CPU one) only trains on the GPU
//! and times it, beside the CPU worker. The page starts each when a step needs it and first
//! has the data worker hand it the prepared examples, block by block (`train::handover`). A
//! search pool's worker (which may prepare the rows another way: folds for Auto) loads and
//! prepares them itself with the data worker's code ([`crate::data_worker`]).

use std::cell::{Cell, RefCell};
#[cfg(feature = "cpu")]
use std::collections::HashMap;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::MessageEvent;

use crate::compute;
use crate::compute::Accelerator;
use crate::data_worker::Data;
use crate::prep::FittedPipeline;
use crate::protocol::{
    Envelope, HandoverMessage, MAX_RESIDUAL_POINTS, Request, Response, SEARCH_WORKER_NAME,
    TrainedModel,
};
#[cfg(feature = "cpu")]
use crate::search::Decision;
use crate::train::handover::Assembly;
use crate::train::{
    DevicePreference, DeviceSelection, DeviceTiming, ModelFile, TestResult, TrainConfig,
    TrainError, Trainer, TrainingData, fastest_run_ms, regression_points, time_one,
};
use crate::web_worker::{post, scope};

#[cfg(feature = "cpu")]
mod cpu;
#[cfg(feature = "cpu")]
mod export;

#[cfg(feature = "cpu")]
use cpu::training_device;

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
    #[cfg(feature = "cpu")]
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
    if scope().name() == SEARCH_WORKER_NAME {
        post(Response::WorkerStarted);
        return;
    }

    spawn_local(async move {
        #[cfg(feature = "cpu")]
        let (gpu, report) = {
            let (device, report) = compute::init_preferred().await;
            (
                (report.accelerator == Accelerator::Gpu).then_some(device),
                report,
            )
        };
        #[cfg(not(feature = "cpu"))]
        let (gpu, report) = compute::init_gpu_only().await;
        engine.borrow_mut().gpu = gpu;
        post(Response::DeviceReady(report));
        // Only now: the page holds its requests until a worker has started, and training or
        // timing that arrived before the device was ready would find no GPU (WebGPU's
        // initialisation and probe take seconds on a software adapter).
        post(Response::WorkerStarted);
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
            Request::Train {
                config,
                device,
                chosen,
            } => return Some(train(engine, &config, device, chosen).await),
            Request::TimeDevice { config, budget_ms } => {
                return Some(time_own_device(engine, &config, budget_ms).await);
            }
            Request::StopTraining => {
                // The training loop answers, with its last epoch and the model it kept.
                engine.borrow().stop_training.set(true);
                return None;
            }
            // The WebGPU worker only trains on the GPU: the page sends it nothing else.
            #[cfg(not(feature = "cpu"))]
            _ => {
                let _ = file;
                Err(
                    "The WebGPU worker only trains on the GPU; the CPU worker beside it does the rest."
                        .into(),
                )
            }
            #[cfg(feature = "cpu")]
            request => return cpu::handle(engine, request, file).await,
        },
    };
    Some(result.unwrap_or_else(|message| Response::Failed { message }))
}

/// Trains on the prepared data, posting each epoch; the best epoch's model is kept.
async fn train(
    engine: &Rc<RefCell<Engine>>,
    config: &TrainConfig,
    preference: DevicePreference,
    chosen: Option<DeviceSelection>,
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
    let picked = training_device(gpu, preference, chosen, &pipeline, &data, config).await;
    let (device, selection) = match picked {
        Ok(picked) => picked,
        Err(response) => return response,
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

/// The WebGPU worker trains on its GPU only: the page sends it training that needs the GPU
/// (named, or chosen by timing), never trees or Newton's method, which train on the host.
#[cfg(not(feature = "cpu"))]
async fn training_device(
    gpu: Option<burn::tensor::Device>,
    _: DevicePreference,
    chosen: Option<DeviceSelection>,
    _: &FittedPipeline,
    _: &TrainingData,
    config: &TrainConfig,
) -> Result<(burn::tensor::Device, DeviceSelection), Response> {
    if let Some(reason) = config.host_training() {
        let message = format!("The WebGPU worker does not train this model ({reason}).");
        return Err(Response::TrainFailed { message });
    }
    let device = gpu.ok_or_else(no_webgpu)?;
    let selection = chosen.unwrap_or_else(|| DeviceSelection {
        accelerator: Accelerator::Gpu,
        timings: Vec::new(),
        reason: "chosen".into(),
    });
    Ok((device, selection))
}

/// Times a few training steps on this worker's own device: the CPU in the CPU worker, the GPU
/// in the WebGPU one (`Request::TimeDevice`, "auto" with a hardware GPU).
async fn time_own_device(
    engine: &Rc<RefCell<Engine>>,
    config: &TrainConfig,
    budget_ms: Option<f64>,
) -> Response {
    let found = {
        let mut engine = engine.borrow_mut();
        training(&mut engine).map(|(pipeline, data)| (pipeline, data, engine.gpu.clone()))
    };
    let (pipeline, data, gpu) = match found {
        Ok(found) => found,
        Err(message) => return Response::TrainFailed { message },
    };
    #[cfg(feature = "cpu")]
    let own = {
        let _ = gpu;
        Some((Accelerator::Cpu, compute::init_cpu()))
    };
    #[cfg(not(feature = "cpu"))]
    let own = gpu.map(|device| (Accelerator::Gpu, device));
    let Some((accelerator, device)) = own else {
        let timing = DeviceTiming {
            accelerator: Accelerator::Gpu,
            ms_per_step: None,
            error: Some(NO_WEBGPU.into()),
        };
        return Response::DeviceTimed {
            timing,
            run_ms: None,
        };
    };
    post_timing();
    let budget = budget_ms.unwrap_or(f64::INFINITY);
    let timing = match time_one(accelerator, &device, &pipeline, &data.train, config, budget).await
    {
        Ok(timing) | Err((timing, _)) => timing,
    };
    let run_ms = fastest_run_ms(std::slice::from_ref(&timing), &data.train, config);
    Response::DeviceTimed {
        timing,
        run_ms: run_ms.is_finite().then_some(run_ms),
    }
}

/// Tells the page why nothing happens for a moment: devices are being timed.
fn post_timing() {
    post(Response::Progress {
        task: "Timing the devices".into(),
        done: 0.0,
        total: 0.0,
    });
}

fn no_webgpu() -> Response {
    Response::TrainFailed {
        message: "WebGPU is not available in this browser; train on the CPU.".into(),
    }
}

const NO_WEBGPU: &str = "WebGPU is not available in this browser";

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

/// Resolves on the next turn of the worker's event loop, so queued messages get handled.
async fn yield_to_event_loop() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = JsFuture::from(promise).await;
}
