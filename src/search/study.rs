//! The study: settings, trials, and the ask / report / tell protocol that the CLI's threads and
//! the page's pool of workers both drive.

use serde::{Deserialize, Serialize};

use super::ensemble::{ENSEMBLE_CANDIDATES, EnsembleCandidate};
use super::error::SearchError;
use super::importance::{ParamImportance, importance};
use super::math::{json_exact, nondomination_ranks, trial_rng};
use super::objective::{Metric, Objectives};
use super::pruner::{self, AshaSettings, PrunerKind};
use super::sampler::{self, SamplerKind, TpeSettings};
use super::space::{Params, Space};
use super::trial::{Decision, Outcome, Trial, TrialState, TrialTicket};
use crate::train::TrainConfig;

/// The `format` field of every study document.
pub const STUDY_FORMAT: &str = "hearth-study";
/// The layout version this Hearth writes and the newest it reads.
pub const STUDY_FORMAT_VERSION: u32 = 1;

/// Stream of the training seed of each trial (see [`trial_rng`]).
const TRAIN_SEED_STREAM: u64 = 0x7EA1_0001;

/// When a study stops asking for new trials: whichever limit comes first. At least one is set.
///
/// The trial count and the work budget keep a study reproducible (with one worker, the same
/// seed gives the same trials); the wall-clock budget depends on the machine and is not.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Budget {
    /// The most trials to start.
    pub trials: Option<usize>,
    /// The most work, in training rows × epochs, summed over trials (pruning saves work, so a
    /// pruned study runs more trials within the same budget).
    pub work: Option<u64>,
    /// The most wall-clock seconds (across resumptions). Not reproducible.
    pub wall_clock_s: Option<f64>,
}

/// Everything that defines a study. Serialised inside the study document, so that a resumed
/// study continues exactly as it began.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StudySettings {
    /// Seeds each trial's sampling and its training seed.
    #[serde(default)]
    pub seed: u64,
    pub sampler: SamplerKind,
    #[serde(default)]
    pub pruner: PrunerKind,
    pub budget: Budget,
    #[serde(default)]
    pub objectives: Objectives,
    pub space: Space,
    /// The training settings every trial starts from (the sampled parameters replace their
    /// fields; the trial's own seed replaces `seed`).
    #[serde(default)]
    pub train: TrainConfig,
    /// Training rows per epoch, for counting work (1 for a test function, where work counts
    /// evaluations or steps).
    #[serde(default = "one")]
    pub rows_per_epoch: u64,
    /// Whether the first trials are the space's known-good points ([`Space::portfolio`]),
    /// before the sampler's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub portfolio: bool,
}

fn one() -> u64 {
    1
}

/// The wall-clock seconds an AutoML search spends when the user gives no budget: FLAML's
/// default is 60 s; half of it finds a good model for the tables this app is used with (a
/// trial takes 0.05–1 s on them) and keeps a classroom waiting less.
pub const AUTOML_SECONDS: f64 = 30.0;

impl StudySettings {
    /// The AutoML study for `training_rows` rows: the space's portfolio of known-good trials,
    /// then TPE over the data size's and the metric's space ([`Space::for_task`]), ASHA with a
    /// grace period from that space, the given budget and objective.
    pub fn automl(
        training_rows: usize,
        seed: u64,
        budget: Budget,
        primary: Metric,
        train: TrainConfig,
    ) -> StudySettings {
        let space = Space::for_task(training_rows, primary.rewards_balance());
        StudySettings {
            seed,
            sampler: SamplerKind::Tpe(TpeSettings::default()),
            pruner: PrunerKind::Asha(AshaSettings::for_space(&space)),
            budget,
            objectives: Objectives {
                primary,
                second: None,
            },
            space,
            train,
            rows_per_epoch: (training_rows as u64).max(1),
            portfolio: true,
        }
    }

    /// Checks every setting; the error names the first one at fault.
    pub fn validate(&self) -> Result<(), SearchError> {
        self.space.validate()?;
        self.sampler.validate()?;
        self.pruner.validate()?;
        let budget = &self.budget;
        if budget.trials.is_none() && budget.work.is_none() && budget.wall_clock_s.is_none() {
            return Err(SearchError::setting(
                "budget",
                "set a number of trials, a work budget or a wall-clock budget, or the study would never end",
            ));
        }
        if budget.trials == Some(0) {
            return Err(SearchError::setting(
                "trials",
                "the study needs at least 1 trial",
            ));
        }
        if budget.work == Some(0) {
            return Err(SearchError::setting(
                "work",
                "the work budget must be above 0",
            ));
        }
        if let Some(seconds) = budget.wall_clock_s
            && !(seconds.is_finite() && seconds > 0.0)
        {
            return Err(SearchError::setting(
                "wall_clock_s",
                format!(
                    "the wall-clock budget must be a positive number of seconds, not {seconds}"
                ),
            ));
        }
        if self.rows_per_epoch == 0 {
            return Err(SearchError::setting("rows_per_epoch", "must be at least 1"));
        }
        Ok(())
    }
}

/// A hyperparameter study: settings and trials, serialisable as one JSON document and
/// resumable from it.
///
/// Driving it (one driver, any number of runners; the driver may be the CLI's threads sharing
/// it behind a mutex, or the page dispatching trials to Web Workers):
///
/// ```text
/// loop {
///     let Some(ticket) = study.ask()? else { break };     // None: budget spent
///     // runner: config = train_config(&ticket.params, &study.settings.train, ticket.seed)
///     //         after each epoch: if study.report(n, epoch, value)? == Decision::Prune { stop }
///     study.tell(ticket.number, outcome)?;
/// }
/// ```
///
/// Document layout (format version 1):
///
/// ```json
/// {
///   "format": "hearth-study", "format_version": 1,
///   "settings": {
///     "seed": 7, "sampler": {"tpe": {"startup_trials": 10, ...}} | "random" | {"grid": {...}},
///     "pruner": "none" | {"median": {...}} | {"asha": {...}},
///     "budget": {"trials": 30, "work": null, "wall_clock_s": null},
///     "objectives": {"primary": "monitor", "second": null | "parameters" | "latency_ms"},
///     "space": {"params": [{"name": "learning_rate", "domain": {"float": {"low": 0.0001, "high": 0.3, "log": true}}}, ...]},
///     "train": { TrainConfig }, "rows_per_epoch": 90, "portfolio": true (absent: false)
///   },
///   "trials": [
///     {"number": 0, "state": "complete", "params": {"model": "mlp", "width": 32, ...},
///      "seed": 123, "values": [0.08], "intermediate": [0.9, 0.5, ...], "epochs": 40,
///      "work": 3600, "elapsed_ms": 210.0, "valid_metrics": {...}, "note": "..."}
///   ],
///   "elapsed_ms": 5300.0
/// }
/// ```
///
/// `state` is `queued`, `running`, `complete`, `pruned` or `failed`. Reading a document turns
/// `running` trials (interrupted by the save) into `queued` ones, which [`Study::ask`] hands
/// out again with the same parameters and seed before sampling new ones.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Study {
    pub format: String,
    pub format_version: u32,
    pub settings: StudySettings,
    pub trials: Vec<Trial>,
    /// Wall-clock milliseconds spent so far, across resumptions; the driver keeps it up to
    /// date (the engine has no clock of its own), for the wall-clock budget.
    #[serde(default)]
    pub elapsed_ms: f64,
    /// The blend of the best trials, once one was selected after the search (AutoML): one
    /// more candidate beside the trials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<EnsembleCandidate>,
    /// The enumerated grid, for the grid sampler (rebuilt on demand).
    #[serde(skip)]
    grid: Option<Vec<Params>>,
}

impl Study {
    /// A new study with no trials.
    pub fn new(settings: StudySettings) -> Result<Study, SearchError> {
        settings.validate()?;
        Ok(Study {
            format: STUDY_FORMAT.to_string(),
            format_version: STUDY_FORMAT_VERSION,
            settings,
            trials: Vec::new(),
            elapsed_ms: 0.0,
            ensemble: None,
            grid: None,
        })
    }

    /// Reads a study document, checks it, and re-queues the trials that were running.
    pub fn from_json(text: &str) -> Result<Study, SearchError> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            format_version: Option<u32>,
        }
        let header: Header = serde_json::from_str(text).map_err(|error| {
            SearchError::study_file(format!("it is not a JSON object ({error})"))
        })?;
        if header.format.as_deref() != Some(STUDY_FORMAT) {
            return Err(SearchError::study_file(
                "it is not a Hearth study (its \"format\" is not \"hearth-study\")",
            ));
        }
        if let Some(version) = header.format_version
            && version > STUDY_FORMAT_VERSION
        {
            return Err(SearchError::study_file(format!(
                "it was written by a newer Hearth (format version {version}; this one reads up to {STUDY_FORMAT_VERSION})"
            )));
        }
        let mut study: Study = serde_json::from_str(text)
            .map_err(|error| SearchError::study_file(error.to_string()))?;
        study.settings.validate()?;
        for (index, trial) in study.trials.iter_mut().enumerate() {
            if trial.number != index {
                return Err(SearchError::study_file(format!(
                    "trial {} is at position {index}; trials must be numbered 0, 1, 2, … in order",
                    trial.number
                )));
            }
            if trial.state == TrialState::Running {
                requeue(trial);
            }
        }
        Ok(study)
    }

    /// The document, pretty-printed.
    pub fn to_json(&self) -> Result<String, SearchError> {
        serde_json::to_string_pretty(self)
            .map_err(|error| SearchError::study_file(error.to_string()))
    }

    /// The next trial to run, now marked running; `None` when the budget is spent (or the
    /// grid is exhausted). Queued trials (re-queued on resume) come first.
    pub fn ask(&mut self) -> Result<Option<TrialTicket>, SearchError> {
        if let Some(trial) = self
            .trials
            .iter_mut()
            .find(|t| t.state == TrialState::Queued)
        {
            trial.state = TrialState::Running;
            return Ok(Some(TrialTicket {
                number: trial.number,
                params: trial.params.clone(),
                seed: trial.seed,
            }));
        }
        if self.budget_spent() {
            return Ok(None);
        }
        let number = self.trials.len();
        if let SamplerKind::Grid(grid) = &self.settings.sampler
            && self.grid.is_none()
        {
            self.grid = Some(sampler::grid::enumerate(&self.settings.space, grid.points)?);
        }
        let settings = &self.settings;
        let first = settings
            .portfolio
            .then(|| settings.space.portfolio().into_iter().nth(number))
            .flatten();
        let params = match first {
            Some(params) => params,
            None => match sampler::sample(
                &settings.sampler,
                settings.seed,
                &settings.space,
                &settings.objectives,
                &self.trials,
                number,
                self.grid.as_deref(),
            )? {
                Some(params) => params,
                None => return Ok(None),
            },
        };
        let seed = trial_rng(self.settings.seed, number, TRAIN_SEED_STREAM).next_u64();
        self.trials.push(Trial {
            number,
            state: TrialState::Running,
            params: params.clone(),
            seed,
            values: None,
            intermediate: Vec::new(),
            rungs: Vec::new(),
            epochs: 0,
            work: 0,
            elapsed_ms: 0.0,
            best_epoch: None,
            valid_metrics: None,
            note: None,
        });
        Ok(Some(TrialTicket {
            number,
            params,
            seed,
        }))
    }

    /// Records a running trial's primary metric after `epoch` (1-based) and asks the pruner
    /// whether to stop it. A value that is not a number always prunes, and so does a spent
    /// wall-clock budget once a trial has completed (set `elapsed_ms` first).
    pub fn report(
        &mut self,
        number: usize,
        epoch: usize,
        value: f64,
    ) -> Result<Decision, SearchError> {
        let rows = self.settings.rows_per_epoch;
        let trial = self.running_trial(number)?;
        if epoch == 0 {
            return Err(SearchError::trial(number, "epochs are counted from 1"));
        }
        trial.intermediate.truncate(epoch - 1);
        while trial.intermediate.len() < epoch - 1 {
            trial.intermediate.push(f64::NAN);
        }
        trial.intermediate.push(json_exact(value));
        trial.epochs = epoch;
        trial.work = rows.saturating_mul(epoch as u64);
        let prune = pruner::should_prune(
            self.settings.pruner,
            self.settings.objectives.primary,
            &mut self.trials,
            number,
            epoch,
        ) || self.out_of_time();
        Ok(if prune {
            Decision::Prune
        } else {
            Decision::Continue
        })
    }

    /// Ends a running trial.
    pub fn tell(&mut self, number: usize, outcome: Outcome) -> Result<(), SearchError> {
        let rows = self.settings.rows_per_epoch;
        let count = self.settings.objectives.count();
        let trial = self.running_trial(number)?;
        let (state, epochs, elapsed) = match outcome {
            Outcome::Complete {
                values,
                epochs,
                best_epoch,
                valid_metrics,
                note,
                elapsed_ms,
            } => {
                if values.len() != count {
                    return Err(SearchError::trial(
                        number,
                        format!(
                            "it reported {} objective values but the study has {count}",
                            values.len()
                        ),
                    ));
                }
                trial.values = Some(values.into_iter().map(json_exact).collect());
                trial.valid_metrics = valid_metrics;
                trial.best_epoch = best_epoch;
                trial.note = note;
                (TrialState::Complete, epochs, elapsed_ms)
            }
            Outcome::Pruned { epochs, elapsed_ms } => (TrialState::Pruned, epochs, elapsed_ms),
            Outcome::Failed {
                epochs,
                error,
                elapsed_ms,
            } => {
                trial.note = Some(error);
                (TrialState::Failed, epochs, elapsed_ms)
            }
        };
        trial.state = state;
        trial.epochs = epochs;
        trial.work = rows.saturating_mul(epochs as u64);
        trial.elapsed_ms = json_exact(elapsed);
        Ok(())
    }

    fn running_trial(&mut self, number: usize) -> Result<&mut Trial, SearchError> {
        match self.trials.get_mut(number) {
            Some(trial) if trial.state == TrialState::Running => Ok(trial),
            Some(trial) => Err(SearchError::trial(
                number,
                format!("it is not running (it is {:?})", trial.state).to_lowercase(),
            )),
            None => Err(SearchError::trial(number, "the study has no such trial")),
        }
    }

    /// Marks every running trial as queued again (e.g. when the page's workers are stopped),
    /// so that the next [`Study::ask`] hands them out from the start.
    pub fn requeue_running(&mut self) {
        for trial in &mut self.trials {
            if trial.state == TrialState::Running {
                requeue(trial);
            }
        }
    }

    /// Training rows × epochs spent by every trial so far (running ones included).
    pub fn work_spent(&self) -> u64 {
        self.trials.iter().map(|t| t.work).sum()
    }

    /// Whether a budget limit is reached, so that no new trial starts.
    pub fn budget_spent(&self) -> bool {
        let budget = &self.settings.budget;
        let started = self
            .trials
            .iter()
            .filter(|t| t.state != TrialState::Queued)
            .count();
        budget.trials.is_some_and(|n| started >= n)
            || budget.work.is_some_and(|w| self.work_spent() >= w)
            || budget
                .wall_clock_s
                .is_some_and(|s| self.elapsed_ms >= s * 1000.0)
    }

    /// Whether the wall-clock budget is spent and a trial has completed, so that the trials
    /// still running stop at their next epoch: a time budget is kept, not overrun by the
    /// longest trial. While no trial has completed they go on, so that there is a model.
    fn out_of_time(&self) -> bool {
        self.settings
            .budget
            .wall_clock_s
            .is_some_and(|seconds| self.elapsed_ms >= seconds * 1000.0)
            && self.trials.iter().any(|t| t.state == TrialState::Complete)
    }

    /// Trials running now.
    pub fn running(&self) -> usize {
        self.trials
            .iter()
            .filter(|t| t.state == TrialState::Running)
            .count()
    }

    /// Trials that ended: complete, pruned or failed (what a resumed study does not run again).
    pub fn finished(&self) -> usize {
        self.trials
            .iter()
            .filter(|t| {
                matches!(
                    t.state,
                    TrialState::Complete | TrialState::Pruned | TrialState::Failed
                )
            })
            .count()
    }

    /// Keeps a complete trial's validation outputs among `kept` when it is one of the best
    /// [`ENSEMBLE_CANDIDATES`] trials so far (by the primary metric), so that a long search
    /// holds a bounded number of output vectors for the ensemble.
    pub fn keep_best_outputs(
        &self,
        kept: &mut Vec<(usize, Vec<f32>)>,
        trial: usize,
        outputs: Vec<f32>,
    ) {
        let objectives = &self.settings.objectives;
        let score = |number: usize| {
            self.trials
                .get(number)
                .and_then(|t| t.primary_score(objectives))
                .unwrap_or(f64::INFINITY)
        };
        kept.retain(|(number, _)| *number != trial);
        kept.push((trial, outputs));
        kept.sort_by(|a, b| score(a.0).total_cmp(&score(b.0)));
        kept.truncate(ENSEMBLE_CANDIDATES);
    }

    /// Whether the study's ensemble beats its best single trial on the same validation rows
    /// (and blends more than one trial), so that it is the model to ship.
    pub fn ensemble_wins(&self) -> bool {
        let metric = self.settings.objectives.primary;
        self.ensemble.as_ref().is_some_and(|e| {
            e.members.len() > 1 && metric.score(e.value) < metric.score(e.best_single)
        })
    }

    /// The complete trial with the best primary metric (the earliest on a tie).
    pub fn best_trial(&self) -> Option<&Trial> {
        let objectives = &self.settings.objectives;
        self.trials
            .iter()
            .filter_map(|t| t.primary_score(objectives).map(|s| (s, t)))
            .fold(
                None,
                |best: Option<(f64, &Trial)>, (score, trial)| match best {
                    Some((best_score, _)) if best_score <= score => best,
                    _ => Some((score, trial)),
                },
            )
            .map(|(_, trial)| trial)
    }

    /// The complete trials that no other complete trial beats on every objective (with one
    /// objective: the best trial), in trial order.
    pub fn pareto_front(&self) -> Vec<&Trial> {
        let scored = self.complete_scores();
        let ranks = nondomination_ranks(&scored.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>());
        scored
            .iter()
            .zip(ranks)
            .filter(|(_, rank)| *rank == 0)
            .filter_map(|((index, _), _)| self.trials.get(*index))
            .collect()
    }

    /// How much each parameter explains the primary metric over the complete trials (see
    /// [`importance`]), most important first.
    pub fn importance(&self) -> Vec<ParamImportance> {
        importance(
            &self.settings.space,
            &self.trials,
            &self.settings.objectives,
        )
    }

    /// `(index, scores)` of the complete trials.
    fn complete_scores(&self) -> Vec<(usize, Vec<f64>)> {
        let objectives = &self.settings.objectives;
        self.trials
            .iter()
            .enumerate()
            .filter(|(_, t)| t.state == TrialState::Complete)
            .filter_map(|(i, t)| t.values.as_ref().map(|v| (i, objectives.scores(v))))
            .collect()
    }
}

fn requeue(trial: &mut Trial) {
    trial.state = TrialState::Queued;
    trial.intermediate.clear();
    trial.rungs.clear();
    trial.epochs = 0;
    trial.work = 0;
    trial.elapsed_ms = 0.0;
}
