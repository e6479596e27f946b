//! The page's state and the reducer that applies each [`Action`] to it.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::Reducible;

use crate::compute::DeviceReport;
use crate::data::{Profile, Task, suggest_task};
use crate::explain::Explanation;
use crate::format::file_stem;
use crate::monitor::DriftReport;
use crate::prep::{Plan, PrepConfig, PrepSummary};
use crate::protocol::{
    Background, BatchPredictions, DialectChoice, ExportSettings, ExportedModel, Response,
    RowAnswer, ServingModel, TrainedModel,
};
use crate::search::Study;
use crate::train::{DevicePreference, DeviceSelection, EpochReport, TrainConfig};
use crate::ui::search_form::SearchForm;
use crate::ui::teach_state::{TeachAction, TeachView};
use crate::web_gpu::GpuAdapter;

/// Work under way in the worker.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub task: String,
    pub done: f64,
    pub total: f64,
}

impl Progress {
    /// Fraction done, when the total is known.
    pub fn fraction(&self) -> Option<f64> {
        (self.total > 0.0).then(|| (self.done / self.total).clamp(0.0, 1.0))
    }
}

/// The pipeline steps the page shows, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Step {
    #[default]
    Data,
    Prepare,
    Train,
    Search,
    Export,
    Use,
    Teach,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Data,
        Step::Prepare,
        Step::Train,
        Step::Search,
        Step::Export,
        Step::Use,
        Step::Teach,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Step::Data => "1 · Data",
            Step::Prepare => "2 · Prepare",
            Step::Train => "3 · Train",
            Step::Search => "4 · Search",
            Step::Export => "5 · Export",
            Step::Use => "6 · Use",
            Step::Teach => "Teach",
        }
    }
}

/// Where the current dataset came from, so that a search worker can load it too.
#[derive(Clone, Debug, PartialEq)]
pub enum DataSource {
    Sample(String),
    File(web_sys::File),
}

impl DataSource {
    pub fn name(&self) -> String {
        match self {
            DataSource::Sample(name) => name.clone(),
            DataSource::File(file) => file.name(),
        }
    }
}

/// A hyperparameter study as the page shows it: a snapshot of the study the search driver
/// holds, with the model file of each complete trial.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchView {
    pub study: Rc<Study>,
    pub models: Rc<BTreeMap<usize, Rc<String>>>,
    /// Trials are being handed to the pool.
    pub running: bool,
    /// Workers in the pool.
    pub workers: usize,
    /// The dataset and target the study was run on (a saved study resumes only on them).
    pub source: String,
    pub target: String,
    /// Started by the Auto button: the best trial (or the ensemble of the best) becomes the
    /// model when it ends.
    pub auto: bool,

    /// Why the search stopped early, as one sentence.
    pub error: Option<String>,
    /// Finished trials in the last copy of the study the browser committed to its storage
    /// (what a reload or a killed browser gets back); `None` before the first.
    pub saved: Option<usize>,
}

/// The fitted preprocessing as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct PrepView {
    pub plan: Plan,
    pub summary: PrepSummary,
    pub feature_names: Vec<String>,
}

/// A training run as the page shows it: live while it runs, with the model file at the end.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TrainingView {
    pub selection: Option<DeviceSelection>,
    pub total_epochs: usize,
    pub epochs: Vec<EpochReport>,
    pub running: bool,
    pub stopping: bool,
    pub result: Option<Rc<TrainedModel>>,
    /// The dataset the model was made from: its downloads are named after it, not after the
    /// dataset loaded now.
    pub data: Option<String>,
}

/// Models kept after they stopped being the current one.
pub const MAX_SET_ASIDE: usize = 3;

/// A model the page no longer shows as current, because other data was loaded, the data was
/// prepared again or another model replaced it; kept so that it can be used again or downloaded.
#[derive(Clone, Debug, PartialEq)]
pub struct SetAsideModel {
    pub id: u32,
    pub model: Rc<TrainedModel>,
    /// The dataset it was made from.
    pub data: String,
    /// Why it was set aside, as the end of a sentence: "when iris.csv was loaded".
    pub reason: String,
}

impl SetAsideModel {
    /// "penguins.csv, MLP": which model this is, as the page names it.
    pub fn label(&self) -> String {
        format!("{}, {}", self.data, self.model.config.model.label())
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct State {
    pub step: Step,
    /// The data worker's wasm is running and will receive requests.
    pub worker_started: bool,
    /// A compute worker (burn) has been started; `device` is its report once it runs.
    pub compute_started: bool,
    /// The browser's default WebGPU adapter, once asked: which compute worker "auto" needs.
    pub gpu_adapter: Option<GpuAdapter>,
    pub device: Option<DeviceReport>,
    pub progress: Option<Progress>,
    pub profile: Option<Rc<Profile>>,
    /// How long the worker took to read, parse and profile the current dataset.
    pub load_millis: Option<f64>,
    /// The worker's wasm memory after loading it.
    pub worker_memory_bytes: Option<f64>,
    /// The last failure, as one sentence; the previous dataset stays loaded.
    pub error: Option<String>,
    pub target: Option<String>,
    pub task: Option<Task>,
    /// The user's corrections to the parser's guesses for the current source.
    pub dialect: DialectChoice,
    /// Counts loaded datasets, so that effects can tell a new dataset from a re-render.
    pub dataset_generation: u32,
    /// The user's preprocessing settings and per-column overrides for the current dataset.
    pub prep_config: PrepConfig,
    pub prep: Option<Rc<PrepView>>,
    pub prep_error: Option<String>,
    /// A re-fit is under way; what is shown is from the previous settings.
    pub prep_pending: bool,
    pub train_config: TrainConfig,
    pub train_device: DevicePreference,
    /// The last training run on the current preprocessing.
    pub training: Option<Rc<TrainingView>>,
    pub train_error: Option<String>,
    /// The current dataset's source, and the one being loaded.
    pub source: Option<DataSource>,
    pub pending_source: Option<DataSource>,
    /// The current (or saved) study.
    pub search: Option<Rc<SearchView>>,
    pub search_form: SearchForm,
    pub export_settings: ExportSettings,
    pub export: ExportView,
    /// Earlier models, newest first, at most [`MAX_SET_ASIDE`].
    pub set_aside: Vec<Rc<SetAsideModel>>,
    pub next_set_aside_id: u32,
    /// The set-aside model the page asked the worker to make current again.
    pub reusing: Option<u32>,
    /// The data of a run still training when its data changed: its model is set aside on arrival.
    pub detached_run: Option<String>,
    /// ONNX files written in this session.
    pub exports_written: u32,
    pub serving: UseView,
    pub teach: TeachView,
    /// Why the browser is not keeping the page's work (no IndexedDB, a full store), as one
    /// sentence; the page goes on in memory.
    pub storage_note: Option<String>,
}

/// The Use step: the ONNX file that answers, the row in its form and what came back.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct UseView {
    /// The Use step's worker is running (it starts when the step is first shown).
    pub worker_ready: bool,
    pub model: Option<Rc<ServingModel>>,
    /// Rows of the loaded dataset laid out as the model's inputs, and where they came from:
    /// what explanations compare the row with (without them, the worker draws rows from the
    /// file's training distributions).
    pub background: Option<Rc<Background>>,
    /// A file is being opened.
    pub opening: bool,
    /// The export ([`ExportView::number`]) last opened here, so each is opened once.
    pub opened_export: Option<u32>,
    /// The form's fields, one per model input, as typed ("" is missing).
    pub row: Vec<String>,
    /// The last edit sent to the worker, and `performance.now()` when it was sent.
    pub asked: u64,
    pub asked_at_ms: f64,
    pub answer: Option<RowAnswer>,
    /// Milliseconds from the last answered edit to its answer on the page.
    pub answer_latency_ms: Option<f64>,
    /// The explained edit, the explanation and where its background rows came from.
    pub explanation: Option<(u64, Rc<Explanation>, String)>,
    pub explaining: bool,
    pub batch: Option<Rc<BatchPredictions>>,
    pub batch_running: bool,
    pub drift: Option<Rc<DriftReport>>,
    pub monitoring: bool,
    /// The last batch of an earlier visit and the model that answered it, shown until a batch
    /// runs in this one.
    pub earlier_batch: Option<(Rc<BatchPredictions>, Rc<ServingModel>)>,
    /// The last failure, as one sentence; what the step showed stays.
    pub error: Option<String>,
}

impl UseView {
    /// The form's row as the model reads it (see [`input_row`]).
    pub fn input_row(&self) -> Vec<Option<String>> {
        input_row(&self.row)
    }
}

/// Form fields as the model reads them: an empty field is missing.
pub fn input_row(fields: &[String]) -> Vec<Option<String>> {
    fields
        .iter()
        .map(|field| Some(field.clone()).filter(|f| !f.trim().is_empty()))
        .collect()
}

impl State {
    /// A compute request failed (or its worker did): the message is shown in the Train step,
    /// and whatever the page was waiting for will not come.
    fn compute_failed(&mut self, message: String) {
        self.train_error = Some(message);
        self.reusing = None;
        if self.training.is_none() {
            self.detached_run = None;
        }
        self.progress = None;
        if let Some(training) = &mut self.training {
            let training = Rc::make_mut(training);
            training.running = false;
            training.stopping = false;
        }
    }

    /// Training, a search or an export is under way: leaving the page would lose it.
    pub fn work_running(&self) -> bool {
        self.training.as_ref().is_some_and(|t| t.running)
            || self.detached_run.is_some()
            || self.search.as_ref().is_some_and(|s| s.running)
            || self.export.running
            || self.serving.batch_running
    }

    /// The current model and the name of the data it was made from.
    pub fn current_model(&self) -> Option<(Rc<TrainedModel>, String)> {
        let training = self.training.as_ref()?;
        let model = training.result.clone()?;
        let data = training.data.clone().unwrap_or_else(|| "model".to_string());
        Some((model, data))
    }

    /// The name for the current model's downloads: its data's, not the dataset loaded now.
    pub fn model_file_stem(&self) -> String {
        self.current_model()
            .map(|(_, data)| file_stem(&data))
            .unwrap_or_else(|| "model".to_string())
    }

    fn data_name(&self) -> Option<String> {
        self.profile.as_ref().map(|profile| profile.source.clone())
    }

    /// Keeps the current model (if any) reachable before something replaces it. A run still
    /// training is remembered instead, so that its model is kept when it arrives.
    fn set_aside_current(&mut self, reason: String) {
        let Some(training) = self.training.take() else {
            return;
        };
        if training.running {
            self.detached_run = Some(training.data.clone().unwrap_or_default());
        }
        if let Some(model) = training.result.clone() {
            let data = training
                .data
                .clone()
                .unwrap_or_else(|| "an earlier dataset".to_string());
            self.keep(model, data, reason);
        }
        self.export = ExportView::default();
    }

    fn keep(&mut self, model: Rc<TrainedModel>, data: String, reason: String) {
        let id = self.next_set_aside_id;
        self.next_set_aside_id = id.wrapping_add(1);
        self.set_aside.insert(
            0,
            Rc::new(SetAsideModel {
                id,
                model,
                data,
                reason,
            }),
        );
        self.set_aside.truncate(MAX_SET_ASIDE);
    }
}

/// The Export step's last request and its result.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ExportView {
    pub running: bool,
    /// `(stage, stages, sparsity)` of gradual pruning.
    pub stage: Option<(usize, usize, f64)>,
    pub result: Option<Rc<ExportedModel>>,
    /// Which file this session wrote `result` as (counted from 1), so that the Use step opens
    /// each new file once.
    pub number: u32,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Worker(Response),
    /// A compute worker is being downloaded and started (in place of the other kind, perhaps).
    ComputeStarting,
    /// The compute worker failed (a panic, memory exhausted; a new one is started with the same
    /// data and current model when it can be): what it was doing is lost.
    ComputeFailed {
        message: String,
    },
    GpuAdapter(GpuAdapter),
    /// The page asked the worker to (re)load a source with these dialect corrections.
    Loading {
        task: String,
        dialect: DialectChoice,
        /// `None` re-reads the current source.
        source: Option<DataSource>,
    },
    SelectTarget(String),
    SelectTask(Task),
    ShowStep(Step),
    /// The page asked the worker to fit the preprocessing again.
    Preparing,
    SetPrepConfig(PrepConfig),
    SetTrainConfig(TrainConfig),
    SetTrainDevice(DevicePreference),
    /// The page asked the worker to train.
    TrainingRequested,
    /// The page asked the worker to stop after the current epoch.
    StopRequested,
    /// The search driver's latest snapshot (or a study restored from storage).
    Search(Rc<SearchView>),
    SetSearchForm(SearchForm),
    SetExportSettings(ExportSettings),
    /// The page asked the worker for an ONNX file.
    ExportRequested,
    /// The page asked the worker to make this set-aside model current again.
    ReuseModel(u32),
    /// The Use step's worker is running.
    UseWorkerStarted,
    /// The page asked the worker to open an ONNX file for the Use step.
    UseOpening,
    /// The page asked the worker to open this export ([`ExportView::number`]).
    UseOpeningExport(u32),
    /// The Use step's form changed; edit `id` was sent at `at_ms` (`performance.now()`).
    UseEdit {
        row: Vec<String>,
        id: u64,
        at_ms: f64,
    },
    UseExplaining,
    UseBatchRunning,
    UseMonitoring,
    Teach(TeachAction),
    /// The browser's storage refused to keep the page's work: why, as one sentence.
    StorageFailed(String),
    /// A copy of the running study with this many finished trials is committed to storage.
    StudySaved(usize),
    /// What an earlier visit kept: its last model (set aside, to use again or download) and
    /// the Use step's last batch.
    Restored {
        model: Option<(Rc<TrainedModel>, String)>,
        batch: Option<(Rc<BatchPredictions>, Rc<ServingModel>)>,
    },
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Worker(Response::WorkerStarted) => next.worker_started = true,
            Action::ComputeStarting => {
                next.compute_started = true;
                next.device = None;
            }
            Action::ComputeFailed { message } => {
                if next.export.running {
                    next.export = ExportView {
                        error: Some(message.clone()),
                        ..ExportView::default()
                    };
                }
                next.serving.explaining = false;
                next.compute_failed(message);
            }
            Action::GpuAdapter(adapter) => next.gpu_adapter = Some(adapter),
            Action::Teach(action) => next.teach.apply(action),
            Action::Worker(Response::TeachFailed { message }) => {
                next.teach.apply(TeachAction::Failed(message))
            }
            // Frames reach the page with their planes as TeachAction::Frame (hooks.rs).
            Action::Worker(Response::TeachFrame(_)) => {}
            Action::Worker(Response::TeachTable(table)) => {
                next.teach.apply(TeachAction::Table(Rc::new(*table)))
            }
            Action::Worker(Response::ModelPlane(plane)) => next
                .teach
                .apply(TeachAction::ModelPlane(Ok(Rc::new(*plane)))),
            Action::Worker(Response::ModelPlaneFailed { message }) => {
                next.teach.apply(TeachAction::ModelPlane(Err(message)))
            }
            Action::Worker(Response::DeviceReady(report)) => next.device = Some(report),
            // Timings for "auto" with a hardware GPU: the engine chooses with them (ui::engine).
            Action::Worker(Response::DeviceTimed { .. }) => {}
            Action::Worker(Response::Progress { task, done, total }) => {
                next.progress = Some(Progress { task, done, total })
            }
            Action::Worker(Response::Profiled {
                profile,
                millis,
                memory_bytes,
            }) => {
                // The current model was made from the previous data: keep it reachable.
                let reason = if next.data_name().as_deref() == Some(profile.source.as_str()) {
                    format!("when {} was read again", profile.source)
                } else {
                    format!("when {} was loaded", profile.source)
                };
                next.set_aside_current(reason);
                next.train_error = None;
                next.target = profile.suggested_target.clone();
                next.task = profile.suggested_task;
                // A Teach link's table names its target: the student's copy learns that one.
                if let Some(column) = next.teach.link_target(&profile) {
                    next.task = suggest_task(&profile, &column);
                    next.target = Some(column);
                }
                next.profile = Some(Rc::new(profile));
                if let Some(source) = next.pending_source.take() {
                    next.source = Some(source);
                }
                next.load_millis = Some(millis);
                next.worker_memory_bytes = Some(memory_bytes);
                next.progress = None;
                next.error = None;
                next.dataset_generation = next.dataset_generation.wrapping_add(1);
                next.prep_config = PrepConfig::default();
                next.prep = None;
                next.prep_error = None;
            }
            Action::Worker(Response::TrainingStarted { selection, epochs }) => {
                next.training = Some(Rc::new(TrainingView {
                    selection: Some(selection),
                    total_epochs: epochs,
                    running: true,
                    data: next.data_name(),
                    ..TrainingView::default()
                }));
                next.progress = None;
            }
            Action::Worker(Response::Epoch(report)) => {
                if let Some(training) = &mut next.training {
                    Rc::make_mut(training).epochs.push(report);
                }
            }
            Action::Worker(Response::Trained(model)) => {
                let model = Rc::new(*model);
                // An export of the previous model no longer matches the model shown.
                next.export = ExportView::default();
                if let Some(name) = &model.loaded_from {
                    // A loaded file replaces whatever the page showed, with its own history;
                    // the model it replaces stays reachable.
                    let reused = next.reusing.take().and_then(|id| {
                        let at = next.set_aside.iter().position(|entry| entry.id == id)?;
                        Some(next.set_aside.remove(at))
                    });
                    let (data, reason) = match &reused {
                        Some(entry) => (
                            entry.data.clone(),
                            format!("when the model of {} was used again", entry.data),
                        ),
                        // A file the user chose: its own name is all the page knows.
                        None if name.ends_with(".hearth") || name.ends_with(".json") => {
                            (name.clone(), format!("when {name} was loaded"))
                        }
                        // A trial of the study, trained on the study's data.
                        None => (
                            next.search
                                .as_ref()
                                .map(|search| search.source.clone())
                                .or_else(|| next.data_name())
                                .unwrap_or_else(|| "model".to_string()),
                            format!("when {name} was picked"),
                        ),
                    };
                    next.set_aside_current(reason);
                    next.train_config = model.config.clone();
                    next.train_error = None;
                    next.training = Some(Rc::new(TrainingView {
                        selection: None,
                        total_epochs: model.summary.epochs_run,
                        epochs: model.summary.history.clone(),
                        running: false,
                        stopping: false,
                        result: Some(model),
                        data: Some(data),
                    }));
                } else if let Some(training) = &mut next.training {
                    let training = Rc::make_mut(training);
                    training.running = false;
                    training.stopping = false;
                    training.result = Some(model);
                } else {
                    // No view means the data changed while it trained: that model no longer
                    // applies to what the page shows, but it is the user's work, so it is kept.
                    let data = next
                        .detached_run
                        .take()
                        .filter(|data| !data.is_empty())
                        .unwrap_or_else(|| "an earlier dataset".to_string());
                    next.keep(
                        model,
                        data,
                        "because its data changed while it trained".into(),
                    );
                }
                next.progress = None;
            }
            Action::Worker(Response::TrainFailed { message }) => next.compute_failed(message),
            Action::Worker(Response::Prepared {
                plan,
                summary,
                feature_names,
            }) => {
                // A model trained on other features no longer applies: it is set aside.
                next.set_aside_current("when the data was prepared again".to_string());
                next.train_error = None;
                next.prep = Some(Rc::new(PrepView {
                    plan,
                    summary,
                    feature_names,
                }));
                next.prep_error = None;
                next.prep_pending = false;
                // A Teach lesson on the table learns the newly prepared one.
                next.teach.apply(TeachAction::TableStale);
            }
            Action::Worker(Response::PrepareFailed { message }) => {
                next.prep_error = Some(message);
                next.prep_pending = false;
            }
            Action::Worker(Response::Failed { message }) => {
                next.pending_source = None;
                next.error = Some(message);
                next.progress = None;
            }
            Action::Loading {
                task,
                dialect,
                source,
            } => {
                if source.is_some() {
                    next.pending_source = source;
                }
                next.progress = Some(Progress {
                    task,
                    done: 0.0,
                    total: 0.0,
                });
                next.error = None;
                next.dialect = dialect;
            }
            Action::SelectTarget(column) => {
                // The target cannot also be a feature.
                next.prep_config.columns.remove(&column);
                next.task = next
                    .profile
                    .as_ref()
                    .and_then(|profile| suggest_task(profile, &column));
                next.target = Some(column);
            }
            Action::SelectTask(task) => next.task = Some(task),
            Action::ShowStep(step) => next.step = step,
            Action::Preparing => next.prep_pending = true,
            Action::SetPrepConfig(config) => next.prep_config = config,
            Action::SetTrainConfig(config) => next.train_config = config,
            Action::SetTrainDevice(device) => next.train_device = device,
            Action::TrainingRequested => {
                next.train_error = None;
                next.training = Some(Rc::new(TrainingView {
                    running: true,
                    data: next.data_name(),
                    ..TrainingView::default()
                }));
            }
            Action::ReuseModel(id) => next.reusing = Some(id),
            Action::StorageFailed(message) => next.storage_note = Some(message),
            Action::StudySaved(finished) => {
                if let Some(search) = &mut next.search {
                    let search = Rc::make_mut(search);
                    search.saved = Some(search.saved.map_or(finished, |saved| saved.max(finished)));
                }
            }
            Action::Restored { model, batch } => {
                if let Some((model, data)) = model {
                    next.keep(model, data, "at the end of an earlier visit".to_string());
                }
                if next.serving.batch.is_none() {
                    next.serving.earlier_batch = batch;
                }
            }
            Action::Search(view) => next.search = Some(view),
            Action::SetSearchForm(form) => next.search_form = form,
            Action::SetExportSettings(settings) => next.export_settings = settings,
            Action::ExportRequested => {
                next.export = ExportView {
                    running: true,
                    ..ExportView::default()
                }
            }
            Action::Worker(Response::PruneStage {
                stage,
                stages,
                sparsity,
            }) => next.export.stage = Some((stage, stages, sparsity)),
            Action::Worker(Response::Exported(exported)) => {
                next.exports_written = next.exports_written.wrapping_add(1);
                next.export = ExportView {
                    result: Some(Rc::new(*exported)),
                    number: next.exports_written,
                    ..ExportView::default()
                }
            }
            Action::Worker(Response::ExportFailed { message }) => {
                next.export = ExportView {
                    error: Some(message),
                    ..ExportView::default()
                }
            }
            // Trials run in the search pool, whose messages go to the search driver; a
            // handover of examples between the workers is `ui::engine`'s business.
            Action::Worker(
                Response::TrialEpoch { .. }
                | Response::TrialDone { .. }
                | Response::Ensemble { .. }
                | Response::Handover(_)
                | Response::HandedOver { .. },
            ) => {}
            Action::Worker(Response::Serving(model)) => {
                let row = model
                    .inputs
                    .iter()
                    .map(|input| {
                        model
                            .reference
                            .iter()
                            .find(|r| r.column == input.name)
                            .and_then(|r| r.typical())
                            .unwrap_or_default()
                    })
                    .collect();
                next.serving = UseView {
                    worker_ready: next.serving.worker_ready,
                    model: Some(Rc::new(*model)),
                    row,
                    asked: next.serving.asked,
                    opened_export: next.serving.opened_export,
                    ..UseView::default()
                };
            }
            Action::Worker(Response::UseFailed { message }) => {
                let serving = &mut next.serving;
                serving.error = Some(message);
                serving.opening = false;
                serving.explaining = false;
                serving.batch_running = false;
                serving.monitoring = false;
                next.progress = None;
            }
            Action::Worker(Response::Answered { id, answer }) => {
                let serving = &mut next.serving;
                if id == serving.asked {
                    serving.answer_latency_ms = Some(crate::clock::now_ms() - serving.asked_at_ms);
                }
                serving.answer = Some(answer);
                serving.error = None;
            }
            Action::Worker(Response::Explained {
                id,
                explanation,
                background,
            }) => {
                next.serving.explaining = false;
                next.serving.explanation = Some((id, Rc::new(*explanation), background));
            }
            Action::Worker(Response::BatchPredicted(batch)) => {
                next.serving.batch_running = false;
                next.serving.batch = Some(Rc::new(*batch));
                next.serving.earlier_batch = None;
                next.serving.error = None;
                next.progress = None;
            }
            Action::Worker(Response::Monitored(report)) => {
                next.serving.monitoring = false;
                next.serving.drift = Some(Rc::new(*report));
                next.serving.error = None;
                next.progress = None;
            }
            Action::Worker(Response::BackgroundRows { columns, sample }) => {
                // Only for the model shown (another may have opened since it was asked for).
                let fits =
                    next.serving.model.as_ref().is_some_and(|model| {
                        model.inputs.iter().map(|i| &i.name).eq(columns.iter())
                    });
                if fits {
                    next.serving.background = sample.map(Rc::new);
                }
            }
            Action::UseWorkerStarted => next.serving.worker_ready = true,
            Action::UseOpening => {
                next.serving.opening = true;
                next.serving.error = None;
            }
            Action::UseOpeningExport(key) => {
                next.serving.opening = true;
                next.serving.opened_export = Some(key);
                next.serving.error = None;
            }
            Action::UseEdit { row, id, at_ms } => {
                next.serving.row = row;
                next.serving.asked = id;
                next.serving.asked_at_ms = at_ms;
            }
            Action::UseExplaining => {
                next.serving.explaining = true;
                next.serving.error = None;
            }
            Action::UseBatchRunning => {
                next.serving.batch_running = true;
                next.serving.error = None;
            }
            Action::UseMonitoring => {
                next.serving.monitoring = true;
                next.serving.error = None;
            }
            Action::StopRequested => {
                if let Some(training) = &mut next.training {
                    Rc::make_mut(training).stopping = true;
                }
            }
        }
        Rc::new(next)
    }
}
