//! The `hearth` command line: a thin layer over the engine. Every failure is one sentence on
//! stderr and exit code 1; usage errors exit 2 (clap's convention); `hearth monitor` exits 3
//! when the data drifted.
//!
//! This file holds the command declarations, the dispatch and what several commands share
//! (the CSV arguments, reading settings files, preparing a file for a target); each command
//! lives in its own file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::data::{self, Dataset, IngestOptions, Profile, Task};
pub(crate) use crate::format::csv_field;
use crate::prep::{Plan, PrepConfig, Prepared};

mod app;
#[cfg(feature = "cpu")]
mod automl;
#[cfg(feature = "cpu")]
mod device;
#[cfg(all(feature = "cpu", feature = "onnx"))]
mod explain;
#[cfg(feature = "cpu")]
mod export;
#[cfg(all(feature = "cpu", feature = "onnx"))]
mod monitor;
#[cfg(all(feature = "cpu", feature = "onnx"))]
mod predict;
mod prep;
mod profile;
#[cfg(feature = "cpu")]
mod search;
#[cfg(all(feature = "cpu", feature = "onnx"))]
mod serve;
#[cfg(feature = "cpu")]
mod study;
mod teach;
#[cfg(feature = "cpu")]
mod train;
#[cfg(feature = "cpu")]
mod trial;

#[derive(Parser)]
#[command(
    name = "hearth",
    version,
    about = "AutoML over CSV files: the engine of the Hearth web app, natively."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read a CSV file and describe each column: kind, missing values, distribution.
    Profile(profile::ProfileArgs),
    /// Decide and fit the preprocessing for a target: print each decision with its reason and
    /// write the fitted pipeline as JSON.
    Prep(prep::PrepArgs),
    /// Initialise the compute device (GPU through wgpu, else CPU) and run a probe computation.
    #[cfg(feature = "cpu")]
    Device(device::DeviceArgs),
    /// Prepare the data and train a model: print one line per epoch, then the test metrics,
    /// and save the model (weights, pipeline, settings, metrics) as a .hearth file.
    #[cfg(feature = "cpu")]
    Train(train::TrainArgs),
    /// Predict every row of a CSV file with a .hearth model.
    #[cfg(all(feature = "cpu", feature = "onnx"))]
    Predict(predict::PredictArgs),
    /// Explain one prediction of a .hearth model: each column's contribution (sampled Shapley
    /// values over background rows of the same file), from the base value to the answer.
    #[cfg(all(feature = "cpu", feature = "onnx"))]
    Explain(explain::ExplainArgs),
    /// Compare a new CSV file with a .hearth model's training data: per-column drift, schema
    /// changes and a verdict (exit code 3 when the data drifted).
    #[cfg(all(feature = "cpu", feature = "onnx"))]
    Monitor(monitor::MonitorArgs),
    /// Search model families and hyperparameters (random, grid or TPE sampling; median or ASHA
    /// pruning; trials in parallel threads) and write the study as JSON.
    #[cfg(feature = "cpu")]
    Search(search::SearchArgs),
    /// Train one trial with the given parameters for a study held elsewhere (the Optuna
    /// bridge): JSON lines out, one per epoch; "prune" or "continue" read back after each.
    #[cfg(feature = "cpu")]
    Trial(trial::TrialArgs),
    /// Profile, prepare and search with good defaults, and save the best model.
    #[cfg(feature = "cpu")]
    Automl(automl::AutomlArgs),
    /// Prune and quantize a .hearth model, compare the variants with it, and write one as an
    /// ONNX file (opset 13) that includes the preprocessing.
    #[cfg(feature = "cpu")]
    Export(export::ExportArgs),
    /// Teach with a toy data set: train a small network epoch by epoch, as the page's Teach
    /// step does, from flags or a classroom link; the same link gives the same losses.
    Teach(teach::TeachArgs),
    /// Serve an exported model over HTTP: Open Inference Protocol V2 and TF Serving's REST
    /// API, dynamic batching, and Prometheus metrics with live drift at /metrics.
    #[cfg(all(feature = "cpu", feature = "onnx"))]
    Serve(serve::ServeArgs),
    /// Serve the built web app (`trunk build --release` writes dist/) on this machine:
    /// compressed, content-hashed files cached for a year, no live reload.
    App(app::AppArgs),
}

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Profile(args) => profile::run(&args),
        Command::Prep(args) => prep::run(&args),
        #[cfg(feature = "cpu")]
        Command::Device(args) => device::run(&args),
        #[cfg(feature = "cpu")]
        Command::Train(args) => train::run(&args),
        #[cfg(all(feature = "cpu", feature = "onnx"))]
        Command::Predict(args) => predict::run(&args),
        #[cfg(feature = "cpu")]
        Command::Search(args) => search::search_command(&args),
        #[cfg(feature = "cpu")]
        Command::Trial(args) => trial::run(&args),
        #[cfg(feature = "cpu")]
        Command::Automl(args) => automl::automl_command(&args),
        #[cfg(feature = "cpu")]
        Command::Export(args) => export::run(&args),
        #[cfg(all(feature = "cpu", feature = "onnx"))]
        Command::Explain(args) => explain::run(&args),
        #[cfg(all(feature = "cpu", feature = "onnx"))]
        Command::Monitor(args) => return exit_code(monitor::run(&args)),
        Command::Teach(args) => teach::run(&args),
        #[cfg(all(feature = "cpu", feature = "onnx"))]
        Command::Serve(args) => serve::run(&args),
        Command::App(args) => app::run(&args),
    };
    exit_code(result.map(|()| ExitCode::SUCCESS))
}

fn exit_code(result: Result<ExitCode, String>) -> ExitCode {
    result.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        ExitCode::FAILURE
    })
}

/// A model as `predict`, `explain` and `monitor` take it: a `.hearth` file (burn) or an
/// exported ONNX file (tract), told apart by the first byte (a model file is JSON).
#[cfg(all(feature = "cpu", feature = "onnx"))]
enum LoadedModel {
    File(Box<crate::train::ModelFile>),
    Onnx(Box<crate::infer::OnnxModel>),
}

/// Reads the model at `path`; the error names the file.
#[cfg(all(feature = "cpu", feature = "onnx"))]
fn load_model(path: &Path) -> Result<LoadedModel, String> {
    let bytes = std::fs::read(path)
        .map_err(|error| format!("Could not read {}: {error}.", path.display()))?;
    let name = path.display().to_string();
    if bytes.first() == Some(&b'{') {
        crate::train::ModelFile::from_json(&String::from_utf8_lossy(&bytes))
            .map(|model| LoadedModel::File(Box::new(model)))
            .map_err(|error| format!("{name}: {error}"))
    } else {
        crate::infer::OnnxModel::load(&name, &bytes)
            .map(|model| LoadedModel::Onnx(Box::new(model)))
            .map_err(|error| error.to_string())
    }
}

/// The CSV file and what to predict from it: the arguments `prep`, `train` and `search`
/// share, declared once. (`profile`'s target is optional and `automl` has no `--task`, so
/// they declare their own.)
#[derive(Args)]
struct DataArgs {
    /// The CSV file (comma, semicolon, tab or pipe separated; detected).
    file: PathBuf,
    /// The column to predict.
    #[arg(long)]
    target: String,
    /// The task: binary, multiclass or regression (default: suggested from the target).
    #[arg(long, value_parser = parse_task)]
    task: Option<Task>,
}

/// Corrections to what the parser detects.
#[derive(Args)]
struct DialectArgs {
    /// Field delimiter: ',', ';', '|' or 'tab'.
    #[arg(long, value_parser = parse_delimiter)]
    delimiter: Option<u8>,
    /// The first row is a header (`--header true`) or data (`--header false`).
    #[arg(long)]
    header: Option<bool>,
    /// Numbers use a decimal comma (`--decimal-comma true`) or point (`false`).
    #[arg(long)]
    decimal_comma: Option<bool>,
    /// Refuse files larger than this many megabytes.
    #[arg(long, default_value_t = 1024)]
    max_mb: u64,
}

impl DialectArgs {
    fn options(&self) -> IngestOptions {
        IngestOptions {
            delimiter: self.delimiter,
            has_header: self.header,
            decimal_comma: self.decimal_comma,
            max_bytes: self.max_mb.saturating_mul(1024 * 1024),
        }
    }
}

fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "," | ";" | "|" => Ok(text.as_bytes()[0]),
        other => Err(format!(
            "'{other}' is not a supported delimiter; use ',', ';', '|' or 'tab'"
        )),
    }
}

fn parse_task(text: &str) -> Result<Task, String> {
    match text {
        "binary" | "binary_classification" => Ok(Task::BinaryClassification),
        "multiclass" | "multiclass_classification" => Ok(Task::MulticlassClassification),
        "regression" => Ok(Task::Regression),
        other => Err(format!(
            "'{other}' is not a task; use 'binary', 'multiclass' or 'regression'"
        )),
    }
}

/// Where `device`, `train` and `predict` run.
#[cfg(feature = "cpu")]
#[derive(Clone, Copy, clap::ValueEnum)]
enum DeviceChoice {
    Auto,
    Cpu,
    Wgpu,
}

/// The message for a `--target` that is not a column, or cannot be predicted.
fn target_error(profile: &Profile, name: &str) -> String {
    match profile.columns.iter().find(|column| column.name == name) {
        Some(column) => format!(
            "--target {name}: this column cannot be predicted: {}.",
            data::target_problem(profile, column)
                .unwrap_or_else(|| format!("it is {}", column.kind.label()))
        ),
        None => {
            let names: Vec<&str> = profile
                .columns
                .iter()
                .map(|column| column.name.as_str())
                .collect();
            format!(
                "--target {name}: {} has no such column; its columns are {}.",
                profile.source,
                names.join(", ")
            )
        }
    }
}

/// A CSV file read, profiled and prepared for a target: what `prep`, `train`, `search`,
/// `automl` and `export` share.
struct PreparedFile {
    dataset: data::Dataset,
    profile: Profile,
    config: PrepConfig,
    plan: Plan,
    prepared: Prepared,
}

/// Reads `file` and prepares it for `target` (see [`prepare_dataset`]).
fn prepare_file(
    file: &Path,
    dialect: &DialectArgs,
    target: &str,
    task: Option<Task>,
    config: Option<(&str, &Path)>,
    seed: Option<u64>,
    automl: bool,
) -> Result<PreparedFile, String> {
    let dataset =
        data::read_csv_path(file, dialect.options()).map_err(|error| error.to_string())?;
    let profile = data::profile(&dataset);
    prepare_dataset(dataset, profile, target, task, config, seed, automl)
}

/// The data flags' file, read and prepared for their target (`--prep-config` over the defaults,
/// or over automl's), with its training examples: where every command that trains starts.
#[cfg(feature = "cpu")]
fn training_data(
    data: &DataArgs,
    dialect: &DialectArgs,
    prep_config: Option<&Path>,
    automl: bool,
) -> Result<(PreparedFile, crate::train::TrainingData), String> {
    let prepared = prepare_file(
        &data.file,
        dialect,
        &data.target,
        data.task,
        prep_config.map(|path| ("--prep-config", path)),
        None,
        automl,
    )?;
    let examples = crate::train::TrainingData::from_prepared(&prepared.prepared, &prepared.dataset)
        .map_err(|error| error.to_string())?;
    Ok((prepared, examples))
}

/// Settles the task (suggested when not given), reads the preprocessing settings (`config`:
/// the flag that named the file, for errors, and its path; fields it leaves out keep the
/// defaults, or with `automl` [`PrepConfig::automl`]'s) and plans and fits the preprocessing
/// of a dataset already read and profiled.
fn prepare_dataset(
    dataset: Dataset,
    profile: Profile,
    target: &str,
    task: Option<Task>,
    config: Option<(&str, &Path)>,
    seed: Option<u64>,
    automl: bool,
) -> Result<PreparedFile, String> {
    let task = match task {
        Some(task) => task,
        None => {
            data::suggest_task(&profile, target).ok_or_else(|| target_error(&profile, target))?
        }
    };
    let mut config = match config {
        Some((flag, path)) if automl => PrepConfig::from_json_over(
            &read_settings(flag, path)?,
            &PrepConfig::automl(dataset.rows),
        )
        .map_err(|error| format!("{}: {error}", path.display()))?,
        Some((flag, path)) => PrepConfig::from_json(&read_settings(flag, path)?)
            .map_err(|error| format!("{}: {error}", path.display()))?,
        None if automl => PrepConfig::automl(dataset.rows),
        None => PrepConfig::default(),
    };
    if let Some(seed) = seed {
        config.seed = seed;
    }
    let plan =
        crate::prep::plan(&profile, target, task, &config).map_err(|error| error.to_string())?;
    let prepared = crate::prep::fit(&dataset, &plan, &config).map_err(|error| error.to_string())?;
    Ok(PreparedFile {
        dataset,
        profile,
        config,
        plan,
        prepared,
    })
}

/// Reads a JSON settings file for `flag`.
fn read_settings(flag: &str, path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|error| format!("{flag} {}: could not read it: {error}.", path.display()))
}
