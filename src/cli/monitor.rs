//! `hearth monitor`: compare a new CSV file with a model's training data, column by column,
//! and say whether the data drifted (exit code 3 when it did, so that a scheduled job can
//! alert).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{DialectArgs, LoadedModel, load_model};
use crate::compute;
use crate::data::{self, Dataset};
use crate::format;
use crate::monitor::{self, ColumnDrift, DriftReport};

/// The exit code when the dataset drifted.
pub(super) const DRIFT_EXIT: u8 = 3;

#[derive(Args)]
pub(super) struct MonitorArgs {
    /// The model whose training data is the reference: a `.hearth` file or its exported
    /// `.onnx` file (whose metadata carries the same reference).
    model: PathBuf,
    /// The new CSV file (the target may be absent).
    file: PathBuf,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    dialect: DialectArgs,
}

/// Runs `hearth monitor`: exit code 0 without drift, [`DRIFT_EXIT`] with.
pub(super) fn run(args: &MonitorArgs) -> Result<ExitCode, String> {
    let model = load_model(&args.model)?;
    let references = match &model {
        LoadedModel::File(model) => &model.pipeline.reference,
        LoadedModel::Onnx(model) => &model.reference,
    };
    let dataset = data::read_csv_path(&args.file, args.dialect.options())
        .map_err(|error| error.to_string())?;
    let mut report = monitor::drift_report(references, &dataset)
        .map_err(|error| format!("{}: {error}", args.model.display()))?;
    report.prediction = prediction_drift(&model, &dataset)?;
    report.over_time = monitor::drift_over_time(references, &dataset);
    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
        println!("{json}");
    } else {
        print!("{}", table(&report));
    }
    Ok(if report.dataset_drift {
        ExitCode::from(DRIFT_EXIT)
    } else {
        ExitCode::SUCCESS
    })
}

/// The model's answers on the new rows against its answers on the test split, when the file
/// keeps those and the new rows have every column it reads.
fn prediction_drift(model: &LoadedModel, dataset: &Dataset) -> Result<Option<ColumnDrift>, String> {
    let predictions = match model {
        LoadedModel::File(model) => {
            let Some(reference) = &model.test_answers else {
                return Ok(None);
            };
            if model
                .pipeline
                .inputs()
                .any(|name| dataset.column(name).is_none())
            {
                return Ok(None);
            }
            let device = compute::init_cpu();
            let predicted = pollster::block_on(model.predict_dataset(&device, dataset))
                .map_err(|error| error.to_string())?;
            (reference, predicted.predictions)
        }
        LoadedModel::Onnx(model) => {
            let Some(reference) = &model.answers_reference else {
                return Ok(None);
            };
            let Ok(rows) = model.dataset_rows(dataset) else {
                return Ok(None);
            };
            let answers = model.predict(&rows).map_err(|error| error.to_string())?;
            (reference, answers.predictions(&model.class_names))
        }
    };
    Ok(Some(monitor::prediction_drift(
        predictions.0,
        &predictions.1,
    )))
}

fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

/// The report as the terminal shows it: schema changes, one line per column (most drifted
/// first), the verdict.
fn table(report: &DriftReport) -> String {
    let mut out = format!(
        "{}: {} rows against {} training rows\n",
        report.source, report.rows, report.reference_rows
    );
    for (label, columns) in [
        (
            "missing columns (the model imputes them)",
            &report.missing_columns,
        ),
        ("columns the model does not read", &report.extra_columns),
        ("columns no longer numbers", &report.retyped_columns),
    ] {
        if !columns.is_empty() {
            out.push_str(&format!("{label}: {}\n", columns.join(", ")));
        }
    }
    let width = report
        .columns
        .iter()
        .chain(&report.prediction)
        .map(|c| c.column.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    out.push_str(&format!(
        "{:<width$}  {:<23}  {:>9}  {:>9}  {:<5}  {:>7}  {:>17}  {:>8}\n",
        "column", "test", "score", "threshold", "drift", "PSI", "missing train→new", "outside"
    ));
    for column in report.columns.iter().chain(&report.prediction) {
        out.push_str(&format!(
            "{:<width$}  {:<23}  {:>9}  {:>9}  {:<5}  {:>7}  {:>17}  {:>8}\n",
            column.column,
            column.test.name(),
            format::number(column.score),
            format::number(column.threshold),
            if column.drifted { "yes" } else { "no" },
            format::number(column.psi),
            format!(
                "{} → {}",
                percent(column.missing_reference),
                percent(column.missing_new)
            ),
            percent(column.outside),
        ));
    }
    if let Some(prediction) = &report.prediction {
        out.push_str(&format!(
            "{}: the model's answers on these rows against its answers on the test split ({}; not counted below)\n",
            prediction.column,
            if prediction.drifted { "drifted" } else { "no drift" }
        ));
    }
    if let Some(over_time) = &report.over_time {
        out.push_str(&format!(
            "over time, by {} ({} chunks of equal rows):\n",
            over_time.column,
            over_time.chunks.len()
        ));
        for chunk in &over_time.chunks {
            out.push_str(&format!(
                "  {} – {}  {:>6} rows  {:>7} drifted{}\n",
                chunk.from,
                chunk.to,
                chunk.rows,
                percent(chunk.drifted_share),
                if chunk.drifted.is_empty() {
                    String::new()
                } else {
                    format!(": {}", chunk.drifted.join(", "))
                }
            ));
        }
    }
    let judged = report.columns.len() + report.missing_columns.len();
    let drifted = (report.drifted_share * judged as f64).round() as usize;
    out.push_str(&format!(
        "dataset: {drifted} of {judged} columns drifted ({}); {}\n",
        percent(report.drifted_share),
        if report.dataset_drift {
            format!(
                "DRIFT (at least {} of the columns)",
                percent(monitor::DATASET_SHARE)
            )
        } else {
            "no dataset drift".to_string()
        }
    ));
    out
}
