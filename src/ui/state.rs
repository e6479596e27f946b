//! The page's state and the reducer that applies each [`Action`] to it.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::Reducible;

use crate::compute::DeviceReport;
use crate::data::{Profile, Task, suggest_task};
use crate::prep::{Plan, PrepConfig, PrepSummary};
use crate::protocol::{DialectChoice, ExportSettings, ExportedModel, Response, TrainedModel};
use crate::search::Study;
use crate::train::{DevicePreference, DeviceSelection, EpochReport, TrainConfig};
use crate::ui::components::SearchForm;

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
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Data,
        Step::Prepare,
        Step::Train,
        Step::Search,
        Step::Export,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Step::Data => "1 · Data",
            Step::Prepare => "2 · Prepare",
            Step::Train => "3 · Train",
            Step::Search => "4 · Search",
            Step::Export => "5 · Export",
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
    /// Started by the Auto button: the best trial becomes the model when it ends.
    pub auto: bool,
    /// Why the search stopped early, as one sentence.
    pub error: Option<String>,
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
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct State {
    pub step: Step,
    /// The worker's wasm is running and will receive requests.
    pub worker_started: bool,
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
}

/// The Export step's last request and its result.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ExportView {
    pub running: bool,
    /// `(stage, stages, sparsity)` of gradual pruning.
    pub stage: Option<(usize, usize, f64)>,
    pub result: Option<Rc<ExportedModel>>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Worker(Response),
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
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Worker(Response::WorkerStarted) => next.worker_started = true,
            Action::Worker(Response::DeviceReady(report)) => next.device = Some(report),
            Action::Worker(Response::Progress { task, done, total }) => {
                next.progress = Some(Progress { task, done, total })
            }
            Action::Worker(Response::Profiled {
                profile,
                millis,
                memory_bytes,
            }) => {
                next.target = profile.suggested_target.clone();
                next.task = profile.suggested_task;
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
                if model.loaded_from.is_some() {
                    // A loaded file replaces whatever the page showed, with its own history.
                    next.train_config = model.config.clone();
                    next.train_error = None;
                    next.training = Some(Rc::new(TrainingView {
                        selection: None,
                        total_epochs: model.summary.epochs_run,
                        epochs: model.summary.history.clone(),
                        running: false,
                        stopping: false,
                        result: Some(model),
                    }));
                } else if let Some(training) = &mut next.training {
                    // No view means the data was re-prepared meanwhile: that model no longer
                    // applies to what the page shows.
                    let training = Rc::make_mut(training);
                    training.running = false;
                    training.stopping = false;
                    training.result = Some(model);
                }
                next.progress = None;
            }
            Action::Worker(Response::TrainFailed { message }) => {
                next.train_error = Some(message);
                next.progress = None;
                if let Some(training) = &mut next.training {
                    let training = Rc::make_mut(training);
                    training.running = false;
                    training.stopping = false;
                }
            }
            Action::Worker(Response::Prepared {
                plan,
                summary,
                feature_names,
            }) => {
                // A model trained on other features no longer applies.
                next.training = None;
                next.train_error = None;
                next.prep = Some(Rc::new(PrepView {
                    plan,
                    summary,
                    feature_names,
                }));
                next.prep_error = None;
                next.prep_pending = false;
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
                    ..TrainingView::default()
                }));
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
                next.export = ExportView {
                    result: Some(Rc::new(*exported)),
                    ..ExportView::default()
                }
            }
            Action::Worker(Response::ExportFailed { message }) => {
                next.export = ExportView {
                    error: Some(message),
                    ..ExportView::default()
                }
            }
            // Trials run in the search pool, whose messages go to the search driver.
            Action::Worker(Response::TrialEpoch { .. } | Response::TrialDone { .. }) => {}
            Action::StopRequested => {
                if let Some(training) = &mut next.training {
                    Rc::make_mut(training).stopping = true;
                }
            }
        }
        Rc::new(next)
    }
}
