//! `hearth export`: prune and quantize a trained model, compare the variants with the float32
//! model, and write one of them as an ONNX file with its preprocessing.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use super::{DialectArgs, PreparedFile, prepare_dataset};
use crate::compress::{
    self, Calibration, CompressionReport, EvaluationRows, Granularity, PruneScope, PruneSettings,
    Pruner, Quantization, SparsityPoint,
};
use crate::data;
use crate::export;
use crate::prep::Matrix;
use crate::train::{ModelFile, TrainingData};

#[derive(Args)]
pub(super) struct ExportArgs {
    /// The model file written by `hearth train`.
    model: PathBuf,
    /// The numeric form of the exported network: none (float32), fp16 (float16 weights),
    /// dynamic (int8 weights, activations quantized at run time) or static (int8 weights and
    /// activations, calibrated).
    #[arg(long, value_enum, default_value = "none")]
    quantize: QuantizeChoice,
    /// int8 weight scales: one per output unit (channel) or one per layer (tensor).
    #[arg(long, value_enum, default_value = "channel")]
    granularity: GranularityChoice,
    /// A CSV file whose rows calibrate static int8 (default: the training rows of --data).
    #[arg(long)]
    calibration: Option<PathBuf>,
    /// How static int8 sets each layer's input range: minmax, or a percentile such as 99.99.
    #[arg(long, default_value = "minmax")]
    calibration_method: String,
    /// Prune this share of the dense weights (from 0 up to 1) by magnitude before quantizing.
    #[arg(long)]
    prune: Option<f64>,
    /// Rank weights over the whole network (global) or within each layer (layer).
    #[arg(long, value_enum, default_value = "global")]
    prune_scope: ScopeChoice,
    /// Reach the sparsity in this many stages (gradual pruning).
    #[arg(long, default_value_t = 1)]
    prune_stages: usize,
    /// Training epochs after each pruning stage, with the removed weights held at zero
    /// (needs --data).
    #[arg(long, default_value_t = 0)]
    fine_tune_epochs: usize,
    /// The CSV file the model was trained on: its validation and test rows give the metrics
    /// of every variant, its training rows calibrate and fine-tune.
    #[arg(long)]
    data: Option<PathBuf>,
    /// The preprocessing settings the model was trained with (as for `hearth train`), so that
    /// --data splits into the same rows.
    #[arg(long)]
    prep_config: Option<PathBuf>,
    /// Where to write the ONNX file.
    #[arg(long)]
    out: PathBuf,
    /// Also write the comparison report as JSON.
    #[arg(long)]
    report: Option<PathBuf>,
    #[command(flatten)]
    dialect: DialectArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum QuantizeChoice {
    None,
    Fp16,
    Dynamic,
    Static,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum GranularityChoice {
    Channel,
    Tensor,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ScopeChoice {
    Global,
    Layer,
}

/// Runs `hearth export`.
pub(super) fn run(args: &ExportArgs) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.model)
        .map_err(|error| format!("Could not read {}: {error}.", args.model.display()))?;
    let trained = ModelFile::from_json(&text)
        .map_err(|error| format!("{}: {error}", args.model.display()))?;
    let granularity = match args.granularity {
        GranularityChoice::Channel => Granularity::PerChannel,
        GranularityChoice::Tensor => Granularity::PerTensor,
    };
    let calibration_method = parse_calibration(&args.calibration_method)?;
    let data = match &args.data {
        Some(path) => Some(training_data(args, path, &trained)?),
        None => None,
    };
    let calibration = match (&args.calibration, &data) {
        (Some(path), _) => Some(calibration_rows(args, path, &trained)?),
        (None, Some(data)) => Some(data.train.features.clone()),
        (None, None) => None,
    };
    if args.quantize == QuantizeChoice::Static && calibration.is_none() {
        return Err("--quantize static needs calibration rows: give --calibration FILE.csv or --data FILE.csv (its training rows calibrate).".to_string());
    }
    if args.fine_tune_epochs > 0 && data.is_none() {
        return Err(
            "--fine-tune-epochs needs --data FILE.csv, the rows the model was trained on."
                .to_string(),
        );
    }
    if args.fine_tune_epochs > 0 && args.prune.is_none() {
        return Err(
            "--fine-tune-epochs applies after pruning; give --prune SPARSITY too.".to_string(),
        );
    }
    if !compress::quantizable(&trained) && args.quantize != QuantizeChoice::None {
        return Err(format!(
            "{}: --quantize applies to networks; gradient-boosted trees are exported as they are (float32).",
            args.model.display()
        ));
    }
    if args.prune.is_some() && trained.weights().is_err() {
        return Err(format!(
            "{}: --prune applies to one network; this model is {}.",
            args.model.display(),
            if trained.booster().is_some() {
                "gradient-boosted trees"
            } else {
                "an ensemble"
            }
        ));
    }
    let mut out = String::new();
    let (model, curve) = match args.prune {
        Some(sparsity) => prune(args, sparsity, &trained, data.as_ref(), &mut out)?,
        None => (trained.clone(), Vec::new()),
    };
    let static_int8 = Quantization::StaticInt8 {
        granularity,
        calibration: calibration_method,
    };
    let chosen = match args.quantize {
        QuantizeChoice::None => Quantization::None,
        QuantizeChoice::Fp16 => Quantization::Float16,
        QuantizeChoice::Dynamic => Quantization::DynamicInt8 { granularity },
        QuantizeChoice::Static => static_int8,
    };
    let variants = Quantization::variants(
        granularity,
        calibration.as_ref().map(|_| calibration_method),
    );
    let rows = EvaluationRows {
        valid: data.as_ref().and_then(|d| d.valid.as_deref()),
        test: data.as_ref().and_then(|d| d.test.as_deref()),
    };
    let mut compared = export::compare(&model, &variants, calibration.as_ref(), rows)
        .map_err(|error| error.to_string())?;
    let bytes = match compared.take_file(chosen) {
        Some(bytes) => bytes,
        None => export::to_onnx_quantized(&model, chosen, calibration.as_ref())
            .map_err(|error| error.to_string())?,
    };
    let mut report = compared.report;
    report.curve = curve;
    out.push_str(&render_report(&trained, &report, chosen));
    std::fs::write(&args.out, &bytes)
        .map_err(|error| format!("Could not write {}: {error}.", args.out.display()))?;
    let _ = writeln!(
        out,
        "wrote {} ({} bytes, {})",
        args.out.display(),
        bytes.len(),
        chosen.label()
    );
    if let Some(path) = &args.report {
        let json = serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
        std::fs::write(path, json + "\n")
            .map_err(|error| format!("Could not write {}: {error}.", path.display()))?;
        let _ = writeln!(out, "wrote {}", path.display());
    }
    print!("{out}");
    Ok(())
}

/// `minmax` or a percentile.
fn parse_calibration(text: &str) -> Result<Calibration, String> {
    if text.eq_ignore_ascii_case("minmax") {
        return Ok(Calibration::MinMax);
    }
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(percentile) if percentile.is_finite() && (50.0..=100.0).contains(&percentile) => {
            Ok(Calibration::Percentile { percentile })
        }
        _ => Err(format!(
            "--calibration-method {text}: give minmax or a percentile from 50 to 100, e.g. 99.99."
        )),
    }
}

/// The model's training, validation and test rows from the file it was trained on, checked to
/// give the model's own preprocessing (so the split is the same). The defaults of `hearth
/// train` / `search` are tried, then those of `hearth automl` (both under --prep-config).
fn training_data(
    args: &ExportArgs,
    path: &std::path::Path,
    model: &ModelFile,
) -> Result<TrainingData, String> {
    let prepare = |dataset, profile, automl: bool| {
        prepare_dataset(
            dataset,
            profile,
            &model.pipeline.target,
            Some(model.task),
            args.prep_config
                .as_deref()
                .map(|path| ("--prep-config", path)),
            None,
            automl,
        )
    };
    let dataset =
        data::read_csv_path(path, args.dialect.options()).map_err(|error| error.to_string())?;
    let profile = data::profile(&dataset);
    let mut file = prepare(dataset, profile, false)?;
    if file.prepared.pipeline != model.pipeline {
        file = prepare(file.dataset, file.profile, true)?;
    }
    let PreparedFile {
        dataset, prepared, ..
    } = file;
    if prepared.pipeline != model.pipeline {
        return Err(format!(
            "--data {}: the preprocessing fitted on it differs from the model's, so its rows would not split as in training; give the file the model was trained on and the --prep-config it used.",
            path.display()
        ));
    }
    TrainingData::from_prepared(&prepared, &dataset).map_err(|error| error.to_string())
}

/// The calibration file's rows, transformed by the model's pipeline (the target may be
/// absent).
fn calibration_rows(
    args: &ExportArgs,
    path: &std::path::Path,
    model: &ModelFile,
) -> Result<Matrix, String> {
    let dataset = data::read_csv_path(path, args.dialect.options())
        .map_err(|error| format!("--calibration {}: {error}", path.display()))?;
    let rows: Vec<usize> = (0..dataset.rows).collect();
    let matrix = model
        .pipeline
        .transform_dataset(&dataset, &rows)
        .map_err(|error| format!("--calibration {}: {error}", path.display()))?;
    if matrix.rows == 0 {
        return Err(format!(
            "--calibration {}: the file has no rows to calibrate on.",
            path.display()
        ));
    }
    Ok(matrix)
}

/// Prunes the model (gradually with fine-tuning when asked); returns it with the
/// sparsity-versus-validation curve (one-shot levels, then the stages run).
fn prune(
    args: &ExportArgs,
    sparsity: f64,
    model: &ModelFile,
    data: Option<&TrainingData>,
    out: &mut String,
) -> Result<(ModelFile, Vec<SparsityPoint>), String> {
    let settings = PruneSettings {
        sparsity,
        scope: match args.prune_scope {
            ScopeChoice::Global => PruneScope::Global,
            ScopeChoice::Layer => PruneScope::PerLayer,
        },
        stages: args.prune_stages,
        fine_tune_epochs: args.fine_tune_epochs,
        ..PruneSettings::default()
    };
    settings.validate().map_err(|error| error.to_string())?;
    let mut curve = match data.and_then(|d| d.valid.as_ref()) {
        Some(valid) => {
            compress::sparsity_curve(model, &compress::CURVE_LEVELS, settings.scope, valid)
                .map_err(|error| error.to_string())?
        }
        None => Vec::new(),
    };
    let pruned = match data {
        Some(data) if settings.fine_tune_epochs > 0 => {
            let mut pruner = Pruner::new(
                crate::compute::init_cpu(),
                model,
                data.train.clone(),
                data.valid.clone(),
                &settings,
            )
            .map_err(|error| error.to_string())?;
            while !pruner.done() {
                let stage =
                    pollster::block_on(pruner.next_stage()).map_err(|error| error.to_string())?;
                let _ = writeln!(
                    out,
                    "prune stage {}/{}: sparsity {:.4}, {} fine-tuning epochs{}",
                    stage.stage,
                    stage.stages,
                    stage.sparsity,
                    stage.epochs,
                    stage
                        .valid_metrics
                        .map(|m| format!(", valid {}", m.summary()))
                        .unwrap_or_default()
                );
            }
            curve.extend(pruner.curve().iter().cloned());
            pruner.model().clone()
        }
        _ => {
            compress::prune_model(model, &settings)
                .map_err(|error| error.to_string())?
                .0
        }
    };
    let _ = writeln!(
        out,
        "pruned: {:.4} of the dense weights are zero ({} scope)",
        compress::dense_sparsity(pruned.weights().map_err(|error| error.to_string())?),
        match settings.scope {
            PruneScope::Global => "global",
            PruneScope::PerLayer => "per-layer",
        }
    );
    Ok((pruned, curve))
}

/// The comparison as a table for a terminal.
fn render_report(trained: &ModelFile, report: &CompressionReport, chosen: Quantization) -> String {
    let mut out = String::new();
    let (metric_name, _) = trained
        .test_metrics
        .as_ref()
        .or(trained.valid_metrics.as_ref())
        .map_or(("metric", 0.0), compress::headline);
    if report.members > 0 {
        let _ = writeln!(
            out,
            "ensemble of {} models: {} parameters and tree nodes (trees stay float32)",
            report.members, report.parameters
        );
    } else if report.trees {
        let _ = writeln!(
            out,
            "trees: {} nodes (gradient-boosted trees are exported in float32)",
            report.parameters
        );
    } else {
        let _ = writeln!(
            out,
            "network: {} parameters, {:.4} of the dense weights zero",
            report.parameters, report.sparsity
        );
    }
    if !report.curve.is_empty() {
        let _ = writeln!(out, "sparsity  valid {metric_name}  (pruning curve)");
        for point in &report.curve {
            let value = point.valid_metrics.as_ref().map_or("-".to_string(), |m| {
                crate::format::score(compress::headline(m).1)
            });
            let _ = writeln!(
                out,
                "{:>8.4}  {value:>10}{}",
                point.sparsity,
                if point.fine_tuned { "  fine-tuned" } else { "" }
            );
        }
    }
    let reference_test = report
        .variants
        .iter()
        .find(|v| v.quantization == Quantization::None)
        .and_then(|v| v.test_metrics.as_ref())
        .map(|m| compress::headline(m).1);
    let _ = writeln!(
        out,
        "{:<14} {:>10} {:>6} {:>10} {:>10} {:>7} {:>10} {:>10} {:>7}",
        "variant",
        "bytes",
        "ratio",
        format!("valid {}", short(metric_name)),
        format!("test {}", short(metric_name)),
        "Δtest",
        "max diff",
        "mean diff",
        "argmax"
    );
    for variant in &report.variants {
        let points =
            |m: &Option<crate::train::Metrics>| m.as_ref().map(|m| compress::headline(m).1);
        let shown = |v: Option<f64>| v.map_or("-".to_string(), crate::format::score);
        let test = points(&variant.test_metrics);
        let drop = match (test, reference_test) {
            (Some(t), Some(r)) => format!("{:+.4}", t - r),
            _ => "-".to_string(),
        };
        let (max, mean) = if variant.rows_compared > 0 {
            (
                format!("{:.2e}", variant.max_output_difference),
                format!("{:.2e}", variant.mean_output_difference),
            )
        } else {
            ("-".to_string(), "-".to_string())
        };
        let _ = writeln!(
            out,
            "{:<14} {:>10} {:>6.3} {:>10} {:>10} {:>7} {:>10} {:>10} {:>7}{}",
            variant.quantization.label(),
            variant.onnx_bytes,
            variant.size_ratio,
            shown(points(&variant.valid_metrics)),
            shown(test),
            drop,
            max,
            mean,
            variant
                .argmax_agreement
                .map_or("-".to_string(), |a| format!("{:.2}%", a * 100.0)),
            if variant.quantization == chosen {
                "  <- written"
            } else {
                ""
            }
        );
    }
    if report.variants.iter().all(|v| v.rows_compared == 0) {
        let _ = writeln!(
            out,
            "note: give --data FILE.csv (the training file) for metrics and output differences"
        );
    }
    out
}

fn short(metric: &str) -> &str {
    match metric {
        "accuracy" => "acc",
        other => other,
    }
}
