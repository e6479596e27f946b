//! Grid search: every combination of a few values per parameter, visited in an order
//! shuffled by the study's seed (so that a study stopped early has still seen the space
//! broadly), one grid point per trial number.

use serde::{Deserialize, Serialize};

use super::super::error::SearchError;
use super::super::math::json_exact;
use super::super::space::{Domain, ParamValue, Params, Space};
use crate::rng::SplitMix64;

/// Stream of the grid's visiting order.
const GRID_ORDER_STREAM: u64 = 0x6B1D_0001;

/// The most grid points enumerated; a larger grid is refused with advice to fix parameters.
pub const MAX_GRID_POINTS: usize = 1_000_000;

/// How a range becomes grid values.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct GridSettings {
    /// Values per real range (evenly spaced, in the logarithm for log ranges, ends included),
    /// and the most per whole-number range (all its values when it has fewer). Default 3.
    pub points: usize,
}

impl Default for GridSettings {
    fn default() -> Self {
        GridSettings { points: 3 }
    }
}

impl GridSettings {
    pub(crate) fn validate(&self) -> Result<(), SearchError> {
        if self.points == 0 || self.points > 1000 {
            return Err(SearchError::setting(
                "points",
                format!(
                    "the grid takes 1 to 1000 values per range, not {}",
                    self.points
                ),
            ));
        }
        Ok(())
    }
}

/// The grid values of one domain.
pub fn values(domain: &Domain, points: usize) -> Vec<ParamValue> {
    match domain {
        Domain::Categorical { choices } => choices.clone(),
        Domain::Fixed { value } => vec![value.clone()],
        Domain::Float { low, high, log } => {
            let (a, b) = if *log {
                (low.ln(), high.ln())
            } else {
                (*low, *high)
            };
            (0..points)
                .map(|i| {
                    let t = if points == 1 {
                        0.5
                    } else {
                        i as f64 / (points - 1) as f64
                    };
                    let x = a + t * (b - a);
                    ParamValue::Float(json_exact(if *log { x.exp() } else { x }).clamp(*low, *high))
                })
                .collect()
        }
        Domain::Int { low, high, log } => {
            let count = (high - low).unsigned_abs().saturating_add(1);
            if count <= points as u64 {
                return (*low..=*high).map(ParamValue::Int).collect();
            }
            let (a, b) = if *log {
                ((*low as f64).ln(), (*high as f64).ln())
            } else {
                (*low as f64, *high as f64)
            };
            let mut out: Vec<ParamValue> = Vec::new();
            for i in 0..points {
                let t = if points == 1 {
                    0.5
                } else {
                    i as f64 / (points - 1) as f64
                };
                let x = a + t * (b - a);
                let v = (if *log { x.exp() } else { x }).round() as i64;
                let v = ParamValue::Int(v.clamp(*low, *high));
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            out
        }
    }
}

/// Every grid point with `points` values per numeric range, in the space's order
/// (conditional parameters only where they apply, so that a linear model is not repeated for
/// every MLP width).
pub fn enumerate(space: &Space, points: usize) -> Result<Vec<Params>, SearchError> {
    let mut partial: Vec<Params> = vec![Params::new()];
    for spec in &space.params {
        let grid_values = values(&spec.domain, points);
        let mut next = Vec::new();
        for params in partial {
            if Space::applies(spec, &params) {
                for value in &grid_values {
                    let mut extended = params.clone();
                    extended.insert(spec.name.clone(), value.clone());
                    next.push(extended);
                }
            } else {
                next.push(params);
            }
            if next.len() > MAX_GRID_POINTS {
                return Err(SearchError::setting(
                    "grid",
                    format!(
                        "the grid has more than {MAX_GRID_POINTS} points; fix some parameters or lower \"points\""
                    ),
                ));
            }
        }
        partial = next;
    }
    Ok(partial)
}

/// The grid point of trial `number`: the grid in a seeded random order; `None` past its end.
pub fn point(grid: &[Params], seed: u64, number: usize) -> Option<Params> {
    if number >= grid.len() {
        return None;
    }
    let mut order: Vec<usize> = (0..grid.len()).collect();
    SplitMix64::new(seed ^ GRID_ORDER_STREAM).shuffle(&mut order);
    order.get(number).and_then(|&i| grid.get(i)).cloned()
}
