//! Hyperparameter search: a study over the model family and its hyperparameters, sampled by
//! random search, grid search or TPE, with median or ASHA pruning, one or two objectives, and
//! a budget in trials, work (rows × epochs) or wall-clock time.
//!
//! The core (everything but [`runner`]) has no burn, threads, clock or files, so the page
//! (built without the `compute` feature) can hold the study itself and hand trials to a pool
//! of Web Workers, and the CLI can share it between threads behind a mutex. It is an
//! ask / report / tell protocol over a serde [`Study`]:
//!
//! 1. [`Study::new`] from [`StudySettings`] (seed, [`SamplerKind`], [`PrunerKind`],
//!    [`Budget`], [`Objectives`], [`Space`], the base [`TrainConfig`](crate::train::TrainConfig)),
//!    or [`Study::from_json`] to resume a saved one (running trials are re-queued).
//! 2. [`Study::ask`] gives a [`TrialTicket`] (number, parameters, training seed), or `None`
//!    once the budget is spent. [`train_config`] turns it into training settings.
//! 3. After each epoch the runner calls [`Study::report`] with the validation value; a
//!    [`Decision::Prune`] stops the trial.
//! 4. [`Study::tell`] records the [`Outcome`]. [`Study::to_json`] saves the study at any
//!    point; [`Study::best_trial`], [`Study::pareto_front`] and [`Study::importance`]
//!    summarise it.
//!
//! Reproducibility: every random draw comes from [`SplitMix64`](crate::rng::SplitMix64)
//! streams derived from the study's seed and the trial's number (sampling, the training seed,
//! the grid's order), and samplers are pure functions of the trials so far. With one worker
//! and a trial or work budget, the same seed gives the same trials and values. With several
//! workers, which trials have finished when another is sampled depends on timing (as in
//! Optuna), so TPE and the pruners may decide differently; random and grid sampling do not.
//!
//! [`runner::run_trial`] (with `compute`) trains one trial with burn, asynchronously, as the
//! worker and the CLI both need. [`ensemble::select`] blends the best trials' validation
//! outputs (Caruana's ensemble selection); the blend becomes one more candidate
//! ([`Study::ensemble`]) and `runner::refit_ensemble` trains it on all rows.

pub mod ensemble;
mod error;
mod importance;
mod math;
mod objective;
pub mod pruner;
pub mod sampler;
mod space;
mod study;
mod trial;

#[cfg(feature = "cpu")]
pub mod runner;

pub use ensemble::{EnsembleCandidate, EnsembleMember};
pub use error::SearchError;
pub use importance::{ParamImportance, importance};
pub use objective::{Metric, Objectives, SecondObjective};
pub use pruner::{AshaSettings, MedianSettings, PrunerKind};
pub use sampler::{GridSettings, SamplerKind, TpeSettings};
pub use space::{Condition, Domain, ParamSpec, ParamValue, Params, Space, names, train_config};
pub use study::{AUTOML_SECONDS, Budget, STUDY_FORMAT, STUDY_FORMAT_VERSION, Study, StudySettings};
pub use trial::{Decision, Outcome, Trial, TrialState, TrialTicket};
