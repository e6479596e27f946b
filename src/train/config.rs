//! The user's training settings.

use serde::{Deserialize, Serialize};

use super::error::TrainError;
use super::gbdt::{GbdtError, GbdtSettings};

/// Boosting rounds in one "epoch" of gradient-boosted trees: the block after which validation
/// is measured, early stopping judges and a search's pruner hears a value. Ten rounds cost
/// about what an epoch of a small network does on the same rows.
pub const ROUNDS_PER_EPOCH: usize = 10;

/// Training settings. Every field has a default, so a partial JSON document deserialises into
/// a full config; unknown fields are refused, so a typo is reported.
///
/// ```json
/// {
///   "model": {"mlp": {"hidden": [64, 32], "activation": "gelu", "dropout": 0.1, "layer_norm": true}},
///   "loss": {"huber": {"delta": 1.0}},
///   "optimizer": {"sgd": {"momentum": 0.9}},
///   "learning_rate": 0.01,
///   "schedule": {"step": {"every_epochs": 20, "gamma": 0.5}},
///   "warmup_epochs": 2,
///   "epochs": 200,
///   "patience": 20,
///   "class_weights": true,
///   "seed": 7
/// }
/// ```
///
/// `"model": "linear"` is linear regression, logistic regression (binary) or softmax
/// regression (multiclass); `"optimizer"` is `"adam"`, `"adamw"`, `{"sgd": {...}}` or, for
/// the linear model, `"newton"`;
/// `"schedule"` is `"constant"`, `"cosine"` or `{"step": {...}}`; `"loss"` (regression only) is
/// `"mse"` or `{"huber": {...}}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// The model family. Default: an MLP with one hidden layer of 64 ReLU units.
    pub model: ModelKind,
    /// The regression loss (classification always uses cross-entropy). Default MSE.
    pub loss: RegressionLoss,
    /// Default AdamW.
    pub optimizer: OptimizerKind,
    /// The peak learning rate. Default 0.01.
    pub learning_rate: f64,
    /// How the learning rate changes after the warm-up. Default cosine decay to 0 over the
    /// epochs after the warm-up.
    pub schedule: Schedule,
    /// Epochs over which the learning rate rises linearly from near 0 to `learning_rate`.
    /// Default 0.
    pub warmup_epochs: usize,
    /// L2 penalty (Adam, SGD) or decoupled weight decay (AdamW). Default 0.0001.
    pub weight_decay: f64,
    /// Rows per optimisation step (the last batch of an epoch may be smaller). Default 64.
    pub batch_size: usize,
    /// The most epochs to train. Default 200.
    pub epochs: usize,
    /// Stop after this many epochs without improvement of the validation metric and keep the
    /// best epoch's weights; 0 trains every epoch (the best weights are still kept). Default 20.
    pub patience: usize,
    /// Classification: weight each class's loss by `rows / (classes × rows of the class)` in
    /// the training data, so that rare classes count as much as frequent ones. Default false.
    pub class_weights: bool,
    /// Seed of the initial weights, the batch order and dropout. Default 42.
    pub seed: u64,
}

/// The trees' errors in the trainer's words: a setting names it, the data is the training
/// data's, a round's divergence is its epoch's ([`ROUNDS_PER_EPOCH`] rounds each).
impl From<GbdtError> for TrainError {
    fn from(error: GbdtError) -> TrainError {
        match error {
            GbdtError::Setting { setting, problem } => TrainError::setting(setting, problem),
            GbdtError::Diverged { round } => TrainError::Diverged {
                epoch: round.div_ceil(ROUNDS_PER_EPOCH),
            },
            GbdtError::Data { problem } => TrainError::Data {
                part: "training".to_string(),
                problem,
            },
            GbdtError::Model { problem } => TrainError::ModelFile { problem },
        }
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            model: ModelKind::default(),
            loss: RegressionLoss::Mse,
            optimizer: OptimizerKind::AdamW,
            learning_rate: 0.01,
            schedule: Schedule::Cosine,
            warmup_epochs: 0,
            weight_decay: 1e-4,
            batch_size: 64,
            epochs: 200,
            patience: 20,
            class_weights: false,
            seed: 42,
        }
    }
}

/// The model family.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelKind {
    /// One linear layer: linear, logistic or softmax regression.
    Linear,
    /// A multilayer perceptron. A newtype variant reads and writes the same JSON as the
    /// struct variant it replaced (`{"mlp": {"hidden": [64], ...}}`), so `.hearth` files,
    /// studies and `--config` files keep their format.
    Mlp(MlpSettings),
    /// Gradient-boosted trees ([`crate::train::gbdt`]), trained on the CPU whatever the device:
    /// an epoch is [`ROUNDS_PER_EPOCH`] rounds, and the trees' own `learning_rate` applies
    /// (the config's optimiser, learning rate, schedule, weight decay and batch size are the
    /// networks').
    Gbdt(GbdtSettings),
}

/// A multilayer perceptron: `hidden` layers of (linear → layer norm? → activation →
/// dropout), then a linear output layer. Absent fields take [`MlpSettings::default`]'s values.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MlpSettings {
    /// Units of each hidden layer (1 to 4 layers). Default `[64]`.
    pub hidden: Vec<usize>,
    /// Default ReLU.
    pub activation: Activation,
    /// Probability of zeroing a hidden unit during training (0 ≤ p ≤ 0.9). Default 0.
    pub dropout: f64,
    /// Normalise each hidden layer's pre-activations (learned scale and shift). Default off.
    pub layer_norm: bool,
}

impl Default for MlpSettings {
    fn default() -> Self {
        MlpSettings {
            hidden: vec![64],
            activation: Activation::Relu,
            dropout: 0.0,
            layer_norm: false,
        }
    }
}

impl Default for ModelKind {
    fn default() -> Self {
        ModelKind::Mlp(MlpSettings::default())
    }
}

impl ModelKind {
    /// A short label: "linear" or "mlp 64-32 relu".
    pub fn label(&self) -> String {
        match self {
            ModelKind::Linear => "linear".to_string(),
            ModelKind::Mlp(mlp) => {
                let sizes: Vec<String> = mlp.hidden.iter().map(usize::to_string).collect();
                format!("mlp {} {}", sizes.join("-"), mlp.activation.name())
            }
            ModelKind::Gbdt(trees) => format!(
                "gbdt {} leaves lr {}",
                trees.max_leaves,
                crate::format::number(trees.learning_rate)
            ),
        }
    }

    /// Whether the model is a network (linear or MLP), trained by burn on the chosen device,
    /// pruned and quantized; gradient-boosted trees are not.
    pub fn is_network(&self) -> bool {
        !matches!(self, ModelKind::Gbdt(_))
    }

    /// The MLP's settings, or the defaults for a linear model: where an edit that turns a
    /// model into an MLP (a `--hidden` flag, a trial's parameters) starts from.
    pub fn mlp_or_default(&self) -> MlpSettings {
        match self {
            ModelKind::Mlp(mlp) => mlp.clone(),
            ModelKind::Linear | ModelKind::Gbdt(_) => MlpSettings::default(),
        }
    }
}

/// The hidden layers' activation function.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    #[default]
    Relu,
    Gelu,
    Tanh,
}

impl Activation {
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Gelu => "gelu",
            Activation::Tanh => "tanh",
        }
    }
}

/// The regression loss, on the (standardised) target.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RegressionLoss {
    /// Mean squared error.
    Mse,
    /// Squared below `delta`, linear above: `0.5 r²` for `|r| ≤ δ`, `δ (|r| − δ/2)` beyond.
    Huber {
        #[serde(default = "default_delta")]
        delta: f64,
    },
}

fn default_delta() -> f64 {
    1.0
}

/// The optimiser.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum OptimizerKind {
    /// Adam; `weight_decay` is an L2 penalty added to the gradient.
    Adam,
    /// Adam with decoupled weight decay.
    #[serde(rename = "adamw")]
    AdamW,
    /// Stochastic gradient descent with (heavy-ball) momentum; `weight_decay` is an L2 penalty.
    Sgd {
        #[serde(default = "default_momentum")]
        momentum: f64,
    },
    /// Newton's method on every training row, for the linear model only: each epoch one step
    /// with a line search, on the host whatever the device (`train::newton`). Squared error
    /// is solved exactly in one step (ridge regression); logistic and softmax regression
    /// converge in a few. `weight_decay` is the L2 penalty on the weights; the learning rate,
    /// schedule and batch size do not apply.
    Newton,
}

fn default_momentum() -> f64 {
    0.9
}

impl OptimizerKind {
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Adam => "adam",
            OptimizerKind::AdamW => "adamw",
            OptimizerKind::Sgd { .. } => "sgd",
            OptimizerKind::Newton => "newton",
        }
    }
}

/// The learning-rate schedule after the warm-up, evaluated at every step.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    Constant,
    /// Half a cosine from `learning_rate` down to 0 over the epochs after the warm-up.
    Cosine,
    /// Multiply by `gamma` every `every_epochs` epochs (counted after the warm-up).
    Step {
        #[serde(default = "default_every")]
        every_epochs: usize,
        #[serde(default = "default_gamma")]
        gamma: f64,
    },
}

fn default_every() -> usize {
    30
}

fn default_gamma() -> f64 {
    0.1
}

impl Schedule {
    /// A short label: "constant", "cosine", "step ×0.5 every 10 epochs".
    pub fn label(self) -> String {
        match self {
            Schedule::Constant => "constant".to_string(),
            Schedule::Cosine => "cosine".to_string(),
            Schedule::Step {
                every_epochs,
                gamma,
            } => format!("step ×{gamma} every {every_epochs} epochs"),
        }
    }
}

/// Largest accepted values, to refuse settings that cannot be meant (and would exhaust memory).
const MAX_HIDDEN_LAYERS: usize = 4;
const MAX_UNITS: usize = 4096;
const MAX_BATCH: usize = 65_536;
const MAX_EPOCHS: usize = 100_000;

impl TrainConfig {
    /// Why training runs on the host whatever the device, when it does: gradient-boosted
    /// trees, and a linear model fitted by Newton's method.
    pub fn host_training(&self) -> Option<&'static str> {
        if !self.model.is_network() {
            Some("gradient-boosted trees train on the CPU")
        } else if self.optimizer == OptimizerKind::Newton {
            Some("Newton's method trains on the CPU")
        } else {
            None
        }
    }

    /// Reads a (partial) config from JSON; absent fields keep their defaults, and an empty
    /// document is the default config. The result is not validated yet.
    pub fn from_json(text: &str) -> Result<TrainConfig, TrainError> {
        if text.trim().is_empty() {
            return Ok(TrainConfig::default());
        }
        serde_json::from_str(text).map_err(|error| TrainError::Config {
            message: error.to_string(),
        })
    }

    /// Checks every setting; the error names the first one out of range.
    pub fn validate(&self) -> Result<(), TrainError> {
        if let ModelKind::Mlp(MlpSettings {
            hidden, dropout, ..
        }) = &self.model
        {
            if hidden.is_empty() || hidden.len() > MAX_HIDDEN_LAYERS {
                return Err(TrainError::setting(
                    "hidden",
                    format!(
                        "an MLP has 1 to {MAX_HIDDEN_LAYERS} hidden layers, not {}",
                        hidden.len()
                    ),
                ));
            }
            if let Some(&units) = hidden.iter().find(|&&u| u == 0 || u > MAX_UNITS) {
                return Err(TrainError::setting(
                    "hidden",
                    format!("a hidden layer has 1 to {MAX_UNITS} units, not {units}"),
                ));
            }
            if !dropout.is_finite() || !(0.0..=0.9).contains(dropout) {
                return Err(TrainError::setting(
                    "dropout",
                    format!("must be between 0 and 0.9, not {dropout}"),
                ));
            }
        }
        if let ModelKind::Gbdt(trees) = &self.model {
            trees.check()?;
            if matches!(self.loss, RegressionLoss::Huber { .. }) {
                return Err(TrainError::setting(
                    "loss",
                    "gradient-boosted trees fit squared error; the Huber loss is for networks",
                ));
            }
        }
        if self.optimizer == OptimizerKind::Newton && matches!(self.model, ModelKind::Mlp(_)) {
            return Err(TrainError::setting(
                "optimizer",
                "Newton's method fits the linear model; an MLP trains with adam, adamw or sgd",
            ));
        }
        if let RegressionLoss::Huber { delta } = self.loss
            && !(delta.is_finite() && delta > 0.0)
        {
            return Err(TrainError::setting(
                "delta",
                format!("the Huber loss's delta must be a positive number, not {delta}"),
            ));
        }
        if let OptimizerKind::Sgd { momentum } = self.optimizer
            && !(momentum.is_finite() && (0.0..1.0).contains(&momentum))
        {
            return Err(TrainError::setting(
                "momentum",
                format!("must be at least 0 and below 1, not {momentum}"),
            ));
        }
        let lr = self.learning_rate;
        if !(lr.is_finite() && lr > 0.0 && lr <= 10.0) {
            return Err(TrainError::setting(
                "learning_rate",
                format!("must be above 0 and at most 10, not {lr}"),
            ));
        }
        if let Schedule::Step {
            every_epochs,
            gamma,
        } = self.schedule
        {
            if every_epochs == 0 {
                return Err(TrainError::setting(
                    "every_epochs",
                    "the step schedule needs a step of at least 1 epoch",
                ));
            }
            if !(gamma.is_finite() && gamma > 0.0 && gamma <= 1.0) {
                return Err(TrainError::setting(
                    "gamma",
                    format!("must be above 0 and at most 1, not {gamma}"),
                ));
            }
        }
        let wd = self.weight_decay;
        if !(wd.is_finite() && (0.0..=1.0).contains(&wd)) {
            return Err(TrainError::setting(
                "weight_decay",
                format!("must be between 0 and 1, not {wd}"),
            ));
        }
        if self.batch_size == 0 || self.batch_size > MAX_BATCH {
            return Err(TrainError::setting(
                "batch_size",
                format!("must be 1 to {MAX_BATCH}, not {}", self.batch_size),
            ));
        }
        if self.epochs == 0 || self.epochs > MAX_EPOCHS {
            return Err(TrainError::setting(
                "epochs",
                format!("must be 1 to {MAX_EPOCHS}, not {}", self.epochs),
            ));
        }
        if self.warmup_epochs >= self.epochs && self.warmup_epochs > 0 {
            return Err(TrainError::setting(
                "warmup_epochs",
                format!(
                    "the warm-up ({} epochs) must be shorter than the training ({} epochs)",
                    self.warmup_epochs, self.epochs
                ),
            ));
        }
        Ok(())
    }

    /// The learning rate at `step` (0-based) of `total` steps, `steps_per_epoch` to an epoch:
    /// linear warm-up over `warmup_epochs`, then the schedule.
    pub fn learning_rate_at(&self, step: usize, steps_per_epoch: usize) -> f64 {
        let per_epoch = steps_per_epoch.max(1);
        let warmup = self.warmup_epochs.saturating_mul(per_epoch);
        let base = self.learning_rate;
        if step < warmup {
            return base * (step + 1) as f64 / warmup as f64;
        }
        let after = step - warmup;
        let total_after = self
            .epochs
            .saturating_sub(self.warmup_epochs)
            .saturating_mul(per_epoch)
            .max(1);
        match self.schedule {
            Schedule::Constant => base,
            Schedule::Cosine => {
                let progress = (after as f64 / total_after as f64).min(1.0);
                base * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
            }
            Schedule::Step {
                every_epochs,
                gamma,
            } => {
                let steps = (after / per_epoch) / every_epochs.max(1);
                base * gamma.powi(i32::try_from(steps).unwrap_or(i32::MAX))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_json_keeps_defaults_and_typos_are_refused() {
        let config = TrainConfig::from_json(
            r#"{"model": {"mlp": {"hidden": [8, 4]}}, "optimizer": {"sgd": {}}, "epochs": 5}"#,
        )
        .unwrap();
        assert_eq!(
            config.model,
            ModelKind::Mlp(MlpSettings {
                hidden: vec![8, 4],
                activation: Activation::Relu,
                dropout: 0.0,
                layer_norm: false
            })
        );
        assert_eq!(config.optimizer, OptimizerKind::Sgd { momentum: 0.9 });
        assert_eq!(config.epochs, 5);
        assert_eq!(config.batch_size, TrainConfig::default().batch_size);
        let error = TrainConfig::from_json(r#"{"epoch": 3}"#).unwrap_err();
        assert!(
            error.to_string().contains("unknown field `epoch`"),
            "{error}"
        );
        assert_eq!(TrainConfig::from_json(" ").unwrap(), TrainConfig::default());
        let linear = TrainConfig::from_json(r#"{"model": "linear", "optimizer": "adamw"}"#);
        assert_eq!(linear.unwrap().model, ModelKind::Linear);
    }

    #[test]
    fn the_mlp_settings_keep_their_json_shape() {
        // The shape `.hearth` files, studies and `--config` files were written in.
        let text = serde_json::to_string(&ModelKind::default()).unwrap();
        assert_eq!(
            text,
            r#"{"mlp":{"hidden":[64],"activation":"relu","dropout":0.0,"layer_norm":false}}"#
        );
        let empty: ModelKind = serde_json::from_str(r#"{"mlp": {}}"#).unwrap();
        assert_eq!(empty, ModelKind::default());
        let error = serde_json::from_str::<ModelKind>(r#"{"mlp": {"hiden": [3]}}"#).unwrap_err();
        assert!(
            error.to_string().contains("unknown field `hiden`"),
            "{error}"
        );
    }

    #[test]
    fn json_round_trips() {
        let config = TrainConfig {
            model: ModelKind::Mlp(MlpSettings {
                hidden: vec![3],
                activation: Activation::Tanh,
                dropout: 0.25,
                layer_norm: true,
            }),
            loss: RegressionLoss::Huber { delta: 0.5 },
            schedule: Schedule::Step {
                every_epochs: 3,
                gamma: 0.5,
            },
            ..TrainConfig::default()
        };
        let text = serde_json::to_string(&config).unwrap();
        assert_eq!(TrainConfig::from_json(&text).unwrap(), config);
    }

    #[test]
    fn each_bad_setting_is_named() {
        let bad = |edit: fn(&mut TrainConfig), setting: &str| {
            let mut config = TrainConfig::default();
            edit(&mut config);
            match config.validate() {
                Err(TrainError::Setting { setting: s, .. }) => assert_eq!(s, setting),
                other => panic!("{setting}: {other:?}"),
            }
        };
        bad(|c| c.learning_rate = 0.0, "learning_rate");
        bad(|c| c.learning_rate = f64::NAN, "learning_rate");
        bad(|c| c.batch_size = 0, "batch_size");
        bad(|c| c.epochs = 0, "epochs");
        bad(|c| c.weight_decay = -1.0, "weight_decay");
        bad(|c| c.warmup_epochs = c.epochs, "warmup_epochs");
        bad(
            |c| c.optimizer = OptimizerKind::Sgd { momentum: 1.0 },
            "momentum",
        );
        bad(|c| c.loss = RegressionLoss::Huber { delta: 0.0 }, "delta");
        bad(
            |c| {
                c.schedule = Schedule::Step {
                    every_epochs: 0,
                    gamma: 0.5,
                }
            },
            "every_epochs",
        );
        bad(
            |c| {
                c.schedule = Schedule::Step {
                    every_epochs: 1,
                    gamma: 2.0,
                }
            },
            "gamma",
        );
        bad(
            |c| {
                c.model = ModelKind::Mlp(MlpSettings {
                    hidden: vec![],
                    activation: Activation::Relu,
                    dropout: 0.0,
                    layer_norm: false,
                })
            },
            "hidden",
        );
        bad(
            |c| {
                c.model = ModelKind::Mlp(MlpSettings {
                    hidden: vec![4, 0],
                    activation: Activation::Relu,
                    dropout: 0.0,
                    layer_norm: false,
                })
            },
            "hidden",
        );
        bad(
            |c| {
                c.model = ModelKind::Mlp(MlpSettings {
                    hidden: vec![4; 5],
                    activation: Activation::Relu,
                    dropout: 0.0,
                    layer_norm: false,
                })
            },
            "hidden",
        );
        bad(
            |c| {
                c.model = ModelKind::Mlp(MlpSettings {
                    hidden: vec![4],
                    activation: Activation::Relu,
                    dropout: 1.0,
                    layer_norm: false,
                })
            },
            "dropout",
        );
        assert_eq!(TrainConfig::default().validate(), Ok(()));
        let message = TrainError::setting("batch_size", "must be 1 to 65536, not 0").to_string();
        assert_eq!(
            message,
            "Training setting \"batch_size\": must be 1 to 65536, not 0."
        );
    }

    #[test]
    fn schedules_follow_their_formulas() {
        let mut config = TrainConfig {
            learning_rate: 1.0,
            epochs: 10,
            schedule: Schedule::Constant,
            ..TrainConfig::default()
        };
        assert_eq!(config.learning_rate_at(0, 4), 1.0);
        assert_eq!(config.learning_rate_at(39, 4), 1.0);
        config.warmup_epochs = 2;
        assert_eq!(config.learning_rate_at(0, 4), 1.0 / 8.0);
        assert_eq!(config.learning_rate_at(7, 4), 1.0);
        assert_eq!(config.learning_rate_at(8, 4), 1.0);
        config.schedule = Schedule::Cosine;
        assert_eq!(config.learning_rate_at(8, 4), 1.0);
        // Halfway through the 32 post-warm-up steps: cos(π/2) → 0.5.
        assert!((config.learning_rate_at(8 + 16, 4) - 0.5).abs() < 1e-12);
        assert!(config.learning_rate_at(39, 4) < 0.01);
        config.schedule = Schedule::Step {
            every_epochs: 3,
            gamma: 0.5,
        };
        assert_eq!(config.learning_rate_at(8 + 11, 4), 1.0);
        assert_eq!(config.learning_rate_at(8 + 12, 4), 0.5);
        assert_eq!(config.learning_rate_at(8 + 24, 4), 0.25);
    }
}
