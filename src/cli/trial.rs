//! `hearth trial`: trains one trial of a search for a caller that holds the study elsewhere —
//! the Optuna bridge (`python/hearth_optuna`), whose storage (a journal file, PostgreSQL, the
//! gRPC proxy) lets workers on many machines share one study.
//!
//! It speaks JSON lines on stdout: `{"event":"epoch","step":k,"value":v}` after every epoch,
//! then one final line — `complete` (with the value and the validation metrics), `pruned` or
//! `failed` (a trial that fails is a result, not an error: exit code 0). After each epoch it
//! reads one line on stdin, `prune` or `continue`, so that the caller's pruner decides; at the
//! end of stdin (or when stdin is a terminal) every epoch continues. `--describe` prints the
//! search space, the metric and its direction instead, which is how the bridge learns them.
//! With `--params -` it trains one trial per request line on stdin (`{"params": {…}, "seed":
//! N}`) until stdin ends, on data read and prepared once: a bridge worker keeps one such
//! process, so a trial costs neither a process start nor a preparation.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::search::{TrialSettingsArgs, check_metric};
use super::study::write_model;
use super::{DataArgs, DialectArgs, training_data};
use crate::compute::{self, Accelerator};
use crate::search::runner::{TrialSetup, run_trial};
use crate::search::{
    Budget, Decision, Domain, Objectives, Outcome, Params, PrunerKind, SamplerKind, Space,
    StudySettings, TrialTicket,
};

#[derive(Args)]
pub(super) struct TrialArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The trial's parameters as JSON, e.g. {"model": "mlp", "width": 32, "learning_rate": 0.01}
    /// (a parameter left out keeps the training settings' value), or - to read one trial per
    /// line on stdin, {"params": {...}, "seed": N}, until stdin ends.
    #[arg(long, required_unless_present = "describe")]
    params: Option<String>,
    /// The trial's training seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[command(flatten)]
    settings: TrialSettingsArgs,
    /// Where to train.
    #[arg(long, value_enum, default_value = "cpu")]
    device: TrialDevice,
    /// Save a complete trial's model (.hearth), e.g. to bring the best Optuna trial back.
    #[arg(long)]
    model_out: Option<PathBuf>,
    /// Print the search space, the metric and its direction as one JSON line, and exit.
    #[arg(long)]
    describe: bool,
    #[command(flatten)]
    dialect: DialectArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum TrialDevice {
    Cpu,
    Wgpu,
}

pub(super) fn run(args: &TrialArgs) -> Result<(), String> {
    let (prepared, data) = training_data(
        &args.data,
        &args.dialect,
        args.settings.prep_config.as_deref(),
        false,
    )?;
    let metric = args.settings.metric.unwrap_or_default();
    check_metric(metric, prepared.plan.task, data.valid.is_some())?;
    let space = args.settings.space(data.train.rows())?;
    let mut out = std::io::stdout().lock();
    if args.describe {
        let line = json!({
            "event": "describe",
            "space": space,
            "metric": metric.name(),
            "direction": if metric.higher_is_better() { "maximize" } else { "minimize" },
            "task": prepared.plan.task,
            "train_rows": data.train.rows(),
        });
        return emit(&mut out, &line);
    }
    let settings = StudySettings {
        seed: args.seed,
        sampler: SamplerKind::Random,
        pruner: PrunerKind::None,
        budget: Budget::default(),
        objectives: Objectives {
            primary: metric,
            second: None,
        },
        space,
        train: args.settings.train_config()?,
        rows_per_epoch: (data.train.rows() as u64).max(1),
        portfolio: false,
    };
    let (device, label) = match args.device {
        TrialDevice::Cpu => (compute::init_cpu(), Accelerator::Cpu.label().to_string()),
        TrialDevice::Wgpu => (
            pollster::block_on(compute::init_wgpu())
                .map_err(|error| format!("--device wgpu: {error}."))?,
            "GPU (wgpu)".to_string(),
        ),
    };
    let setup = TrialSetup {
        device,
        device_label: Some(label),
        pipeline: &prepared.prepared.pipeline,
        data: &data,
        settings: &settings,
        keep_model: args.model_out.is_some(),
        keep_outputs: false,
    };
    let stdin = std::io::stdin();
    let listen = !stdin.is_terminal();
    let mut input = stdin.lock();
    let params = args.params.as_deref().unwrap_or("{}");
    if params != "-" {
        let params = trial_params(params, &setup.settings.space)?;
        return run_one(
            &setup, params, args.seed, args, &mut out, &mut input, listen,
        );
    }
    if args.model_out.is_some() {
        return Err("--model-out saves one trial's model: give --params as JSON, not -.".into());
    }
    // One trial per request line, on data read and prepared once: what a worker of the Optuna
    // bridge runs, so that a trial costs no process start and no preparation.
    let mut line = String::new();
    loop {
        line.clear();
        let read = input
            .read_line(&mut line)
            .map_err(|error| format!("stdin could not be read: {error}."))?;
        if read == 0 {
            return Ok(());
        }
        if line.trim().is_empty() {
            continue;
        }
        let request = serde_json::from_str::<TrialRequest>(&line)
            .map_err(|error| {
                format!("a trial request is not {{\"params\": {{…}}, \"seed\": N}} ({error}).")
            })
            .and_then(|request| {
                let params =
                    serde_json::to_string(&request.params).map_err(|error| error.to_string())?;
                Ok((trial_params(&params, &setup.settings.space)?, request.seed))
            });
        match request {
            Ok((params, seed)) => {
                let seed = seed.unwrap_or(args.seed);
                run_one(&setup, params, seed, args, &mut out, &mut input, listen)?
            }
            // A bad request fails that trial; the next line is the next request.
            Err(error) => emit(
                &mut out,
                &json!({ "event": "failed", "step": 0, "error": error }),
            )?,
        }
    }
}

/// One line of `--params -`: a trial's parameters and training seed (default `--seed`).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TrialRequest {
    params: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    seed: Option<u64>,
}

/// Trains one trial: an epoch line after each epoch (then the answer on `input`, when it is
/// not a terminal), the final line, and the model when `--model-out` asks for it.
fn run_one(
    setup: &TrialSetup<'_>,
    params: Params,
    seed: u64,
    args: &TrialArgs,
    out: &mut impl Write,
    input: &mut impl BufRead,
    listen: bool,
) -> Result<(), String> {
    let ticket = TrialTicket {
        number: 0,
        params,
        seed,
    };
    let mut failure = None;
    let run = pollster::block_on(run_trial(setup, &ticket, async |step, value| {
        let line = json!({ "event": "epoch", "step": step, "value": finite(value) });
        if let Err(error) = emit(out, &line) {
            failure.get_or_insert(error);
            return Decision::Prune;
        }
        if !listen {
            return Decision::Continue;
        }
        let mut answer = String::new();
        match input.read_line(&mut answer) {
            Ok(_) if answer.trim() == "prune" => Decision::Prune,
            Ok(_) if matches!(answer.trim(), "continue" | "") => Decision::Continue,
            Ok(_) => {
                failure.get_or_insert(format!(
                    "stdin: after epoch {step} the answer was {:?}, not prune or continue.",
                    answer.trim()
                ));
                Decision::Prune
            }
            Err(error) => {
                failure.get_or_insert(format!("stdin could not be read: {error}."));
                Decision::Prune
            }
        }
    }));
    if let Some(message) = failure {
        return Err(message);
    }
    let line = match &run.outcome {
        Outcome::Complete {
            values,
            epochs,
            best_epoch,
            valid_metrics,
            elapsed_ms,
            ..
        } => json!({
            "event": "complete",
            "value": values.first().copied().map(finite),
            "epochs": epochs,
            "best_epoch": best_epoch,
            "valid_metrics": valid_metrics,
            "elapsed_ms": elapsed_ms,
        }),
        Outcome::Pruned { epochs, elapsed_ms } => {
            json!({ "event": "pruned", "step": epochs, "elapsed_ms": elapsed_ms })
        }
        Outcome::Failed {
            epochs,
            error,
            elapsed_ms,
        } => json!({ "event": "failed", "step": epochs, "error": error, "elapsed_ms": elapsed_ms }),
    };
    if let (Some(path), Some(model)) = (&args.model_out, &run.model) {
        write_model(path, model)?;
    }
    emit(out, &line)
}

/// The `--params` JSON checked against `space`: each given parameter must apply (its
/// condition holds) and lie in its domain; a value the space fixes is filled in when left out;
/// any other parameter left out keeps the training settings' value (`--config`, or the default).
fn trial_params(text: &str, space: &Space) -> Result<Params, String> {
    let given: Params = serde_json::from_str(text).map_err(|error| {
        format!("--params: it is not a map of parameter names to numbers or names ({error}).")
    })?;
    let mut params = Params::new();
    for spec in &space.params {
        if !Space::applies(spec, &params) {
            continue;
        }
        match (given.get(&spec.name), &spec.domain) {
            (Some(value), domain) if domain.contains(value) => {
                params.insert(spec.name.clone(), value.clone());
            }
            (Some(value), _) => {
                return Err(format!(
                    "--params: {} = {} is outside its domain in the search space.",
                    spec.name,
                    value.label()
                ));
            }
            (None, Domain::Fixed { value }) => {
                params.insert(spec.name.clone(), value.clone());
            }
            (None, _) => {}
        }
    }
    match given.keys().find(|name| !params.contains_key(*name)) {
        Some(extra) => Err(format!(
            "--params: {extra} is not a parameter of the search space, or does not apply with the other values."
        )),
        None => Ok(params),
    }
}

/// JSON has no NaN or infinity: such a value is written as null (the caller fails the trial).
fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

fn emit(out: &mut impl Write, line: &serde_json::Value) -> Result<(), String> {
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|error| format!("stdout could not be written: {error}."))
}
