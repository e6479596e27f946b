//! What a study searches over: named parameters with their domains, and the hyperparameter
//! space of a training run (model family, depth, width, activation, dropout, learning rate,
//! weight decay, batch size, optimiser, epochs) with defaults that follow the data size.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::SearchError;
use crate::train::{Activation, MlpSettings, ModelKind, OptimizerKind, TrainConfig};

/// One parameter's value: a whole number, a real number or a category's name. In JSON it is
/// the plain number or string (`3`, `0.01`, `"adamw"`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(untagged)]
pub enum ParamValue {
    Int(i64),
    Float(f64),
    Text(String),
}

impl ParamValue {
    /// The value as a number (whole numbers too), if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ParamValue::Int(i) => Some(*i as f64),
            ParamValue::Float(f) => Some(*f),
            ParamValue::Text(_) => None,
        }
    }

    /// The value as text, if it is a category name.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ParamValue::Text(text) => Some(text),
            _ => None,
        }
    }

    /// A short form for a terminal: `0.0123`, `64`, `adamw`.
    pub fn label(&self) -> String {
        match self {
            ParamValue::Int(i) => i.to_string(),
            ParamValue::Float(f) => crate::format::number(*f),
            ParamValue::Text(t) => t.clone(),
        }
    }
}

/// A trial's parameters by name (sorted, so that their JSON is stable). Parameters that do not
/// apply (e.g. `width` of a linear model) are absent.
pub type Params = BTreeMap<String, ParamValue>;

/// The values a parameter can take.
///
/// JSON: `{"float": {"low": 1e-4, "high": 0.1, "log": true}}`,
/// `{"int": {"low": 1, "high": 3}}`, `{"categorical": {"choices": ["adam", "sgd"]}}`,
/// `{"fixed": {"value": 64}}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Domain {
    /// A real number in `[low, high]`; with `log`, drawn uniformly in its logarithm (for
    /// settings whose effect is multiplicative, such as the learning rate).
    Float {
        low: f64,
        high: f64,
        #[serde(default)]
        log: bool,
    },
    /// A whole number in `[low, high]`; with `log`, drawn uniformly in its logarithm.
    Int {
        low: i64,
        high: i64,
        #[serde(default)]
        log: bool,
    },
    /// One of the choices (names or numbers), unordered.
    Categorical { choices: Vec<ParamValue> },
    /// Always this value: how the user fixes a parameter without removing it.
    Fixed { value: ParamValue },
}

impl Domain {
    /// The interval the samplers work in for a numeric domain: the logarithm for `log`, and
    /// whole numbers widened by half a step on each side, as Optuna does.
    pub(crate) fn internal_bounds(&self) -> Option<(f64, f64)> {
        match *self {
            Domain::Float { low, high, log } => Some(if log {
                (low.ln(), high.ln())
            } else {
                (low, high)
            }),
            Domain::Int { low, high, log } => {
                let (low, high) = (low as f64 - 0.5, high as f64 + 0.5);
                Some(if log {
                    (low.max(0.5).ln(), high.ln())
                } else {
                    (low, high)
                })
            }
            _ => None,
        }
    }

    /// A value in the samplers' internal scale (see [`Domain::internal_bounds`]); a category
    /// is its index. `None` when the value does not belong to the domain.
    pub(crate) fn internal_of(&self, value: &ParamValue) -> Option<f64> {
        match self {
            Domain::Float { log, .. } | Domain::Int { log, .. } => {
                let x = value.as_f64()?;
                if *log {
                    (x > 0.0).then(|| x.ln())
                } else {
                    Some(x)
                }
            }
            Domain::Categorical { choices } => {
                choices.iter().position(|c| c == value).map(|i| i as f64)
            }
            Domain::Fixed { .. } => None,
        }
    }

    /// The value for an internal-scale number: clamped to the domain, rounded for whole
    /// numbers.
    pub(crate) fn value_at(&self, x: f64) -> ParamValue {
        match self {
            Domain::Float { low, high, log } => {
                let v = if *log { x.exp() } else { x };
                ParamValue::Float(super::math::json_exact(v).clamp(*low, *high))
            }
            Domain::Int { low, high, log } => {
                let v = if *log { x.exp() } else { x };
                let rounded = v.round();
                let clamped = rounded.clamp(*low as f64, *high as f64);
                ParamValue::Int(clamped as i64)
            }
            Domain::Categorical { choices } => {
                let index = (x.max(0.0) as usize).min(choices.len().saturating_sub(1));
                choices.get(index).cloned().unwrap_or(ParamValue::Int(0))
            }
            Domain::Fixed { value } => value.clone(),
        }
    }

    /// Whether `value` is one this domain can give.
    pub fn contains(&self, value: &ParamValue) -> bool {
        match self {
            Domain::Float { low, high, .. } => {
                value.as_f64().is_some_and(|x| x >= *low && x <= *high)
            }
            Domain::Int { low, high, .. } => {
                matches!(value, ParamValue::Int(i) if i >= low && i <= high)
            }
            Domain::Categorical { choices } => choices.contains(value),
            Domain::Fixed { value: fixed } => fixed == value,
        }
    }

    fn validate(&self, name: &str) -> Result<(), SearchError> {
        match self {
            Domain::Float { low, high, log } => {
                if !(low.is_finite() && high.is_finite() && low < high) {
                    return Err(SearchError::param(
                        name,
                        format!(
                            "the range needs finite numbers with low below high, not {low} to {high}; fix a single value with {{\"fixed\": {{\"value\": ...}}}}"
                        ),
                    ));
                }
                if *log && *low <= 0.0 {
                    return Err(SearchError::param(
                        name,
                        format!("a log range must start above 0, not at {low}"),
                    ));
                }
            }
            Domain::Int { low, high, log } => {
                if low > high {
                    return Err(SearchError::param(
                        name,
                        format!("the range's low ({low}) is above its high ({high})"),
                    ));
                }
                if *log && *low < 1 {
                    return Err(SearchError::param(
                        name,
                        format!(
                            "a log range of whole numbers must start at 1 or more, not at {low}"
                        ),
                    ));
                }
            }
            Domain::Categorical { choices } => {
                if choices.is_empty() {
                    return Err(SearchError::param(name, "it has no choices"));
                }
                if let Some(bad) = choices
                    .iter()
                    .find(|c| matches!(c, ParamValue::Float(f) if !f.is_finite()))
                {
                    return Err(SearchError::param(
                        name,
                        format!("the choice {bad:?} is not a finite number"),
                    ));
                }
                for (i, choice) in choices.iter().enumerate() {
                    if choices[..i].contains(choice) {
                        return Err(SearchError::param(
                            name,
                            format!("the choice {} is listed twice", choice.label()),
                        ));
                    }
                }
            }
            Domain::Fixed { value } => {
                if matches!(value, ParamValue::Float(f) if !f.is_finite()) {
                    return Err(SearchError::param(
                        name,
                        "the fixed value is not a finite number",
                    ));
                }
            }
        }
        Ok(())
    }
}

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

/// The names of the training hyperparameters in [`Space::for_training`], which
/// [`train_config`] understands.
pub mod names {
    pub const MODEL: &str = "model";
    pub const DEPTH: &str = "depth";
    pub const WIDTH: &str = "width";
    pub const ACTIVATION: &str = "activation";
    pub const DROPOUT: &str = "dropout";
    pub const LEARNING_RATE: &str = "learning_rate";
    pub const WEIGHT_DECAY: &str = "weight_decay";
    pub const BATCH_SIZE: &str = "batch_size";
    pub const OPTIMIZER: &str = "optimizer";
    pub const EPOCHS: &str = "epochs";
    /// Every name, in the order of the default space.
    pub const ALL: [&str; 10] = [
        MODEL,
        DEPTH,
        WIDTH,
        ACTIVATION,
        DROPOUT,
        LEARNING_RATE,
        WEIGHT_DECAY,
        BATCH_SIZE,
        OPTIMIZER,
        EPOCHS,
    ];
}

fn text(value: &str) -> ParamValue {
    ParamValue::Text(value.to_string())
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

    /// The default training space for `training_rows` rows. Small data gets small batches,
    /// more epochs and narrower networks (which it cannot feed anyway); large data large
    /// batches and fewer epochs, so that a trial's cost stays of the same order.
    pub fn for_training(training_rows: usize) -> Space {
        use names::*;
        let mlp_only = || {
            Some(Condition {
                param: MODEL.to_string(),
                one_of: vec![text("mlp")],
            })
        };
        let (batches, epochs, max_width): (&[i64], (i64, i64), i64) = match training_rows {
            0..=2_000 => (&[8, 16, 32, 64], (20, 150), 128),
            2_001..=50_000 => (&[32, 64, 128, 256], (10, 80), 256),
            _ => (&[128, 256, 512, 1024], (3, 30), 512),
        };
        let spec = |name: &str, domain: Domain, when: Option<Condition>| ParamSpec {
            name: name.to_string(),
            domain,
            when,
        };
        Space {
            params: vec![
                spec(
                    MODEL,
                    Domain::Categorical {
                        choices: vec![text("linear"), text("mlp")],
                    },
                    None,
                ),
                spec(
                    DEPTH,
                    Domain::Int {
                        low: 1,
                        high: 3,
                        log: false,
                    },
                    mlp_only(),
                ),
                spec(
                    WIDTH,
                    Domain::Int {
                        low: 8,
                        high: max_width,
                        log: true,
                    },
                    mlp_only(),
                ),
                spec(
                    ACTIVATION,
                    Domain::Categorical {
                        choices: vec![text("relu"), text("gelu"), text("tanh")],
                    },
                    mlp_only(),
                ),
                spec(
                    DROPOUT,
                    Domain::Float {
                        low: 0.0,
                        high: 0.5,
                        log: false,
                    },
                    mlp_only(),
                ),
                spec(
                    LEARNING_RATE,
                    Domain::Float {
                        low: 1e-4,
                        high: 0.3,
                        log: true,
                    },
                    None,
                ),
                spec(
                    WEIGHT_DECAY,
                    Domain::Float {
                        low: 1e-6,
                        high: 1e-1,
                        log: true,
                    },
                    None,
                ),
                spec(
                    BATCH_SIZE,
                    Domain::Categorical {
                        choices: batches.iter().map(|&b| ParamValue::Int(b)).collect(),
                    },
                    None,
                ),
                spec(
                    OPTIMIZER,
                    Domain::Categorical {
                        choices: vec![text("adam"), text("adamw"), text("sgd")],
                    },
                    None,
                ),
                spec(
                    EPOCHS,
                    Domain::Int {
                        low: epochs.0,
                        high: epochs.1,
                        log: true,
                    },
                    None,
                ),
            ],
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

/// The training settings of a trial: `base` with the trial's parameters applied and `seed` as
/// the training seed. Parameters not named in [`names`] are refused; absent ones keep the
/// base's value. The result is validated, so a range the user widened too far is reported
/// naming the setting.
pub fn train_config(
    params: &Params,
    base: &TrainConfig,
    seed: u64,
) -> Result<TrainConfig, SearchError> {
    use names::*;
    let mut config = base.clone();
    config.seed = seed;
    let whole = |name: &str| -> Result<Option<usize>, SearchError> {
        match params.get(name) {
            None => Ok(None),
            Some(ParamValue::Int(i)) if *i >= 0 => Ok(Some(*i as usize)),
            Some(other) => Err(SearchError::param(
                name,
                format!("it must be a whole number, not {}", other.label()),
            )),
        }
    };
    let real = |name: &str| -> Result<Option<f64>, SearchError> {
        match params.get(name) {
            None => Ok(None),
            Some(value) => value.as_f64().map(Some).ok_or_else(|| {
                SearchError::param(name, format!("it must be a number, not {}", value.label()))
            }),
        }
    };
    let word = |name: &str| -> Result<Option<&str>, SearchError> {
        match params.get(name) {
            None => Ok(None),
            Some(value) => value.as_str().map(Some).ok_or_else(|| {
                SearchError::param(name, format!("it must be a name, not {}", value.label()))
            }),
        }
    };
    if let Some(unknown) = params.keys().find(|name| !ALL.contains(&name.as_str())) {
        return Err(SearchError::param(
            unknown,
            format!(
                "training has no such setting; the searchable ones are {}",
                ALL.join(", ")
            ),
        ));
    }
    // A trial's parameters edit the base model's MLP settings (the defaults for a linear base).
    let old = base.model.mlp_or_default();
    let is_mlp = match word(MODEL)? {
        Some("linear") => false,
        Some("mlp") => true,
        Some(other) => {
            return Err(SearchError::param(
                MODEL,
                format!("\"{other}\" is not a model family; use \"linear\" or \"mlp\""),
            ));
        }
        None => matches!(base.model, ModelKind::Mlp(_)),
    };
    config.model = if is_mlp {
        let depth = whole(DEPTH)?.unwrap_or(old.hidden.len());
        let width = whole(WIDTH)?.unwrap_or_else(|| old.hidden.first().copied().unwrap_or(64));
        let activation = match word(ACTIVATION)? {
            None => old.activation,
            Some("relu") => Activation::Relu,
            Some("gelu") => Activation::Gelu,
            Some("tanh") => Activation::Tanh,
            Some(other) => {
                return Err(SearchError::param(
                    ACTIVATION,
                    format!("\"{other}\" is not an activation; use \"relu\", \"gelu\" or \"tanh\""),
                ));
            }
        };
        ModelKind::Mlp(MlpSettings {
            hidden: vec![width; depth],
            activation,
            dropout: real(DROPOUT)?.unwrap_or(old.dropout),
            layer_norm: old.layer_norm,
        })
    } else {
        ModelKind::Linear
    };
    if let Some(lr) = real(LEARNING_RATE)? {
        config.learning_rate = lr;
    }
    if let Some(wd) = real(WEIGHT_DECAY)? {
        config.weight_decay = wd;
    }
    if let Some(batch) = whole(BATCH_SIZE)? {
        config.batch_size = batch;
    }
    if let Some(epochs) = whole(EPOCHS)? {
        config.epochs = epochs;
        config.warmup_epochs = config.warmup_epochs.min(epochs.saturating_sub(1));
    }
    match word(OPTIMIZER)? {
        None => {}
        Some("adam") => config.optimizer = OptimizerKind::Adam,
        Some("adamw") => config.optimizer = OptimizerKind::AdamW,
        Some("sgd") => {
            let momentum = match base.optimizer {
                OptimizerKind::Sgd { momentum } => momentum,
                _ => 0.9,
            };
            config.optimizer = OptimizerKind::Sgd { momentum };
        }
        Some(other) => {
            return Err(SearchError::param(
                OPTIMIZER,
                format!("\"{other}\" is not an optimiser; use \"adam\", \"adamw\" or \"sgd\""),
            ));
        }
    }
    config.validate().map_err(|error| match error {
        crate::train::TrainError::Setting { setting, problem } => {
            SearchError::param(&setting, problem)
        }
        other => SearchError::setting(
            "training",
            other.to_string().trim_end_matches('.').to_string(),
        ),
    })?;
    Ok(config)
}
