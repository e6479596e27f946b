//! `hearth explain`: why a `.hearth` model answered what it did for one row of a CSV file —
//! each column's contribution (sampled Shapley values over background rows of the same file),
//! from the base value to the prediction.

use std::path::PathBuf;

use clap::Args;

use super::DialectArgs;
use crate::compute;
use crate::data;
use crate::explain::{self, Explanation, RawRow};
use crate::format;
use crate::prep::{Matrix, Prediction, TargetEncoding};
use crate::rng::SplitMix64;
use crate::train::ModelFile;

#[derive(Args)]
pub(super) struct ExplainArgs {
    /// The model file written by `hearth train` or `hearth automl`.
    model: PathBuf,
    /// A CSV file with the columns the model reads: the row to explain and the background rows.
    file: PathBuf,
    /// The data row to explain, counted from 1 (the header is not a row).
    #[arg(long, default_value_t = 1)]
    row: usize,
    /// Background rows drawn from the file (each sample starts from one of them).
    #[arg(long, default_value_t = 100)]
    background: usize,
    /// Pairs of random column orders (each walked forwards and backwards).
    #[arg(long, default_value_t = 100)]
    pairs: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print the explanation as JSON instead of a waterfall.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    dialect: DialectArgs,
}

/// Runs `hearth explain`.
pub(super) fn run(args: &ExplainArgs) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.model)
        .map_err(|error| format!("Could not read {}: {error}.", args.model.display()))?;
    let model = ModelFile::from_json(&text)
        .map_err(|error| format!("{}: {error}", args.model.display()))?;
    let dataset = data::read_csv_path(&args.file, args.dialect.options())
        .map_err(|error| error.to_string())?;
    if args.row == 0 || args.row > dataset.rows {
        return Err(format!(
            "--row {}: {} has data rows 1 to {}.",
            args.row, dataset.source, dataset.rows
        ));
    }
    // The model reads its columns by name: lay the file's fields out as the pipeline's columns.
    let pipeline = &model.pipeline;
    let positions: Vec<Option<usize>> = pipeline
        .columns
        .iter()
        .map(|name| dataset.columns.iter().position(|c| &c.name == name))
        .collect();
    let raw_row = |row: usize| -> RawRow {
        positions
            .iter()
            .map(|p| {
                p.and_then(|i| dataset.columns.get(i))
                    .and_then(|c| c.raw(row))
            })
            .collect()
    };
    let row = raw_row(args.row - 1);
    let mut rng = SplitMix64::new(args.seed);
    let background: Vec<RawRow> = (0..args.background.clamp(1, dataset.rows))
        .map(|_| raw_row(rng.below(dataset.rows as u64) as usize))
        .collect();
    let inputs: Vec<usize> = pipeline.steps.iter().map(|s| s.input).collect();
    let device = compute::init_cpu();
    let width = model.head.outputs();
    // Explain the answer as the user reads it: the predicted class's probability, or the value
    // in the target's units.
    let answer = |outputs: &[f32]| -> Vec<f32> {
        match &pipeline.target_encoding {
            TargetEncoding::Regression { .. } => outputs
                .chunks(width.max(1))
                .map(|o| pipeline.decode_value(o.first().copied().unwrap_or(0.0)) as f32)
                .collect(),
            TargetEncoding::Labels { .. } => outputs.to_vec(),
        }
    };
    let predict = |rows: &[RawRow]| -> Result<Vec<f32>, String> {
        let mut values = Vec::with_capacity(rows.len() * pipeline.width());
        for row in rows {
            let fields: Vec<Option<&str>> = row.iter().map(|f| f.as_deref()).collect();
            values.extend(pipeline.transform_row(&fields));
        }
        let matrix = Matrix {
            rows: rows.len(),
            cols: pipeline.width(),
            values,
            feature_names: pipeline.feature_names.clone(),
        };
        pollster::block_on(model.predict_matrix(&device, &matrix))
            .map(|outputs| answer(&outputs))
            .map_err(|error| error.to_string())
    };
    let explained_width = match pipeline.target_encoding {
        TargetEncoding::Regression { .. } => 1,
        TargetEncoding::Labels { .. } => width,
    };
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
    if args.json {
        let json = serde_json::to_string_pretty(&explanation).map_err(|error| error.to_string())?;
        println!("{json}");
        return Ok(());
    }
    print!("{}", waterfall(&model, &row, &explanation, args.row));
    Ok(())
}

/// The output to show: the predicted class's probability (class 1's for a binary model,
/// which has one output), or the value.
fn shown_output(model: &ModelFile, explanation: &Explanation) -> (usize, String) {
    let outputs: Vec<f32> = explanation.prediction.iter().map(|&p| p as f32).collect();
    match (
        &model.pipeline.target_encoding,
        model.pipeline.decode_prediction(&outputs),
    ) {
        (TargetEncoding::Labels { classes }, Some(Prediction::Class { index, .. })) => {
            if explanation.prediction.len() == 1 {
                let class1 = classes.get(1).cloned().unwrap_or_default();
                (0, format!("P({} = {class1})", model.pipeline.target))
            } else {
                let index = index as usize;
                let class = classes.get(index).cloned().unwrap_or_default();
                (index, format!("P({} = {class})", model.pipeline.target))
            }
        }
        _ => (0, model.pipeline.target.clone()),
    }
}

fn waterfall(
    model: &ModelFile,
    row: &[Option<String>],
    explanation: &Explanation,
    number: usize,
) -> String {
    let (output, label) = shown_output(model, explanation);
    let pipeline = &model.pipeline;
    let mut lines: Vec<(f64, String)> = explanation
        .contributions
        .iter()
        .map(|c| {
            let name = pipeline.columns.get(c.input).cloned().unwrap_or_default();
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
