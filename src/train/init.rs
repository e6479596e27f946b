//! What a training run starts from: the output head checked against the pipeline, the initial
//! weights, and the seed streams that keep the weights, the batch order and dropout apart.
//!
//! One place for both, so that the trainer and the gradient check
//! ([`loss_and_gradient`](super::loss_and_gradient)) agree on the head and on the seeds.

use super::config::TrainConfig;
use super::error::TrainError;
use super::examples::Examples;
use super::model::{Architecture, Head, Weights};
use crate::data::Task;
use crate::prep::{FittedPipeline, TargetEncoding};

/// Seed offsets, so that the weights, the batch order and dropout draw independent streams.
const INIT_STREAM: u64 = 0x5EED_0001;
pub(super) const SHUFFLE_STREAM: u64 = 0x5EED_0002;
pub(super) const DROPOUT_STREAM: u64 = 0x5EED_0003;

/// The task's output head, checked against the pipeline.
pub fn head_of(pipeline: &FittedPipeline, config: &TrainConfig) -> Result<Head, TrainError> {
    match (&pipeline.target_encoding, pipeline.task) {
        (
            TargetEncoding::Labels { classes },
            Task::BinaryClassification | Task::MulticlassClassification,
        ) => {
            if classes.len() < 2 {
                return Err(TrainError::data(
                    "training",
                    "classification needs at least two classes",
                ));
            }
            let task = if classes.len() == 2 {
                Task::BinaryClassification
            } else {
                Task::MulticlassClassification
            };
            Ok(Head::new(task, classes.len(), config.loss))
        }
        (TargetEncoding::Regression { .. }, Task::Regression) => {
            Ok(Head::new(Task::Regression, 0, config.loss))
        }
        _ => Err(TrainError::data(
            "training",
            "the pipeline's target encoding does not match its task",
        )),
    }
}

/// The initial weights for the data and config, drawn from `config.seed`.
pub fn initial_weights(
    pipeline: &FittedPipeline,
    train: &Examples,
    config: &TrainConfig,
) -> Result<Weights, TrainError> {
    config.validate()?;
    let head = head_of(pipeline, config)?;
    let arch = Architecture::new(&config.model, train.features.cols, head.outputs());
    Ok(Weights::init(&arch, config.seed ^ INIT_STREAM))
}
