//! What training reports, as plain serde values: they cross from the worker to the page, whose
//! bundle is built without burn, so nothing here may depend on it.

use serde::{Deserialize, Serialize};

use super::metrics::{Metrics, Monitor};
use crate::compute::Accelerator;

/// What one epoch did, posted to the page after each epoch.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EpochReport {
    /// 1-based.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches (with dropout, class-weighted if set).
    pub train_loss: f64,
    /// The same loss on the validation rows (no dropout); `None` without validation rows.
    pub valid_loss: Option<f64>,
    pub valid_metrics: Option<Metrics>,
    /// What early stopping watches, and its value this epoch (lower is better).
    pub monitor: Monitor,
    pub monitor_value: f64,
    /// Whether this epoch is the best so far (its weights are kept).
    pub is_best: bool,
    pub best_epoch: usize,
    /// The learning rate of the epoch's last step.
    pub learning_rate: f64,
    pub steps: usize,
    pub rows: usize,
    /// Wall time of the epoch: the steps, the validation pass and the readback.
    pub elapsed_ms: f64,
    /// Training rows per second over `elapsed_ms`.
    pub samples_per_sec: f64,
}

/// How training went.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TrainingSummary {
    pub epochs_run: usize,
    /// The epoch whose weights were kept.
    pub best_epoch: usize,
    /// Why training ended (all epochs, early stopping, a stop request).
    pub stop_reason: Option<String>,
    /// The device it ran on, in words ("CPU", "GPU (wgpu)", "WebGPU").
    pub device: Option<String>,
    /// Every epoch's report.
    pub history: Vec<EpochReport>,
}

/// Which device to train on.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum DevicePreference {
    /// Time a few steps on each available device and use the faster.
    #[default]
    Auto,
    Cpu,
    Gpu,
}

/// One device's timing.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DeviceTiming {
    pub accelerator: Accelerator,
    /// Milliseconds per training step (a batch of `batch_size` rows), including one readback
    /// at the end of the burst; `None` when the device failed.
    pub ms_per_step: Option<f64>,
    /// Why the device could not be timed.
    pub error: Option<String>,
}

/// Which device training runs on, and why.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DeviceSelection {
    pub accelerator: Accelerator,
    /// The timings behind an automatic choice (empty when the device was chosen by the user).
    pub timings: Vec<DeviceTiming>,
    /// Why this device, in words.
    pub reason: String,
}

impl DeviceSelection {
    /// The fastest of the timed devices, with every timing and the reason in words; `None`
    /// when none was timed. Ties go to the earlier timing. The worker that timed every device
    /// itself ([`super::pick_fastest`]) and the page that had each of its two workers time its
    /// own (auto with a hardware GPU) choose with this.
    pub fn fastest(timings: Vec<DeviceTiming>) -> Option<DeviceSelection> {
        let mut best: Option<(f64, Accelerator)> = None;
        for timing in &timings {
            if let Some(ms) = timing.ms_per_step
                && best.is_none_or(|(fastest, _)| ms < fastest)
            {
                best = Some((ms, timing.accelerator));
            }
        }
        let (ms, accelerator) = best?;
        let others: Vec<String> = timings
            .iter()
            .filter(|t| t.accelerator != accelerator)
            .map(|t| match (t.ms_per_step, &t.error) {
                (Some(other), _) => format!("{} {other:.2} ms", t.accelerator.label()),
                (None, Some(error)) if error.starts_with(OVER_BUDGET) => {
                    format!("{}: {error}", t.accelerator.label())
                }
                (None, _) => format!("{} unavailable", t.accelerator.label()),
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
        Some(DeviceSelection {
            accelerator,
            timings,
            reason,
        })
    }
}

/// How a timing that gave up after its warm-up begins ([`DeviceTiming::over_budget`]).
const OVER_BUDGET: &str = "its first step took";

impl DeviceTiming {
    /// A device whose warm-up alone took longer than the whole run on a faster one.
    pub fn over_budget(accelerator: Accelerator, warmup_ms: f64) -> DeviceTiming {
        DeviceTiming {
            accelerator,
            ms_per_step: None,
            error: Some(format!(
                "{OVER_BUDGET} {warmup_ms:.0} ms, longer than the whole run on the faster device"
            )),
        }
    }
}
