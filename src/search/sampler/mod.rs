//! Samplers: how the next trial's parameters are chosen. Each is a pure function of the
//! study's settings, its trials so far and the new trial's number, drawing only from that
//! trial's seeded stream, so a study resumed from JSON samples what it would have sampled.

pub mod grid;
pub mod random;
pub mod tpe;

use serde::{Deserialize, Serialize};

pub use grid::GridSettings;
pub use tpe::TpeSettings;

use super::error::SearchError;
use super::math::trial_rng;
use super::objective::Objectives;
use super::space::{Params, Space};
use super::trial::Trial;

/// Stream of each trial's sampling draws.
const SAMPLE_STREAM: u64 = 0x5A3B_0001;

/// Which sampler a study uses.
///
/// JSON: `"random"`, `{"grid": {"points": 3}}` or `{"tpe": {"startup_trials": 10}}` (absent
/// fields take their defaults).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum SamplerKind {
    /// Independent uniform draws (log-uniform for log ranges).
    Random,
    /// Every combination of a few values per parameter, in a seeded random order.
    Grid(GridSettings),
    /// The tree-structured Parzen estimator, as Optuna's `TPESampler`.
    Tpe(TpeSettings),
}

impl Default for SamplerKind {
    fn default() -> Self {
        SamplerKind::Tpe(TpeSettings::default())
    }
}

impl SamplerKind {
    pub fn name(&self) -> &'static str {
        match self {
            SamplerKind::Random => "random",
            SamplerKind::Grid(_) => "grid",
            SamplerKind::Tpe(_) => "tpe",
        }
    }

    pub(crate) fn validate(&self) -> Result<(), SearchError> {
        match self {
            SamplerKind::Random => Ok(()),
            SamplerKind::Grid(settings) => settings.validate(),
            SamplerKind::Tpe(settings) => settings.validate(),
        }
    }
}

/// The parameters of trial `number` of a study seeded with `seed`; `None` when the grid is
/// exhausted. `grid` is the enumerated grid when the sampler is the grid sampler. It takes the
/// study's settings one by one (not the study's type) so that the study uses the samplers and
/// not the reverse.
pub(crate) fn sample(
    sampler: &SamplerKind,
    seed: u64,
    space: &Space,
    objectives: &Objectives,
    trials: &[Trial],
    number: usize,
    grid: Option<&[Params]>,
) -> Result<Option<Params>, SearchError> {
    let mut rng = trial_rng(seed, number, SAMPLE_STREAM);
    Ok(match sampler {
        SamplerKind::Random => Some(random::sample(space, &mut rng)),
        SamplerKind::Grid(_) => grid.and_then(|points| grid::point(points, seed, number)),
        SamplerKind::Tpe(tpe) => Some(tpe::sample(space, trials, objectives, tpe, &mut rng)),
    })
}
