//! The page's effects as named hooks: the connection to the engine's Web Worker, the step
//! URLs, the question before leaving while work runs, drawing a costly part of the page after
//! the rest, and what the app does on its own when its state changes (reopen the saved study,
//! load the first sample, re-fit the preprocessing, stop a detached run, adopt the Auto
//! search's best trial).

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{BeforeUnloadEvent, ErrorEvent, Event, File, MessageEvent, Worker};
use yew::prelude::*;

use super::engine::EngineHandle;
use super::state::{Action, DataSource, SearchView, State, Step, input_row};
use super::teach_state::{TeachAction, TeachView};
use crate::explain;
use crate::protocol::{DialectChoice, Envelope, Request, Response};
use crate::samples::SAMPLES;
use crate::teach::{Classroom, ModelPlaneQuery, Table};
use crate::train::DevicePreference;
use crate::web_gpu::{GpuAdapter, default_adapter};

/// The Use step's worker (tract, no burn): Trunk's `hearth-use-worker` binary.
pub const USE_WORKER: &str = "hearth-use-worker";
/// The Teach step's worker (lessons, no burn or tract): Trunk's `hearth-teach-worker` binary.
pub const TEACH_WORKER: &str = "hearth-teach-worker";

/// The URL of a worker's script (`name` is its binary): its content-hashed name, which
/// scripts/hash-worker (a Trunk hook) writes into the page as `<meta name="NAME"
/// content="…">`, so that the script can be cached for a year and still never be stale;
/// Trunk's own name for it before the hook runs.
pub fn worker_script(name: &str) -> String {
    web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| {
            document
                .query_selector(&format!(r#"meta[name="{name}"]"#))
                .ok()
                .flatten()
        })
        .and_then(|meta| meta.get_attribute("content"))
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| format!("./{name}_loader.js"))
}

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
        let value = Envelope {
            message,
            file,
            floats: None,
        }
        .to_js()?;
        self.worker
            .post_message(&value)
            .map_err(|error| format!("The worker could not be reached: {error:?}."))
    }

    /// Sends `message` with `floats` beside it, the array's buffer transferred (it moves to the
    /// worker; the page keeps no copy).
    pub fn send_floats(
        &self,
        message: Request,
        floats: js_sys::Float32Array,
    ) -> Result<(), String> {
        let buffer = floats.buffer();
        let value = Envelope {
            message,
            file: None,
            floats: Some(floats),
        }
        .to_js()?;
        self.worker
            .post_message_with_transfer(&value, &js_sys::Array::of1(&buffer))
            .map_err(|error| format!("The worker could not be reached: {error:?}."))
    }

    /// Stops the worker at once; its listeners stay until the handle is dropped.
    pub fn terminate(&self) {
        self.worker.terminate();
    }
}

/// Starts the engine (its data worker) once; its responses go into the reducer.
#[hook]
pub fn use_engine(dispatcher: UseReducerDispatcher<State>) -> Option<EngineHandle> {
    let handle = use_state(|| None::<EngineHandle>);
    {
        let handle = handle.clone();
        use_effect_with((), move |_| match EngineHandle::start(dispatcher.clone()) {
            Ok(engine) => handle.set(Some(engine)),
            Err(message) => dispatcher.dispatch(Action::Worker(Response::Failed { message })),
        });
    }
    (*handle).clone()
}

/// Whether `deps` have stayed as they are for a timer of `delay_ms`: lets a part of the page
/// that is costly to draw and not needed at once be drawn in a task of its own after the rest.
/// Measured on a 50-column profile (`bench/big-page.mjs`): drawn in one go, its rows and
/// histograms made one task of 166–305 ms on the UI thread; issue 17's limit is 200 ms.
#[hook]
pub fn use_drawn_after<D: PartialEq + Clone + 'static>(deps: D, delay_ms: i32) -> bool {
    let drawn = use_state(|| None::<D>);
    {
        let drawn = drawn.clone();
        use_effect_with(deps.clone(), move |deps| {
            let deps = deps.clone();
            let callback = Closure::once(move || drawn.set(Some(deps)));
            let window = web_sys::window();
            let timer = window.as_ref().and_then(|window| {
                window
                    .set_timeout_with_callback_and_timeout_and_arguments_0(
                        callback.as_ref().unchecked_ref(),
                        delay_ms,
                    )
                    .ok()
            });
            move || {
                // Cleared before the closure goes, so a timer never calls a dropped closure.
                if let (Some(window), Some(timer)) = (window, timer) {
                    window.clear_timeout_with_handle(timer);
                }
                drop(callback);
            }
        });
    }
    drawn.as_ref() == Some(&deps)
}

/// Asks the browser once for its default WebGPU adapter (no burn needed): "auto" training
/// starts the WebGPU compute worker only for a hardware GPU.
#[hook]
pub fn use_gpu_adapter(dispatcher: UseReducerDispatcher<State>) {
    use_effect_with((), move |_| {
        spawn_local(async move {
            dispatcher.dispatch(Action::GpuAdapter(default_adapter().await));
        });
    });
}

/// Starts the CPU compute worker when a step that needs one is shown, and on the Train step,
/// unless work runs, the WebGPU one beside it when the device setting needs it. Until then the
/// page has downloaded none of burn.
#[hook]
pub fn use_compute_worker(
    engine: Option<EngineHandle>,
    step: Step,
    device: DevicePreference,
    adapter: Option<GpuAdapter>,
    busy: bool,
) {
    let gpu_too = match step {
        Step::Train => Some(!busy),
        Step::Search | Step::Export => Some(false),
        _ => None,
    };
    let started = engine.is_some();
    use_effect_with(
        (gpu_too, device, adapter, started),
        move |(gpu_too, device, adapter, _)| {
            let Some(engine) = engine else { return };
            if let Some(adapter) = adapter {
                engine.set_gpu_adapter(adapter.clone());
            }
            if let Some(gpu_too) = gpu_too {
                engine.start_compute(*device, *gpu_too);
            }
        },
    );
}

/// Starts the Use step's worker the first time `needed` (the step is shown): a page that never
/// uses a model never downloads tract. Its failures show in the Use step.
#[hook]
pub fn use_use_worker(
    needed: bool,
    dispatcher: UseReducerDispatcher<State>,
) -> Option<WorkerHandle> {
    let route = |envelope: Envelope<Response>| match envelope.message {
        Response::WorkerStarted => Action::UseWorkerStarted,
        other => Action::Worker(other),
    };
    use_step_worker(USE_WORKER, needed, dispatcher, route, |message| {
        Response::UseFailed { message }
    })
}

/// Starts the Teach step's worker the first time `needed` (the step is shown). Its frames
/// arrive with their planes beside the message.
#[hook]
pub fn use_teach_worker(
    needed: bool,
    dispatcher: UseReducerDispatcher<State>,
) -> Option<WorkerHandle> {
    let route = |envelope: Envelope<Response>| match envelope.message {
        Response::WorkerStarted => Action::Teach(TeachAction::WorkerStarted),
        Response::TeachFrame(frame) => {
            let planes = envelope.floats.map(|p| p.to_vec()).unwrap_or_default();
            Action::Teach(TeachAction::Frame(frame, Rc::new(planes)))
        }
        other => Action::Worker(other),
    };
    use_step_worker(TEACH_WORKER, needed, dispatcher, route, |message| {
        Response::TeachFailed { message }
    })
}

/// A step's own worker, built from binary `name` and started the first time `needed`; `route`
/// and `failure` as for [`spawn_worker`], a failure to start reported through `failure`.
#[hook]
fn use_step_worker(
    name: &'static str,
    needed: bool,
    dispatcher: UseReducerDispatcher<State>,
    route: fn(Envelope<Response>) -> Action,
    failure: fn(String) -> Response,
) -> Option<WorkerHandle> {
    let handle = use_state(|| None::<WorkerHandle>);
    {
        let handle = handle.clone();
        let started = handle.is_some();
        use_effect_with(needed, move |needed| {
            if *needed && !started {
                match spawn_worker(name, dispatcher.clone(), route, failure) {
                    Ok(worker) => handle.set(Some(worker)),
                    Err(message) => dispatcher.dispatch(Action::Worker(failure(message))),
                }
            }
        });
    }
    (*handle).clone()
}

/// The planes' sides in cells: the boundary (as the Playground's) and each unit's thumbnail.
pub const TEACH_DENSITY: usize = 100;
pub const TEACH_THUMB: usize = 24;

/// Starts the page's lesson in the Teach worker once it is ready, and again whenever the
/// lesson number changes (a new setting, Reset, an opened link).
#[hook]
pub fn use_teach_lesson(worker: Option<WorkerHandle>, teach: &TeachView) {
    let settings = teach.room.settings.clone();
    // The table is copied into the request only when one is sent, not on every render.
    let table = settings.table.as_ref().and(teach.table.clone());
    let plane = teach.room.plane.clone();
    let ready = teach.worker_ready && worker.is_some() && teach.can_start();
    use_effect_with((ready, teach.lesson), move |(ready, lesson)| {
        if *ready && let Some(worker) = worker {
            let request = Request::TeachStart {
                lesson: *lesson,
                settings,
                table: table.map(|table| Box::new(Table::clone(&table))),
                plane,
                density: TEACH_DENSITY,
                thumb: TEACH_THUMB,
            };
            if let Err(error) = worker.send(request, None) {
                web_sys::console::error_1(&error.into());
            }
        }
    });
}

/// Asks the engine's worker for the prepared table when a shown Teach lesson wants it and the
/// Data step has prepared data; the lesson starts when it arrives.
#[hook]
pub fn use_teach_table(
    engine: Option<EngineHandle>,
    shown: bool,
    prepared: bool,
    teach: &TeachView,
    dispatcher: UseReducerDispatcher<State>,
) {
    let wanted = shown
        && prepared
        && teach.room.settings.table.is_some()
        && teach.table.is_none()
        && !teach.table_requested;
    let seed = teach.room.settings.seed;
    use_effect_with(wanted, move |wanted| {
        if *wanted && let Some(engine) = engine {
            dispatcher.dispatch(Action::Teach(TeachAction::TableRequested));
            if let Err(message) = engine.send(Request::TeachTable { seed }, None) {
                dispatcher.dispatch(Action::Teach(TeachAction::Failed(message)));
            }
        }
    });
}

/// Asks the compute worker for the current model over the Teach lesson's plane while the user
/// has chosen to see it: again for each new lesson or plane (the frame's points are sent anew
/// then) and each new model. `model` is the current model's identity (none: nothing to ask).
#[hook]
pub fn use_model_plane(
    engine: Option<EngineHandle>,
    teach: &TeachView,
    model: Option<usize>,
    dispatcher: UseReducerDispatcher<State>,
) {
    let density = teach.frame.as_ref().map_or(0, |frame| frame.density);
    let wanted = teach.model.shown.then(|| {
        let points = teach.points.clone()?;
        points.plane.as_ref()?;
        Some((points, teach.table.clone()?, model?, density))
    });
    let next_id = teach.model.asked.wrapping_add(1);
    // Equal deps (the same points, table and model) ask nothing again.
    let deps = wanted
        .flatten()
        .map(|(points, table, model, density)| (PtrKey(points), PtrKey(table), model, density));
    use_effect_with(deps, move |deps| {
        let (Some((PtrKey(points), PtrKey(table), _, density)), Some(engine)) = (deps, engine)
        else {
            return;
        };
        let Some(plane) = points.plane.clone() else {
            return;
        };
        let query = ModelPlaneQuery::new(next_id, table, plane, *density, points.test.clone());
        dispatcher.dispatch(Action::Teach(TeachAction::ModelAsked(next_id)));
        if let Err(message) = engine.send(Request::ModelPlane(Box::new(query)), None) {
            dispatcher.dispatch(Action::Teach(TeachAction::ModelPlane(Err(message))));
        }
    });
}

/// An `Rc` compared by address: an effect's dependency that changes when a new value arrives,
/// without comparing large contents on every render.
#[derive(Clone)]
struct PtrKey<T>(Rc<T>);

impl<T> PartialEq for PtrKey<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A classroom link that carries its table's file: once the engine's worker takes requests,
/// the file is unpacked and loaded in the Data step as if the student had dropped it (its
/// target is the link's, state.rs), and the lesson starts on it.
#[hook]
pub fn use_teach_link_file(
    engine: Option<EngineHandle>,
    worker_started: bool,
    teach: &TeachView,
    dispatcher: UseReducerDispatcher<State>,
) {
    let wanted = worker_started && teach.link_file_pending;
    // Copied only when it is to be sent: the packed file may be 24 K characters.
    let file = wanted
        .then(|| {
            let name = teach.room.settings.table.as_ref()?.name.clone();
            Some((name, teach.room.data.clone()?))
        })
        .flatten();
    use_effect_with(wanted, move |wanted| {
        let (true, Some(engine), Some((name, data))) = (*wanted, engine, file) else {
            return;
        };
        dispatcher.dispatch(Action::Teach(TeachAction::LinkFileSent));
        let file = match crate::teach::unpack(&data) {
            Ok(bytes) => {
                let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]));
                File::new_with_u8_array_sequence(&parts, &name).map_err(|error| {
                    format!("The link's file could not be made into a file: {error:?}.")
                })
            }
            Err(error) => Err(error.to_string()),
        };
        let file = match file {
            Ok(file) => file,
            Err(message) => {
                dispatcher.dispatch(Action::Teach(TeachAction::Failed(message)));
                return;
            }
        };
        let task = format!("Opening {name} from the link");
        let request = Request::LoadFile {
            name,
            size: file.size(),
            dialect: DialectChoice::default(),
        };
        request_load(&engine, &dispatcher, request, Some(file), task);
    });
}

/// While the Teach step is shown, its address is the classroom link: every setting, the
/// hidden controls and the goal, so that copying the address shares the lesson.
#[hook]
pub fn use_teach_link(shown: bool, room: &Classroom) {
    let query = room.to_query();
    use_effect_with((shown, query), move |(shown, query)| {
        if *shown {
            replace_url(&format!("{}?{query}", step_route(Step::Teach)));
        }
    });
}

/// Starts the worker built from binary `name`; `route` makes each message an action and
/// `failure` words what goes wrong with the worker itself.
fn spawn_worker(
    name: &str,
    dispatcher: UseReducerDispatcher<State>,
    route: fn(Envelope<Response>) -> Action,
    failure: fn(String) -> Response,
) -> Result<WorkerHandle, String> {
    let on_failure = dispatcher.clone();
    spawn_worker_with(
        name,
        move |envelope| dispatcher.dispatch(route(envelope)),
        move |message| on_failure.dispatch(route(Envelope::new(failure(message)))),
    )
}

/// Starts the worker built from binary `name`; each of its messages goes to `on_message`, and
/// what goes wrong with the worker itself (an uncaught error: a panic, memory exhausted; a
/// message the page cannot read) to `on_failure`, as one sentence.
pub fn spawn_worker_with(
    name: &str,
    on_message: impl Fn(Envelope<Response>) + 'static,
    on_failure: impl Fn(String) + 'static,
) -> Result<WorkerHandle, String> {
    let worker = Worker::new(&worker_script(name))
        .map_err(|error| format!("The background worker could not start: {error:?}."))?;
    let on_failure = Rc::new(on_failure);
    let message_listener = {
        let on_failure = on_failure.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            match Envelope::<Response>::from_js(&event.data()) {
                Ok(envelope) => on_message(envelope),
                Err(error) => on_failure(format!(
                    "The worker sent a message the page could not read: {error}."
                )),
            }
        })
    };
    let error_listener = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
        on_failure(format!(
            "The background worker failed: {}.",
            event.message()
        ));
    });
    worker.set_onmessage(Some(message_listener.as_ref().unchecked_ref()));
    worker.set_onerror(Some(error_listener.as_ref().unchecked_ref()));
    Ok(WorkerHandle {
        worker: Rc::new(worker),
        _listeners: Rc::new((message_listener, error_listener)),
    })
}

/// The URL fragment of each step: `#/data` … `#/use`, so that a step can be bookmarked,
/// reloaded and reached with Back and Forward on any static server.
pub fn step_route(step: Step) -> &'static str {
    match step {
        Step::Data => "#/data",
        Step::Prepare => "#/prepare",
        Step::Train => "#/train",
        Step::Search => "#/search",
        Step::Export => "#/export",
        Step::Use => "#/use",
        Step::Teach => "#/teach",
    }
}

/// The step the page's URL names, if it names one, and the query after it (the Teach step's
/// classroom link).
fn url_step_and_query() -> Option<(Step, Option<String>)> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let (route, query) = match hash.split_once('?') {
        Some((route, query)) => (route.to_string(), Some(query.to_string())),
        None => (hash, None),
    };
    let step = Step::ALL
        .into_iter()
        .find(|step| step_route(*step) == route)?;
    Some((step, query))
}

fn step_in_url() -> Option<Step> {
    url_step_and_query().map(|(step, _)| step)
}

/// Shows the step the URL names; a Teach link's settings open with it.
fn follow_url(dispatcher: &UseReducerDispatcher<State>) -> bool {
    let Some((step, query)) = url_step_and_query() else {
        return false;
    };
    if let (Step::Teach, Some(query)) = (step, query) {
        dispatcher.dispatch(Action::Teach(TeachAction::Link(query)));
    }
    dispatcher.dispatch(Action::ShowStep(step));
    true
}

/// Keeps the shown step and the URL in step: opens the step a reloaded or pasted URL names,
/// gives every step change its own history entry, and follows Back and Forward.
#[hook]
pub fn use_step_route(step: Step, dispatcher: UseReducerDispatcher<State>) {
    // The first render shows the default step, which must not overwrite the URL's step before
    // the URL has been read.
    let url_read = use_mut_ref(|| false);
    {
        let url_read = url_read.clone();
        use_effect_with((), move |_| {
            if !follow_url(&dispatcher) {
                replace_url(step_route(Step::default()));
            }
            *url_read.borrow_mut() = true;
            // Back, Forward and an edited URL change only the fragment: the app stays.
            let listener = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                follow_url(&dispatcher);
            });
            let window = web_sys::window();
            if let Some(window) = &window {
                let _ = window.add_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(window) = window {
                    let _ = window.remove_event_listener_with_callback(
                        "hashchange",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    use_effect_with(step, move |step| {
        if *url_read.borrow() && step_in_url() != Some(*step) {
            push_url(step_route(*step));
        }
    });
}

fn push_url(url: &str) {
    if let Some(history) = web_sys::window().and_then(|window| window.history().ok()) {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

fn replace_url(url: &str) {
    if let Some(history) = web_sys::window().and_then(|window| window.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

/// While `running`, closing or reloading the page asks first: training, a search or an export
/// in the worker would be lost. Idle, the page leaves without a question.
#[hook]
pub fn use_leave_guard(running: bool) {
    use_effect_with(running, move |running| {
        let guard = running.then(|| {
            let listener = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                event.prevent_default();
                // Older browsers ask only when returnValue is set.
                event
                    .unchecked_ref::<BeforeUnloadEvent>()
                    .set_return_value("Work in progress will be lost.");
            });
            if let Some(window) = web_sys::window() {
                let _ = window.add_event_listener_with_callback(
                    "beforeunload",
                    listener.as_ref().unchecked_ref(),
                );
            }
            listener
        });
        move || {
            if let (Some(listener), Some(window)) = (guard, web_sys::window()) {
                let _ = window.remove_event_listener_with_callback(
                    "beforeunload",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    });
}

/// Once the first profile shows, registers the service worker that keeps the app for use
/// offline (`sw.js`, written by scripts/offline): after the profile, so that what it installs
/// never delays the first view. A browser without service workers (or a page not served over
/// HTTPS or from localhost) simply works online only.
#[hook]
pub fn use_offline_cache(profile_shown: bool) {
    use_effect_with(profile_shown, |shown| {
        let navigator = web_sys::window().map(|window| window.navigator());
        if let (true, Some(navigator)) = (*shown, navigator)
            && js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false)
        {
            let registration = navigator.service_worker().register("sw.js");
            spawn_local(async move {
                if let Err(error) = wasm_bindgen_futures::JsFuture::from(registration).await {
                    web_sys::console::warn_2(&"Hearth will not work offline:".into(), &error);
                }
            });
        }
    });
}

/// The Auto button's search: when it ends, the page's worker selects an ensemble of its best
/// trials and refits it, or the best trial when the ensemble does not beat it, on the training
/// and validation rows; that becomes the model.
#[hook]
pub fn use_auto_search_result(
    worker: Option<EngineHandle>,
    search: Option<Rc<SearchView>>,
    dispatcher: UseReducerDispatcher<State>,
) {
    let finished_auto = search
        .as_ref()
        .is_some_and(|search| search.auto && !search.running);
    use_effect_with(finished_auto, move |finished| {
        if let (true, Some(search), Some(worker)) = (*finished, search, worker) {
            let request = if search.study.ensemble_wins() {
                Some(Request::RefitEnsemble {
                    study: Box::new((*search.study).clone()),
                })
            } else {
                search.study.best_trial().map(|trial| Request::Refit {
                    settings: Box::new(search.study.settings.clone()),
                    trial: Box::new(trial.clone()),
                })
            };
            if let Some(request) = request {
                dispatcher.dispatch(Action::TrainingRequested);
                match worker.send(request, None) {
                    Ok(()) => dispatcher.dispatch(Action::ShowStep(Step::Train)),
                    Err(message) => {
                        dispatcher.dispatch(Action::Worker(Response::TrainFailed { message }))
                    }
                }
            }
            let mut done = (*search).clone();
            done.auto = false;
            dispatcher.dispatch(Action::Search(Rc::new(done)));
        }
    });
}

/// Every load (a sample, a file, a re-parse) goes through here: marks the page busy with
/// `task`, keeps the source to read again and the dialect asked for, then asks the engine's
/// worker.
pub fn request_load(
    worker: &EngineHandle,
    dispatcher: &UseReducerDispatcher<State>,
    request: Request,
    file: Option<File>,
    task: String,
) {
    let dialect = match &request {
        Request::Reparse { dialect }
        | Request::LoadSample { dialect, .. }
        | Request::LoadFile { dialect, .. } => dialect.clone(),
        _ => DialectChoice::default(),
    };
    let source = match (&request, &file) {
        (Request::LoadSample { name, .. }, _) => Some(DataSource::Sample(name.clone())),
        (Request::LoadFile { .. }, Some(file)) => Some(DataSource::File(file.clone())),
        _ => None,
    };
    dispatcher.dispatch(Action::Loading {
        task,
        dialect,
        source,
    });
    if let Err(message) = worker.send(request, file) {
        dispatcher.dispatch(Action::Worker(Response::Failed { message }));
    }
}

/// Opens the first bundled sample as soon as the data worker runs, unless other data comes
/// first (`other_data`: a classroom link brings its own file, or the user dropped one while
/// the worker was still loading).
#[hook]
pub fn use_first_sample(
    worker: Option<EngineHandle>,
    worker_started: bool,
    other_data: bool,
    dispatcher: UseReducerDispatcher<State>,
) {
    use_effect_with(worker_started, move |started| {
        if let (true, false, Some(worker)) = (*started, other_data, worker) {
            let name = SAMPLES[0].file.to_string();
            let task = format!("Loading {name}");
            let request = Request::LoadSample {
                name,
                dialect: DialectChoice::default(),
            };
            request_load(&worker, &dispatcher, request, None, task);
        }
    });
}

/// A run whose data changed under it no longer applies to what the page shows: this stops it,
/// so that its best model arrives (and is set aside) now rather than after every epoch.
#[hook]
pub fn use_stop_detached_run(
    worker: Option<EngineHandle>,
    detached: bool,
    dispatcher: UseReducerDispatcher<State>,
) {
    use_effect_with(detached, move |detached| {
        if let (true, Some(worker)) = (*detached, worker)
            && let Err(message) = worker.send(Request::StopTraining, None)
        {
            dispatcher.dispatch(Action::Worker(Response::TrainFailed { message }));
        }
    });
}

/// Re-fits the preprocessing whenever the dataset, the target, the task or a setting changes.
#[hook]
pub fn use_refit_on_change(
    worker: Option<EngineHandle>,
    state: &State,
    dispatcher: UseReducerDispatcher<State>,
) {
    let inputs = (
        state.dataset_generation,
        state.target.clone(),
        state.task,
        state.prep_config.clone(),
    );
    use_effect_with(inputs, move |(generation, target, task, config)| {
        if let (true, Some(worker), Some(target), Some(task)) =
            (*generation > 0, worker, target, task)
        {
            dispatcher.dispatch(Action::Preparing);
            let request = Request::Prepare {
                target: target.clone(),
                task: *task,
                config: config.clone(),
            };
            if let Err(message) = worker.send(request, None) {
                dispatcher.dispatch(Action::Worker(Response::PrepareFailed { message }));
            }
        }
    });
}

/// The Use step answers with the file the Export step wrote: each new export is sent to the
/// Use step's worker once it runs; each newly opened file gets its first answer (for the
/// form's typical row), and the engine's worker is asked for background rows of the loaded
/// dataset to explain against.
#[hook]
pub fn use_open_export(
    engine: Option<EngineHandle>,
    use_worker: Option<WorkerHandle>,
    state: &UseReducerHandle<State>,
) {
    let ready = use_worker.clone().filter(|_| state.serving.worker_ready);
    let export = state.export.result.clone();
    let key = export.as_ref().map(|_| state.export.number);
    let opened = state.serving.opened_export;
    let stem = state.model_file_stem();
    {
        let (worker, dispatcher) = (ready.clone(), state.dispatcher());
        use_effect_with((key, worker.is_some()), move |(key, _)| {
            if let (Some(key), Some(exported), Some(worker)) = (*key, export, worker)
                && opened != Some(key)
            {
                dispatcher.dispatch(Action::UseOpeningExport(key));
                let name = format!("{stem}-{}.onnx", exported.quantization.label());
                let sent = onnx_file(&exported.onnx, &name)
                    .and_then(|file| worker.send(Request::OpenOnnx { name }, Some(file)));
                if let Err(message) = sent {
                    dispatcher.dispatch(Action::Worker(Response::UseFailed { message }));
                }
            }
        });
    }
    let model = state.serving.model.clone();
    let (row, asked) = (state.serving.row.clone(), state.serving.asked);
    let dispatcher = state.dispatcher();
    use_effect_with(
        model.as_ref().map(|model| Rc::as_ptr(model) as usize),
        move |_| {
            let Some(model) = model else { return };
            if let Some(worker) = ready {
                ask_for_answer(&worker, &dispatcher, row, asked);
            }
            if let Some(engine) = engine {
                let columns = model
                    .inputs
                    .iter()
                    .map(|input| input.name.clone())
                    .collect();
                let request = Request::BackgroundRows {
                    columns,
                    rows: explain::BACKGROUND_ROWS,
                    seed: 0,
                };
                // Without them the Use step's worker draws rows from the file's distributions.
                let _ = engine.send(request, None);
            }
        },
    );
}

/// Sends the form's fields (as typed) to the Use step's worker as edit `asked + 1`, noting when,
/// so that the step can show the time from the edit to its answer.
pub fn ask_for_answer(
    worker: &WorkerHandle,
    dispatcher: &UseReducerDispatcher<State>,
    fields: Vec<String>,
    asked: u64,
) {
    let id = asked + 1;
    let request = Request::Answer {
        id,
        row: input_row(&fields),
    };
    dispatcher.dispatch(Action::UseEdit {
        row: fields,
        id,
        at_ms: crate::clock::now_ms(),
    });
    if let Err(message) = worker.send(request, None) {
        dispatcher.dispatch(Action::Worker(Response::UseFailed { message }));
    }
}

/// The exported bytes as a `File` the Use step's worker reads like a dropped one.
fn onnx_file(bytes: &[u8], name: &str) -> Result<File, String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    File::new_with_u8_array_sequence(&parts, name).map_err(|error| {
        format!("The exported file could not be handed to the Use step: {error:?}.")
    })
}
