//! What a study searches over: named parameters with their domains, and the hyperparameter
//! space of a training run (model family, depth, width, activation, dropout, learning rate,
//! weight decay, batch size, optimiser, epochs) with defaults that follow the data size.
//!
//! The values and domains are in `domain.rs`; the default training space, which follows the
//! data size, and the mapping of a trial's parameters onto training settings in `training.rs`.

mod domain;
mod training;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use domain::{Domain, ParamValue, Params};
pub use training::{names, train_config};

use super::error::SearchError;

/// A parameter that applies only when an earlier parameter has one of some values (e.g. the
/// MLP's width only when `model` is `"mlp"`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The earlier parameter's name.
    pub param: String,
    /// The values of it under which this parameter applies.
    pub one_of: Vec<ParamValue>,
}

/// A named parameter with its domain.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    pub name: String,
    pub domain: Domain,
    /// When the parameter applies; always when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
}

/// The search space: parameters in order (a condition refers to an earlier one).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Space {
    pub params: Vec<ParamSpec>,
}

impl Space {
    /// A space from `(name, domain)` pairs without conditions (e.g. a test function's
    /// coordinates).
    pub fn from_domains(params: impl IntoIterator<Item = (String, Domain)>) -> Space {
        Space {
            params: params
                .into_iter()
                .map(|(name, domain)| ParamSpec {
                    name,
                    domain,
                    when: None,
                })
                .collect(),
        }
    }

    /// The parameter named `name`.
    pub fn get(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Replaces the domains of the named parameters (the user's edited ranges and fixed
    /// values). A name the space does not have is refused, so a typo is reported.
    pub fn with_overrides(
        mut self,
        overrides: &BTreeMap<String, Domain>,
    ) -> Result<Space, SearchError> {
        for (name, domain) in overrides {
            match self.params.iter_mut().find(|p| &p.name == name) {
                Some(spec) => spec.domain = domain.clone(),
                None => {
                    let known: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
                    return Err(SearchError::param(
                        name,
                        format!(
                            "the space has no such parameter; its parameters are {}",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        self.validate()?;
        Ok(self)
    }

    /// Checks every domain and condition; the error names the first parameter at fault.
    pub fn validate(&self) -> Result<(), SearchError> {
        if self.params.is_empty() {
            return Err(SearchError::setting(
                "space",
                "the search space has no parameters",
            ));
        }
        for (i, spec) in self.params.iter().enumerate() {
            if spec.name.trim().is_empty() {
                return Err(SearchError::setting(
                    "space",
                    "a parameter has an empty name",
                ));
            }
            if self.params[..i].iter().any(|p| p.name == spec.name) {
                return Err(SearchError::param(&spec.name, "the name is used twice"));
            }
            spec.domain.validate(&spec.name)?;
            if let Some(condition) = &spec.when
                && !self.params[..i].iter().any(|p| p.name == condition.param)
            {
                return Err(SearchError::param(
                    &spec.name,
                    format!(
                        "its condition refers to \"{}\", which is not an earlier parameter",
                        condition.param
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Whether `spec` applies given the parameters chosen so far.
    pub fn applies(spec: &ParamSpec, chosen: &Params) -> bool {
        match &spec.when {
            None => true,
            Some(condition) => chosen
                .get(&condition.param)
                .is_some_and(|value| condition.one_of.contains(value)),
        }
    }

    /// Checks that `params` is a point of this space: every applicable parameter present and
    /// in its domain, no other parameter.
    pub fn check_point(&self, params: &Params) -> Result<(), SearchError> {
        let mut chosen = Params::new();
        for spec in &self.params {
            if !Space::applies(spec, &chosen) {
                continue;
            }
            match params.get(&spec.name) {
                Some(value) if spec.domain.contains(value) => {
                    chosen.insert(spec.name.clone(), value.clone());
                }
                Some(value) => {
                    return Err(SearchError::param(
                        &spec.name,
                        format!("the value {} is outside its domain", value.label()),
                    ));
                }
                None => {
                    return Err(SearchError::param(
                        &spec.name,
                        "the trial has no value for it",
                    ));
                }
            }
        }
        if let Some(extra) = params.keys().find(|name| !chosen.contains_key(*name)) {
            return Err(SearchError::param(extra, "it does not apply to this trial"));
        }
        Ok(())
    }
}
