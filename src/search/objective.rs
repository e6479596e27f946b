//! What a study optimises: the task's primary metric, and optionally a second objective (model
//! size or inference latency) for a Pareto front.

use serde::{Deserialize, Serialize};

use crate::train::{EpochReport, Metrics};

/// The metric a trial is judged by, per epoch (for the pruner) and at its kept epoch.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// What early stopping watches: the validation log loss (classification) or RMSE
    /// (regression). Smooth, so it separates trials that tie on accuracy. Lower is better.
    #[default]
    Monitor,
    Accuracy,
    BalancedAccuracy,
    MacroF1,
    RocAuc,
    LogLoss,
    Rmse,
    Mae,
    R2,
    /// Any number the caller computes and reports itself (a test function); lower is better.
    Value,
}

impl Metric {
    /// Whether a larger value is better (accuracy, F1, AUC, R²).
    pub fn higher_is_better(self) -> bool {
        matches!(
            self,
            Metric::Accuracy
                | Metric::BalancedAccuracy
                | Metric::MacroF1
                | Metric::RocAuc
                | Metric::R2
        )
    }

    /// The name used in the CLI and the study file.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Monitor => "monitor",
            Metric::Accuracy => "accuracy",
            Metric::BalancedAccuracy => "balanced_accuracy",
            Metric::MacroF1 => "macro_f1",
            Metric::RocAuc => "roc_auc",
            Metric::LogLoss => "log_loss",
            Metric::Rmse => "rmse",
            Metric::Mae => "mae",
            Metric::R2 => "r2",
            Metric::Value => "value",
        }
    }

    /// Whether the metric weighs every class alike, so that a search for it should try
    /// weighting the classes' losses (balanced accuracy, macro-F1).
    pub fn rewards_balance(self) -> bool {
        matches!(self, Metric::BalancedAccuracy | Metric::MacroF1)
    }

    /// The metrics a search of this kind of task can optimise (with validation rows), the
    /// default first.
    pub fn for_task(classification: bool) -> &'static [Metric] {
        if classification {
            &[
                Metric::Monitor,
                Metric::Accuracy,
                Metric::BalancedAccuracy,
                Metric::MacroF1,
                Metric::RocAuc,
                Metric::LogLoss,
            ]
        } else {
            &[Metric::Monitor, Metric::Rmse, Metric::Mae, Metric::R2]
        }
    }

    /// Every metric, for listing the choices in a message.
    pub const ALL: [Metric; 10] = [
        Metric::Monitor,
        Metric::Accuracy,
        Metric::BalancedAccuracy,
        Metric::MacroF1,
        Metric::RocAuc,
        Metric::LogLoss,
        Metric::Rmse,
        Metric::Mae,
        Metric::R2,
        Metric::Value,
    ];

    /// The metric named `name` (as [`Metric::name`] gives it).
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The metric in a set of validation metrics; `None` when the task does not have it
    /// (accuracy of a regression, or AUC without both classes).
    pub fn of_metrics(self, metrics: &Metrics) -> Option<f64> {
        match (self, metrics) {
            (Metric::Accuracy, Metrics::Classification(m)) => Some(m.accuracy),
            (Metric::BalancedAccuracy, Metrics::Classification(m)) => Some(m.balanced_accuracy),
            (Metric::MacroF1, Metrics::Classification(m)) => Some(m.macro_f1),
            (Metric::RocAuc, Metrics::Classification(m)) => m.roc_auc,
            (Metric::LogLoss, Metrics::Classification(m)) => Some(m.log_loss),
            (Metric::Rmse, Metrics::Regression(m)) => Some(m.rmse),
            (Metric::Mae, Metrics::Regression(m)) => Some(m.mae),
            (Metric::R2, Metrics::Regression(m)) => Some(m.r2),
            _ => None,
        }
    }

    /// The metric of one epoch. [`Metric::Monitor`] is the epoch's monitored value; another
    /// metric needs validation rows.
    pub fn of_epoch(self, report: &EpochReport) -> Option<f64> {
        match self {
            Metric::Monitor => Some(report.monitor_value),
            Metric::Value => None,
            other => report
                .valid_metrics
                .as_ref()
                .and_then(|m| other.of_metrics(m)),
        }
    }

    /// The value oriented so that lower is better (higher-is-better metrics negated); NaN
    /// becomes +∞, the worst.
    pub fn score(self, value: f64) -> f64 {
        let score = if self.higher_is_better() {
            -value
        } else {
            value
        };
        if score.is_nan() { f64::INFINITY } else { score }
    }
}

/// The second objective of a two-objective study; both are lower-is-better.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SecondObjective {
    /// The network's parameter count (reproducible).
    Parameters,
    /// Measured inference time in milliseconds per 1,000 rows on the trial's device (not
    /// reproducible: it depends on the machine and its load).
    LatencyMs,
}

impl SecondObjective {
    pub fn name(self) -> &'static str {
        match self {
            SecondObjective::Parameters => "parameters",
            SecondObjective::LatencyMs => "latency_ms",
        }
    }
}

/// The study's objectives. A trial's `values` are `[primary]` or `[primary, second]`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Objectives {
    pub primary: Metric,
    pub second: Option<SecondObjective>,
}

impl Objectives {
    /// How many values a complete trial reports.
    pub fn count(&self) -> usize {
        1 + usize::from(self.second.is_some())
    }

    /// A complete trial's values as lower-is-better scores.
    pub fn scores(&self, values: &[f64]) -> Vec<f64> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                if i == 0 {
                    self.primary.score(v)
                } else if v.is_nan() {
                    f64::INFINITY
                } else {
                    v
                }
            })
            .collect()
    }
}
