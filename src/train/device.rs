//! Choosing the device to train on by timing a short burst of training steps on each.

use burn::tensor::Device;

use super::config::TrainConfig;
use super::error::TrainError;
use super::report::{DeviceSelection, DeviceTiming};
use super::trainer::{Examples, Trainer};
use crate::compute::Accelerator;
use crate::prep::FittedPipeline;

/// Steps timed per device (after [`WARMUP_STEPS`], which compile the GPU's kernels).
pub const TIMED_STEPS: usize = 10;
pub const WARMUP_STEPS: usize = 3;

/// Milliseconds per training step on `device` for this data shape and config: a throwaway
/// trainer on the first rows runs [`WARMUP_STEPS`] steps, then `steps` timed ones.
pub async fn time_device(
    device: &Device,
    pipeline: &FittedPipeline,
    train: &Examples,
    config: &TrainConfig,
    steps: usize,
) -> Result<f64, TrainError> {
    let rows: Vec<usize> = (0..train.rows().min(config.batch_size.max(1))).collect();
    let sample = train.subset(&rows);
    let mut trainer = Trainer::new(device.clone(), pipeline, sample, None, config)?;
    trainer.time_steps(WARMUP_STEPS).await?;
    trainer.time_steps(steps.max(1)).await
}

/// Times every candidate device and returns the fastest with the timings. A device whose
/// timing fails is skipped (its error is reported); when all fail, the first candidate's
/// error is returned.
pub async fn pick_fastest(
    candidates: Vec<(Accelerator, Device)>,
    pipeline: &FittedPipeline,
    train: &Examples,
    config: &TrainConfig,
) -> Result<(Device, DeviceSelection), TrainError> {
    let mut timings = Vec::new();
    let mut best: Option<(f64, Accelerator, Device)> = None;
    let mut first_error: Option<TrainError> = None;
    for (accelerator, device) in candidates {
        match time_device(&device, pipeline, train, config, TIMED_STEPS).await {
            Ok(ms) => {
                timings.push(DeviceTiming {
                    accelerator,
                    ms_per_step: Some(ms),
                    error: None,
                });
                if best.as_ref().is_none_or(|(b, _, _)| ms < *b) {
                    best = Some((ms, accelerator, device));
                }
            }
            Err(error) => {
                timings.push(DeviceTiming {
                    accelerator,
                    ms_per_step: None,
                    error: Some(error.to_string()),
                });
                first_error.get_or_insert(error);
            }
        }
    }
    match best {
        Some((ms, accelerator, device)) => {
            let others: Vec<String> = timings
                .iter()
                .filter(|t| t.accelerator != accelerator)
                .map(|t| match t.ms_per_step {
                    Some(other) => format!("{} {other:.2} ms", t.accelerator.label()),
                    None => format!("{} unavailable", t.accelerator.label()),
                })
                .collect();
            let reason = if others.is_empty() {
                format!(
                    "{} is the only device ({ms:.2} ms per step)",
                    accelerator.label()
                )
            } else {
                format!(
                    "{} was fastest at {ms:.2} ms per step (vs {})",
                    accelerator.label(),
                    others.join(", ")
                )
            };
            Ok((
                device,
                DeviceSelection {
                    accelerator,
                    timings,
                    reason,
                },
            ))
        }
        None => Err(first_error.unwrap_or_else(|| TrainError::Device {
            device: "compute".to_string(),
            during: "choosing a device".to_string(),
            reason: "no device was offered".to_string(),
        })),
    }
}
