//! The user's preprocessing settings: general ones and per-column overrides.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Unexpected, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::PrepError;

/// Preprocessing settings. Every field has a default, so a partial JSON document (an overrides
/// file) deserialises into a full config; unknown fields are refused, so a typo is reported.
///
/// ```json
/// {
///   "seed": 7,
///   "split": {"train": 0.8, "valid": 0.1, "test": 0.1},
///   "columns": {
///     "island": {"encoding": "ordinal"},
///     "bill_length_mm": {"impute": "mean", "indicator": true, "scale": "robust"},
///     "body_mass_g": {"impute": {"constant": 4000}},
///     "year": "drop"
///   }
/// }
/// ```
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PrepConfig {
    /// Seed of every random draw (the split). Default 42.
    pub seed: u64,
    /// Fractions of the rows (with a target) for training, validation and test.
    pub split: SplitFractions,
    /// k-fold cross-validation (k ≥ 2): the test fraction is still held out; every other row
    /// is training data and is dealt into `k` folds (`split.valid` is then ignored). Default
    /// `None`: one validation split.
    pub folds: Option<usize>,
    /// Categorical columns with at most this many distinct values are one-hot encoded; more
    /// use [`PrepConfig::high_cardinality`]. Default 50: frequency encoding keeps only how
    /// common a category is, not which one it is, and lost 27 points of R² on a housing table
    /// whose 46 cities drive the price; one-hot of a few dozen columns costs an MLP little,
    /// and categories rarer than the privacy minimum still stay out.
    pub one_hot_max: usize,
    /// The encoding of categorical columns above `one_hot_max`: `frequency` (default) or
    /// `ordinal` (`one_hot` is allowed too).
    pub high_cardinality: Encoding,
    /// The privacy minimum k: a category seen fewer times than this in the training rows (or a
    /// target class seen fewer times in the data) is never written into a model — it goes to
    /// the "(other)" bucket with unseen values (every encoding) or is pooled into an
    /// "(other)" class. A rarer value could single out a person's row. Default 5; 1 keeps all.
    pub rare_min_count: usize,
    /// Regression: standardise the target with its training mean and standard deviation
    /// (inverted by [`FittedPipeline::decode_value`](super::FittedPipeline::decode_value)).
    /// Default true.
    pub standardize_target: bool,
    /// Regression: learn `ln(1 + y)` instead of `y` (inverted on output). `none` (default)
    /// never (see [`TargetTransform`] for why); `auto` does so when the training targets are
    /// never negative and right-skewed (skewness above 1, and lower after the logarithm) —
    /// prices, counts, durations — whose errors grow with the value; `log` always (refused if
    /// a target is below 0).
    pub target_transform: TargetTransform,
    /// Per-column overrides, by column name.
    pub columns: BTreeMap<String, ColumnChoice>,
}

impl Default for PrepConfig {
    fn default() -> Self {
        PrepConfig {
            seed: 42,
            split: SplitFractions::default(),
            folds: None,
            one_hot_max: 50,
            high_cardinality: Encoding::Frequency,
            rare_min_count: 5,
            standardize_target: true,
            target_transform: TargetTransform::None,
            columns: BTreeMap::new(),
        }
    }
}

impl PrepConfig {
    /// Reads a (partial) config from JSON; absent fields keep their defaults, and an empty
    /// document is the default config.
    pub fn from_json(text: &str) -> Result<PrepConfig, PrepError> {
        if text.trim().is_empty() {
            return Ok(PrepConfig::default());
        }
        serde_json::from_str(text).map_err(|error| PrepError::Config {
            message: error.to_string(),
        })
    }

    /// Reads a (partial) config from JSON whose absent top-level fields keep `base`'s values
    /// rather than the defaults (e.g. `hearth automl`'s cross-validation for small data under a
    /// file that only changes the split's test part).
    pub fn from_json_over(text: &str, base: &PrepConfig) -> Result<PrepConfig, PrepError> {
        let config_error = |error: serde_json::Error| PrepError::Config {
            message: error.to_string(),
        };
        if text.trim().is_empty() {
            return Ok(base.clone());
        }
        let given: serde_json::Value = serde_json::from_str(text).map_err(config_error)?;
        let serde_json::Value::Object(given) = given else {
            return Err(PrepError::Config {
                message: "the settings must be a JSON object".to_string(),
            });
        };
        let mut merged = serde_json::to_value(base).map_err(config_error)?;
        if let serde_json::Value::Object(fields) = &mut merged {
            fields.extend(given);
        }
        serde_json::from_value(merged).map_err(config_error)
    }

    /// Checks the general settings (the per-column ones are checked against the data by
    /// [`plan`](super::plan)).
    pub fn validate(&self) -> Result<(), PrepError> {
        let SplitFractions { train, valid, test } = self.split;
        let setting = |problem: String| PrepError::Setting {
            setting: "split".to_string(),
            problem,
        };
        for (name, value) in [("train", train), ("valid", valid), ("test", test)] {
            if !value.is_finite() || !(0.0..=1.0).contains(&value) {
                return Err(setting(format!(
                    "the {name} part must be between 0% and 100%, not {}",
                    percent(value)
                )));
            }
        }
        if train <= 0.0 {
            return Err(setting("the train part must be above 0%".to_string()));
        }
        let sum = train + valid + test;
        if (sum - 1.0).abs() > 1e-6 {
            return Err(setting(format!(
                "the train, valid and test parts must add up to 100%, but they add up to {}",
                percent(sum)
            )));
        }
        if let Some(k) = self.folds
            && k < 2
        {
            return Err(PrepError::Setting {
                setting: "folds".to_string(),
                problem: format!("cross-validation needs at least 2 folds, not {k}"),
            });
        }
        Ok(())
    }
}

/// A fraction as the percentage the page shows (`0.705` → `70.5%`): messages speak in percent
/// because that is what a person types in the page; the JSON settings hold fractions.
fn percent(fraction: f64) -> String {
    format!("{}%", (fraction * 1e6).round() / 1e4)
}

/// Rows up to which [`PrepConfig::automl`] cross-validates.
pub const AUTOML_CV_ROWS: usize = 2_000;

impl PrepConfig {
    /// The preprocessing an AutoML search uses for a table of `rows` rows: the defaults, with
    /// 5-fold cross-validation up to [`AUTOML_CV_ROWS`] rows. On 300 rows the usual 15%
    /// validation split is 45 rows, where one row moves accuracy by 2 points and the search
    /// picks noise; five folds score every training row once.
    pub fn automl(rows: usize) -> PrepConfig {
        PrepConfig {
            folds: (rows <= AUTOML_CV_ROWS).then_some(5),
            ..PrepConfig::default()
        }
    }
}

/// Whether a regression target is learned on a log scale. JSON: `"auto"`, `"log"`, `"none"`
/// (the default).
///
/// The default is the target as it is: every regression metric Hearth reports (RMSE, MAE, R²)
/// is on the target's own scale, and a fit of `ln(1 + y)` minimises relative error instead. On
/// the AutoML benchmark's six regression tables (`bench/automl`, 20 s each, 2026-12-02) the raw
/// target scored the same or better test R² on every one: cps_earnings 26.4 against 21.1 with
/// the automatic log, wage 34.2 against 33.2, carseats 80.9 against 80.4, ames, txhousing and
/// diamonds within 0.1. The log scale stays a choice for errors that grow with the value.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum TargetTransform {
    /// `log` for a never-negative, right-skewed target; `none` otherwise.
    Auto,
    /// Always `ln(1 + y)`.
    Log,
    /// The target as it is.
    #[default]
    None,
}

/// Fractions of the rows for each split; they must add up to 1.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SplitFractions {
    pub train: f64,
    pub valid: f64,
    pub test: f64,
}

impl Default for SplitFractions {
    fn default() -> Self {
        SplitFractions {
            train: 0.7,
            valid: 0.15,
            test: 0.15,
        }
    }
}

/// How a numeric value that is missing is filled in. JSON: `"median"`, `"mean"` or
/// `{"constant": 0}`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Impute {
    Median,
    Mean,
    Constant(f64),
}

/// How a numeric feature is scaled, with statistics of the training rows. JSON: `"standard"`,
/// `"robust"`, `"min_max"` or `"none"`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// (x − mean) / standard deviation (population, as scikit-learn).
    Standard,
    /// (x − median) / interquartile range.
    Robust,
    /// (x − min) / (max − min), so training values lie in [0, 1].
    MinMax,
    /// Unchanged.
    None,
}

/// How a categorical column becomes numbers. JSON: `"one_hot"`, `"ordinal"`, `"frequency"`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// One 0/1 feature per frequent category, one for "other" (rare and unseen categories),
    /// and one for missing values when they are frequent in training.
    OneHot,
    /// One feature: the category's rank in sorted order (1…k, 0 = other), divided by k.
    Ordinal,
    /// One feature: the category's share of the training rows (0 when unseen).
    Frequency,
}

/// A numeric part of a date/time. JSON: `"year"`, `"month"`, `"day"`, `"day_of_week"`,
/// `"hour"`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DatePart {
    Year,
    /// 1–12.
    Month,
    /// Day of the month, 1–31.
    Day,
    /// 0 = Monday … 6 = Sunday.
    DayOfWeek,
    /// 0–23 (UTC when the value has an offset).
    Hour,
}

impl DatePart {
    /// The suffix of the feature name (`date_year`).
    pub fn name(self) -> &'static str {
        match self {
            DatePart::Year => "year",
            DatePart::Month => "month",
            DatePart::Day => "day",
            DatePart::DayOfWeek => "day_of_week",
            DatePart::Hour => "hour",
        }
    }

    /// A user-facing label.
    pub fn label(self) -> &'static str {
        match self {
            DatePart::DayOfWeek => "day of week",
            other => other.name(),
        }
    }
}

/// The override of one column. JSON: `"drop"`, `"keep"` (use a column that would be dropped,
/// with the default treatment for its values), or an object of [`ColumnSettings`].
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnChoice {
    Drop,
    Keep,
    Set(ColumnSettings),
}

/// Per-column settings; the absent ones keep their defaults. Which apply depends on the column:
/// numeric and boolean columns take `impute`, `indicator`, `scale`; date/time columns take
/// `parts` too; text columns take `encoding`. Settings on a column that would be dropped keep
/// it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ColumnSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impute: Option<Impute>,
    /// Add a 0/1 feature saying whether the value was missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
    /// Date/time columns: the parts to extract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<DatePart>>,
}

impl Serialize for ColumnChoice {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ColumnChoice::Drop => serializer.serialize_str("drop"),
            ColumnChoice::Keep => serializer.serialize_str("keep"),
            ColumnChoice::Set(settings) => settings.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ColumnChoice {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ChoiceVisitor;

        impl<'de> Visitor<'de> for ChoiceVisitor {
            type Value = ColumnChoice;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"drop\", \"keep\" or an object of column settings")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<ColumnChoice, E> {
                match value {
                    "drop" => Ok(ColumnChoice::Drop),
                    "keep" => Ok(ColumnChoice::Keep),
                    other => Err(E::invalid_value(Unexpected::Str(other), &self)),
                }
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ColumnChoice, A::Error> {
                ColumnSettings::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(ColumnChoice::Set)
            }
        }

        deserializer.deserialize_any(ChoiceVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_json_keeps_defaults() {
        let config = PrepConfig::from_json(r#"{"seed": 7}"#).unwrap_or_default();
        assert_eq!(config.seed, 7);
        assert_eq!(config.split, SplitFractions::default());
        assert_eq!(config.one_hot_max, 50);
        assert!(config.columns.is_empty());
    }

    #[test]
    fn partial_json_over_a_base_keeps_the_base() {
        let base = PrepConfig::automl(300);
        assert_eq!(base.folds, Some(5));
        assert_eq!(PrepConfig::automl(AUTOML_CV_ROWS + 1).folds, None);
        let config = PrepConfig::from_json_over(
            r#"{"split": {"train": 0.85, "valid": 0.15, "test": 0}, "seed": 3}"#,
            &base,
        )
        .unwrap();
        assert_eq!(config.folds, Some(5));
        assert_eq!(config.seed, 3);
        assert_eq!(config.split.test, 0.0);
        let config = PrepConfig::from_json_over(r#"{"folds": null}"#, &base).unwrap();
        assert_eq!(config.folds, None);
        assert!(PrepConfig::from_json_over("[1]", &base).is_err());
        assert!(PrepConfig::from_json_over(r#"{"fold": 3}"#, &base).is_err());
    }

    #[test]
    fn column_choices_read_and_write_naturally() {
        let text = r#"{"columns": {
            "island": {"encoding": "ordinal"},
            "bill_length_mm": {"impute": "mean", "indicator": true, "scale": "robust"},
            "mass": {"impute": {"constant": 4000}},
            "when": {"parts": ["year", "day_of_week"]},
            "year": "drop",
            "id": "keep"
        }}"#;
        let config = match PrepConfig::from_json(text) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(config.columns.get("year"), Some(&ColumnChoice::Drop));
        assert_eq!(config.columns.get("id"), Some(&ColumnChoice::Keep));
        assert_eq!(
            config.columns.get("bill_length_mm"),
            Some(&ColumnChoice::Set(ColumnSettings {
                impute: Some(Impute::Mean),
                indicator: Some(true),
                scale: Some(Scale::Robust),
                ..ColumnSettings::default()
            }))
        );
        assert_eq!(
            config.columns.get("mass"),
            Some(&ColumnChoice::Set(ColumnSettings {
                impute: Some(Impute::Constant(4000.0)),
                ..ColumnSettings::default()
            }))
        );
        let json = serde_json::to_string(&config).unwrap_or_default();
        assert!(json.contains(r#""year":"drop""#), "{json}");
        assert!(
            json.contains(r#""island":{"encoding":"ordinal"}"#),
            "{json}"
        );
        assert_eq!(PrepConfig::from_json(&json), Ok(config));
    }

    #[test]
    fn typos_and_bad_values_are_reported() {
        let e = PrepConfig::from_json(r#"{"columns": {"x": {"scal": "robust"}}}"#);
        assert!(
            matches!(&e, Err(PrepError::Config { message }) if message.contains("scal")),
            "{e:?}"
        );
        let e = PrepConfig::from_json(r#"{"columns": {"x": "remove"}}"#);
        assert!(
            matches!(&e, Err(PrepError::Config { message }) if message.contains("remove")),
            "{e:?}"
        );
        let e = PrepConfig::from_json(r#"{"sead": 1}"#);
        assert!(e.is_err());
    }

    #[test]
    fn validates_fractions_and_folds() {
        assert!(PrepConfig::default().validate().is_ok());
        let mut c = PrepConfig::default();
        c.split.test = 0.2;
        let message = c
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            message,
            "Setting \"split\": the train, valid and test parts must add up to 100%, but they add up to 105%."
        );
        let c = PrepConfig {
            split: SplitFractions {
                train: 0.0,
                valid: 0.5,
                test: 0.5,
            },
            ..PrepConfig::default()
        };
        assert!(c.validate().is_err());
        let c = PrepConfig {
            folds: Some(1),
            ..PrepConfig::default()
        };
        assert!(c.validate().is_err());
        let c = PrepConfig {
            folds: Some(5),
            ..PrepConfig::default()
        };
        assert!(c.validate().is_ok());
    }
}
