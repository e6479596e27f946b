//! The hyperparameter space of a training run, with defaults that follow the data size, and
//! how a trial's parameters become training settings.

use super::super::error::SearchError;
use super::domain::{Domain, ParamValue, Params};
use super::{Condition, ParamSpec, Space};
use crate::train::gbdt::GbdtSettings;
use crate::train::{Activation, MlpSettings, ModelKind, OptimizerKind, TrainConfig};

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
    /// Classification: weight each class's loss inversely to its frequency ("balanced") or not
    /// ("none").
    pub const CLASS_WEIGHTS: &str = "class_weights";
    /// Gradient-boosted trees: the shrinkage of each tree.
    pub const TREE_LEARNING_RATE: &str = "tree_learning_rate";
    /// Gradient-boosted trees: the most leaves of a tree.
    pub const LEAVES: &str = "leaves";
    /// Gradient-boosted trees: the fewest training rows in a leaf.
    pub const MIN_LEAF_ROWS: &str = "min_leaf_rows";
    /// Gradient-boosted trees: the L2 penalty on leaf values.
    pub const L2: &str = "l2";
    /// Gradient-boosted trees: the share of features each tree may split on.
    pub const FEATURE_SUBSAMPLE: &str = "feature_subsample";
    /// Every name, in the order of the default space.
    pub const ALL: [&str; 16] = [
        MODEL,
        DEPTH,
        WIDTH,
        ACTIVATION,
        DROPOUT,
        LEARNING_RATE,
        WEIGHT_DECAY,
        BATCH_SIZE,
        OPTIMIZER,
        TREE_LEARNING_RATE,
        LEAVES,
        MIN_LEAF_ROWS,
        L2,
        FEATURE_SUBSAMPLE,
        EPOCHS,
        CLASS_WEIGHTS,
    ];
}

fn text(value: &str) -> ParamValue {
    ParamValue::Text(value.to_string())
}
impl Space {
    /// The default training space for `training_rows` rows. Small data gets small batches,
    /// more epochs and narrower networks (which it cannot feed anyway); large data large
    /// batches and fewer epochs, so that a trial's cost stays of the same order.
    ///
    /// The linear family is fitted by Newton's method (its loss is convex: the exact
    /// minimiser, as scikit-learn's Ridge and LogisticRegression find it), so only its weight
    /// decay is searched; a linear trial's settings have no optimiser parameter, and
    /// [`train_config`] gives it Newton's method.
    ///
    /// The MLP's optimisers are Adam and AdamW, whose step size does not grow with the
    /// gradient, and the learning rate stops at 0.03: with SGD (momentum 0.9) or Adam above
    /// ~0.1, 4 of 30 trials diverged on a real table and were wasted. SGD stays reachable
    /// through `--space` / the page's space changes.
    ///
    /// Gradient-boosted trees are the third family, with their own parameters (the ranges
    /// FLAML's LightGBM space and sklearn's defaults span): shrinkage 0.02–0.3, 4–128 leaves,
    /// a leaf minimum that grows with the data, L2 0.001–10 and feature subsampling. Their
    /// epoch is 10 rounds, so the same epoch range gives them 30–1,500 rounds.
    pub fn for_training(training_rows: usize) -> Space {
        use names::*;
        let when_model = |models: &[&str]| {
            Some(Condition {
                param: MODEL.to_string(),
                one_of: models.iter().map(|m| text(m)).collect(),
            })
        };
        let mlp_only = || when_model(&["mlp"]);
        let networks = || when_model(&["linear", "mlp"]);
        let trees = || when_model(&["gbdt"]);
        let (batches, epochs, max_width, leaf_rows): (&[i64], (i64, i64), i64, (i64, i64)) =
            match training_rows {
                0..=2_000 => (&[8, 16, 32, 64], (20, 150), 128, (2, 30)),
                2_001..=50_000 => (&[32, 64, 128, 256], (10, 80), 256, (5, 100)),
                _ => (&[128, 256, 512, 1024], (3, 30), 512, (10, 200)),
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
                        choices: vec![text("linear"), text("mlp"), text("gbdt")],
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
                        high: 0.03,
                        log: true,
                    },
                    mlp_only(),
                ),
                spec(
                    WEIGHT_DECAY,
                    Domain::Float {
                        low: 1e-6,
                        high: 1e-1,
                        log: true,
                    },
                    networks(),
                ),
                spec(
                    BATCH_SIZE,
                    Domain::Categorical {
                        choices: batches.iter().map(|&b| ParamValue::Int(b)).collect(),
                    },
                    mlp_only(),
                ),
                spec(
                    OPTIMIZER,
                    Domain::Categorical {
                        choices: vec![text("adam"), text("adamw")],
                    },
                    mlp_only(),
                ),
                spec(
                    TREE_LEARNING_RATE,
                    Domain::Float {
                        low: 0.02,
                        high: 0.3,
                        log: true,
                    },
                    trees(),
                ),
                spec(
                    LEAVES,
                    Domain::Int {
                        low: 4,
                        high: 128,
                        log: true,
                    },
                    trees(),
                ),
                spec(
                    MIN_LEAF_ROWS,
                    Domain::Int {
                        low: leaf_rows.0,
                        high: leaf_rows.1,
                        log: true,
                    },
                    trees(),
                ),
                spec(
                    L2,
                    Domain::Float {
                        low: 1e-3,
                        high: 10.0,
                        log: true,
                    },
                    trees(),
                ),
                spec(
                    FEATURE_SUBSAMPLE,
                    Domain::Float {
                        low: 0.5,
                        high: 1.0,
                        log: false,
                    },
                    trees(),
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
}

impl Space {
    /// The default space of a search: [`Space::for_training`]'s, and, when the metric rewards
    /// balance between classes (`balance_classes`: balanced accuracy, macro-F1), whether the
    /// classes' losses are weighted by their frequency. Weighting trades accuracy and log
    /// loss for those metrics; searched under accuracy or the validation loss it only costs
    /// trials (on 5 binary tables of the AutoML benchmark it lowered accuracy by 0.5–0.9).
    pub fn for_task(training_rows: usize, balance_classes: bool) -> Space {
        let mut space = Space::for_training(training_rows);
        if balance_classes {
            space.params.push(ParamSpec {
                name: names::CLASS_WEIGHTS.to_string(),
                domain: Domain::Categorical {
                    choices: vec![text("none"), text("balanced")],
                },
                when: None,
            });
        }
        space
    }
}

impl Space {
    /// Known-good first trials, one per model family the space offers, projected onto the
    /// space (each value moved to the nearest the space allows; unnamed parameters at their
    /// domain's middle, epochs at the most, which early stopping cuts short; a family the space
    /// leaves out is skipped). An AutoML study
    /// runs them before its sampler: scikit-learn's HistGradientBoosting defaults (shrinkage
    /// 0.1, 31 leaves, 20 rows per leaf), a linear model with weight decay 1e-4, and a 2 × 64
    /// ReLU network with Adam at 0.001. Defaults like these lead on many tables, and a
    /// 20 s search that reaches them only by sampling often does not reach them at all.
    pub fn portfolio(&self) -> Vec<Params> {
        use names::*;
        let f = ParamValue::Float;
        let i = ParamValue::Int;
        let families: [(&str, Vec<(&str, ParamValue)>); 3] = [
            (
                "gbdt",
                vec![
                    (TREE_LEARNING_RATE, f(0.1)),
                    (LEAVES, i(31)),
                    (MIN_LEAF_ROWS, i(20)),
                    (L2, f(1e-3)),
                    (FEATURE_SUBSAMPLE, f(1.0)),
                ],
            ),
            ("linear", vec![(WEIGHT_DECAY, f(1e-4))]),
            (
                "mlp",
                vec![
                    (DEPTH, i(2)),
                    (WIDTH, i(64)),
                    (ACTIVATION, text("relu")),
                    (DROPOUT, f(0.1)),
                    (LEARNING_RATE, f(1e-3)),
                    (WEIGHT_DECAY, f(1e-4)),
                    (OPTIMIZER, text("adam")),
                    (BATCH_SIZE, i(64)),
                ],
            ),
        ];
        let offered = |family: &str| {
            self.get(MODEL)
                .is_none_or(|spec| spec.domain.contains(&text(family)))
        };
        let mut points: Vec<Params> = Vec::new();
        for (family, preferred) in families.into_iter().filter(|(f, _)| offered(f)) {
            let mut point = Params::new();
            for spec in &self.params {
                if !Space::applies(spec, &point) {
                    continue;
                }
                let wanted = match spec.name.as_str() {
                    MODEL => Some(text(family)),
                    EPOCHS => Some(i(i64::MAX)),
                    name => preferred
                        .iter()
                        .find(|(param, _)| *param == name)
                        .map(|(_, value)| value.clone()),
                };
                let value = match wanted {
                    Some(value) => spec.domain.nearest(&value),
                    None => spec.domain.middle(),
                };
                point.insert(spec.name.clone(), value);
            }
            // A space without a `model` parameter may give one point twice.
            if !points.contains(&point) {
                points.push(point);
            }
        }
        points
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
    // A trial's parameters edit the base model's MLP or tree settings (the defaults for
    // another family's base).
    let old = base.model.mlp_or_default();
    let family = match word(MODEL)? {
        Some(family @ ("linear" | "mlp" | "gbdt")) => family,
        Some(other) => {
            return Err(SearchError::param(
                MODEL,
                format!("\"{other}\" is not a model family; use \"linear\", \"mlp\" or \"gbdt\""),
            ));
        }
        None => match base.model {
            ModelKind::Linear => "linear",
            ModelKind::Mlp(_) => "mlp",
            ModelKind::Gbdt(_) => "gbdt",
        },
    };
    config.model = if family == "gbdt" {
        let mut trees = match &base.model {
            ModelKind::Gbdt(trees) => trees.clone(),
            _ => GbdtSettings::default(),
        };
        if let Some(lr) = real(TREE_LEARNING_RATE)? {
            trees.learning_rate = lr;
        }
        if let Some(leaves) = whole(LEAVES)? {
            trees.max_leaves = leaves;
        }
        if let Some(rows) = whole(MIN_LEAF_ROWS)? {
            trees.min_leaf_rows = rows;
        }
        if let Some(l2) = real(L2)? {
            trees.l2 = l2;
        }
        if let Some(share) = real(FEATURE_SUBSAMPLE)? {
            trees.feature_subsample = share;
        }
        ModelKind::Gbdt(trees)
    } else if family == "mlp" {
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
    match word(CLASS_WEIGHTS)? {
        None => {}
        Some("none") => config.class_weights = false,
        Some("balanced") => config.class_weights = true,
        Some(other) => {
            return Err(SearchError::param(
                CLASS_WEIGHTS,
                format!("\"{other}\" is not a class weighting; use \"none\" or \"balanced\""),
            ));
        }
    }
    match word(OPTIMIZER)? {
        // The linear family's default: the exact fit of its convex loss.
        None if config.model == ModelKind::Linear => config.optimizer = OptimizerKind::Newton,
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
