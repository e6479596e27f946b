//! The connection to the engine's Web Worker.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, File, MessageEvent, Worker};
use yew::prelude::*;

use super::state::{Action, State};
use crate::protocol::{Envelope, Request, Response};

/// The worker script Trunk emits for the `hearth-worker` binary.
pub const WORKER_SCRIPT: &str = "./hearth-worker_loader.js";

/// The worker's event handlers, kept alive as long as the worker.
pub type Listeners = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(ErrorEvent)>,
);

/// Sends requests to the worker. Cheap to clone; equal when it is the same worker.
#[derive(Clone)]
pub struct WorkerHandle {
    worker: Rc<Worker>,
    _listeners: Rc<Listeners>,
}

impl PartialEq for WorkerHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.worker, &other.worker)
    }
}

impl WorkerHandle {
    pub fn send(&self, message: Request, file: Option<File>) -> Result<(), String> {
        let value = Envelope { message, file }.to_js()?;
        self.worker
            .post_message(&value)
            .map_err(|error| format!("The worker could not be reached: {error:?}."))
    }
}

/// Starts the worker once and routes its responses into the reducer.
#[hook]
pub fn use_worker(dispatcher: UseReducerDispatcher<State>) -> Option<WorkerHandle> {
    let handle = use_state(|| None::<WorkerHandle>);
    {
        let handle = handle.clone();
        use_effect_with((), move |_| match spawn_worker(dispatcher.clone()) {
            Ok(worker) => handle.set(Some(worker)),
            Err(message) => dispatcher.dispatch(Action::Worker(Response::Failed { message })),
        });
    }
    (*handle).clone()
}

fn spawn_worker(dispatcher: UseReducerDispatcher<State>) -> Result<WorkerHandle, String> {
    let worker = Worker::new(WORKER_SCRIPT)
        .map_err(|error| format!("The background worker could not start: {error:?}."))?;
    let on_message_dispatcher = dispatcher.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let response = Envelope::<Response>::from_js(&event.data())
            .map(|envelope| envelope.message)
            .unwrap_or_else(|error| Response::Failed {
                message: format!("The worker sent a message the page could not read: {error}."),
            });
        on_message_dispatcher.dispatch(Action::Worker(response));
    });
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
        dispatcher.dispatch(Action::Worker(Response::Failed {
            message: format!("The background worker failed: {}.", event.message()),
        }));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(WorkerHandle {
        worker: Rc::new(worker),
        _listeners: Rc::new((on_message, on_error)),
    })
}
