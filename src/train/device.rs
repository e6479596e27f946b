//! Choosing the device to train on by timing a short burst of training steps on each, and the
//! one choice both front ends make ([`choose_device`]): the CLI and the worker differ only in
//! how they find the GPU and how they word its absence.

use std::sync::Arc;

use burn::tensor::Device;

use super::config::TrainConfig;
use super::error::TrainError;
use super::examples::Examples;
#[cfg(feature = "cpu")]
use super::report::DevicePreference;
use super::report::{DeviceSelection, DeviceTiming};
use super::trainer::Trainer;
use crate::clock::Stopwatch;
#[cfg(feature = "cpu")]
use crate::compute;
use crate::compute::Accelerator;
use crate::prep::FittedPipeline;

/// Steps timed per device (after [`WARMUP_STEPS`]). Few: every step on a slow device (WebGPU
/// on a software renderer takes most of a second per step) is waited for before epoch 1.
pub const TIMED_STEPS: usize = 5;
/// Untimed steps first: the first step compiles the GPU's kernels, every later step of the
/// same shape reuses them.
pub const WARMUP_STEPS: usize = 1;

/// What timing one device found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DeviceTime {
    /// Milliseconds per training step.
    PerStep(f64),
    /// The warm-up alone took longer than the budget (milliseconds), so the timed steps were
    /// not run: the device cannot win.
    OverBudget { warmup_ms: f64 },
}

/// Milliseconds per training step on `device` for this data shape and config: a throwaway
/// trainer on the first rows runs [`WARMUP_STEPS`] steps, then `steps` timed ones.
pub async fn time_device(
    device: &Device,
    pipeline: &FittedPipeline,
    train: &Examples,
    config: &TrainConfig,
    steps: usize,
) -> Result<f64, TrainError> {
    match time_device_within(device, pipeline, train, config, steps, f64::INFINITY).await? {
        DeviceTime::PerStep(ms) => Ok(ms),
        DeviceTime::OverBudget { warmup_ms } => Ok(warmup_ms),
    }
}

/// As [`time_device`], but gives up after the warm-up when that alone took more than
/// `budget_ms`.
pub async fn time_device_within(
    device: &Device,
    pipeline: &FittedPipeline,
    train: &Examples,
    config: &TrainConfig,
    steps: usize,
    budget_ms: f64,
) -> Result<DeviceTime, TrainError> {
    let rows: Vec<usize> = (0..train.rows().min(config.batch_size.max(1))).collect();
    let sample = train.subset(&rows);
    let clock = Stopwatch::start();
    let mut trainer = Trainer::new(device.clone(), pipeline, Arc::new(sample), None, config)?;
    trainer.time_steps(WARMUP_STEPS).await?;
    let warmup_ms = clock.elapsed_ms();
    if warmup_ms > budget_ms {
        return Ok(DeviceTime::OverBudget { warmup_ms });
    }
    Ok(DeviceTime::PerStep(trainer.time_steps(steps.max(1)).await?))
}

/// Training steps of the whole run: every epoch's batches.
fn steps_in_run(train: &Examples, config: &TrainConfig) -> f64 {
    let batch = config.batch_size.clamp(1, train.rows().max(1));
    (train.rows().div_ceil(batch) * config.epochs.max(1)) as f64
}

/// Times every candidate device and returns the fastest with the timings
/// ([`DeviceSelection::fastest`]). The CPU is timed first (it compiles nothing); a device whose
/// warm-up alone takes longer than the whole run would on the fastest device so far is not
/// timed further, since it cannot catch up. A device whose timing fails is skipped (its error
/// is reported); when all fail, the first candidate's error is returned.
pub async fn pick_fastest(
    mut candidates: Vec<(Accelerator, Device)>,
    pipeline: &FittedPipeline,
    train: &Examples,
    config: &TrainConfig,
) -> Result<(Device, DeviceSelection), TrainError> {
    candidates.sort_by_key(|(accelerator, _)| *accelerator != Accelerator::Cpu);
    let mut timings = Vec::new();
    let mut devices = Vec::new();
    let mut first_error: Option<TrainError> = None;
    for (accelerator, device) in candidates {
        let budget = fastest_run_ms(&timings, train, config);
        match time_one(accelerator, &device, pipeline, train, config, budget).await {
            Ok(timing) => timings.push(timing),
            Err((timing, error)) => {
                timings.push(timing);
                first_error.get_or_insert(error);
            }
        }
        devices.push((accelerator, device));
    }
    match DeviceSelection::fastest(timings) {
        Some(selection) => {
            let device = devices
                .into_iter()
                .find(|(accelerator, _)| *accelerator == selection.accelerator)
                .map(|(_, device)| device);
            match device {
                Some(device) => Ok((device, selection)),
                None => Err(no_device()),
            }
        }
        None => Err(first_error.unwrap_or_else(no_device)),
    }
}

fn no_device() -> TrainError {
    TrainError::Device {
        device: "compute".to_string(),
        during: "choosing a device".to_string(),
        reason: "no device was offered".to_string(),
    }
}

/// The whole run's milliseconds on the fastest device timed so far: the budget a device's
/// warm-up must beat to be worth timing further (unbounded before any timing).
pub fn fastest_run_ms(timings: &[DeviceTiming], train: &Examples, config: &TrainConfig) -> f64 {
    timings
        .iter()
        .filter_map(|timing| timing.ms_per_step)
        .min_by(f64::total_cmp)
        .map_or(f64::INFINITY, |ms| ms * steps_in_run(train, config))
}

/// Times one device within `budget_ms` ([`time_device_within`]), as a timing to report; a
/// failure comes with its error as well.
pub async fn time_one(
    accelerator: Accelerator,
    device: &Device,
    pipeline: &FittedPipeline,
    train: &Examples,
    config: &TrainConfig,
    budget_ms: f64,
) -> Result<DeviceTiming, (DeviceTiming, TrainError)> {
    match time_device_within(device, pipeline, train, config, TIMED_STEPS, budget_ms).await {
        Ok(DeviceTime::PerStep(ms)) => Ok(DeviceTiming {
            accelerator,
            ms_per_step: Some(ms),
            error: None,
        }),
        Ok(DeviceTime::OverBudget { warmup_ms }) => {
            Ok(DeviceTiming::over_budget(accelerator, warmup_ms))
        }
        Err(error) => {
            let timing = DeviceTiming {
                accelerator,
                ms_per_step: None,
                error: Some(error.to_string()),
            };
            Err((timing, error))
        }
    }
}

/// The GPU a front end can offer for training, found its own way (the CLI initialises wgpu
/// when asked; the worker at start-up, and it asks the browser what the adapter is).
#[cfg(feature = "cpu")]
pub enum GpuOffer {
    /// A GPU device, ready to use.
    Ready(Device),
    /// A GPU device that "auto" does not time, and why: WebGPU on a software renderer costs
    /// seconds of kernel compilation and slow steps only to lose to the CPU. It is still used
    /// when the GPU is asked for by name.
    NotWorthTiming { device: Device, reason: String },
    /// No GPU, and why.
    Missing(String),
}

/// What a front end asks [`choose_device`] for.
#[cfg(feature = "cpu")]
pub struct DeviceRequest<'a> {
    pub preference: DevicePreference,
    pub gpu: GpuOffer,
    /// The reason recorded for a device the user named ("chosen", "chosen with --device").
    pub chosen_reason: &'a str,
    /// With "auto" and no GPU: time the CPU anyway and list the GPU's absence among the
    /// timings (the CLI, whose output shows every timing), rather than take the CPU untimed
    /// with the GPU's absence as the reason (the page, where the wait for epoch 1 counts).
    pub time_lone_cpu: bool,
}

/// Why [`choose_device`] chose no device.
#[cfg(feature = "cpu")]
#[derive(Debug)]
pub enum DeviceChoiceError {
    /// The GPU was asked for by name and there is none: the offer's reason.
    NoGpu(String),
    /// Timing failed on every device.
    Timing(TrainError),
}

/// Chooses the device to train on: the one the user named, or with "auto" the fastest by
/// [`pick_fastest`]; always the CPU for gradient-boosted trees. `before_timing` runs just before devices are timed, so that a front end
/// can say why nothing happens for a moment.
#[cfg(feature = "cpu")]
pub async fn choose_device(
    request: DeviceRequest<'_>,
    pipeline: &FittedPipeline,
    train: &Examples,
    config: &TrainConfig,
    before_timing: impl FnOnce(),
) -> Result<(Device, DeviceSelection), DeviceChoiceError> {
    let untimed = |accelerator, device, reason: &str| {
        let selection = DeviceSelection {
            accelerator,
            timings: Vec::new(),
            reason: reason.to_string(),
        };
        Ok((device, selection))
    };
    if let Some(reason) = config.host_training() {
        // Trees and Newton's method train on the host whatever is asked; the GPU is not even
        // initialised for them by the CLI, and a worker's offer is simply not used.
        return untimed(Accelerator::Cpu, compute::init_cpu(), reason);
    }
    let DeviceRequest {
        preference,
        gpu,
        chosen_reason,
        time_lone_cpu,
    } = request;
    match (preference, gpu) {
        (DevicePreference::Cpu, _) => untimed(Accelerator::Cpu, compute::init_cpu(), chosen_reason),
        (DevicePreference::Gpu, GpuOffer::Ready(device))
        | (DevicePreference::Gpu, GpuOffer::NotWorthTiming { device, .. }) => {
            untimed(Accelerator::Gpu, device, chosen_reason)
        }
        (DevicePreference::Gpu, GpuOffer::Missing(reason)) => Err(DeviceChoiceError::NoGpu(reason)),
        (DevicePreference::Auto, GpuOffer::NotWorthTiming { reason, .. }) => {
            untimed(Accelerator::Cpu, compute::init_cpu(), &reason)
        }
        (DevicePreference::Auto, GpuOffer::Missing(reason)) if !time_lone_cpu => {
            untimed(Accelerator::Cpu, compute::init_cpu(), &reason)
        }
        (DevicePreference::Auto, GpuOffer::Missing(reason)) => {
            before_timing();
            let candidates = vec![(Accelerator::Cpu, compute::init_cpu())];
            let (device, mut selection) = pick_fastest(candidates, pipeline, train, config)
                .await
                .map_err(DeviceChoiceError::Timing)?;
            let absent = DeviceTiming {
                accelerator: Accelerator::Gpu,
                ms_per_step: None,
                error: Some(reason),
            };
            selection.timings.insert(0, absent);
            selection.reason = format!("{} (no GPU)", selection.reason);
            Ok((device, selection))
        }
        (DevicePreference::Auto, GpuOffer::Ready(gpu)) => {
            before_timing();
            let candidates = vec![
                (Accelerator::Gpu, gpu),
                (Accelerator::Cpu, compute::init_cpu()),
            ];
            pick_fastest(candidates, pipeline, train, config)
                .await
                .map_err(DeviceChoiceError::Timing)
        }
    }
}
