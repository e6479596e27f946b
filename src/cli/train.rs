//! `hearth train`: prepare the data, choose the device, train epoch by epoch and save the
//! model as a `.hearth` file.

use std::path::PathBuf;

use clap::Args;

use super::{DataArgs, DeviceChoice, DialectArgs, PreparedFile, read_settings, training_data};
use crate::compute;
use crate::prep::FittedPipeline;
use crate::train::gbdt::GbdtSettings;
use crate::train::{
    Architecture, DeviceChoiceError, DevicePreference, DeviceRequest, DeviceSelection, Examples,
    GpuOffer, ModelFile, ModelKind, OptimizerKind, TrainConfig, Trainer, choose_device,
};

#[derive(Args)]
pub(super) struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The model family: linear (linear/logistic/softmax regression), mlp, or gbdt
    /// (gradient-boosted trees; an epoch is 10 boosting rounds, on the CPU).
    #[arg(long, value_enum)]
    model: Option<ModelChoice>,
    /// Hidden layer sizes of the MLP, e.g. 64,32 (implies --model mlp).
    #[arg(long)]
    hidden: Option<String>,
    /// The networks' optimiser; newton (the linear model only) fits it exactly on the CPU,
    /// one Newton step an epoch.
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerChoice>,
    /// The most epochs to train.
    #[arg(long)]
    epochs: Option<usize>,
    /// The peak learning rate (the trees' shrinkage with --model gbdt).
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

#[derive(Clone, Copy, clap::ValueEnum)]
enum ModelChoice {
    Linear,
    Mlp,
    Gbdt,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OptimizerChoice {
    Adam,
    Adamw,
    Sgd,
    Newton,
}

/// The device for `choice` (auto times a burst of steps on each device), chosen by the same
/// engine call as the page's; the GPU is initialised only when it may be used.
fn train_device(
    choice: DeviceChoice,
    pipeline: &FittedPipeline,
    train: &Examples,
    config: &TrainConfig,
) -> Result<(burn::tensor::Device, DeviceSelection), String> {
    let (preference, gpu) = match choice {
        // Nothing to offer the GPU: what trains on the host does not use it.
        _ if config.host_training().is_some() => (
            DevicePreference::Cpu,
            GpuOffer::Missing("not initialised: the model trains on the host".to_string()),
        ),
        DeviceChoice::Cpu => (
            DevicePreference::Cpu,
            GpuOffer::Missing("not initialised: --device cpu".to_string()),
        ),
        DeviceChoice::Wgpu | DeviceChoice::Auto => {
            let gpu = match pollster::block_on(compute::init_wgpu()) {
                Ok(device) => GpuOffer::Ready(device),
                Err(error) => GpuOffer::Missing(error.to_string()),
            };
            let preference = match choice {
                DeviceChoice::Wgpu => DevicePreference::Gpu,
                _ => DevicePreference::Auto,
            };
            (preference, gpu)
        }
    };
    let request = DeviceRequest {
        preference,
        gpu,
        chosen_reason: "chosen with --device",
        time_lone_cpu: true,
    };
    pollster::block_on(choose_device(request, pipeline, train, config, || {})).map_err(|error| {
        match error {
            DeviceChoiceError::NoGpu(reason) => format!("--device wgpu: {reason}."),
            DeviceChoiceError::Timing(error) => error.to_string(),
        }
    })
}

/// The training settings: the config file, then the flags.
fn train_config(args: &TrainArgs) -> Result<TrainConfig, String> {
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
        (Some(ModelChoice::Gbdt), Some(_)) => {
            return Err("--hidden applies to --model mlp, not to --model gbdt.".to_string());
        }
        (Some(ModelChoice::Gbdt), None) => {
            if !matches!(config.model, ModelKind::Gbdt(_)) {
                config.model = ModelKind::Gbdt(GbdtSettings::default());
            }
        }
        (Some(ModelChoice::Mlp), hidden) | (None, hidden @ Some(_)) => {
            let mut mlp = config.model.mlp_or_default();
            if let Some(hidden) = hidden {
                mlp.hidden = hidden;
            }
            config.model = ModelKind::Mlp(mlp);
        }
        (None, None) => {}
    }
    if let Some(optimizer) = args.optimizer {
        config.optimizer = match optimizer {
            OptimizerChoice::Adam => OptimizerKind::Adam,
            OptimizerChoice::Adamw => OptimizerKind::AdamW,
            OptimizerChoice::Sgd => match config.optimizer {
                sgd @ OptimizerKind::Sgd { .. } => sgd,
                _ => OptimizerKind::Sgd { momentum: 0.9 },
            },
            OptimizerChoice::Newton => OptimizerKind::Newton,
        };
    }
    if let Some(epochs) = args.epochs {
        config.epochs = epochs;
    }
    if let Some(lr) = args.lr {
        match &mut config.model {
            ModelKind::Gbdt(trees) => trees.learning_rate = lr,
            _ => config.learning_rate = lr,
        }
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
fn parse_hidden(text: &str) -> Result<Vec<usize>, String> {
    text.split(',')
        .map(|part| part.trim().parse::<usize>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            format!("--hidden {text}: give the hidden layer sizes as whole numbers separated by commas, e.g. 64,32.")
        })
}

/// Runs `hearth train`.
pub(super) fn run(args: &TrainArgs) -> Result<(), String> {
    let config = train_config(args)?;
    let target = args.data.target.as_str();
    let (
        PreparedFile {
            profile,
            plan,
            prepared,
            ..
        },
        data,
    ) = training_data(
        &args.data,
        &args.dialect,
        args.prep_config.as_deref(),
        false,
    )?;
    let task = plan.task;
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
    let parameters = Architecture::new(
        &config.model,
        data.train.features.cols,
        trainer.head().outputs(),
    )
    .parameters();
    let shape = if config.optimizer == OptimizerKind::Newton {
        format!(
            "{} ({parameters} parameters), Newton's method on every row, weight decay {}",
            config.model.label(),
            config.weight_decay,
        )
    } else if config.model.is_network() {
        format!(
            "{} ({parameters} parameters), {} lr {} {}, batch {}",
            config.model.label(),
            config.optimizer.name(),
            config.learning_rate,
            config.schedule.label(),
            config.batch_size,
        )
    } else {
        format!(
            "{}, {} boosting rounds per epoch",
            config.model.label(),
            crate::train::ROUNDS_PER_EPOCH
        )
    };
    println!(
        "model: {shape}, up to {} epochs{}",
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
        Some(test) => Some(pollster::block_on(trainer.test(test)).map_err(|e| e.to_string())?),
        None => None,
    };
    if let Some(test) = &test {
        println!("test: {}", test.metrics.summary());
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
