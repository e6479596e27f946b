//! Pruners: stop trials whose validation metric lags, after each epoch.
//!
//! * Median (Optuna's `MedianPruner`): after `startup_trials` complete trials and
//!   `warmup_epochs` epochs, a trial stops when its best value so far is worse than the median
//!   of the complete trials' values at the same epoch.
//! * ASHA, asynchronous successive halving (Li et al., 2020; Optuna's
//!   `SuccessiveHalvingPruner`): rung k is at `min_epochs × reduction_factor^(k + rate)`
//!   epochs. A trial reaching a rung records its value there and continues only if it is in
//!   the best `1 / reduction_factor` of all values recorded at that rung so far (the first
//!   trial at a rung always continues). It never waits for other trials, so it suits a pool of
//!   workers.

use serde::{Deserialize, Serialize};

use super::error::SearchError;
use super::objective::Metric;
use super::space::{Domain, ParamValue, Space, names};
use super::trial::{Trial, TrialState};

/// Which pruner a study uses. JSON: `"none"`, `{"median": {...}}`, `{"asha": {...}}`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Default)]
#[serde(rename_all = "snake_case")]
pub enum PrunerKind {
    /// Every trial runs to its end (or its early stopping).
    #[default]
    None,
    Median(MedianSettings),
    Asha(AshaSettings),
}

impl PrunerKind {
    pub fn name(&self) -> &'static str {
        match self {
            PrunerKind::None => "none",
            PrunerKind::Median(_) => "median",
            PrunerKind::Asha(_) => "asha",
        }
    }

    pub(crate) fn validate(&self) -> Result<(), SearchError> {
        match self {
            PrunerKind::None | PrunerKind::Median(_) => Ok(()),
            PrunerKind::Asha(settings) => {
                if settings.min_epochs == 0 {
                    return Err(SearchError::setting(
                        "min_epochs",
                        "the first rung needs at least 1 epoch",
                    ));
                }
                if settings.reduction_factor < 2 {
                    return Err(SearchError::setting(
                        "reduction_factor",
                        format!("must be at least 2, not {}", settings.reduction_factor),
                    ));
                }
                Ok(())
            }
        }
    }
}

/// Median pruner settings (Optuna's defaults).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct MedianSettings {
    /// Complete trials needed before any pruning. Default 5.
    pub startup_trials: usize,
    /// Epochs of each trial that are never pruned. Default 0.
    pub warmup_epochs: usize,
    /// Complete trials that must have reached the epoch for the median to count. Default 1.
    pub min_trials: usize,
}

impl Default for MedianSettings {
    fn default() -> Self {
        MedianSettings {
            startup_trials: 5,
            warmup_epochs: 0,
            min_trials: 1,
        }
    }
}

/// ASHA settings.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct AshaSettings {
    /// Epochs at the first rung. Default 1.
    pub min_epochs: usize,
    /// Keep the best 1/η at each rung; rungs are η times apart. Default 3.
    pub reduction_factor: usize,
    /// Skips the first rungs (Optuna's `min_early_stopping_rate`). Default 0.
    pub min_early_stopping_rate: u32,
}

impl Default for AshaSettings {
    fn default() -> Self {
        AshaSettings {
            min_epochs: 1,
            reduction_factor: 3,
            min_early_stopping_rate: 0,
        }
    }
}

impl AshaSettings {
    /// ASHA for a training space: the first rung after a quarter of the space's fewest epochs
    /// (its `epochs` parameter; 1 without one), rounded up. Judged after one epoch, a trial
    /// with a small learning rate or a warm-up looks worse than it ends: on a 43k-row table 27
    /// of 30 trials were stopped after their first epoch, most of the search unspent.
    pub fn for_space(space: &Space) -> AshaSettings {
        let fewest_epochs = match space.get(names::EPOCHS).map(|spec| &spec.domain) {
            Some(Domain::Int { low, .. }) => usize::try_from(*low).unwrap_or(1),
            Some(Domain::Fixed {
                value: ParamValue::Int(epochs),
            }) => usize::try_from(*epochs).unwrap_or(1),
            _ => 1,
        };
        AshaSettings {
            min_epochs: fewest_epochs.div_ceil(4).max(1),
            ..AshaSettings::default()
        }
    }
}

/// Whether trial `number`, having just reported `epoch` of `metric` (the study's primary
/// one), should stop under `pruner`. May record the trial's rung values (ASHA).
pub(crate) fn should_prune(
    pruner: PrunerKind,
    metric: Metric,
    trials: &mut [Trial],
    number: usize,
    epoch: usize,
) -> bool {
    let Some(value) = trials
        .get(number)
        .and_then(|t| t.intermediate.get(epoch.wrapping_sub(1)))
        .copied()
    else {
        return false;
    };
    match pruner {
        PrunerKind::None => value.is_nan(),
        PrunerKind::Median(median) => {
            if value.is_nan() {
                return true;
            }
            let complete: Vec<&Trial> = trials
                .iter()
                .filter(|t| t.state == TrialState::Complete)
                .collect();
            if complete.len() < median.startup_trials || epoch <= median.warmup_epochs {
                return false;
            }
            let mut at_epoch: Vec<f64> = complete
                .iter()
                .filter_map(|t| t.intermediate.get(epoch - 1).copied())
                .map(|v| metric.score(v))
                .collect();
            if at_epoch.is_empty() || at_epoch.len() < median.min_trials {
                return false;
            }
            let best_so_far = trials
                .get(number)
                .map(|t| {
                    t.intermediate
                        .iter()
                        .map(|&v| metric.score(v))
                        .fold(f64::INFINITY, f64::min)
                })
                .unwrap_or(f64::INFINITY);
            at_epoch.sort_by(f64::total_cmp);
            crate::stats::quantile_sorted(&at_epoch, 0.5).is_some_and(|median| best_so_far > median)
        }
        PrunerKind::Asha(asha) => {
            if value.is_nan() {
                return true;
            }
            let eta = asha.reduction_factor.max(2);
            loop {
                let rung = trials.get(number).map_or(0, |t| t.rungs.len());
                let exponent = u32::try_from(rung)
                    .unwrap_or(u32::MAX)
                    .saturating_add(asha.min_early_stopping_rate);
                let promotion_epoch = (eta as u64)
                    .checked_pow(exponent)
                    .and_then(|p| p.checked_mul(asha.min_epochs as u64))
                    .unwrap_or(u64::MAX);
                if (epoch as u64) < promotion_epoch {
                    return false;
                }
                if let Some(trial) = trials.get_mut(number) {
                    trial.rungs.push(value);
                }
                let mut competing: Vec<f64> = trials
                    .iter()
                    .filter_map(|t| t.rungs.get(rung).copied())
                    .map(|v| metric.score(v))
                    .collect();
                competing.sort_by(f64::total_cmp);
                let promotable = (competing.len() / eta).saturating_sub(1);
                let threshold = competing.get(promotable).copied().unwrap_or(f64::INFINITY);
                if metric.score(value) > threshold {
                    return true;
                }
            }
        }
    }
}
