//! The `hearth` command line: a thin layer over the engine. Every failure is one sentence on
//! stderr and exit code 1; usage errors exit 2 (clap's convention).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::data::{self, IngestOptions, Profile, Task};
use crate::format;

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
    /// Initialise the compute device (GPU through wgpu, else CPU) and run a probe computation.
    #[cfg(feature = "compute")]
    Device(DeviceArgs),
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

#[cfg(feature = "compute")]
#[derive(Args)]
struct DeviceArgs {
    /// Which device to initialise.
    #[arg(long, value_enum, default_value = "auto")]
    device: DeviceChoice,
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
        #[cfg(feature = "compute")]
        Command::Device(args) => device(&args),
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
    if args.target.is_some() && task.is_none() {
        return Err(format!(
            "--target {}: this column cannot be predicted (it is {}).",
            target.unwrap_or_default(),
            profile
                .columns
                .iter()
                .find(|column| Some(column.name.as_str()) == target)
                .map_or("unusable", |column| column.kind.label())
        ));
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
