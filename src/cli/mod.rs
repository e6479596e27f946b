//! The `hearth` command line: a thin layer over the engine. Every failure is one sentence on
//! stderr and exit code 1; usage errors exit 2 (clap's convention).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::data::{self, IngestOptions, Profile, Task};
use crate::format;
use crate::prep::{self, Matrix, Plan, PrepConfig, Prepared};

mod app;
#[cfg(feature = "compute")]
mod export;
#[cfg(feature = "compute")]
mod search;

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
    Profile(ProfileArgs),
    /// Decide and fit the preprocessing for a target: print each decision with its reason and
    /// write the fitted pipeline as JSON.
    Prep(PrepArgs),
    /// Initialise the compute device (GPU through wgpu, else CPU) and run a probe computation.
    #[cfg(feature = "compute")]
    Device(DeviceArgs),
    /// Prepare the data and train a model: print one line per epoch, then the test metrics,
    /// and save the model (weights, pipeline, settings, metrics) as a .hearth file.
    #[cfg(feature = "compute")]
    Train(TrainArgs),
    /// Predict every row of a CSV file with a .hearth model.
    #[cfg(feature = "compute")]
    Predict(PredictArgs),
    /// Search model families and hyperparameters (random, grid or TPE sampling; median or ASHA
    /// pruning; trials in parallel threads) and write the study as JSON.
    #[cfg(feature = "compute")]
    Search(search::SearchArgs),
    /// Profile, prepare and search with good defaults, and save the best model.
    #[cfg(feature = "compute")]
    Automl(search::AutomlArgs),
    /// Prune and quantize a .hearth model, compare the variants with it, and write one as an
    /// ONNX file (opset 13) that includes the preprocessing.
    #[cfg(feature = "compute")]
    Export(export::ExportArgs),
    /// Serve the built web app (`trunk build --release` writes dist/) on this machine:
    /// compressed, content-hashed files cached for a year, no live reload.
    App(app::AppArgs),
}

#[derive(Args)]
struct ProfileArgs {
    /// The CSV file (comma, semicolon, tab or pipe separated; detected).
    file: PathBuf,
    /// The column to predict (default: the suggested one).
    #[arg(long)]
    target: Option<String>,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    dialect: DialectArgs,
}

#[derive(Args)]
struct PrepArgs {
    /// The CSV file (comma, semicolon, tab or pipe separated; detected).
    file: PathBuf,
    /// The column to predict.
    #[arg(long)]
    target: String,
    /// The task: binary, multiclass or regression (default: suggested from the target).
    #[arg(long, value_parser = parse_task)]
    task: Option<Task>,
    /// A JSON file of settings and per-column overrides, e.g.
    /// {"columns": {"island": {"encoding": "ordinal"}, "year": "drop"}}.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Seed of the train/validation/test split (overrides the config's; default 42).
    #[arg(long)]
    seed: Option<u64>,
    /// Where to write the fitted pipeline (JSON).
    #[arg(long)]
    out: PathBuf,
    /// Also write the transformed training rows as CSV, with a header of feature names.
    #[arg(long)]
    emit_features: Option<PathBuf>,
    #[command(flatten)]
    dialect: DialectArgs,
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

#[cfg(feature = "compute")]
#[derive(Args)]
struct DeviceArgs {
    /// Which device to initialise.
    #[arg(long, value_enum, default_value = "auto")]
    device: DeviceChoice,
}

#[cfg(feature = "compute")]
#[derive(Args)]
struct TrainArgs {
    /// The CSV file (comma, semicolon, tab or pipe separated; detected).
    file: PathBuf,
    /// The column to predict.
    #[arg(long)]
    target: String,
    /// The task: binary, multiclass or regression (default: suggested from the target).
    #[arg(long, value_parser = parse_task)]
    task: Option<Task>,
    /// The model family: linear (linear/logistic/softmax regression) or mlp.
    #[arg(long, value_enum)]
    model: Option<ModelChoice>,
    /// Hidden layer sizes of the MLP, e.g. 64,32 (implies --model mlp).
    #[arg(long)]
    hidden: Option<String>,
    /// The most epochs to train.
    #[arg(long)]
    epochs: Option<usize>,
    /// The peak learning rate.
    #[arg(long)]
    lr: Option<f64>,
    /// Rows per optimisation step.
    #[arg(long)]
    batch: Option<usize>,
    /// Where to train: auto times a few steps on the GPU and the CPU and uses the faster.
    #[arg(long, value_enum, default_value = "auto")]
    device: DeviceChoice,
    /// Seed of the initial weights, batch order and dropout (the split's seed is the
    /// preprocessing config's, default 42).
    #[arg(long)]
    seed: Option<u64>,
    /// A JSON file of training settings, e.g. {"model": {"mlp": {"hidden": [32]}}, "epochs": 50};
    /// the flags above override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// A JSON file of preprocessing settings and per-column overrides (as for `hearth prep`).
    #[arg(long)]
    prep_config: Option<PathBuf>,
    /// Where to write the model (.hearth, JSON).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    dialect: DialectArgs,
}

#[cfg(feature = "compute")]
#[derive(Clone, Copy, clap::ValueEnum)]
enum ModelChoice {
    Linear,
    Mlp,
}

#[cfg(feature = "compute")]
#[derive(Args)]
struct PredictArgs {
    /// The model file written by `hearth train`.
    model: PathBuf,
    /// The CSV file with the columns the model reads (the target may be absent).
    file: PathBuf,
    /// Where to write the predictions as CSV (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Where to run the model.
    #[arg(long, value_enum, default_value = "cpu")]
    device: DeviceChoice,
    #[command(flatten)]
    dialect: DialectArgs,
}

#[cfg(feature = "compute")]
#[derive(Clone, Copy, clap::ValueEnum)]
enum DeviceChoice {
    Auto,
    Cpu,
    Wgpu,
}

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Profile(args) => profile(&args),
        Command::Prep(args) => prep(&args),
        #[cfg(feature = "compute")]
        Command::Device(args) => device(&args),
        #[cfg(feature = "compute")]
        Command::Train(args) => train_command(&args),
        #[cfg(feature = "compute")]
        Command::Predict(args) => predict_command(&args),
        #[cfg(feature = "compute")]
        Command::Search(args) => search::search_command(&args),
        #[cfg(feature = "compute")]
        Command::Automl(args) => search::automl_command(&args),
        #[cfg(feature = "compute")]
        Command::Export(args) => export::run(&args),
        Command::App(args) => app::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `hearth profile --json` output: the profile plus the chosen target and task.
#[derive(Serialize)]
struct ProfileReport<'a> {
    #[serde(flatten)]
    profile: &'a Profile,
    target: Option<&'a str>,
    task: Option<Task>,
}

fn profile(args: &ProfileArgs) -> Result<(), String> {
    let dataset = data::read_csv_path(&args.file, args.dialect.options())
        .map_err(|error| error.to_string())?;
    let profile = data::profile(&dataset);
    let target = match &args.target {
        Some(name) => {
            if !profile.columns.iter().any(|column| &column.name == name) {
                let names: Vec<&str> = profile
                    .columns
                    .iter()
                    .map(|column| column.name.as_str())
                    .collect();
                return Err(format!(
                    "--target {name}: {} has no such column; its columns are {}.",
                    profile.source,
                    names.join(", ")
                ));
            }
            Some(name.as_str())
        }
        None => profile.suggested_target.as_deref(),
    };
    let task = target.and_then(|name| data::suggest_task(&profile, name));
    if let Some(name) = args.target.as_deref()
        && task.is_none()
    {
        return Err(target_error(&profile, name));
    }
    if args.json {
        let report = ProfileReport {
            profile: &profile,
            target,
            task,
        };
        let text = serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
        println!("{text}");
    } else {
        print!("{}", render_profile(&profile, target, task));
    }
    Ok(())
}

/// The profile as a plain-text table for a terminal.
fn render_profile(profile: &Profile, target: Option<&str>, task: Option<Task>) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let delimiter = match profile.dialect.delimiter {
        b'\t' => "tab".to_string(),
        other => format!("'{}'", other as char),
    };
    let _ = writeln!(
        out,
        "{}: {} rows x {} columns (delimiter {delimiter}, header {}, decimal {})",
        profile.source,
        profile.rows,
        profile.columns.len(),
        if profile.dialect.has_header {
            "yes"
        } else {
            "no"
        },
        if profile.dialect.decimal_comma {
            "comma"
        } else {
            "point"
        },
    );
    for note in &profile.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let width = profile
        .columns
        .iter()
        .map(|column| column.name.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        out,
        "{:<width$}  {:<12}  {:>8}  {:>8}  summary",
        "column", "kind", "missing", "distinct"
    );
    for column in &profile.columns {
        let summary = match &column.numeric {
            Some(stats) => format!(
                "min {} median {} max {} mean {} std {}",
                format::number(stats.min),
                format::number(stats.median),
                format::number(stats.max),
                format::number(stats.mean),
                format::number(stats.std)
            ),
            None => column
                .top
                .iter()
                .take(4)
                .map(|category| format!("{} ({})", category.value, category.count))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:<12}  {:>8}  {:>8}  {summary}",
            column.name,
            column.kind.label(),
            column.missing,
            column.distinct
        );
    }
    match (target, task) {
        (Some(target), Some(task)) => {
            let _ = writeln!(out, "target: {target} ({})", task.label());
        }
        _ => {
            let _ = writeln!(out, "target: none suggested; pass --target COLUMN");
        }
    }
    out
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

/// A CSV file read, profiled and prepared for a target: what `prep` and `train` share.
struct PreparedFile {
    dataset: data::Dataset,
    profile: Profile,
    config: PrepConfig,
    plan: Plan,
    prepared: Prepared,
}

/// Reads `file`, settles the task (suggested when not given), reads the preprocessing overrides
/// (`config_flag` names the flag in errors) and plans and fits the preprocessing.
fn prepare_file(
    file: &std::path::Path,
    dialect: &DialectArgs,
    target: &str,
    task: Option<Task>,
    config_flag: &str,
    config_path: Option<&std::path::Path>,
    seed: Option<u64>,
) -> Result<PreparedFile, String> {
    let dataset =
        data::read_csv_path(file, dialect.options()).map_err(|error| error.to_string())?;
    let profile = data::profile(&dataset);
    let task = match task {
        Some(task) => task,
        None => {
            data::suggest_task(&profile, target).ok_or_else(|| target_error(&profile, target))?
        }
    };
    let mut config = match config_path {
        Some(path) => PrepConfig::from_json(&read_settings(config_flag, path)?)
            .map_err(|error| format!("{}: {error}", path.display()))?,
        None => PrepConfig::default(),
    };
    if let Some(seed) = seed {
        config.seed = seed;
    }
    let plan = prep::plan(&profile, target, task, &config).map_err(|error| error.to_string())?;
    let prepared = prep::fit(&dataset, &plan, &config).map_err(|error| error.to_string())?;
    Ok(PreparedFile {
        dataset,
        profile,
        config,
        plan,
        prepared,
    })
}

fn prep(args: &PrepArgs) -> Result<(), String> {
    let PreparedFile {
        dataset,
        profile,
        config,
        plan,
        prepared,
        ..
    } = prepare_file(
        &args.file,
        &args.dialect,
        &args.target,
        args.task,
        "--config",
        args.config.as_deref(),
        args.seed,
    )?;
    let json =
        serde_json::to_string_pretty(&prepared.pipeline).map_err(|error| error.to_string())?;
    std::fs::write(&args.out, json + "\n")
        .map_err(|error| format!("Could not write {}: {error}.", args.out.display()))?;
    let mut report = render_prep(&profile, &plan, &prepared, &config);
    {
        use std::fmt::Write;
        let _ = writeln!(report, "wrote {}", args.out.display());
        if let Some(path) = &args.emit_features {
            let matrix = prepared
                .pipeline
                .transform_dataset(&dataset, &prepared.split.train)
                .map_err(|error| error.to_string())?;
            write_features(path, &matrix)
                .map_err(|error| format!("Could not write {}: {error}.", path.display()))?;
            let _ = writeln!(
                report,
                "wrote {}: {} training rows x {} features",
                path.display(),
                matrix.rows,
                matrix.cols
            );
        }
    }
    print!("{report}");
    Ok(())
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Writes a feature matrix as CSV: a header of feature names, then one line per row.
fn write_features(path: &std::path::Path, matrix: &Matrix) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let header: Vec<String> = matrix.feature_names.iter().map(|n| csv_field(n)).collect();
    writeln!(out, "{}", header.join(","))?;
    for row in 0..matrix.rows {
        let mut first = true;
        for value in matrix.row(row) {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            write!(out, "{value}")?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// The plan and split as plain text for a terminal.
fn render_prep(profile: &Profile, plan: &Plan, prepared: &Prepared, config: &PrepConfig) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} rows; target {} ({}): {}",
        profile.source,
        profile.rows,
        plan.target,
        plan.task.label(),
        plan.target_reason
    );
    let width = plan
        .decisions
        .iter()
        .map(|decision| decision.column.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(out, "{:<width$}  {:<12}  decision", "column", "kind");
    for decision in &plan.decisions {
        let _ = writeln!(
            out,
            "{:<width$}  {:<12}  {}",
            decision.column,
            decision.kind.label(),
            decision.reason
        );
    }
    let summary = &prepared.summary;
    for note in &summary.notes {
        let _ = writeln!(out, "note: {note}");
    }
    if summary.folds > 0 {
        let _ = writeln!(
            out,
            "split (seed {}): {} training rows in {} folds, {} test",
            config.seed, summary.train, summary.folds, summary.test
        );
    } else {
        let _ = writeln!(
            out,
            "split (seed {}): {} train, {} valid, {} test",
            config.seed, summary.train, summary.valid, summary.test
        );
    }
    let _ = writeln!(out, "features: {}", summary.features);
    out
}

#[cfg(feature = "compute")]
fn device(args: &DeviceArgs) -> Result<(), String> {
    use crate::compute::{self, DeviceReport};
    let report: DeviceReport = match args.device {
        DeviceChoice::Auto => pollster::block_on(compute::init_preferred()).1,
        DeviceChoice::Cpu | DeviceChoice::Wgpu => {
            let clock = crate::clock::Stopwatch::start();
            let (device, accelerator) = match args.device {
                DeviceChoice::Wgpu => (
                    pollster::block_on(compute::init_wgpu()).map_err(|error| error.to_string())?,
                    compute::Accelerator::Gpu,
                ),
                _ => (compute::init_cpu(), compute::Accelerator::Cpu),
            };
            let probe =
                pollster::block_on(compute::probe(&device)).map_err(|error| error.to_string())?;
            DeviceReport {
                accelerator,
                gpu_unavailable: None,
                probe,
                millis: clock.elapsed_ms(),
            }
        }
    };
    println!("device: {}", report.accelerator.label());
    if let Some(reason) = &report.gpu_unavailable {
        println!("GPU not used: {reason}");
    }
    println!(
        "probe: {:?} ({})",
        report.probe,
        if report.probe_ok() {
            "correct"
        } else {
            "WRONG"
        }
    );
    println!("initialised in {:.0} ms", report.millis);
    if report.probe_ok() {
        Ok(())
    } else {
        Err("the device computed a wrong probe result".to_string())
    }
}

/// Reads a JSON settings file for `flag`.
fn read_settings(flag: &str, path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|error| format!("{flag} {}: could not read it: {error}.", path.display()))
}

/// The training settings: the config file, then the flags.
#[cfg(feature = "compute")]
fn train_config(args: &TrainArgs) -> Result<crate::train::TrainConfig, String> {
    use crate::train::{Activation, ModelKind, TrainConfig};
    let mut config = match &args.config {
        Some(path) => TrainConfig::from_json(&read_settings("--config", path)?)
            .map_err(|error| format!("{}: {error}", path.display()))?,
        None => TrainConfig::default(),
    };
    let hidden = match &args.hidden {
        Some(text) => Some(parse_hidden(text)?),
        None => None,
    };
    match (args.model, hidden) {
        (Some(ModelChoice::Linear), Some(_)) => {
            return Err("--hidden applies to --model mlp, not to --model linear.".to_string());
        }
        (Some(ModelChoice::Linear), None) => config.model = ModelKind::Linear,
        (Some(ModelChoice::Mlp), hidden) | (None, hidden @ Some(_)) => {
            let (old_hidden, activation, dropout, layer_norm) = match &config.model {
                ModelKind::Mlp {
                    hidden,
                    activation,
                    dropout,
                    layer_norm,
                } => (hidden.clone(), *activation, *dropout, *layer_norm),
                ModelKind::Linear => (vec![64], Activation::Relu, 0.0, false),
            };
            config.model = ModelKind::Mlp {
                hidden: hidden.unwrap_or(old_hidden),
                activation,
                dropout,
                layer_norm,
            };
        }
        (None, None) => {}
    }
    if let Some(epochs) = args.epochs {
        config.epochs = epochs;
    }
    if let Some(lr) = args.lr {
        config.learning_rate = lr;
    }
    if let Some(batch) = args.batch {
        config.batch_size = batch;
    }
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    config.validate().map_err(|error| error.to_string())?;
    Ok(config)
}

/// `64,32` → `[64, 32]`.
#[cfg(feature = "compute")]
fn parse_hidden(text: &str) -> Result<Vec<usize>, String> {
    text.split(',')
        .map(|part| part.trim().parse::<usize>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            format!("--hidden {text}: give the hidden layer sizes as whole numbers separated by commas, e.g. 64,32.")
        })
}

/// The device for `choice`: auto times a burst of steps on each device.
#[cfg(feature = "compute")]
fn train_device(
    choice: DeviceChoice,
    pipeline: &crate::prep::FittedPipeline,
    train: &crate::train::Examples,
    config: &crate::train::TrainConfig,
) -> Result<(burn::tensor::Device, crate::train::DeviceSelection), String> {
    use crate::compute::{self, Accelerator};
    use crate::train::{DeviceSelection, DeviceTiming, pick_fastest};
    let chosen = |accelerator: Accelerator, device| {
        (
            device,
            DeviceSelection {
                accelerator,
                timings: Vec::new(),
                reason: "chosen with --device".to_string(),
            },
        )
    };
    match choice {
        DeviceChoice::Cpu => Ok(chosen(Accelerator::Cpu, compute::init_cpu())),
        DeviceChoice::Wgpu => {
            let device = pollster::block_on(compute::init_wgpu())
                .map_err(|error| format!("--device wgpu: {error}."))?;
            Ok(chosen(Accelerator::Gpu, device))
        }
        DeviceChoice::Auto => {
            let mut candidates = Vec::new();
            let gpu_error = match pollster::block_on(compute::init_wgpu()) {
                Ok(device) => {
                    candidates.push((Accelerator::Gpu, device));
                    None
                }
                Err(error) => Some(error.to_string()),
            };
            candidates.push((Accelerator::Cpu, compute::init_cpu()));
            let (device, mut selection) =
                pollster::block_on(pick_fastest(candidates, pipeline, train, config))
                    .map_err(|error| error.to_string())?;
            if let Some(error) = gpu_error {
                selection.timings.insert(
                    0,
                    DeviceTiming {
                        accelerator: Accelerator::Gpu,
                        ms_per_step: None,
                        error: Some(error),
                    },
                );
                selection.reason = format!("{} (no GPU)", selection.reason);
            }
            Ok((device, selection))
        }
    }
}

#[cfg(feature = "compute")]
fn train_command(args: &TrainArgs) -> Result<(), String> {
    use crate::train::{ModelFile, Trainer, TrainingData};
    let config = train_config(args)?;
    let target = args.target.as_str();
    let PreparedFile {
        dataset,
        profile,
        plan,
        prepared,
        ..
    } = prepare_file(
        &args.file,
        &args.dialect,
        target,
        args.task,
        "--prep-config",
        args.prep_config.as_deref(),
        None,
    )?;
    let task = plan.task;
    let data = TrainingData::from_prepared(&prepared, &dataset).map_err(|e| e.to_string())?;
    let summary = &prepared.summary;
    println!(
        "{}: target {target} ({}); {} train, {} valid, {} test rows; {} features",
        profile.source,
        task.label(),
        data.train.rows(),
        data.valid.as_ref().map_or(0, |v| v.rows()),
        data.test.as_ref().map_or(0, |t| t.rows()),
        summary.features
    );
    for note in summary.notes.iter().chain(&data.notes) {
        println!("note: {note}");
    }
    let (device, selection) = train_device(args.device, &prepared.pipeline, &data.train, &config)?;
    for timing in &selection.timings {
        match (timing.ms_per_step, &timing.error) {
            (Some(ms), _) => println!(
                "timing: {} {ms:.3} ms per step (batch {})",
                timing.accelerator.label(),
                config.batch_size.min(data.train.rows())
            ),
            (None, Some(error)) => println!(
                "timing: {} unavailable: {error}",
                timing.accelerator.label()
            ),
            (None, None) => {}
        }
    }
    println!(
        "device: {} ({})",
        selection.accelerator.label(),
        selection.reason
    );
    let mut trainer = Trainer::new(
        device,
        &prepared.pipeline,
        data.train.clone(),
        data.valid.clone(),
        &config,
    )
    .map_err(|error| error.to_string())?;
    println!(
        "model: {} ({} parameters), {} lr {} {}, batch {}, up to {} epochs{}",
        config.model.label(),
        crate::train::Architecture::new(
            &config.model,
            data.train.features.cols,
            trainer.head().outputs()
        )
        .parameters(),
        config.optimizer.name(),
        config.learning_rate,
        config.schedule.label(),
        config.batch_size,
        config.epochs,
        if config.patience > 0 {
            format!(
                ", patience {} on the {}",
                config.patience,
                trainer.monitor().name()
            )
        } else {
            String::new()
        }
    );
    let width = config.epochs.to_string().len();
    while !trainer.done() {
        let report = pollster::block_on(trainer.next_epoch()).map_err(|e| e.to_string())?;
        let valid = match (&report.valid_loss, &report.valid_metrics) {
            (Some(loss), Some(metrics)) => format!("  valid_loss {loss:.4}  {}", metrics.summary()),
            _ => String::new(),
        };
        println!(
            "epoch {:>width$}/{}  train_loss {:.4}{valid}  {:.1} ms  {:.0} samples/s{}",
            report.epoch,
            config.epochs,
            report.train_loss,
            report.elapsed_ms,
            report.samples_per_sec,
            if report.is_best { "  *" } else { "" }
        );
    }
    if let Some(reason) = trainer.finished_reason() {
        println!(
            "stopped: {reason}; best epoch {}",
            trainer.best().map_or(0, |b| b.epoch)
        );
    }
    let test = match &data.test {
        Some(test) => Some(pollster::block_on(trainer.evaluate(test)).map_err(|e| e.to_string())?),
        None => None,
    };
    if let Some(metrics) = &test {
        println!("test: {}", metrics.summary());
    }
    let file = pollster::block_on(ModelFile::from_trainer(
        &trainer,
        test,
        Some(selection.accelerator.label().to_string()),
    ))
    .map_err(|error| error.to_string())?;
    let json = file.to_json().map_err(|error| error.to_string())?;
    std::fs::write(&args.out, json + "\n")
        .map_err(|error| format!("Could not write {}: {error}.", args.out.display()))?;
    println!("wrote {}", args.out.display());
    Ok(())
}

#[cfg(feature = "compute")]
fn predict_command(args: &PredictArgs) -> Result<(), String> {
    use crate::compute;
    use crate::prep::Prediction;
    use crate::train::ModelFile;
    let text = std::fs::read_to_string(&args.model)
        .map_err(|error| format!("Could not read {}: {error}.", args.model.display()))?;
    let model = ModelFile::from_json(&text)
        .map_err(|error| format!("{}: {error}", args.model.display()))?;
    let dataset = data::read_csv_path(&args.file, args.dialect.options())
        .map_err(|error| error.to_string())?;
    let device = match args.device {
        DeviceChoice::Wgpu | DeviceChoice::Auto => {
            pollster::block_on(compute::init_wgpu()).unwrap_or_else(|_| compute::init_cpu())
        }
        DeviceChoice::Cpu => compute::init_cpu(),
    };
    let predictions = pollster::block_on(model.predict_dataset(&device, &dataset))
        .map_err(|error| error.to_string())?;
    let classes: Vec<String> = match &model.pipeline.target_encoding {
        prep::TargetEncoding::Labels { classes } => classes.clone(),
        prep::TargetEncoding::Regression { .. } => Vec::new(),
    };
    let mut out = String::new();
    let mut header = vec![csv_field(&format!("predicted_{}", model.pipeline.target))];
    header.extend(classes.iter().map(|c| csv_field(&format!("p_{c}"))));
    out.push_str(&header.join(","));
    out.push('\n');
    let width = predictions.width.max(1);
    for (row, prediction) in predictions.predictions.iter().enumerate() {
        let outputs = predictions
            .outputs
            .get(row * width..(row + 1) * width)
            .unwrap_or_default();
        let mut fields = vec![match prediction {
            Prediction::Class { name, .. } => csv_field(name),
            Prediction::Value { value } => format!("{value}"),
        }];
        if !classes.is_empty() {
            if let [p1] = outputs {
                fields.push(format!("{}", 1.0 - p1));
                fields.push(format!("{p1}"));
            } else {
                fields.extend(outputs.iter().map(|p| format!("{p}")));
            }
        }
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    match &args.out {
        Some(path) => {
            std::fs::write(path, out)
                .map_err(|error| format!("Could not write {}: {error}.", path.display()))?;
            println!(
                "wrote {}: {} predictions",
                path.display(),
                predictions.predictions.len()
            );
        }
        None => print!("{out}"),
    }
    Ok(())
}
