//! A parameter's values and the domains they are drawn from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::error::SearchError;

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
                ParamValue::Float(super::super::math::json_exact(v).clamp(*low, *high))
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

    /// The value of this domain closest to `value`: a number clamped into the range (rounded
    /// for whole numbers), a category kept when it is a choice and the first choice otherwise.
    pub fn nearest(&self, value: &ParamValue) -> ParamValue {
        match self {
            Domain::Float { low, high, .. } => {
                ParamValue::Float(value.as_f64().unwrap_or(*low).clamp(*low, *high))
            }
            Domain::Int { low, high, .. } => {
                let x = value.as_f64().unwrap_or(*low as f64).round();
                ParamValue::Int(x.clamp(*low as f64, *high as f64) as i64)
            }
            Domain::Categorical { choices } => {
                if choices.contains(value) {
                    value.clone()
                } else {
                    choices.first().cloned().unwrap_or_else(|| value.clone())
                }
            }
            Domain::Fixed { value } => value.clone(),
        }
    }

    /// The middle of the domain in the samplers' scale (the geometric middle of a log range),
    /// or the first choice.
    pub(crate) fn middle(&self) -> ParamValue {
        match self.internal_bounds() {
            Some((low, high)) => self.value_at((low + high) / 2.0),
            None => self.value_at(0.0),
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

    pub(super) fn validate(&self, name: &str) -> Result<(), SearchError> {
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
