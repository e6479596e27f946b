//! The one error type of hyperparameter search.

/// Why a study could not be created, read, continued or applied to training. Every message is
/// one sentence naming the setting or input at fault, fit to show the user as is.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum SearchError {
    /// A study setting (sampler, pruner, budget, objective) is out of range.
    #[error("Search setting \"{setting}\": {problem}.")]
    Setting { setting: String, problem: String },

    /// A parameter of the search space is badly defined, or a value does not fit it.
    #[error("Search parameter \"{param}\": {problem}.")]
    Param { param: String, problem: String },

    /// A study document (JSON) cannot be read.
    #[error("The study file is not usable: {problem}.")]
    StudyFile { problem: String },

    /// `report` or `tell` named a trial that is not running.
    #[error("Trial {number}: {problem}.")]
    Trial { number: usize, problem: String },
}

impl SearchError {
    pub(crate) fn setting(setting: &str, problem: impl Into<String>) -> SearchError {
        SearchError::Setting {
            setting: setting.to_string(),
            problem: problem.into(),
        }
    }

    pub(crate) fn param(param: &str, problem: impl Into<String>) -> SearchError {
        SearchError::Param {
            param: param.to_string(),
            problem: problem.into(),
        }
    }

    pub(crate) fn study_file(problem: impl Into<String>) -> SearchError {
        SearchError::StudyFile {
            problem: problem.into(),
        }
    }

    pub(crate) fn trial(number: usize, problem: impl Into<String>) -> SearchError {
        SearchError::Trial {
            number,
            problem: problem.into(),
        }
    }
}
