//! The decision for one column: what becomes of it ([`Action`]) and why, from its profile
//! (the defaults by kind) and the user's override for it, if any.

use serde::{Deserialize, Serialize};

use crate::data::{ColumnKind, ColumnProfile};

use super::config::{ColumnChoice, ColumnSettings, DatePart, Encoding, Impute, PrepConfig, Scale};
use super::error::PrepError;

/// The decision for one column.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Decision {
    pub column: String,
    /// The kind the profile found.
    pub kind: ColumnKind,
    pub action: Action,
    /// Why, in a few words ("one-hot: 3 categories ≤ 10").
    pub reason: String,
    /// Whether the action comes from the user's overrides.
    pub overridden: bool,
}

/// What becomes of a column. JSON: `{"type": "numeric", "impute": "median", …}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Not used.
    Drop,
    /// Missing values imputed, ±∞ replaced by the training extremes, then scaled.
    Numeric {
        impute: Impute,
        indicator: bool,
        scale: Scale,
    },
    /// 0/1 (the larger number, or true/yes/y/t, is 1); missing values take the training mode.
    Boolean {
        indicator: bool,
    },
    Categorical {
        encoding: Encoding,
    },
    /// Numeric parts of a date/time, each imputed and scaled like a numeric column.
    Date {
        parts: Vec<DatePart>,
        impute: Impute,
        indicator: bool,
        scale: Scale,
    },
}

impl Action {
    /// A short label for a table ("one-hot", "numeric", "drop").
    pub fn label(&self) -> &'static str {
        match self {
            Action::Drop => "drop",
            Action::Numeric { .. } => "numeric",
            Action::Boolean { .. } => "boolean 0/1",
            Action::Categorical {
                encoding: Encoding::OneHot,
            } => "one-hot",
            Action::Categorical {
                encoding: Encoding::Ordinal,
            } => "ordinal",
            Action::Categorical {
                encoding: Encoding::Frequency,
            } => "frequency",
            Action::Date { .. } => "date parts",
        }
    }
}

/// Whether the column holds numbers (rather than text) in the dataset, as far as the profile
/// tells: numeric columns have a numeric summary, except text booleans (whose summary is over
/// 0/1), which are recognised by their values.
pub(super) fn numeric_storage(column: &ColumnProfile) -> bool {
    match column.kind {
        ColumnKind::Numeric | ColumnKind::Integer => true,
        ColumnKind::Categorical | ColumnKind::Text | ColumnKind::DateTime => false,
        ColumnKind::Boolean => column
            .top
            .iter()
            .all(|c| c.value.trim().parse::<f64>().is_ok()),
        ColumnKind::Identifier | ColumnKind::Constant | ColumnKind::AllMissing => {
            column.numeric.is_some()
        }
    }
}

/// Date parts extracted by default: year when the data spans several years, month and day of
/// week, and hour when the most frequent values show a time of day.
fn default_parts(column: &ColumnProfile) -> Vec<DatePart> {
    let mut parts = Vec::new();
    let spans_years = column
        .histogram
        .as_ref()
        .is_none_or(|h| year_of(h.min) != year_of(h.max));
    if spans_years {
        parts.push(DatePart::Year);
    }
    parts.push(DatePart::Month);
    parts.push(DatePart::DayOfWeek);
    if column
        .top
        .iter()
        .any(|c| c.value.contains(':') && !c.value.contains("00:00:00"))
    {
        parts.push(DatePart::Hour);
    }
    parts
}

fn year_of(seconds: f64) -> i64 {
    crate::data::civil_parts(seconds).0
}

fn impute_label(impute: Impute) -> String {
    match impute {
        Impute::Median => "median".to_string(),
        Impute::Mean => "mean".to_string(),
        Impute::Constant(c) => format!("constant {}", crate::format::number(c)),
    }
}

fn scale_label(scale: Scale) -> &'static str {
    match scale {
        Scale::Standard => "standard scaling",
        Scale::Robust => "robust scaling",
        Scale::MinMax => "min-max scaling",
        Scale::None => "no scaling",
    }
}

/// The description of an action on a column, used in reasons.
fn describe(action: &Action, column: &ColumnProfile, config: &PrepConfig) -> String {
    let indicator = |on: bool| if on { ", missing indicator" } else { "" };
    let missing = |what: &str| match column.missing {
        0 => format!("none missing ({what} if missing later)"),
        n => format!("{n} missing → {what}"),
    };
    match action {
        Action::Drop => "dropped".to_string(),
        Action::Numeric {
            impute,
            indicator: ind,
            scale,
        } => format!(
            "{}{}, {}",
            missing(&impute_label(*impute)),
            indicator(*ind),
            scale_label(*scale)
        ),
        Action::Boolean { indicator: ind } => {
            let values: Vec<&str> = column.top.iter().map(|c| c.value.as_str()).collect();
            format!(
                "two values ({}) → 0/1, {}{}",
                values.join("/"),
                missing("training mode"),
                indicator(*ind)
            )
        }
        Action::Categorical { encoding } => {
            let relation = if column.distinct <= config.one_hot_max {
                "≤"
            } else {
                ">"
            };
            let count = format!(
                "{} categories {relation} {}",
                column.distinct, config.one_hot_max
            );
            match encoding {
                Encoding::OneHot => format!(
                    "one-hot: {count}; seen < {} times in training or unseen → other",
                    config.rare_min_count
                ),
                Encoding::Ordinal => format!(
                    "ordinal: {count}; seen < {} times in training or unseen → 0",
                    config.rare_min_count
                ),
                Encoding::Frequency => format!(
                    "frequency: {count}; share of training rows, seen < {} times in training or unseen → other",
                    config.rare_min_count
                ),
            }
        }
        Action::Date {
            parts,
            impute,
            indicator: ind,
            scale,
        } => {
            let names: Vec<&str> = parts.iter().map(|p| p.label()).collect();
            format!(
                "{}; {}{}, {}",
                names.join(", "),
                missing(&impute_label(*impute)),
                indicator(*ind),
                scale_label(*scale)
            )
        }
    }
}

/// The automatic decision: the action and its reason.
fn default_decision(column: &ColumnProfile, config: &PrepConfig) -> (Action, String) {
    let numeric = Action::Numeric {
        impute: Impute::Median,
        indicator: false,
        scale: Scale::Standard,
    };
    let action = match column.kind {
        ColumnKind::AllMissing => {
            return (
                Action::Drop,
                "all missing: no value to learn from".to_string(),
            );
        }
        ColumnKind::Constant => {
            let value = column
                .top
                .first()
                .map_or_else(String::new, |c| format!(" ({})", c.value));
            return (Action::Drop, format!("constant: one value{value}"));
        }
        ColumnKind::Identifier => {
            return (
                Action::Drop,
                format!(
                    "identifier-like: {} distinct values, (nearly) one per row, so it names rows rather than describes them",
                    column.distinct
                ),
            );
        }
        ColumnKind::Text => {
            return (
                Action::Drop,
                format!(
                    "free text or names: {} mostly distinct values, which identify rows rather than predict (set an encoding to use it; values seen fewer than {} times still stay out of the model)",
                    column.distinct, config.rare_min_count
                ),
            );
        }
        ColumnKind::Numeric | ColumnKind::Integer => numeric,
        ColumnKind::Boolean => Action::Boolean { indicator: false },
        ColumnKind::Categorical => Action::Categorical {
            encoding: category_encoding(column, config),
        },
        ColumnKind::DateTime => Action::Date {
            parts: default_parts(column),
            impute: Impute::Median,
            indicator: false,
            scale: Scale::Standard,
        },
    };
    let prefix = match &action {
        Action::Numeric { .. } => format!("{}: ", column.kind.label()),
        Action::Boolean { .. } => "boolean: ".to_string(),
        Action::Date { .. } => "date/time: ".to_string(),
        _ => String::new(),
    };
    let reason = format!("{prefix}{}", describe(&action, column, config));
    (action, reason)
}

fn category_encoding(column: &ColumnProfile, config: &PrepConfig) -> Encoding {
    if column.distinct <= config.one_hot_max {
        Encoding::OneHot
    } else {
        config.high_cardinality
    }
}

/// The action for a column the user keeps, with no setting given.
fn kept_action(column: &ColumnProfile, default: Action, config: &PrepConfig) -> Action {
    if default != Action::Drop {
        return default;
    }
    if numeric_storage(column) {
        Action::Numeric {
            impute: Impute::Median,
            indicator: false,
            scale: Scale::Standard,
        }
    } else {
        Action::Categorical {
            encoding: category_encoding(column, config),
        }
    }
}

pub(super) fn decide(
    column: &ColumnProfile,
    choice: Option<&ColumnChoice>,
    config: &PrepConfig,
) -> Result<Decision, PrepError> {
    let (default, default_reason) = default_decision(column, config);
    let decision = |action: Action, reason: String, overridden: bool| Decision {
        column: column.name.clone(),
        kind: column.kind,
        action,
        reason,
        overridden,
    };
    let Some(choice) = choice else {
        return Ok(decision(default, default_reason, false));
    };
    let not_applicable = |setting: &str, reason: String| PrepError::NotApplicable {
        column: column.name.clone(),
        setting: setting.to_string(),
        reason,
    };
    if column.kind == ColumnKind::AllMissing && *choice != ColumnChoice::Drop {
        return Err(not_applicable(
            "keeping the column",
            "every value is missing".to_string(),
        ));
    }
    let action = match choice {
        ColumnChoice::Drop => Action::Drop,
        ColumnChoice::Keep => kept_action(column, default, config),
        ColumnChoice::Set(settings) => overridden_action(column, settings, default, config)
            .map_err(|(setting, reason)| not_applicable(&setting, reason))?,
    };
    let reason = format!("override: {}", describe(&action, column, config));
    Ok(decision(action, reason, true))
}

/// The action from explicit settings, or `(setting, reason)` when one does not apply.
fn overridden_action(
    column: &ColumnProfile,
    settings: &ColumnSettings,
    default: Action,
    config: &PrepConfig,
) -> Result<Action, (String, String)> {
    let ColumnSettings {
        impute,
        indicator,
        scale,
        encoding,
        parts,
    } = settings;
    if let Some(Impute::Constant(c)) = impute
        && !c.is_finite()
    {
        return Err((
            "\"impute\": {\"constant\": …}".to_string(),
            "the constant must be a finite number".to_string(),
        ));
    }
    let encoding_setting = |e: &Encoding| {
        format!(
            "\"encoding\": \"{}\"",
            match e {
                Encoding::OneHot => "one_hot",
                Encoding::Ordinal => "ordinal",
                Encoding::Frequency => "frequency",
            }
        )
    };
    let numeric_settings = [
        impute.is_some().then_some("\"impute\""),
        scale.is_some().then_some("\"scale\""),
        parts.is_some().then_some("\"parts\""),
    ];
    if column.kind == ColumnKind::DateTime {
        if let Some(e) = encoding {
            if let Some(other) = numeric_settings
                .iter()
                .flatten()
                .next()
                .copied()
                .or(indicator.is_some().then_some("\"indicator\""))
            {
                return Err((
                    other.to_string(),
                    format!(
                        "{} makes the column categorical, which takes no other setting",
                        encoding_setting(e)
                    ),
                ));
            }
            return Ok(Action::Categorical { encoding: *e });
        }
        let (default_parts, default_impute, default_indicator, default_scale) = match default {
            Action::Date {
                parts,
                impute,
                indicator,
                scale,
            } => (parts, impute, indicator, scale),
            _ => (
                default_parts(column),
                Impute::Median,
                false,
                Scale::Standard,
            ),
        };
        let mut parts = parts.clone().unwrap_or(default_parts);
        parts.sort_unstable();
        parts.dedup();
        if parts.is_empty() {
            return Err((
                "\"parts\": []".to_string(),
                "at least one part is needed (drop the column instead)".to_string(),
            ));
        }
        return Ok(Action::Date {
            parts,
            impute: impute.unwrap_or(default_impute),
            indicator: indicator.unwrap_or(default_indicator),
            scale: scale.unwrap_or(default_scale),
        });
    }
    if let Some(p) = parts.as_ref().map(|_| "\"parts\"") {
        return Err((p.to_string(), "it is not a date/time column".to_string()));
    }
    if numeric_storage(column) {
        if let Some(e) = encoding {
            return Err((
                encoding_setting(e),
                format!(
                    "the column is {} (use impute, indicator or scale)",
                    column.kind.label()
                ),
            ));
        }
        if column.kind == ColumnKind::Boolean && impute.is_none() && scale.is_none() {
            return Ok(Action::Boolean {
                indicator: indicator.unwrap_or(false),
            });
        }
        let (default_impute, default_indicator, default_scale) = match default {
            Action::Numeric {
                impute,
                indicator,
                scale,
            } => (impute, indicator, scale),
            _ => (Impute::Median, false, Scale::Standard),
        };
        return Ok(Action::Numeric {
            impute: impute.unwrap_or(default_impute),
            indicator: indicator.unwrap_or(default_indicator),
            scale: scale.unwrap_or(default_scale),
        });
    }
    // Text.
    if let Some(setting) = numeric_settings.iter().flatten().next() {
        return Err((
            setting.to_string(),
            format!(
                "the column holds text ({}; use encoding)",
                column.kind.label()
            ),
        ));
    }
    if column.kind == ColumnKind::Boolean {
        return match (encoding, indicator) {
            (Some(e), Some(_)) => Err((
                "\"indicator\"".to_string(),
                format!(
                    "{} makes the column categorical, and missing values are then a category of their own",
                    encoding_setting(e)
                ),
            )),
            (Some(e), None) => Ok(Action::Categorical { encoding: *e }),
            (None, indicator) => Ok(Action::Boolean {
                indicator: indicator.unwrap_or(false),
            }),
        };
    }
    if indicator.is_some() {
        return Err((
            "\"indicator\"".to_string(),
            "the column is categorical, and missing values are a category of their own".to_string(),
        ));
    }
    Ok(match encoding {
        Some(e) => Action::Categorical { encoding: *e },
        None => kept_action(column, default, config),
    })
}
