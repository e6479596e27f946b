//! Training: a linear model or an MLP on the prepared features, epoch by epoch, on burn's CPU
//! device or the GPU, with early stopping, metrics and a `.hearth` model file.
//!
//! The same code runs natively (the `hearth train` command) and in the Web Worker, so it keeps
//! the browser's rules: every readback is `async` and batched (one [`Transaction`] per epoch:
//! the epoch's loss and the validation predictions; training steps read nothing back), time
//! comes from [`crate::clock::Stopwatch`], and there are no threads or files.
//!
//! * [`TrainConfig`]: the model family ([`ModelKind::Linear`]: linear / logistic / softmax
//!   regression; [`ModelKind::Mlp`]: 1–4 hidden layers with ReLU, GELU or tanh, dropout and
//!   layer norm), the regression loss (MSE or Huber), the optimiser (Adam, AdamW, SGD with
//!   momentum), learning rate, schedule (constant, cosine, step) with linear warm-up, weight
//!   decay, batch size, epochs, early-stopping patience, class weights and the seed.
//! * [`TrainingData::from_prepared`] turns a [`Prepared`](crate::prep::Prepared) dataset into
//!   [`Examples`] (features + encoded targets) for train / validation / test.
//! * [`Trainer`]: `new` → `next_epoch().await` until `done()` → `evaluate(test).await` →
//!   [`ModelFile::from_trainer`]. The best epoch's weights (by [`Monitor`]) are kept as a
//!   snapshot and are what `evaluate`, `predict` and the model file use.
//! * [`pick_fastest`] times a short burst of steps on each device for the data's shape.
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

mod config;
#[cfg(feature = "compute")]
mod device;
mod error;
#[cfg(feature = "compute")]
mod file;
pub mod metrics;
#[cfg(feature = "compute")]
mod model;
mod report;
#[cfg(feature = "compute")]
mod trainer;

// Settings, metrics and reports need no burn: the page (built without it) uses them too.
pub use config::{Activation, ModelKind, OptimizerKind, RegressionLoss, Schedule, TrainConfig};
pub use error::TrainError;
pub use metrics::{ClassificationMetrics, Metrics, Monitor, RegressionMetrics};
pub use report::{DevicePreference, DeviceSelection, DeviceTiming, EpochReport, TrainingSummary};

#[cfg(feature = "compute")]
pub use device::{
    DeviceTime, TIMED_STEPS, WARMUP_STEPS, pick_fastest, time_device, time_device_within,
};
#[cfg(feature = "compute")]
pub use file::{MODEL_FORMAT, MODEL_FORMAT_VERSION, ModelFile, Predictions};
#[cfg(feature = "compute")]
pub use model::{Architecture, DenseWeights, Head, Network, NormWeights, Weights, class_weights};
#[cfg(feature = "compute")]
pub use trainer::{
    Examples, Trainer, TrainingData, evaluate_outputs, infer, initial_weights, loss_and_gradient,
    regression_points,
};
