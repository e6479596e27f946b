//! How a study's numbers are written in the Search step: the primary metric's name, its
//! values' format and each trial state's word, shared by the status line, the charts and the
//! leaderboard.

use crate::format;
use crate::search::{Metric, Trial, TrialState};

/// A trial state in one word, as the leaderboard shows it and in its `data-state`.
pub fn state_name(state: TrialState) -> &'static str {
    match state {
        TrialState::Queued => "queued",
        TrialState::Running => "running",
        TrialState::Complete => "complete",
        TrialState::Pruned => "pruned",
        TrialState::Failed => "failed",
    }
}

/// The primary metric in words: "monitor" is the validation log loss or RMSE.
pub fn metric_label(metric: Metric, trials: &[Trial]) -> String {
    match metric {
        Metric::Monitor => {
            let regression = trials
                .iter()
                .any(|t| matches!(t.valid_metrics, Some(crate::train::Metrics::Regression(_))));
            if regression {
                "valid RMSE"
            } else {
                "valid log loss"
            }
            .to_string()
        }
        other => format!("valid {}", other.name().replace('_', " ")),
    }
}

/// How the primary metric's values are written, as the Train and Export steps write that
/// metric: scores (accuracy, F1, AUC, log loss, R²) as fractions with four decimals, errors in
/// the target's units (RMSE, MAE) with four significant digits.
pub fn value_format(metric: Metric, trials: &[Trial]) -> fn(f64) -> String {
    let regression = trials
        .iter()
        .any(|t| matches!(t.valid_metrics, Some(crate::train::Metrics::Regression(_))));
    match metric {
        Metric::Rmse | Metric::Mae | Metric::Value => format::number,
        Metric::Monitor if regression => format::number,
        _ => format::score,
    }
}
