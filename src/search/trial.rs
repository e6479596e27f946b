//! A trial and the messages about it: where it stands, what a runner is handed, the pruner's
//! answer after an epoch, and how it ended. Apart from the study so that the samplers, the
//! pruners and the importance analysis read trials without depending on the study that uses
//! them.

use serde::{Deserialize, Serialize};

use super::objective::Objectives;
use super::space::Params;
use crate::train::Metrics;

/// Where a trial stands.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TrialState {
    /// Waiting to be handed out again (it was running when the study was saved).
    Queued,
    Running,
    Complete,
    /// Stopped by the pruner; its `intermediate` values show how far it got.
    Pruned,
    /// Training failed (e.g. diverged); `error` says why.
    Failed,
}

/// One trial: its parameters, how it went, and what it scored.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Trial {
    /// 0-based, in the order trials were asked for.
    pub number: usize,
    pub state: TrialState,
    /// The sampled parameters (only those that apply; see [`Space`](super::Space)).
    pub params: Params,
    /// The training seed, derived from the study's seed and the trial's number.
    pub seed: u64,
    /// Complete trials: `[primary]` or `[primary, second]`, in the metrics' own units (e.g.
    /// accuracy 0.97).
    #[serde(default)]
    pub values: Option<Vec<f64>>,
    /// The primary metric after each epoch (index 0 is epoch 1).
    #[serde(default)]
    pub intermediate: Vec<f64>,
    /// Successive halving: the value recorded at each rung the trial reached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rungs: Vec<f64>,
    /// Epochs run.
    #[serde(default)]
    pub epochs: usize,
    /// Training rows × epochs spent.
    #[serde(default)]
    pub work: u64,
    /// Wall time of the trial (informational; not reproducible).
    #[serde(default)]
    pub elapsed_ms: f64,
    /// Complete trials: the epoch whose weights were kept (early stopping's best).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_epoch: Option<usize>,
    /// Validation metrics of the kept epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_metrics: Option<Metrics>,
    /// Why training stopped, or why the trial failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Trial {
    /// The primary metric's lower-is-better score, for a complete trial.
    pub fn primary_score(&self, objectives: &Objectives) -> Option<f64> {
        let values = self.values.as_ref()?;
        let first = *values.first()?;
        (self.state == TrialState::Complete).then(|| objectives.primary.score(first))
    }
}

/// What the driver hands to whoever runs a trial (a thread, a Web Worker).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TrialTicket {
    pub number: usize,
    pub params: Params,
    /// The training seed.
    pub seed: u64,
}

/// The pruner's answer after an epoch.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Continue,
    /// Stop the trial now and tell the study it ended as [`Outcome::Pruned`].
    Prune,
}

/// How a trial ended, as its runner tells the study.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Outcome {
    Complete {
        /// `[primary]` or `[primary, second]` (see [`Objectives`]).
        values: Vec<f64>,
        epochs: usize,
        /// The epoch whose weights were kept (early stopping's best), which a refit on all
        /// training rows trains for.
        #[serde(default)]
        best_epoch: Option<usize>,
        #[serde(default)]
        valid_metrics: Option<Metrics>,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        elapsed_ms: f64,
    },
    Pruned {
        epochs: usize,
        #[serde(default)]
        elapsed_ms: f64,
    },
    Failed {
        epochs: usize,
        error: String,
        #[serde(default)]
        elapsed_ms: f64,
    },
}
