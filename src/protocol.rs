//! The one message type between the page (UI thread) and its Web Worker.
//!
//! Messages are serde values that cross as JS values, built and read by serde-wasm-bindgen (NaN,
//! infinities and full 64-bit integers included). One format on both sides: with JSON text as
//! the main form and this as its fallback, each module carried its messages' serde code two or
//! three times, and serde was 42 % of the page's code (BENCHMARKS.md, issue 15). A user's file
//! cannot be serialised, so it travels beside the message in the same `postMessage` envelope
//! (`Envelope`, wasm32 only) and the worker reads it in chunks.

use serde::{Deserialize, Serialize};

use crate::compress::{CompressionReport, PruneSettings, Quantization};
use crate::compute::DeviceReport;
use crate::data::{IngestOptions, Profile, Task};
use crate::explain::Explanation;
use crate::export::GraphInput;
use crate::infer::BatchScore;
use crate::monitor::DriftReport;
use crate::prep::{ColumnReference, Plan, PrepConfig, PrepSummary};
use crate::search::{
    Decision, EnsembleCandidate, Outcome, Study, StudySettings, Trial, TrialTicket,
};
use crate::teach::{Frame, LessonSettings, ModelPlane, ModelPlaneQuery, Table, TablePlane};
use crate::train::handover::{Block, Shape};
use crate::train::{
    DevicePreference, DeviceSelection, DeviceTiming, EpochReport, Metrics, TrainConfig,
    TrainingSummary,
};

/// What the page asks of the worker.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum Request {
    /// Teach step: start lesson number `lesson` (frames carry it, so the page can drop a
    /// replaced lesson's); its first frame comes back with the points. A lesson on a table
    /// carries the table (from [`Request::TeachTable`]) and the plane it is drawn on.
    TeachStart {
        lesson: u32,
        settings: LessonSettings,
        table: Option<Box<Table>>,
        plane: Option<TablePlane>,
        /// The planes' sides in cells: the boundary, and each unit's thumbnail.
        density: usize,
        thumb: usize,
    },
    /// Teach step: one mini-batch (`epoch` false) or the rest of the epoch under way.
    TeachStep {
        epoch: bool,
    },
    /// Teach step: train until [`Request::TeachPause`], at `epochs_per_second` (as fast as it
    /// goes when `None`), with a frame at most every 100 ms.
    TeachPlay {
        epochs_per_second: Option<f64>,
    },
    TeachPause,
    /// Teach step: show the network as it was at this snapshot's epoch, leaving the lesson
    /// where it is.
    TeachView {
        epoch: usize,
    },
    /// Teach step: go back to this snapshot and train on from there.
    TeachRestore {
        epoch: usize,
    },
    /// Teach step: draw the lesson on another plane (a table's slice or PCA plane), without
    /// retraining.
    TeachPlane {
        plane: TablePlane,
    },
    /// The engine's worker: the loaded dataset as its fitted preprocessing encodes it, for a
    /// lesson in the Teach step; answered with [`Response::TeachTable`].
    TeachTable {
        seed: u64,
    },
    /// Parse and profile a bundled sample from `static/`, by file name.
    LoadSample {
        name: String,
        dialect: DialectChoice,
    },
    /// Parse and profile the user's file, which rides in the envelope's attachment.
    LoadFile {
        name: String,
        size: f64,
        dialect: DialectChoice,
    },
    /// Parse the current dataset's source again, with the user's corrections to the guesses.
    Reparse {
        dialect: DialectChoice,
    },
    /// Decide and fit the preprocessing of the current dataset for this target.
    Prepare {
        target: String,
        task: Task,
        config: PrepConfig,
    },
    /// Hand the current preparation's examples to the compute worker, a block of rows at a
    /// time (`train::handover`): answered with [`Response::Handover`] messages, which the page
    /// passes on to the compute worker as [`Request::Handover`]. `share` numbers the handover.
    ShareTraining {
        share: u64,
    },
    /// The data worker's examples, passed on by the page; the last message is answered with
    /// [`Response::HandedOver`].
    Handover(HandoverMessage),
    /// Train a model on the prepared data, epoch by epoch.
    Train {
        config: TrainConfig,
        device: DevicePreference,
        /// The device the page already chose by timing ("auto" with a hardware GPU: each of
        /// its two compute workers timed its own device, [`Request::TimeDevice`]); sent to the
        /// worker that has it, which trains there without timing again.
        chosen: Option<DeviceSelection>,
    },
    /// Time a few training steps with these settings on this worker's own device (the CPU
    /// worker's CPU, the WebGPU worker's GPU), giving up after the warm-up when that alone
    /// took longer than `budget_ms`: answered with [`Response::DeviceTimed`].
    TimeDevice {
        config: TrainConfig,
        budget_ms: Option<f64>,
    },
    /// Stop training after the current epoch, keeping the best model so far.
    StopTraining,
    /// Read a `.hearth` model file, which rides in the envelope's attachment; it becomes the
    /// current model.
    LoadModel {
        name: String,
    },
    /// Make this `.hearth` text the current model (a trial picked from the leaderboard).
    UseModel {
        name: String,
        model: String,
    },
    /// Train one trial of a study on the prepared data, on the CPU device (a search worker of
    /// the pool). The worker posts [`Response::TrialEpoch`] after each epoch and waits for the
    /// study's [`Request::TrialDecision`].
    RunTrial {
        settings: Box<StudySettings>,
        ticket: TrialTicket,
        /// Send back the trial's validation outputs (an Auto search selects an ensemble from
        /// the best trials' outputs).
        outputs: bool,
    },
    /// Train a finished study's trial again on the training and validation rows together, up
    /// to its best epoch (AutoML's last step); the result becomes the current model
    /// ([`Response::Trained`]).
    Refit {
        settings: Box<StudySettings>,
        trial: Box<Trial>,
    },
    /// The end of an Auto search, asked of a search worker (which holds the trials' data):
    /// select an ensemble of the best trials from their validation outputs; answered with
    /// [`Response::Ensemble`].
    SelectEnsemble {
        settings: Box<StudySettings>,
        candidates: Vec<(usize, Vec<f32>)>,
    },
    /// Refit a study's ensemble member by member on the training and validation rows (Auto's
    /// last step when the ensemble beats the best trial); it becomes the current model
    /// ([`Response::Trained`]).
    RefitEnsemble {
        study: Box<Study>,
    },
    /// The study's answer to a [`Response::TrialEpoch`]: go on or prune.
    TrialDecision {
        number: usize,
        decision: Decision,
    },
    /// Compress the current model and write it as ONNX, comparing every variant with it.
    Export(ExportSettings),
    /// Teach step: the current model's answers over a table lesson's plane and on its
    /// points; answered with [`Response::ModelPlane`].
    ModelPlane(Box<ModelPlaneQuery>),
    /// Up to `rows` rows of the loaded dataset (seeded) laid out as `columns`: the background
    /// the Use step explains against; answered with [`Response::BackgroundRows`].
    BackgroundRows {
        columns: Vec<String>,
        rows: usize,
        seed: u64,
    },
    /// Use step (its own worker from here on): the ONNX file in the envelope's attachment
    /// becomes the model that answers (the Export step's file, or one the user dropped).
    OpenOnnx {
        name: String,
    },
    /// Use step: answer one row (one field per model input, in the model's order; `None` is
    /// missing). `id` pairs the answer with the edit that asked for it.
    Answer {
        id: u64,
        row: Vec<Option<String>>,
    },
    /// Use step: each column's contribution to one row's answer, against `background` (rows
    /// laid out as the model's inputs, and where they came from in words) or, without it, rows
    /// drawn from the training distributions the file carries.
    Explain {
        id: u64,
        row: Vec<Option<String>>,
        background: Option<Background>,
        pairs: usize,
        seed: u64,
    },
    /// Use step: answer every row of the CSV file in the envelope's attachment.
    PredictBatch {
        name: String,
        dialect: DialectChoice,
    },
    /// Use step: the drift of the CSV file in the envelope's attachment against the model's
    /// training data.
    Monitor {
        name: String,
        dialect: DialectChoice,
    },
}

/// Which of the page's workers answers a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerRole {
    /// The data worker (`hearth-data-worker`, no burn): loading, profiling, preparing, and
    /// the rows other steps ask of the loaded dataset. Started with the page.
    Data,
    /// A compute worker (`hearth-worker`: burn on the CPU; `hearth-gpu-worker`: with WebGPU
    /// too): training, search trials, refits, models, export. Started when a step needs it;
    /// it loads and prepares the same data first.
    Compute,
    /// The Use step's worker (`hearth-use-worker`, tract).
    Use,
    /// The Teach step's worker (`hearth-teach-worker`).
    Teach,
}

impl Request {
    /// The worker that answers this request; the others refuse it.
    pub fn role(&self) -> WorkerRole {
        match self {
            Request::LoadSample { .. }
            | Request::LoadFile { .. }
            | Request::Reparse { .. }
            | Request::Prepare { .. }
            | Request::BackgroundRows { .. }
            | Request::TeachTable { .. }
            | Request::ShareTraining { .. } => WorkerRole::Data,
            Request::Handover(_)
            | Request::Train { .. }
            | Request::TimeDevice { .. }
            | Request::StopTraining
            | Request::LoadModel { .. }
            | Request::UseModel { .. }
            | Request::RunTrial { .. }
            | Request::Refit { .. }
            | Request::SelectEnsemble { .. }
            | Request::RefitEnsemble { .. }
            | Request::TrialDecision { .. }
            | Request::Export(_)
            | Request::ModelPlane(_) => WorkerRole::Compute,
            Request::OpenOnnx { .. }
            | Request::Answer { .. }
            | Request::Explain { .. }
            | Request::PredictBatch { .. }
            | Request::Monitor { .. } => WorkerRole::Use,
            Request::TeachStart { .. }
            | Request::TeachStep { .. }
            | Request::TeachPlay { .. }
            | Request::TeachPause
            | Request::TeachView { .. }
            | Request::TeachRestore { .. }
            | Request::TeachPlane { .. } => WorkerRole::Teach,
        }
    }

    /// Does this request make the data worker's dataset or preparation change (so the compute
    /// worker, which keeps its own copy, must follow)?
    pub fn changes_data(&self) -> bool {
        matches!(
            self,
            Request::LoadSample { .. }
                | Request::LoadFile { .. }
                | Request::Reparse { .. }
                | Request::Prepare { .. }
        )
    }
}

/// One message of a handover of prepared examples from the data worker to the compute worker
/// (`train::handover`), through the page: the shape, the blocks in order (each block's values
/// ride beside the message in `Envelope::floats`, transferred), then the end. Every message
/// carries its handover's number, so that one meant for a worker since replaced is dropped.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum HandoverMessage {
    Shape {
        share: u64,
        shape: Box<Shape>,
    },
    Block {
        share: u64,
        block: Block,
    },
    End {
        share: u64,
    },
    /// The data worker could not make the examples (no preparation; a transform error).
    Failed {
        share: u64,
        message: String,
    },
}

impl HandoverMessage {
    pub fn share(&self) -> u64 {
        match self {
            HandoverMessage::Shape { share, .. }
            | HandoverMessage::Block { share, .. }
            | HandoverMessage::End { share }
            | HandoverMessage::Failed { share, .. } => *share,
        }
    }
}

/// What the Export step asks for.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ExportSettings {
    /// The form of the file to write.
    pub quantization: Quantization,
    /// Prune the dense weights first (fine-tuning on the training rows when it asks for
    /// epochs).
    pub prune: Option<PruneSettings>,
}

/// A written ONNX file and how every variant compares with the float32 model.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ExportedModel {
    pub report: CompressionReport,
    pub quantization: Quantization,
    /// The graph's inputs (one per CSV column the model reads), for the usage snippets.
    pub inputs: Vec<GraphInput>,
    /// `label` + `probabilities`, or `value`.
    pub outputs: Vec<String>,
    #[serde(with = "serde_bytes")]
    pub onnx: Vec<u8>,
    /// Why some numbers are missing (e.g. no validation rows for a loaded model's data).
    pub note: Option<String>,
}

/// What the worker tells the page.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum Response {
    /// The worker's wasm is running; requests sent from now on are handled (earlier ones may
    /// have arrived before its message handler existed).
    WorkerStarted,
    /// Teach step: the lesson after a step; its planes ride beside the message
    /// (`Envelope::floats`).
    TeachFrame(Box<Frame>),
    /// Teach step: a request was refused (a setting out of range, an unknown snapshot).
    TeachFailed {
        message: String,
    },
    /// The prepared table a Teach lesson can learn.
    TeachTable(Box<Table>),
    /// The current model over a Teach lesson's plane.
    ModelPlane(Box<ModelPlane>),
    /// The current model could not be drawn on the lesson's plane (none yet, or one made on
    /// another preparation).
    ModelPlaneFailed {
        message: String,
    },
    /// The compute device is initialised and its probe ran.
    DeviceReady(DeviceReport),
    /// [`Request::TimeDevice`]'s answer: the timing (or why the device could not be timed), and
    /// the whole run's milliseconds at that speed — the budget for timing the other device.
    DeviceTimed {
        timing: DeviceTiming,
        run_ms: Option<f64>,
    },
    /// The data worker's part of a handover of examples ([`Request::ShareTraining`]), for the
    /// page to pass on to the compute worker.
    Handover(HandoverMessage),
    /// The compute worker put handover `share` together (`failed`: why it could not): it
    /// trains on those examples from now on.
    HandedOver {
        share: u64,
        failed: Option<String>,
    },
    /// Work is under way; `done` of `total` bytes (or other units) processed.
    Progress {
        task: String,
        done: f64,
        total: f64,
    },
    /// A dataset was parsed and profiled; it replaces the previous one. `millis` is the worker's
    /// time to read, parse and profile it; `memory_bytes` the worker's wasm memory afterwards (a
    /// wasm heap never shrinks, so this is its peak).
    Profiled {
        profile: Profile,
        millis: f64,
        memory_bytes: f64,
    },
    /// The request failed; the previous dataset stays. `message` is one sentence for the user.
    Failed {
        message: String,
    },
    /// The preprocessing was decided and fitted on the training rows.
    Prepared {
        plan: Plan,
        summary: PrepSummary,
        feature_names: Vec<String>,
    },
    /// The preprocessing could not be fitted (a setting that does not fit its column, a single
    /// class…); the previous preprocessing is gone, the dataset stays.
    PrepareFailed {
        message: String,
    },
    /// Training began on this device (chosen by timing when the user asked for "auto").
    TrainingStarted {
        selection: DeviceSelection,
        epochs: usize,
    },
    /// One epoch finished.
    Epoch(EpochReport),
    /// Training ended, or a model file was loaded: it is now the current model.
    Trained(Box<TrainedModel>),
    /// Training could not start or failed, or a model file could not be read; the prepared data
    /// and the previous model stay.
    TrainFailed {
        message: String,
    },
    /// A trial finished an epoch with this value of the study's primary metric.
    TrialEpoch {
        number: usize,
        epoch: usize,
        value: f64,
    },
    /// A trial ended; a complete one brings its `.hearth` file's text (and its validation
    /// outputs when asked for).
    TrialDone {
        number: usize,
        outcome: Outcome,
        model: Option<String>,
        valid_outputs: Option<Vec<f32>>,
    },
    /// The ensemble a search worker selected (none when it could not score two trials).
    Ensemble {
        ensemble: Option<Box<EnsembleCandidate>>,
    },
    /// Pruning finished a stage (gradual pruning with fine-tuning takes a while).
    PruneStage {
        stage: usize,
        stages: usize,
        sparsity: f64,
    },
    Exported(Box<ExportedModel>),
    /// The export could not be made; the model stays.
    ExportFailed {
        message: String,
    },
    /// Rows of the loaded dataset for the Use step's explanations; `None` when no dataset is
    /// loaded or it lacks one of `columns`.
    BackgroundRows {
        columns: Vec<String>,
        sample: Option<Background>,
    },
    /// Use step: this ONNX file now answers.
    Serving(Box<ServingModel>),
    /// Use step: a request failed (a file that is not Hearth's contract, a CSV without the
    /// model's columns…); what the step showed stays.
    UseFailed {
        message: String,
    },
    Answered {
        id: u64,
        answer: RowAnswer,
    },
    Explained {
        id: u64,
        explanation: Box<Explanation>,
        /// Where the background rows came from, in words.
        background: String,
    },
    /// Use step: a batch answered; its predictions CSV, and its score when it has the target.
    BatchPredicted(Box<BatchPredictions>),
    Monitored(Box<DriftReport>),
}

/// The ONNX file that answers in the Use step, and what the step needs to ask it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ServingModel {
    /// The file's name.
    pub source: String,
    pub bytes: usize,
    pub inputs: Vec<GraphInput>,
    pub target: String,
    /// `binary`, `multiclass` or `regression`.
    pub task: String,
    /// Classes in the probabilities' order (empty for regression).
    pub class_names: Vec<String>,
    /// Each input's training distribution (empty for a file written before Hearth kept it).
    pub reference: Vec<ColumnReference>,
    /// The model in words and its form (metadata `model`, `quantization`).
    pub model: String,
    pub quantization: String,
    /// Regression: the validation RMSE, the ± beside an answer.
    pub valid_rmse: Option<f64>,
    /// Milliseconds to read and optimise the graph.
    pub load_ms: f64,
}

/// Rows an explanation compares the explained row with, laid out as the model's inputs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Background {
    pub rows: Vec<Vec<Option<String>>>,
    /// Where they came from, in words ("100 rows of penguins.csv").
    pub source: String,
}

/// One row's answer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RowAnswer {
    pub label: Option<String>,
    pub probabilities: Vec<f32>,
    pub value: Option<f32>,
    /// Milliseconds the model took in the worker.
    pub millis: f64,
}

/// A batch answered in the Use step.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BatchPredictions {
    pub source: String,
    pub rows: usize,
    /// The file's columns, `predicted_<target>`, one `p_<class>` per class.
    pub csv: String,
    /// Milliseconds of the model's answers, and from the file's first byte to the CSV.
    pub model_ms: f64,
    pub total_ms: f64,
    pub score: Option<BatchScore>,
}

/// The current model as the page shows it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TrainedModel {
    pub summary: TrainingSummary,
    pub valid_metrics: Option<Metrics>,
    pub test_metrics: Option<Metrics>,
    /// The settings it was trained with (an ensemble's: its first member's).
    pub config: TrainConfig,
    /// An ensemble's members in words ("trial 3: gbdt 31 leaves lr 0.1 ×0.53"); empty for one
    /// model.
    pub members: Vec<String>,
    /// Float16 and int8 forms apply (a network, alone or in an ensemble).
    pub quantizable: bool,
    /// Pruning applies (one network).
    pub prunable: bool,
    /// Regression: `(predicted, actual)` on the target's scale for up to
    /// [`MAX_RESIDUAL_POINTS`] test rows spread evenly over the whole test split, for the
    /// residual plot. Empty for classification and for a loaded file.
    pub residuals: Vec<(f64, f64)>,
    /// Classification: the class names in the model's order (the confusion matrix's axes).
    #[serde(default)]
    pub classes: Vec<String>,
    /// The `.hearth` file's text.
    pub model: String,
    /// The file it was loaded from; `None` when trained in this page.
    pub loaded_from: Option<String>,
}

impl TrainedModel {
    /// What the model is, in words: its family and size, or its ensemble's members.
    pub fn label(&self) -> String {
        if self.members.is_empty() {
            self.config.model.label()
        } else {
            format!("an ensemble of {}", self.members.join(", "))
        }
    }
}

/// The name the page gives the workers of its search pool: they train trials on the CPU
/// device and never initialise WebGPU (each GPU context costs memory and start-up time).
pub const SEARCH_WORKER_NAME: &str = "hearth-search";

/// Residual points sent to the page: enough to see the shape, few enough to draw at once.
pub const MAX_RESIDUAL_POINTS: usize = 2_000;

/// The user's choice for each guess the parser makes; `None` keeps the guess.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct DialectChoice {
    pub delimiter: Option<char>,
    pub has_header: Option<bool>,
    pub decimal_comma: Option<bool>,
}

impl DialectChoice {
    /// Ingest options that apply these choices and leave the rest to detection.
    pub fn to_options(&self, max_bytes: u64) -> IngestOptions {
        IngestOptions {
            delimiter: self.delimiter.and_then(|c| u8::try_from(c).ok()),
            has_header: self.has_header,
            decimal_comma: self.decimal_comma,
            max_bytes,
        }
    }
}

/// The largest file the page accepts: a wasm32 heap is at most 4 GiB and the parsed columns
/// take about as much memory as the file.
pub const PAGE_MAX_BYTES: u64 = 512 * 1024 * 1024;

#[cfg(target_arch = "wasm32")]
pub use envelope::Envelope;

#[cfg(target_arch = "wasm32")]
mod envelope {
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use wasm_bindgen::{JsCast, JsValue};

    /// A message plus an optional `File` and an optional `Float32Array` (the Teach step's
    /// planes, a block of handed-over examples; posted with its buffer transferred rather than
    /// copied), as one JS object `{ message, file, floats }`.
    pub struct Envelope<T> {
        pub message: T,
        pub file: Option<web_sys::File>,
        pub floats: Option<js_sys::Float32Array>,
    }

    impl<T: Serialize + DeserializeOwned> Envelope<T> {
        pub fn new(message: T) -> Self {
            Self {
                message,
                file: None,
                floats: None,
            }
        }

        pub fn to_js(&self) -> Result<JsValue, String> {
            // Seeds are full 64-bit numbers, which a JS number cannot hold: 64-bit integers
            // cross as BigInt. NaN and infinities cross as themselves.
            let serializer = serde_wasm_bindgen::Serializer::json_compatible()
                .serialize_large_number_types_as_bigints(true);
            let message = self
                .message
                .serialize(&serializer)
                .map_err(|e| e.to_string())?;
            self.wrap(&message)
        }

        fn wrap(&self, message: &JsValue) -> Result<JsValue, String> {
            let object = js_sys::Object::new();
            js_sys::Reflect::set(&object, &"message".into(), message).map_err(describe)?;
            if let Some(file) = &self.file {
                js_sys::Reflect::set(&object, &"file".into(), file).map_err(describe)?;
            }
            if let Some(floats) = &self.floats {
                js_sys::Reflect::set(&object, &"floats".into(), floats).map_err(describe)?;
            }
            Ok(object.into())
        }

        pub fn from_js(value: &JsValue) -> Result<Self, String> {
            let message = js_sys::Reflect::get(value, &"message".into()).map_err(describe)?;
            let message = serde_wasm_bindgen::from_value(message).map_err(|e| e.to_string())?;
            let file = js_sys::Reflect::get(value, &"file".into())
                .ok()
                .and_then(|file| file.dyn_into::<web_sys::File>().ok());
            let floats = js_sys::Reflect::get(value, &"floats".into())
                .ok()
                .and_then(|floats| floats.dyn_into::<js_sys::Float32Array>().ok());
            Ok(Self {
                message,
                file,
                floats,
            })
        }
    }

    fn describe(error: JsValue) -> String {
        error.as_string().unwrap_or_else(|| format!("{error:?}"))
    }
}
