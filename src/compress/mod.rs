//! Compression of a trained network: magnitude pruning (one shot or gradual with
//! fine-tuning), quantization (float16 weights; int8 weights with activations quantized at run
//! time, or with ranges fixed from calibration rows), and the report that compares each
//! variant with the float32 model.
//!
//! * Settings ([`PruneSettings`], [`Quantization`]) and the report ([`CompressionReport`]) are
//!   plain serde types without burn, so the page (built without `compute`) can show them.
//! * The math works on host weights ([`Weights`](crate::train::Weights)), needs no device and
//!   no threads: [`magnitude_prune`] removes exactly `round(sparsity × weights)` dense weights
//!   and returns a [`PruneMask`]; [`CompressedNetwork::new`] stores each layer as float16 or
//!   int8; [`predict`] runs a variant on the host exactly as its ONNX graph computes, so
//!   [`compare`] measures what a runtime will see (sizes come from the file writer it is
//!   given: the export layer, which uses this one, passes the ONNX writer).
//! * Fine-tuning after pruning needs the trainer, so [`Pruner`] is `async` (the worker awaits
//!   each stage) and holds the removed weights at zero after every optimisation step through
//!   [`Trainer::set_weight_masks`](crate::train::Trainer::set_weight_masks).
//!
//! Only dense weights are pruned or quantized: biases and layer norms are a small share of the
//! parameters and move whole units, so they stay float32 (float16 in the float16 variant).
//!
//! Those pieces need the network's weight types, which live with burn (`compute` feature).

mod error;
mod report;
mod settings;

#[cfg(feature = "compute")]
mod compare;
#[cfg(feature = "compute")]
mod forward;
#[cfg(feature = "compute")]
mod model;
#[cfg(feature = "compute")]
mod network;
#[cfg(feature = "compute")]
mod prune;
#[cfg(feature = "compute")]
mod pruner;
#[cfg(feature = "compute")]
mod quantize;

pub use error::CompressError;
pub use report::{CompressionReport, SparsityPoint, VariantReport, headline};
pub use settings::{
    Calibration, Granularity, MAX_FINE_TUNE_EPOCHS, MAX_STAGES, PruneScope, PruneSettings,
    Quantization,
};

#[cfg(feature = "compute")]
pub use compare::{CURVE_LEVELS, Compared, EvaluationRows, compare, sparsity_curve};
#[cfg(feature = "compute")]
pub use forward::{CHUNK_ROWS, NORM_EPSILON, predict};
#[cfg(feature = "compute")]
pub use model::{CompressedModel, parameters, quantizable};
#[cfg(feature = "compute")]
pub use network::{AffineParams, CompressedNetwork, DenseStorage, Int8Matrix, WEIGHT_LIMIT};
#[cfg(feature = "compute")]
pub use prune::{PruneMask, dense_sparsity, magnitude_prune};
#[cfg(feature = "compute")]
pub use pruner::{PruneStage, Pruner, prune_model};
#[cfg(feature = "compute")]
pub use quantize::MAX_CALIBRATION_ROWS;
