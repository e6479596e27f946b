//! `hearth predict`: predict every row of a CSV file with a `.hearth` model or an exported ONNX
//! file and write the predictions (and class probabilities) as CSV.

use std::path::PathBuf;

use clap::Args;

use super::{DeviceChoice, DialectArgs, LoadedModel, csv_field, load_model};
use crate::clock::Stopwatch;
use crate::compute;
use crate::data;
use crate::data::{Column, Dataset};
use crate::infer::{Answers, BatchScore, OnnxModel, batch_score};
use crate::prep::Prediction;
use crate::train::{Metrics, ModelFile};

#[derive(Args)]
pub(super) struct PredictArgs {
    /// The model: a `.hearth` file (`hearth train`, `hearth automl`) or an exported `.onnx`
    /// file (`hearth export`, the page's Export step), run by tract as it is.
    model: PathBuf,
    /// The CSV file with the columns the model reads (the target may be absent).
    file: PathBuf,
    /// Where to write the predictions as CSV (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Where to run a `.hearth` model (an ONNX file runs on the CPU).
    #[arg(long, value_enum, default_value = "cpu")]
    device: DeviceChoice,
    #[command(flatten)]
    dialect: DialectArgs,
}

/// Runs `hearth predict`: a `.hearth` file through burn, or an exported `.onnx` file through
/// tract (the file as the user downloaded it).
pub(super) fn run(args: &PredictArgs) -> Result<(), String> {
    let model = load_model(&args.model)?;
    let dataset = data::read_csv_path(&args.file, args.dialect.options())
        .map_err(|error| error.to_string())?;
    let table = match model {
        LoadedModel::File(model) => predict_model_file(args, &model, &dataset)?,
        LoadedModel::Onnx(model) => predict_onnx(&model, &dataset)?,
    };
    let mut out = String::new();
    let mut header = vec![csv_field(&format!("predicted_{}", table.target))];
    header.extend(table.classes.iter().map(|c| csv_field(&format!("p_{c}"))));
    out.push_str(&header.join(","));
    out.push('\n');
    for (prediction, probabilities) in table.predictions.iter().zip(&table.probabilities) {
        let mut fields = vec![prediction.clone()];
        fields.extend(probabilities.iter().map(|p| format!("{p}")));
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    match &args.out {
        Some(path) => {
            std::fs::write(path, out)
                .map_err(|error| format!("Could not write {}: {error}.", path.display()))?;
            let rows = table.predictions.len();
            println!(
                "wrote {}: {rows} predictions; the model answered in {:.1} ms ({:.0} rows/s)",
                path.display(),
                table.model_ms,
                rows as f64 / (table.model_ms / 1000.0).max(1e-9)
            );
            // With the standard output free, score the batch when the file has the target.
            if let Some(column) = dataset.column(&table.target) {
                print!(
                    "{}",
                    batch_metrics(&table, column, dataset.dialect.decimal_comma)
                );
            }
        }
        None => print!("{out}"),
    }
    Ok(())
}

/// The batch's metrics against the file's own target column (rows without a usable target
/// left out), with the confusion matrix for classification.
fn batch_metrics(table: &Table, column: &Column, decimal_comma: bool) -> String {
    let answers = Answers {
        rows: table.predictions.len(),
        labels: Vec::new(),
        probabilities: table.probabilities.concat(),
        values: table.values.iter().map(|&v| v as f32).collect(),
    };
    let Some(BatchScore {
        scored, metrics, ..
    }) = batch_score(column, decimal_comma, &table.classes, &answers)
    else {
        return format!(
            "batch: no row has a usable \"{}\" to score the predictions with\n",
            table.target
        );
    };
    let mut out = format!(
        "batch: {scored} of {} rows have a known \"{}\": {}\n",
        table.predictions.len(),
        table.target,
        metrics.summary()
    );
    if let Metrics::Classification(scores) = &metrics {
        let width = table
            .classes
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(1)
            .max(4);
        out.push_str(&format!("{:>width$}  predicted →\n", "true ↓"));
        out.push_str(&format!("{:>width$}", ""));
        for class in &table.classes {
            out.push_str(&format!("  {class:>width$}"));
        }
        out.push('\n');
        for (class, row) in table.classes.iter().zip(&scores.confusion) {
            out.push_str(&format!("{class:>width$}"));
            for count in row {
                out.push_str(&format!("  {count:>width$}"));
            }
            out.push('\n');
        }
    }
    out
}

/// The predictions as `hearth predict` writes them: per row the class (a CSV field) or value,
/// and one probability per class.
struct Table {
    target: String,
    classes: Vec<String>,
    predictions: Vec<String>,
    /// Regression: each row's value (empty for classes).
    values: Vec<f64>,
    probabilities: Vec<Vec<f32>>,
    /// Milliseconds from the parsed file to the model's answers (preprocessing included).
    model_ms: f64,
}

fn predict_model_file(
    args: &PredictArgs,
    model: &ModelFile,
    dataset: &Dataset,
) -> Result<Table, String> {
    let device = match args.device {
        DeviceChoice::Wgpu | DeviceChoice::Auto => {
            pollster::block_on(compute::init_wgpu()).unwrap_or_else(|_| compute::init_cpu())
        }
        DeviceChoice::Cpu => compute::init_cpu(),
    };
    let clock = Stopwatch::start();
    let predictions = pollster::block_on(model.predict_dataset(&device, dataset))
        .map_err(|error| error.to_string())?;
    let model_ms = clock.elapsed_ms();
    let classes = model.pipeline.classes();
    let width = predictions.width.max(1);
    let mut table = Table {
        target: model.pipeline.target.clone(),
        classes: classes.to_vec(),
        predictions: Vec::new(),
        values: Vec::new(),
        probabilities: Vec::new(),
        model_ms,
    };
    for (row, prediction) in predictions.predictions.iter().enumerate() {
        let outputs = predictions
            .outputs
            .get(row * width..(row + 1) * width)
            .unwrap_or_default();
        table.predictions.push(match prediction {
            Prediction::Class { name, .. } => csv_field(name),
            Prediction::Value { value } => {
                table.values.push(*value);
                format!("{value}")
            }
        });
        table
            .probabilities
            .push(match (table.classes.is_empty(), outputs) {
                (true, _) => Vec::new(),
                (false, [p1]) => vec![1.0 - p1, *p1],
                (false, outputs) => outputs.to_vec(),
            });
    }
    Ok(table)
}

fn predict_onnx(model: &OnnxModel, dataset: &Dataset) -> Result<Table, String> {
    let clock = Stopwatch::start();
    let rows = model
        .dataset_rows(dataset)
        .map_err(|error| error.to_string())?;
    let answers = model
        .predict(&rows)
        .map_err(|error| format!("{}: {error}", dataset.source))?;
    let model_ms = clock.elapsed_ms();
    let classes = model.class_names.clone();
    let width = classes.len().max(1);
    let (predictions, probabilities) = if model.classifies() {
        (
            answers
                .labels
                .iter()
                .map(|label| csv_field(label))
                .collect(),
            answers
                .probabilities
                .chunks(width)
                .map(<[f32]>::to_vec)
                .collect(),
        )
    } else {
        (
            answers.values.iter().map(|v| format!("{v}")).collect(),
            vec![Vec::new(); answers.rows],
        )
    };
    Ok(Table {
        target: model.target.clone(),
        classes: classes.to_vec(),
        predictions,
        values: answers.values.iter().map(|&v| f64::from(v)).collect(),
        probabilities,
        model_ms,
    })
}
