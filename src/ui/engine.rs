//! The engine's workers behind one handle, so that components send a [`Request`] without
//! knowing which worker answers it ([`Request::role`]).
//!
//! The data worker (`hearth-data-worker`, no burn: 0.31 MB gzip) starts with the page and
//! answers loads, profiles and preparations. The compute workers are downloaded and started
//! only when a step needs them: `hearth-worker` (burn on the CPU, 0.98 MB gzip) for training,
//! search, refits and export, and beside it, when training is to run on WebGPU,
//! `hearth-gpu-worker` (burn's wgpu runtime with kernel fusion, without the CPU device: 2.2 MB
//! gzip), which only trains on the GPU ([`Compute`]).
//! A compute worker needs the prepared examples in its own memory, so it is brought up to
//! date first: the data worker hands them over ([`Request::ShareTraining`]), the shape and
//! then blocks of rows whose buffers this page passes on without copying
//! ([`Request::Handover`]), and requests for the compute worker wait in a queue until it has
//! put them together. The tab so holds one parsed copy of the table, in the data worker, and
//! the examples in each compute worker that runs. A model trained on the GPU follows to the CPU
//! worker (sent as `.hearth` text), so that the Export step finds it there.
//! A worker of either kind that fails (a panic's trap, memory exhausted) is replaced by one
//! brought up to date the same way; for the data worker that means the last load that profiled,
//! not the file it failed on.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use web_sys::File;
use yew::UseReducerDispatcher;

use super::hooks::{WorkerHandle, spawn_worker_with};
use super::state::{Action, State};
use crate::compute::Accelerator;
use crate::protocol::{DialectChoice, Envelope, HandoverMessage, Request, Response, WorkerRole};
use crate::train::{DevicePreference, DeviceSelection, DeviceTiming, TrainConfig};
use crate::web_gpu::GpuAdapter;

/// The CPU compute worker: Trunk's `hearth-worker` binary (also the search pool's workers).
pub const COMPUTE_WORKER: &str = "hearth-worker";
/// The compute worker with WebGPU: Trunk's `hearth-gpu-worker` binary.
pub const GPU_WORKER: &str = "hearth-gpu-worker";
/// The data worker: Trunk's `hearth-data-worker` binary.
pub const DATA_WORKER: &str = "hearth-data-worker";

/// Which of the two compute workers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ComputeKind {
    Cpu,
    Gpu,
}

impl ComputeKind {
    fn script(self) -> &'static str {
        match self {
            ComputeKind::Cpu => COMPUTE_WORKER,
            ComputeKind::Gpu => GPU_WORKER,
        }
    }

    /// The worker that training on `device` needs: WebGPU's when asked for, or when "auto"
    /// has a hardware GPU to time (then the CPU worker times the CPU first; a software GPU
    /// loses to the CPU untimed); `None` while the browser's adapter is not known yet.
    pub fn for_device(
        device: DevicePreference,
        adapter: Option<&GpuAdapter>,
    ) -> Option<ComputeKind> {
        match device {
            DevicePreference::Cpu => Some(ComputeKind::Cpu),
            DevicePreference::Gpu => Some(ComputeKind::Gpu),
            DevicePreference::Auto => adapter.map(|adapter| match adapter {
                GpuAdapter::Hardware => ComputeKind::Gpu,
                GpuAdapter::Missing | GpuAdapter::Software(_) => ComputeKind::Cpu,
            }),
        }
    }
}

/// Sends requests to the engine's workers. Cheap to clone; equal when it is the same engine.
#[derive(Clone)]
pub struct EngineHandle {
    data: Rc<DataLink>,
    compute: Rc<Compute>,
}

impl PartialEq for EngineHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.data, &other.data)
    }
}

/// The data worker, and what the page asked of it before its wasm ran (a file dropped while
/// the worker was still downloading): a worker drops messages that arrive before its handler.
///
/// It also remembers the last load that profiled and the last preparation that fitted, so
/// that a worker that fails (a panic, memory exhausted by a file) is replaced by one holding
/// the same dataset: those are replayed to it, not the request it failed on, and its answers
/// to the replays are dropped.
struct DataLink {
    dispatcher: UseReducerDispatcher<State>,
    worker: RefCell<Option<WorkerHandle>>,
    started: Cell<bool>,
    queue: RefCell<Vec<(Request, Option<File>)>>,
    /// The last load and preparation sent, and the last ones answered with a profile and a
    /// preparation.
    sent_load: RefCell<Option<(Request, Option<File>)>>,
    sent_prepare: RefCell<Option<Request>>,
    good_load: RefCell<Option<(Request, Option<File>)>>,
    good_prepare: RefCell<Option<Request>>,
    /// What the page waits for: a load's profile or a preparation.
    awaiting: Cell<Option<Replay>>,
    /// What a replacement worker is sent before anything else, one at a time: the load, then
    /// the preparation (a sample's load is answered after a fetch, and a preparation sent
    /// meanwhile would find no data). The front one is in flight once `replaying` is set.
    replays: RefCell<VecDeque<(Replay, Request, Option<File>)>>,
    replaying: Cell<bool>,
    restarts: Cell<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Replay {
    Load,
    Prepare,
}

impl DataLink {
    fn spawn(link: &Rc<DataLink>, compute: &Rc<Compute>) -> Result<(), String> {
        let (weak, failed, compute, handover) = (
            Rc::downgrade(link),
            Rc::downgrade(link),
            Rc::downgrade(compute),
            Rc::downgrade(compute),
        );
        let worker = spawn_worker_with(
            DATA_WORKER,
            move |envelope: Envelope<Response>| match envelope.message {
                // The examples for a compute worker: passed on, not the page's news.
                Response::Handover(message) => {
                    if let Some(compute) = handover.upgrade() {
                        compute.pass_on(message, envelope.floats);
                    }
                }
                response => {
                    if let Some(link) = weak.upgrade() {
                        link.receive(response);
                    }
                }
            },
            move |message| {
                if let (Some(link), Some(compute)) = (failed.upgrade(), compute.upgrade()) {
                    DataLink::failed(&link, &compute, message);
                }
            },
        )?;
        link.started.set(false);
        if let Some(old) = link.worker.replace(Some(worker)) {
            old.terminate();
        }
        Ok(())
    }

    fn send(&self, request: Request, file: Option<File>) -> Result<(), String> {
        match &request {
            Request::LoadSample { .. } | Request::LoadFile { .. } => {
                *self.sent_load.borrow_mut() = Some((request.clone(), file.clone()));
                self.awaiting.set(Some(Replay::Load));
            }
            Request::Reparse { dialect } => {
                set_dialect(&mut self.sent_load.borrow_mut(), dialect);
                self.awaiting.set(Some(Replay::Load));
            }
            Request::Prepare { .. } => {
                *self.sent_prepare.borrow_mut() = Some(request.clone());
                self.awaiting.set(Some(Replay::Prepare));
            }
            _ => {}
        }
        self.post(request, file)
    }

    fn post(&self, request: Request, file: Option<File>) -> Result<(), String> {
        match &*self.worker.borrow() {
            Some(worker) if self.started.get() && self.replays.borrow().is_empty() => {
                worker.send(request, file)
            }
            _ => {
                self.queue.borrow_mut().push((request, file));
                Ok(())
            }
        }
    }

    /// The worker runs: what waited is sent, in order.
    fn started(&self) {
        self.started.set(true);
        self.flush();
    }

    /// Sends the next replay and waits for its answer, or, with none left, what waited.
    fn flush(&self) {
        if self.replaying.get() {
            return;
        }
        let next = self
            .replays
            .borrow()
            .front()
            .map(|(_, request, file)| (request.clone(), file.clone()));
        let sent = match next {
            Some((request, file)) => {
                self.replaying.set(true);
                match &*self.worker.borrow() {
                    Some(worker) => worker.send(request, file),
                    None => Err("The data worker is not running.".to_string()),
                }
            }
            None => {
                let queued: Vec<_> = self.queue.borrow_mut().drain(..).collect();
                queued
                    .into_iter()
                    .try_for_each(|(request, file)| self.post(request, file))
            }
        };
        if let Err(message) = sent {
            self.dispatcher
                .dispatch(Action::Worker(Response::Failed { message }));
        }
    }

    fn receive(&self, response: Response) {
        let replay = self
            .replays
            .borrow()
            .front()
            .map(|(kind, _, _)| *kind)
            .filter(|_| self.replaying.get());
        match (replay, &response) {
            (_, Response::WorkerStarted) => self.started(),
            // The answers to the replays: the page has had the failed worker's.
            (Some(Replay::Load), Response::Progress { .. }) => return,
            (Some(Replay::Load), Response::Profiled { .. } | Response::Failed { .. })
            | (Some(Replay::Prepare), Response::Prepared { .. } | Response::PrepareFailed { .. }) =>
            {
                self.replays.borrow_mut().pop_front();
                self.replaying.set(false);
                self.flush();
                return;
            }
            (_, Response::Profiled { .. }) => {
                *self.good_load.borrow_mut() = self.sent_load.borrow().clone();
                *self.good_prepare.borrow_mut() = None;
                self.awaiting.set(None);
            }
            (_, Response::Prepared { .. }) => {
                *self.good_prepare.borrow_mut() = self.sent_prepare.borrow().clone();
                self.awaiting.set(None);
            }
            (_, Response::Failed { .. } | Response::PrepareFailed { .. }) => {
                self.awaiting.set(None)
            }
            _ => {}
        }
        self.dispatcher.dispatch(Action::Worker(response));
    }

    /// The data worker failed (a panic's trap, memory exhausted by a file): a new one is
    /// started with the last dataset that loaded and its last preparation, the compute worker
    /// is brought back to them too, and the page says so where it waits (the Data or the
    /// Prepare step). Not restarted when it never ran or after [`MAX_RESTARTS`] restarts.
    fn failed(link: &Rc<DataLink>, compute: &Rc<Compute>, sentence: String) {
        let restarts = link.restarts.get();
        let awaiting = link.awaiting.take();
        let message = if link.started.get() && restarts < MAX_RESTARTS {
            link.restarts.set(restarts + 1);
            link.queue.borrow_mut().clear();
            let (load, prepare) = (
                link.good_load.borrow().clone(),
                link.good_prepare.borrow().clone(),
            );
            let prepared = load.is_some() && prepare.is_some();
            let mut replays = VecDeque::new();
            if let Some((request, file)) = load.clone() {
                replays.push_back((Replay::Load, request, file));
                if let Some(prepare) = prepare.clone() {
                    replays.push_back((Replay::Prepare, prepare, None));
                }
            }
            link.replaying.set(false);
            *link.replays.borrow_mut() = replays;
            *link.sent_load.borrow_mut() = load.clone();
            *link.sent_prepare.borrow_mut() = prepare;
            let with = match load.as_ref().and_then(|(request, _)| loaded_name(request)) {
                Some(name) => format!(" with {name}, the last dataset that loaded"),
                None => String::new(),
            };
            let spawned = DataLink::spawn(link, compute);
            // The compute worker follows: a handover under way is lost with the worker, and
            // the load or preparation that failed is taken back (the replacement's
            // examples are asked for after its replays, which the queue keeps first).
            compute.data_replaced(
                awaiting.is_some() || spawned.is_err(),
                prepared && spawned.is_ok(),
            );
            match spawned {
                Ok(()) => format!(
                    "The data worker stopped ({}); a new one was started{with}.",
                    failure_detail(&sentence)
                ),
                Err(error) => format!("{sentence} {error}"),
            }
        } else {
            // No data worker to hand anything over: the compute worker stops waiting for it.
            compute.data_replaced(true, false);
            format!("The data worker: {sentence}")
        };
        let response = match awaiting {
            Some(Replay::Prepare) => Response::PrepareFailed { message },
            _ => Response::Failed { message },
        };
        link.dispatcher.dispatch(Action::Worker(response));
    }
}

/// The file or sample a load request reads.
fn loaded_name(request: &Request) -> Option<&str> {
    match request {
        Request::LoadSample { name, .. } | Request::LoadFile { name, .. } => Some(name),
        _ => None,
    }
}

/// A load request read again with the user's corrections to the parser's guesses (nothing
/// when there is no load to correct).
fn set_dialect(load: &mut Option<(Request, Option<File>)>, dialect: &DialectChoice) {
    if let Some((
        Request::LoadSample {
            dialect: loaded, ..
        }
        | Request::LoadFile {
            dialect: loaded, ..
        },
        _,
    )) = load
    {
        *loaded = dialect.clone();
    }
}

/// What a worker's failure event said, without the sentence around it.
fn failure_detail(sentence: &str) -> &str {
    sentence
        .strip_prefix("The background worker failed: ")
        .unwrap_or(sentence)
        .trim_end_matches('.')
}

impl EngineHandle {
    /// Starts the data worker; the compute workers wait until they are needed.
    pub fn start(dispatcher: UseReducerDispatcher<State>) -> Result<EngineHandle, String> {
        let data = Rc::new(DataLink {
            dispatcher: dispatcher.clone(),
            worker: RefCell::new(None),
            started: Cell::new(false),
            queue: RefCell::new(Vec::new()),
            sent_load: RefCell::new(None),
            sent_prepare: RefCell::new(None),
            good_load: RefCell::new(None),
            good_prepare: RefCell::new(None),
            awaiting: Cell::new(None),
            replays: RefCell::new(VecDeque::new()),
            replaying: Cell::new(false),
            restarts: Cell::new(0),
        });
        let compute = Compute::new(dispatcher, &data);
        DataLink::spawn(&data, &compute)?;
        Ok(EngineHandle { data, compute })
    }

    /// Sends `request` (with the user's `file`, if it carries one) to the worker that answers
    /// it, at once or as soon as that worker runs.
    pub fn send(&self, request: Request, file: Option<File>) -> Result<(), String> {
        match request.role() {
            WorkerRole::Data => {
                // The data worker is sent the request before the compute workers' handovers
                // are asked of it, so that they are of the new data.
                let changes = request.changes_data().then(|| request.clone());
                self.data.send(request, file)?;
                if let Some(request) = changes {
                    self.compute.follow(&request);
                }
                Ok(())
            }
            WorkerRole::Compute => self.compute.send(request, file),
            role => Err(format!(
                "{role:?} requests go to that step's own worker, not the engine's."
            )),
        }
    }

    /// What the browser's default WebGPU adapter is, once the page knows.
    pub fn set_gpu_adapter(&self, adapter: GpuAdapter) {
        *self.compute.adapter.borrow_mut() = Some(adapter);
    }

    /// Starts the CPU compute worker if it does not run; with `gpu_too` (the Train step is
    /// shown and idle) also the WebGPU worker, when training on `device` needs it.
    pub fn start_compute(&self, device: DevicePreference, gpu_too: bool) {
        let mut started = ComputeLink::ensure_started(&self.compute.cpu);
        let gpu = ComputeKind::for_device(device, self.compute.adapter.borrow().as_ref());
        if gpu_too && gpu == Some(ComputeKind::Gpu) {
            started = started.and(ComputeLink::ensure_started(&self.compute.gpu));
        }
        if let Err(message) = started {
            self.compute
                .dispatcher
                .dispatch(Action::Worker(Response::TrainFailed { message }));
        }
    }
}

/// The two compute workers, side by side: the CPU one answers every compute request but
/// training on the GPU, which the WebGPU one (built without burn's CPU device) does. Both are
/// handed the same examples; "auto" with a hardware GPU has each time its own device
/// ([`Request::TimeDevice`]) and trains where it was faster; a model trained on the GPU is
/// handed to the CPU worker, which exports and uses it.
struct Compute {
    dispatcher: UseReducerDispatcher<State>,
    cpu: Rc<ComputeLink>,
    gpu: Rc<ComputeLink>,
    adapter: RefCell<Option<GpuAdapter>>,
    /// "auto" with a hardware GPU, while the devices are timed: the settings to train with,
    /// the CPU's timing once it is known, and whether a stop was asked meanwhile.
    auto: RefCell<Option<AutoTiming>>,
}

struct AutoTiming {
    config: TrainConfig,
    cpu: Option<DeviceTiming>,
    stopped: bool,
}

impl Compute {
    fn new(dispatcher: UseReducerDispatcher<State>, data: &Rc<DataLink>) -> Rc<Compute> {
        let shares = Rc::new(Cell::new(0));
        Rc::new_cyclic(|compute: &Weak<Compute>| {
            let link = |kind| {
                Rc::new(ComputeLink {
                    dispatcher: dispatcher.clone(),
                    kind,
                    compute: compute.clone(),
                    worker: RefCell::new(None),
                    phase: Cell::new(Phase::Off),
                    data: Rc::downgrade(data),
                    prepared: Cell::new(false),
                    current: Cell::new(false),
                    shares: shares.clone(),
                    queue: RefCell::new(Vec::new()),
                    model: RefCell::new(None),
                    restoring: Cell::new(0),
                    restarts: Cell::new(0),
                })
            };
            Compute {
                dispatcher: dispatcher.clone(),
                cpu: link(ComputeKind::Cpu),
                gpu: link(ComputeKind::Gpu),
                adapter: RefCell::new(None),
                auto: RefCell::new(None),
            }
        })
    }

    fn link(&self, kind: ComputeKind) -> &Rc<ComputeLink> {
        match kind {
            ComputeKind::Cpu => &self.cpu,
            ComputeKind::Gpu => &self.gpu,
        }
    }

    fn links(&self) -> [&Rc<ComputeLink>; 2] {
        [&self.cpu, &self.gpu]
    }

    /// Routes a compute request: training to the worker with its device (both, one after the
    /// other, to time them for "auto" with a hardware GPU), a stop to both, the rest to the
    /// CPU worker.
    fn send(&self, request: Request, file: Option<File>) -> Result<(), String> {
        match request {
            Request::Train {
                config,
                device,
                chosen: None,
            } => {
                let kind = match config.host_training() {
                    // Trees and Newton's method train on the host: the CPU worker.
                    Some(_) => ComputeKind::Cpu,
                    None => ComputeKind::for_device(device, self.adapter.borrow().as_ref())
                        .unwrap_or(ComputeKind::Cpu),
                };
                if device == DevicePreference::Auto && kind == ComputeKind::Gpu {
                    // The WebGPU worker downloads while the CPU is timed.
                    ComputeLink::ensure_started(&self.gpu)?;
                    let request = Request::TimeDevice {
                        config: config.clone(),
                        budget_ms: None,
                    };
                    *self.auto.borrow_mut() = Some(AutoTiming {
                        config,
                        cpu: None,
                        stopped: false,
                    });
                    return ComputeLink::send(&self.cpu, request, None);
                }
                let request = Request::Train {
                    config,
                    device,
                    chosen: None,
                };
                ComputeLink::send(self.link(kind), request, file)
            }
            Request::StopTraining => {
                if let Some(auto) = self.auto.borrow_mut().as_mut() {
                    auto.stopped = true;
                }
                self.links()
                    .into_iter()
                    .try_for_each(|link| ComputeLink::send(link, Request::StopTraining, None))
            }
            request => ComputeLink::send(&self.cpu, request, file),
        }
    }

    /// A device's timing for "auto": the CPU's is followed by the GPU's (within the whole
    /// run's time at the CPU's speed), and with both the faster device trains. Dropped when
    /// no timing is awaited (a timing asked before the page reloaded its data, say).
    fn timed(&self, kind: ComputeKind, timing: DeviceTiming, run_ms: Option<f64>) {
        // The borrow ends before anything is sent: a send may dispatch to the page, whose
        // next render may send again.
        let next = {
            let mut auto = self.auto.borrow_mut();
            match (kind, auto.as_mut()) {
                (ComputeKind::Cpu, Some(pending)) if pending.cpu.is_none() => {
                    pending.cpu = Some(timing);
                    Ok(Request::TimeDevice {
                        config: pending.config.clone(),
                        budget_ms: run_ms,
                    })
                }
                (ComputeKind::Gpu, Some(pending)) if pending.cpu.is_some() => match auto.take() {
                    Some(AutoTiming {
                        config,
                        cpu: Some(cpu),
                        stopped,
                    }) => Err((config, vec![cpu, timing], stopped)),
                    _ => return,
                },
                _ => return,
            }
        };
        let sent = match next {
            Ok(time_gpu) => ComputeLink::send(&self.gpu, time_gpu, None),
            Err((config, timings, stopped)) => self.train_fastest(config, timings, stopped),
        };
        if let Err(message) = sent {
            self.auto.replace(None);
            self.dispatcher
                .dispatch(Action::Worker(Response::TrainFailed { message }));
        }
    }

    /// Trains on the faster of the timed devices; says why neither when both failed.
    fn train_fastest(
        &self,
        config: TrainConfig,
        timings: Vec<DeviceTiming>,
        stopped: bool,
    ) -> Result<(), String> {
        let failures: Vec<String> = timings
            .iter()
            .map(|timing| {
                let error = timing.error.as_deref().unwrap_or("no timing");
                format!("{}: {error}", timing.accelerator.label())
            })
            .collect();
        let Some(selection) = DeviceSelection::fastest(timings) else {
            return Err(format!(
                "Neither device could be timed ({}).",
                failures.join("; ")
            ));
        };
        let link = self.link(match selection.accelerator {
            Accelerator::Cpu => ComputeKind::Cpu,
            Accelerator::Gpu => ComputeKind::Gpu,
        });
        let request = Request::Train {
            config,
            device: DevicePreference::Auto,
            chosen: Some(selection),
        };
        ComputeLink::send(link, request, None)?;
        if stopped {
            // Stopped while the devices were timed: the first epoch runs, as it did when one
            // worker timed both.
            ComputeLink::send(link, Request::StopTraining, None)?;
        }
        Ok(())
    }

    /// A model trained on the GPU becomes the CPU worker's current model too (it exports
    /// and refits it): sent now when that worker runs, or when it starts.
    fn adopt_model(&self, model: String) {
        let cpu = &self.cpu;
        *cpu.model.borrow_mut() = Some(model.clone());
        if cpu.phase.get() != Phase::Off {
            cpu.hand_model(model, false);
            cpu.step();
        }
    }

    fn follow(&self, request: &Request) {
        self.links()
            .into_iter()
            .for_each(|link| link.follow(request));
    }

    fn data_replaced(&self, changed: bool, prepared: bool) {
        self.links()
            .into_iter()
            .for_each(|link| link.data_replaced(changed, prepared));
    }

    fn pass_on(&self, message: HandoverMessage, floats: Option<js_sys::Float32Array>) {
        let link = self.links().into_iter().find(|link| {
            link.phase.get()
                == (Phase::Receiving {
                    share: message.share(),
                })
        });
        if let Some(link) = link {
            link.pass_on(message, floats);
        }
    }
}

/// Where a compute worker is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// Not started: nothing of burn downloaded.
    Off,
    /// Started; its wasm is not running yet.
    Starting,
    /// Receiving handover number `share` from the data worker; its end is awaited before
    /// anything else is sent.
    Receiving { share: u64 },
    /// Up to date or catching up: sends what is due.
    Idle,
}

struct ComputeLink {
    dispatcher: UseReducerDispatcher<State>,
    kind: ComputeKind,
    /// Both compute workers: the other one's state, "auto"'s timings, a GPU model's handover.
    compute: Weak<Compute>,
    worker: RefCell<Option<WorkerHandle>>,
    phase: Cell<Phase>,
    /// The data worker, asked for the handovers.
    data: Weak<DataLink>,
    /// Whether the data worker's current dataset has a preparation (the last request that
    /// changed its data was a preparation, not a load).
    prepared: Cell<bool>,
    /// Whether the compute worker holds, or is receiving, the data worker's current
    /// examples (or there are none to hold).
    current: Cell<bool>,
    /// Handovers asked for so far by either compute worker: each one's number.
    shares: Rc<Cell<u64>>,
    /// Requests for the compute worker that wait for it to start or catch up.
    queue: RefCell<Vec<(Request, Option<File>)>>,
    /// The current model as `.hearth` text (the CPU worker's: the last one either worker
    /// described), carried to a worker that replaces a failed one.
    model: RefCell<Option<String>>,
    /// How many times the worker was sent the current model ([`ComputeLink::hand_model`])
    /// without answering yet: those answers are dropped.
    restoring: Cell<u32>,
    /// How many times a failed worker was replaced.
    restarts: Cell<u32>,
}

/// A worker that keeps failing is not started again and again: after this many
/// restarts the page only reports the failure.
const MAX_RESTARTS: u32 = 3;

impl ComputeLink {
    fn ensure_started(link: &Rc<ComputeLink>) -> Result<(), String> {
        match link.phase.get() {
            Phase::Off => ComputeLink::start(link),
            _ => Ok(()),
        }
    }

    /// Starts this link's worker; the current model, if there is one, is the first thing it
    /// is sent.
    fn start(link: &Rc<ComputeLink>) -> Result<(), String> {
        let weak: Weak<ComputeLink> = Rc::downgrade(link);
        let failed = weak.clone();
        let worker = spawn_worker_with(
            link.kind.script(),
            move |envelope: Envelope<Response>| {
                if let Some(link) = weak.upgrade() {
                    link.receive(envelope.message);
                }
            },
            move |message| {
                if let Some(link) = failed.upgrade() {
                    ComputeLink::failed(&link, message);
                }
            },
        )?;
        if let Some(old) = link.worker.replace(Some(worker)) {
            old.terminate();
        }
        link.current.set(false);
        if let Some(model) = link.model.borrow().clone() {
            link.hand_model(model, true);
        }
        link.phase.set(Phase::Starting);
        // The badge shows the WebGPU worker's device while it runs.
        if link.kind == ComputeKind::Gpu || !link.other_runs() {
            link.dispatcher.dispatch(Action::ComputeStarting);
        }
        Ok(())
    }

    /// Queues the current model for the worker (`first`: before what waits, for a worker just
    /// started; otherwise after it), whose answer the page does not need: it has the model.
    /// Counted, so that a second model handed before the first is answered is dropped too.
    fn hand_model(&self, model: String, first: bool) {
        let request = Request::UseModel {
            name: "the current model".into(),
            model,
        };
        let mut queue = self.queue.borrow_mut();
        if first {
            queue.insert(0, (request, None));
        } else {
            queue.push((request, None));
        }
        self.restoring.set(self.restoring.get() + 1);
    }

    /// Whether the other compute worker has been started.
    fn other_runs(&self) -> bool {
        self.compute.upgrade().is_some_and(|compute| {
            let other = match self.kind {
                ComputeKind::Cpu => &compute.gpu,
                ComputeKind::Gpu => &compute.cpu,
            };
            other.phase.get() != Phase::Off
        })
    }

    /// The compute worker failed: an uncaught error (a panic, memory exhausted) leaves its
    /// wasm in no state to go on. A new worker of the same kind takes its place with the same
    /// data, preparation and current model, and the page says so; what was running (training,
    /// an export) is lost and can be started again. A worker that fails before it ever ran
    /// (its files did not load) is not restarted, nor one that has failed
    /// [`MAX_RESTARTS`] times: the page only says what happened.
    fn failed(link: &Rc<ComputeLink>, sentence: String) {
        let ran = !matches!(link.phase.get(), Phase::Starting | Phase::Off);
        let restarts = link.restarts.get();
        let name = match link.kind {
            ComputeKind::Cpu => "compute worker",
            ComputeKind::Gpu => "WebGPU worker",
        };
        if let Some(compute) = link.compute.upgrade() {
            // A timing it owed "auto" will not come.
            compute.auto.replace(None);
        }
        let message = if ran && restarts < MAX_RESTARTS {
            link.restarts.set(restarts + 1);
            // Requests waiting for the failed worker were the page's last; it is told they failed.
            link.queue.borrow_mut().clear();
            link.restoring.set(0);
            let detail = failure_detail(&sentence);
            let model = if link.model.borrow().is_some() {
                " and the current model"
            } else {
                ""
            };
            match ComputeLink::start(link) {
                Ok(()) => format!(
                    "The {name} stopped ({detail}); a new one was started with your data{model}. Start again to go on."
                ),
                Err(error) => format!("{sentence} {error}"),
            }
        } else {
            format!("The {name}: {sentence}")
        };
        link.dispatcher.dispatch(Action::ComputeFailed { message });
    }

    /// The data worker was sent a load or a preparation: the compute worker's examples are
    /// out of date, and a preparation's are handed over when it is idle.
    fn follow(&self, request: &Request) {
        match request {
            Request::LoadSample { .. } | Request::LoadFile { .. } | Request::Reparse { .. } => {
                self.prepared.set(false)
            }
            Request::Prepare { .. } => self.prepared.set(true),
            _ => return,
        }
        self.current.set(false);
        self.step();
    }

    /// The data worker was replaced and will hold the last dataset that loaded (`prepared`:
    /// with its last preparation). A handover under way was lost with it; with `changed` (it
    /// failed on a load or a preparation), the compute worker's examples are out of date.
    fn data_replaced(&self, changed: bool, prepared: bool) {
        if let Phase::Receiving { .. } = self.phase.get() {
            self.phase.set(Phase::Idle);
            self.current.set(false);
        }
        if changed {
            self.prepared.set(prepared);
            self.current.set(false);
        }
        self.step();
    }

    /// One message of the data worker's handover, passed on to this worker (a block's buffer
    /// transferred): [`Compute::pass_on`] found it is the handover this worker awaits.
    fn pass_on(&self, message: HandoverMessage, floats: Option<js_sys::Float32Array>) {
        if let HandoverMessage::Failed { message, .. } = message {
            self.phase.set(Phase::Idle);
            self.dispatcher
                .dispatch(Action::Worker(Response::TrainFailed { message }));
            self.step();
            return;
        }
        let request = Request::Handover(message);
        let sent = match (&*self.worker.borrow(), floats) {
            (Some(worker), Some(floats)) => worker.send_floats(request, floats),
            (Some(worker), None) => worker.send(request, None),
            (None, _) => Err("The compute worker is not running.".into()),
        };
        if let Err(message) = sent {
            self.dispatcher
                .dispatch(Action::Worker(Response::TrainFailed { message }));
        }
    }

    /// Queues `request` for this worker, starting it first if it does not run (a stop or a
    /// trial's decision for a worker that does not run is dropped: it has nothing to stop or
    /// decide).
    fn send(link: &Rc<ComputeLink>, request: Request, file: Option<File>) -> Result<(), String> {
        if link.phase.get() == Phase::Off {
            if matches!(
                request,
                Request::StopTraining | Request::TrialDecision { .. }
            ) {
                return Ok(());
            }
            ComputeLink::start(link)?;
        }
        link.queue.borrow_mut().push((request, file));
        link.step();
        Ok(())
    }

    /// Sends what is due when the compute worker is idle: first the handover of the current
    /// examples it lacks (awaited), then the queued requests.
    fn step(&self) {
        if self.phase.get() != Phase::Idle {
            return;
        }
        if !self.current.replace(true) && self.prepared.get() {
            let share = self.shares.get() + 1;
            self.shares.set(share);
            let asked = match self.data.upgrade() {
                Some(data) => data.send(Request::ShareTraining { share }, None),
                None => Err("The data worker is not running.".into()),
            };
            match asked {
                Ok(()) => {
                    self.phase.set(Phase::Receiving { share });
                    return;
                }
                Err(message) => self
                    .dispatcher
                    .dispatch(Action::Worker(Response::TrainFailed { message })),
            }
        }
        let queued: Vec<_> = self.queue.borrow_mut().drain(..).collect();
        for (request, file) in queued {
            self.post(request, file);
        }
    }

    fn post(&self, request: Request, file: Option<File>) {
        let sent = match &*self.worker.borrow() {
            Some(worker) => worker.send(request, file),
            None => Err("The compute worker is not running.".into()),
        };
        if let Err(message) = sent {
            self.dispatcher
                .dispatch(Action::Worker(Response::TrainFailed { message }));
        }
    }

    fn receive(&self, response: Response) {
        match (self.phase.get(), response) {
            (Phase::Starting, Response::WorkerStarted) => self.phase.set(Phase::Idle),
            (
                Phase::Receiving { share },
                Response::HandedOver {
                    share: done,
                    failed,
                },
            ) if share == done => {
                self.phase.set(Phase::Idle);
                if let Some(problem) = failed {
                    let message = format!(
                        "The prepared data could not be handed to the compute worker: {problem}"
                    );
                    self.dispatcher
                        .dispatch(Action::Worker(Response::TrainFailed { message }));
                }
            }
            // The end of a handover since replaced by a newer one.
            (_, Response::HandedOver { .. }) => return,
            // The current model handed to the worker (a replacement, or the CPU worker after
            // training on the GPU): the page has it already.
            (_, Response::Trained(_) | Response::TrainFailed { .. })
                if self.restoring.get() > 0 =>
            {
                self.restoring.set(self.restoring.get() - 1);
                return;
            }
            (_, Response::DeviceTimed { timing, run_ms }) => {
                if let Some(compute) = self.compute.upgrade() {
                    compute.timed(self.kind, timing, run_ms);
                }
                return;
            }
            // The CPU worker's device is not what the badge shows while the WebGPU one runs.
            (_, Response::DeviceReady(_)) if self.kind == ComputeKind::Cpu && self.other_runs() => {
                return;
            }
            (_, response) => {
                if let Response::Trained(trained) = &response {
                    match (self.kind, self.compute.upgrade()) {
                        (ComputeKind::Cpu, _) => {
                            *self.model.borrow_mut() = Some(trained.model.clone())
                        }
                        (ComputeKind::Gpu, Some(compute)) => {
                            compute.adopt_model(trained.model.clone())
                        }
                        (ComputeKind::Gpu, None) => {}
                    }
                }
                self.dispatcher.dispatch(Action::Worker(response));
                return;
            }
        }
        self.step();
    }
}
