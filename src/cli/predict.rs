//! `hearth predict`: predict every row of a CSV file with a `.hearth` model and write the
//! predictions (and class probabilities) as CSV.

use std::path::PathBuf;

use clap::Args;

use super::{DeviceChoice, DialectArgs, csv_field};
use crate::compute;
use crate::data;
use crate::prep::{self, Prediction};
use crate::train::ModelFile;

#[derive(Args)]
pub(super) struct PredictArgs {
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

/// Runs `hearth predict`.
pub(super) fn run(args: &PredictArgs) -> Result<(), String> {
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
