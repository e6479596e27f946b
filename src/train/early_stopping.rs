//! Early stopping: what is watched ([`monitor`], [`monitor_value`]), the best epoch so far
//! with its weights, and patience (epochs without improvement).
//!
//! Apart from the epoch loop, as burn-train keeps its early-stopping strategy apart from its
//! learner: the loop reports each epoch's value here and asks whether to go on; which weights
//! the model file gets is decided here alone.

use super::metrics::{Metrics, Monitor};
use super::model::Head;
use super::report::EpochReport;

/// What early stopping watches, lower being better: with validation rows, the validation RMSE
/// for regression and the validation loss for classification; without, the training loss.
pub(super) fn monitor(has_valid: bool, head: &Head) -> Monitor {
    match (has_valid, head) {
        (false, _) => Monitor::TrainLoss,
        (true, Head::Regression { .. }) => Monitor::ValidRmse,
        (true, _) => Monitor::ValidLoss,
    }
}

/// The watched value of an epoch (the training loss when the validation values are missing).
pub(super) fn monitor_value(
    monitor: &Monitor,
    valid_metrics: &Option<Metrics>,
    valid_loss: Option<f64>,
    train_loss: f64,
) -> f64 {
    match (monitor, valid_metrics, valid_loss) {
        (Monitor::ValidRmse, Some(Metrics::Regression(m)), _) => m.rmse,
        (Monitor::ValidLoss, _, Some(loss)) => loss,
        _ => train_loss,
    }
}

/// The best epoch so far: its model (a network's snapshot without autodiff, or the trees'
/// round count) and report.
struct Best<M> {
    model: M,
    report: EpochReport,
}

/// The best epoch so far and how many epochs have passed without beating it.
pub(super) struct EarlyStopping<M> {
    best: Option<Best<M>>,
    since_best: usize,
}

impl<M> Default for EarlyStopping<M> {
    fn default() -> Self {
        EarlyStopping {
            best: None,
            since_best: 0,
        }
    }
}

impl<M> EarlyStopping<M> {
    /// Judges an epoch's watched value: whether it beats the best so far (the first epoch
    /// always does), and the best epoch counting this one. Counts the epochs without
    /// improvement; the caller then [`keep`](EarlyStopping::keep)s a best epoch.
    pub(super) fn judge(&mut self, epoch: usize, monitor_value: f64) -> (bool, usize) {
        let is_best = self
            .best
            .as_ref()
            .is_none_or(|best| monitor_value < best.report.monitor_value);
        if is_best {
            self.since_best = 0;
        } else {
            self.since_best += 1;
        }
        let best_epoch = if is_best {
            epoch
        } else {
            self.best.as_ref().map_or(epoch, |b| b.report.epoch)
        };
        (is_best, best_epoch)
    }

    /// Keeps an epoch judged best: its weights and its report.
    pub(super) fn keep(&mut self, model: M, report: EpochReport) {
        self.best = Some(Best { model, report });
    }

    /// The best epoch's report, once an epoch has been kept.
    pub(super) fn best_report(&self) -> Option<&EpochReport> {
        self.best.as_ref().map(|best| &best.report)
    }

    /// The best epoch's model, once an epoch has been kept.
    pub(super) fn best_model(&self) -> Option<&M> {
        self.best.as_ref().map(|best| &best.model)
    }

    /// The epochs without improvement, once they reach `patience` (0: never stop early).
    pub(super) fn out_of_patience(&self, patience: usize) -> Option<usize> {
        (patience > 0 && self.since_best >= patience).then_some(self.since_best)
    }
}
