//! The Search step's form as the state holds it: the study settings as text where the user
//! types, and their reading into [`StudySettings`]. Apart from the component that draws it, so
//! that the state (the model) does not depend on a view.

use std::collections::BTreeMap;

use crate::data::Task;

use crate::search::{
    AUTOML_SECONDS, AshaSettings, Budget, Domain, GridSettings, MedianSettings, Metric, Objectives,
    PrunerKind, SamplerKind, SecondObjective, Space, StudySettings, TpeSettings,
};

/// The study settings as the form holds them (text where the user types).
#[derive(Clone, Debug, PartialEq)]
pub struct SearchForm {
    pub sampler: String,
    pub pruner: String,
    pub trials: String,
    pub work: String,
    pub wall_clock_s: String,
    pub workers: String,
    pub seed: String,
    pub second: String,
    /// The primary metric's name ([`Metric::name`]); "monitor" by default.
    pub metric: String,
    /// Changes to the default space (which follows the data's size), as JSON: parameter name
    /// → domain, as `hearth search --space` takes them. Empty: no change.
    pub space: String,
}

impl Default for SearchForm {
    fn default() -> Self {
        SearchForm {
            sampler: "tpe".into(),
            pruner: "asha".into(),
            trials: "20".into(),
            work: String::new(),
            wall_clock_s: String::new(),
            workers: default_workers().to_string(),
            seed: "42".into(),
            second: "none".into(),
            metric: Metric::Monitor.name().into(),
            space: String::new(),
        }
    }
}

/// One worker per core but one (the page's own thread and the main worker need some).
pub(crate) fn default_workers() -> usize {
    let cores = web_sys::window()
        .map(|window| window.navigator().hardware_concurrency())
        .unwrap_or(2.0);
    ((cores as usize).saturating_sub(1)).clamp(1, 8)
}

impl SearchForm {
    /// The study these settings describe, or one sentence naming the setting at fault.
    pub(crate) fn settings(
        &self,
        base: &crate::train::TrainConfig,
        training_rows: usize,
        task: Task,
    ) -> Result<StudySettings, String> {
        let optional = |name: &str, text: &str| -> Result<Option<f64>, String> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            text.parse::<f64>()
                .map(Some)
                .map_err(|_| format!("{name}: “{text}” is not a number."))
        };
        let whole = |name: &str, value: Option<f64>| -> Result<Option<u64>, String> {
            match value {
                Some(v) if v.fract() != 0.0 || v < 0.0 => {
                    Err(format!("{name}: {v} is not a whole number of at least 0."))
                }
                Some(v) => Ok(Some(v as u64)),
                None => Ok(None),
            }
        };
        let trials = whole("Trials", optional("Trials", &self.trials)?)?;
        let work = whole("Work budget", optional("Work budget", &self.work)?)?;
        let seed = whole("Seed", optional("Seed", &self.seed)?)?.unwrap_or(42);
        let overrides: BTreeMap<String, Domain> = if self.space.trim().is_empty() {
            BTreeMap::new()
        } else {
            serde_json::from_str(&self.space).map_err(|error| {
                format!("Search space: the changes are not a JSON object of parameter domains ({error}).")
            })?
        };
        let space = Space::for_task(training_rows, self.metric(task)?.rewards_balance())
            .with_overrides(&overrides)
            .map_err(|error| format!("Search space: {error}"))?;
        let settings = StudySettings {
            seed,
            sampler: match self.sampler.as_str() {
                "random" => SamplerKind::Random,
                "grid" => SamplerKind::Grid(GridSettings::default()),
                _ => SamplerKind::Tpe(TpeSettings::default()),
            },
            pruner: match self.pruner.as_str() {
                "median" => PrunerKind::Median(MedianSettings::default()),
                "asha" => PrunerKind::Asha(AshaSettings::for_space(&space)),
                _ => PrunerKind::None,
            },
            budget: Budget {
                trials: trials.map(|t| t as usize),
                work,
                wall_clock_s: optional("Wall-clock budget", &self.wall_clock_s)?,
            },
            objectives: Objectives {
                primary: self.metric(task)?,
                second: match self.second.as_str() {
                    "parameters" => Some(SecondObjective::Parameters),
                    "latency" => Some(SecondObjective::LatencyMs),
                    _ => None,
                },
            },
            space,
            train: base.clone(),
            rows_per_epoch: training_rows.max(1) as u64,
            portfolio: false,
        };
        settings.validate().map_err(|error| error.to_string())?;
        Ok(settings)
    }

    /// The chosen primary metric; one the task does not have (a choice left from another
    /// target) is the default.
    pub(crate) fn metric(&self, task: Task) -> Result<Metric, String> {
        let metric = Metric::from_name(&self.metric)
            .filter(|metric| *metric != Metric::Value)
            .ok_or_else(|| format!("Metric: “{}” is not a metric.", self.metric))?;
        Ok(
            if Metric::for_task(task != Task::Regression).contains(&metric) {
                metric
            } else {
                Metric::Monitor
            },
        )
    }

    /// The Auto button's budget: the form's wall-clock and work budgets when given (its trial
    /// count is for the hand-set search), else [`AUTOML_SECONDS`] of wall clock.
    pub(crate) fn auto_budget(&self) -> Result<Budget, String> {
        let number = |name: &str, text: &str| -> Result<Option<f64>, String> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            match text.parse::<f64>() {
                Ok(value) if value > 0.0 => Ok(Some(value)),
                _ => Err(format!("{name}: “{text}” is not a number above 0.")),
            }
        };
        let work = number("Work budget", &self.work)?.map(|w| w as u64);
        let wall_clock_s = number("Wall-clock budget", &self.wall_clock_s)?;
        Ok(Budget {
            trials: None,
            work,
            wall_clock_s: if work.is_none() && wall_clock_s.is_none() {
                Some(AUTOML_SECONDS)
            } else {
                wall_clock_s
            },
        })
    }

    pub(crate) fn workers(&self) -> Result<usize, String> {
        match self.workers.trim().parse::<usize>() {
            Ok(n @ 1..=32) => Ok(n),
            _ => Err(format!(
                "Workers: “{}” should be a whole number from 1 to 32.",
                self.workers.trim()
            )),
        }
    }
}
