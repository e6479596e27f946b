//! The plan: the target checked against the task, then one [`Decision`] per other column
//! (made by `decide`).

use serde::{Deserialize, Serialize};

use crate::data::{ColumnKind, ColumnProfile, Profile, Task};

use super::config::{PrepConfig, TargetTransform};
use super::decide::{Decision, decide, numeric_storage};
use super::error::PrepError;

/// What will be done with every column: the decisions, one per non-target column in the
/// data's column order, and the target's encoding.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Plan {
    pub target: String,
    pub task: Task,
    /// How the target is encoded, for display ("label encoding: 3 classes (…)").
    pub target_reason: String,
    pub decisions: Vec<Decision>,
}

impl Plan {
    /// The decision for a column.
    pub fn decision(&self, column: &str) -> Option<&Decision> {
        self.decisions.iter().find(|d| d.column == column)
    }
}

/// Decides the preprocessing of every column from the profile, the target, the task and the
/// config's overrides. Errors: an unknown target or override column, a target that the task
/// cannot use (a single class, text for regression…), an override that does not fit its
/// column, a bad general setting.
pub fn plan(
    profile: &Profile,
    target: &str,
    task: Task,
    config: &PrepConfig,
) -> Result<Plan, PrepError> {
    config.validate()?;
    let column_names = || {
        profile
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(target_profile) = profile.columns.iter().find(|c| c.name == target) else {
        return Err(PrepError::UnknownTarget {
            target: target.to_string(),
            columns: column_names(),
        });
    };
    let target_reason = check_target(profile, target_profile, task, config)?;
    for name in config.columns.keys() {
        if name == target {
            return Err(PrepError::TargetOverride {
                column: name.clone(),
            });
        }
        if !profile.columns.iter().any(|c| &c.name == name) {
            return Err(PrepError::UnknownColumn {
                column: name.clone(),
                columns: column_names(),
            });
        }
    }
    let decisions = profile
        .columns
        .iter()
        .filter(|c| c.name != target)
        .map(|c| decide(c, config.columns.get(&c.name), config))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Plan {
        target: target.to_string(),
        task,
        target_reason,
        decisions,
    })
}

fn check_target(
    profile: &Profile,
    column: &ColumnProfile,
    task: Task,
    config: &PrepConfig,
) -> Result<String, PrepError> {
    let unusable = |reason: String| PrepError::UnusableTarget {
        target: column.name.clone(),
        reason,
    };
    let classification = task != Task::Regression;
    match column.kind {
        ColumnKind::AllMissing => return Err(unusable("every value is missing".to_string())),
        _ if column.distinct < 2 => {
            let value = column
                .top
                .first()
                .map_or_else(String::new, |c| c.value.clone());
            return Err(if classification {
                PrepError::SingleClass {
                    target: column.name.clone(),
                    class: value,
                }
            } else {
                unusable(format!("it has one value ({value})"))
            });
        }
        _ => {}
    }
    if let Some(problem) = crate::data::target_problem(profile, column) {
        return Err(unusable(problem));
    }
    if classification {
        let present = profile.rows.saturating_sub(column.missing);
        if crate::data::too_many_classes(column.distinct, present) {
            return Err(unusable(format!(
                "it has {} classes in {present} rows, more than {}% of the rows, which leaves too few rows per class to learn from; choose regression if it is a number",
                column.distinct,
                crate::data::MAX_CLASS_SHARE * 100.0
            )));
        }
        if task == Task::BinaryClassification && column.distinct != 2 {
            return Err(unusable(format!(
                "binary classification needs two classes, and it has {}",
                column.distinct
            )));
        }
        let names: Vec<&str> = column.top.iter().map(|c| c.value.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.total_cmp(&y),
            _ => a.cmp(b),
        });
        Ok(if !sorted.is_empty() && sorted.len() == column.distinct {
            format!(
                "label encoding: {} classes ({})",
                column.distinct,
                sorted.join(", ")
            )
        } else {
            format!(
                "label encoding: {} classes, numbered in sorted order",
                column.distinct
            )
        })
    } else {
        if !numeric_storage(column) {
            return Err(unusable(format!(
                "it is {}, not numbers; choose a classification task",
                column.kind.label()
            )));
        }
        let scale = match config.target_transform {
            TargetTransform::Auto => {
                "on a log scale, log(1 + y), if it is never negative and right-skewed in the training rows; "
            }
            TargetTransform::Log => "on a log scale, log(1 + y); ",
            TargetTransform::None => "",
        };
        Ok(if config.standardize_target {
            format!(
                "{scale}standardised with the training mean and standard deviation (inverted on output)"
            )
        } else if scale.is_empty() {
            "used as is".to_string()
        } else {
            format!("{scale}otherwise used as is (inverted on output)")
        })
    }
}
