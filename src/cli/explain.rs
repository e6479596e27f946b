//! `hearth explain`: why a `.hearth` model answered what it did for one row of a CSV file —
//! each column's contribution (sampled Shapley values over background rows of the same file),
//! from the base value to the prediction.

use std::path::PathBuf;

use clap::Args;

use super::{DialectArgs, LoadedModel, load_model};
use crate::compute;
use crate::data;
use crate::data::Dataset;
use crate::explain::{self, Explanation, RawRow};
use crate::format;
use crate::infer::OnnxModel;
use crate::prep::{Prediction, TargetEncoding};
use crate::train::ModelFile;

#[derive(Args)]
pub(super) struct ExplainArgs {
    /// The model: a `.hearth` file or an exported `.onnx` file.
    model: PathBuf,
    /// A CSV file with the columns the model reads: the row to explain and the background rows.
    file: PathBuf,
    /// The data row to explain, counted from 1 (the header is not a row).
    #[arg(long, default_value_t = 1)]
    row: usize,
    /// Background rows drawn from the file (each sample starts from one of them).
    #[arg(long, default_value_t = explain::BACKGROUND_ROWS)]
    background: usize,
    /// Pairs of random column orders (each walked forwards and backwards).
    #[arg(long, default_value_t = explain::PAIRS)]
    pairs: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print the explanation as JSON instead of a waterfall.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    dialect: DialectArgs,
}

/// Runs `hearth explain` on a `.hearth` file (burn) or an exported `.onnx` file (tract).
pub(super) fn run(args: &ExplainArgs) -> Result<(), String> {
    let model = load_model(&args.model)?;
    let dataset = data::read_csv_path(&args.file, args.dialect.options())
        .map_err(|error| error.to_string())?;
    if args.row == 0 || args.row > dataset.rows {
        return Err(format!(
            "--row {}: {} has data rows 1 to {}.",
            args.row, dataset.source, dataset.rows
        ));
    }
    match model {
        LoadedModel::File(model) => explain_model_file(args, &model, &dataset),
        LoadedModel::Onnx(model) => explain_onnx(args, &model, &dataset),
    }
}

/// The row to explain and the background rows, laid out as `columns` (the model's raw
/// columns by name; a column the file lacks is missing).
fn rows_of(args: &ExplainArgs, dataset: &Dataset, columns: &[String]) -> (RawRow, Vec<RawRow>) {
    (
        explain::dataset_row(dataset, columns, args.row - 1),
        explain::sample_background(dataset, columns, args.background.max(1), args.seed),
    )
}

fn explain_model_file(
    args: &ExplainArgs,
    model: &ModelFile,
    dataset: &Dataset,
) -> Result<(), String> {
    let pipeline = &model.pipeline;
    let (row, background) = rows_of(args, dataset, &pipeline.columns);
    let inputs: Vec<usize> = pipeline.steps.iter().map(|s| s.input).collect();
    let device = compute::init_cpu();
    let width = model.head.outputs();
    let regression = matches!(pipeline.target_encoding, TargetEncoding::Regression { .. });
    // Explain the answer as the user reads it: probabilities, or the value in the target's
    // units.
    let predict = |rows: &[RawRow]| -> Result<Vec<f32>, String> {
        let fields: Vec<Vec<Option<&str>>> = rows
            .iter()
            .map(|row| row.iter().map(Option::as_deref).collect())
            .collect();
        let predictions = pollster::block_on(model.predict_rows(&device, &fields))
            .map_err(|error| error.to_string())?;
        Ok(if regression {
            predictions
                .predictions
                .iter()
                .map(|prediction| match prediction {
                    Prediction::Value { value } => *value as f32,
                    Prediction::Class { .. } => f32::NAN,
                })
                .collect()
        } else {
            predictions.outputs
        })
    };
    let explained_width = if regression { 1 } else { width };
    let explanation = explain::shapley(
        &row,
        &inputs,
        &background,
        args.pairs,
        args.seed,
        explained_width,
        predict,
    )
    .map_err(|error| error.to_string())?;
    let classes = pipeline.classes().to_vec();
    report(
        args,
        &pipeline.target,
        &classes,
        &pipeline.columns,
        &row,
        &explanation,
    )
}

fn explain_onnx(args: &ExplainArgs, model: &OnnxModel, dataset: &Dataset) -> Result<(), String> {
    let columns: Vec<String> = model.inputs.iter().map(|i| i.name.clone()).collect();
    let (row, background) = rows_of(args, dataset, &columns);
    let inputs: Vec<usize> = (0..columns.len()).collect();
    let predict = |rows: &[RawRow]| model.outputs(rows).map_err(|error| error.to_string());
    let width = model.class_names.len().max(1);
    let explanation = explain::shapley(
        &row,
        &inputs,
        &background,
        args.pairs,
        args.seed,
        width,
        predict,
    )
    .map_err(|error| error.to_string())?;
    report(
        args,
        &model.target,
        &model.class_names,
        &columns,
        &row,
        &explanation,
    )
}

fn report(
    args: &ExplainArgs,
    target: &str,
    classes: &[String],
    columns: &[String],
    row: &[Option<String>],
    explanation: &Explanation,
) -> Result<(), String> {
    if args.json {
        let json = serde_json::to_string_pretty(explanation).map_err(|error| error.to_string())?;
        println!("{json}");
    } else {
        print!(
            "{}",
            waterfall(target, classes, columns, row, explanation, args.row)
        );
    }
    Ok(())
}

/// The output to show and its name: the predicted class's probability (class 1's when a
/// binary model has one output), or the value.
fn shown_output(target: &str, classes: &[String], explanation: &Explanation) -> (usize, String) {
    let prediction = &explanation.prediction;
    match (classes, prediction.as_slice()) {
        ([], _) => (0, target.to_string()),
        ([_, class1], [_]) => (0, format!("P({target} = {class1})")),
        _ => {
            let best = prediction
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map_or(0, |(i, _)| i);
            let class = classes.get(best).cloned().unwrap_or_default();
            (best, format!("P({target} = {class})"))
        }
    }
}

fn waterfall(
    target: &str,
    classes: &[String],
    columns: &[String],
    row: &[Option<String>],
    explanation: &Explanation,
    number: usize,
) -> String {
    let (output, label) = shown_output(target, classes, explanation);
    let mut lines: Vec<(f64, String)> = explanation
        .contributions
        .iter()
        .map(|c| {
            let name = columns.get(c.input).cloned().unwrap_or_default();
            let value = row
                .get(c.input)
                .cloned()
                .flatten()
                .unwrap_or_else(|| "(missing)".to_string());
            let v = c.value.get(output).copied().unwrap_or(0.0);
            let se = c.standard_error.get(output).copied().unwrap_or(0.0);
            (
                v,
                format!(
                    "  {:>+10}  ± {:<9}  {name} = {value}\n",
                    format::number(v),
                    format::number(se)
                ),
            )
        })
        .collect();
    lines.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    let base = explanation.base.get(output).copied().unwrap_or(0.0);
    let prediction = explanation.prediction.get(output).copied().unwrap_or(0.0);
    let mut out = format!(
        "row {number}: {label}\n  {:>10}  base value (mean over the background rows)\n",
        format::number(base)
    );
    for (_, line) in lines {
        out.push_str(&line);
    }
    out.push_str(&format!(
        "  {:>10}  prediction\n{} column orders (antithetic pairs), {} model evaluations; ± is the standard error\n",
        format::number(prediction),
        explanation.samples,
        explanation.evaluations
    ));
    out
}
