//! TPE's settings, with Optuna's defaults, apart from the sampler so that the estimator
//! (`parzen.rs`) can read them without depending on the sampler.

use serde::{Deserialize, Serialize};

use super::super::super::error::SearchError;

/// TPE settings; Optuna's defaults.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TpeSettings {
    /// Random trials before the estimators are used. Default 10.
    pub startup_trials: usize,
    /// Candidates drawn from the good estimator per sample. Default 24.
    pub ei_candidates: usize,
    /// Weight of the prior kernel against each observation's. Default 1.
    pub prior_weight: f64,
    /// Whether the range's ends count as neighbours when sizing the outermost kernels.
    /// Default false.
    pub consider_endpoints: bool,
    /// Whether kernel widths have the lower bound `range / min(100, 1 + kernels)`. Default
    /// true.
    pub magic_clip: bool,
    /// Sample the unconditional parameters jointly. Default (`null`): yes with one
    /// objective, no with two, as Optuna 5.
    pub multivariate: Option<bool>,
    /// Count trials still running (on other workers) as bad, Optuna 5's default. Default
    /// true; it changes nothing with one worker.
    pub constant_liar: bool,
}

impl Default for TpeSettings {
    fn default() -> Self {
        TpeSettings {
            startup_trials: 10,
            ei_candidates: 24,
            prior_weight: 1.0,
            consider_endpoints: false,
            magic_clip: true,
            multivariate: None,
            constant_liar: true,
        }
    }
}

impl TpeSettings {
    pub(crate) fn validate(&self) -> Result<(), SearchError> {
        if self.ei_candidates == 0 {
            return Err(SearchError::setting(
                "ei_candidates",
                "TPE needs at least 1 candidate",
            ));
        }
        if !(self.prior_weight.is_finite() && self.prior_weight > 0.0) {
            return Err(SearchError::setting(
                "prior_weight",
                format!("must be a positive number, not {}", self.prior_weight),
            ));
        }
        Ok(())
    }
}
