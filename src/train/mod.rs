//! Training: a linear model or an MLP on the prepared features, epoch by epoch, on burn's CPU
//! device or the GPU, or gradient-boosted trees on the host ([`gbdt`], an epoch being
//! [`ROUNDS_PER_EPOCH`] rounds, through the same [`Trainer`]), with early stopping, metrics and a
//! `.hearth` model file.
//!
//! The same code runs natively (the `hearth train` command) and in the Web Worker, so it keeps
//! the browser's rules: every readback is `async` and batched (one [`Transaction`] per epoch:
//! the epoch's loss and the validation predictions; training steps read nothing back), time
//! comes from [`crate::clock::Stopwatch`], and there are no threads or files.
//!
//! * [`TrainConfig`]: the model family ([`ModelKind::Linear`]: linear / logistic / softmax
//!   regression; [`ModelKind::Mlp`]: 1–4 hidden layers with ReLU, GELU or tanh, dropout and
//!   layer norm; [`ModelKind::Gbdt`]: gradient-boosted trees), the regression loss (MSE or Huber), the optimiser (Adam, AdamW, SGD with
//!   momentum, or for the linear model Newton's method on the host, `newton`), learning rate, schedule (constant, cosine, step) with linear warm-up, weight
//!   decay, batch size, epochs, early-stopping patience, class weights and the seed.
//! * [`TrainingData::from_prepared`] turns a [`Prepared`](crate::prep::Prepared) dataset into
//!   [`Examples`] (features + encoded targets) for train / validation / test.
//! * [`Trainer`]: `new` → `next_epoch().await` until `done()` → `evaluate(test).await` →
//!   [`ModelFile::from_trainer`]. The best epoch's weights (by [`Monitor`]) are kept as a
//!   snapshot and are what `evaluate`, `predict` and the model file use.
//! * [`pick_fastest`] times a short burst of steps on each device for the data's shape;
//!   [`choose_device`] is the choice both front ends make with it.
//! * [`metrics`]: pure-Rust metrics on read-back predictions.
//!
//! Binary classification has one output (the logit of class 1, logistic loss); multiclass one
//! per class (softmax cross-entropy); regression one (the standardised target; metrics are on
//! the original scale through [`FittedPipeline::decode_value`](crate::prep::FittedPipeline::decode_value)).
//!
//! Early stopping watches, lower being better: classification, the validation loss (log loss,
//! class-weighted when `class_weights` is on); regression, the validation RMSE; without
//! validation rows, the training loss.
//!
//! Determinism: the seed drives the initial weights, the batch order and dropout, all drawn on
//! the host with [`SplitMix64`](crate::rng::SplitMix64) (burn's own generator is per process on
//! the CPU device, so concurrent runs would share it). The same seed, data, config and device
//! give identical weights and metrics; CPU and GPU agree up to floating-point rounding.
//!
//! [`Transaction`]: burn::tensor::Transaction

// The trainer's modules import downwards only (burn-train's split): `examples` (host data) ←
// `init` (head, seeds), `batch` (upload) ← `evaluate` (outputs → loss, metrics), `step` (one
// optimisation step), `trees` (the gradient-boosted trees' epochs) ← `trainer` (the epoch
// loop), which also uses `early_stopping`; only `device` and `file` import `trainer`.
#[cfg(feature = "compute")]
mod batch;
mod config;
#[cfg(feature = "compute")]
mod device;
#[cfg(feature = "compute")]
mod early_stopping;
mod error;
#[cfg(feature = "compute")]
mod evaluate;
mod examples;
#[cfg(feature = "compute")]
mod file;
pub mod gbdt;
pub mod handover;
#[cfg(feature = "compute")]
mod init;
pub mod metrics;
#[cfg(feature = "compute")]
mod model;
#[cfg(feature = "compute")]
mod newton;
mod report;
#[cfg(feature = "compute")]
mod step;
#[cfg(feature = "compute")]
mod trainer;
#[cfg(feature = "compute")]
mod trees;

// Settings, metrics and reports need no burn: the page (built without it) uses them too.
pub use config::{
    Activation, MlpSettings, ModelKind, OptimizerKind, ROUNDS_PER_EPOCH, RegressionLoss, Schedule,
    TrainConfig,
};
pub use error::TrainError;
pub use metrics::{ClassificationMetrics, Metrics, Monitor, RegressionMetrics};
pub use report::{DevicePreference, DeviceSelection, DeviceTiming, EpochReport, TrainingSummary};

#[cfg(feature = "cpu")]
pub use device::{DeviceChoiceError, DeviceRequest, GpuOffer, choose_device};
#[cfg(feature = "compute")]
pub use device::{
    DeviceTime, TIMED_STEPS, WARMUP_STEPS, fastest_run_ms, pick_fastest, time_device,
    time_device_within, time_one,
};
#[cfg(feature = "compute")]
pub use evaluate::{TestResult, answers_column, evaluate_outputs, infer, regression_points};
pub use examples::{Examples, Layout, Part, TrainingData};
#[cfg(feature = "compute")]
pub use file::{
    Fitted, MODEL_FORMAT, MODEL_FORMAT_VERSION, Member, ModelFile, Predictions, weighted_sum,
};
#[cfg(feature = "compute")]
pub use init::{head_of, initial_weights};
#[cfg(feature = "compute")]
pub use model::{Architecture, DenseWeights, Head, Network, NormWeights, Weights, class_weights};
#[cfg(feature = "compute")]
pub use newton::{MAX_NEWTON_WORK, newton_fits};
#[cfg(feature = "compute")]
pub use step::loss_and_gradient;
#[cfg(feature = "compute")]
pub use trainer::Trainer;
#[cfg(feature = "compute")]
pub use trees::predict as predict_trees;
