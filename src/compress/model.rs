//! The whole model in the numeric form an export writes: a network's compressed weights, or
//! gradient-boosted trees, which stay float32 (ONNX-ML's tree operators take float thresholds
//! and leaf values, and the trees' size is their node count, not a weight width).

use super::error::CompressError;
use super::forward;
use super::network::CompressedNetwork;
use super::settings::Quantization;
use crate::prep::Matrix;
use crate::train::gbdt::Booster;
use crate::train::{Fitted, Head, ModelFile, TrainError};

/// A model ready to export.
#[derive(Clone, Debug, PartialEq)]
pub enum CompressedModel {
    Network(CompressedNetwork),
    Trees(Booster),
}

impl CompressedModel {
    /// `model` in `quantization`'s form (static int8 is calibrated on `calibration`, feature
    /// rows such as the training rows). Trees take only [`Quantization::None`].
    pub fn new(
        model: &ModelFile,
        quantization: Quantization,
        calibration: Option<&Matrix>,
    ) -> Result<CompressedModel, CompressError> {
        match &model.fitted {
            Fitted::Weights(weights) => Ok(CompressedModel::Network(CompressedNetwork::new(
                weights,
                quantization,
                calibration,
            )?)),
            Fitted::Booster(booster) if quantization == Quantization::None => {
                Ok(CompressedModel::Trees(booster.clone()))
            }
            Fitted::Booster(_) => Err(CompressError::TreesStayFloat32 {
                form: quantization.label(),
            }),
        }
    }

    pub fn quantization(&self) -> Quantization {
        match self {
            CompressedModel::Network(network) => network.quantization,
            CompressedModel::Trees(_) => Quantization::None,
        }
    }

    /// The head's outputs for every row of `features`, as the exported graph computes them.
    pub fn predict(&self, head: &Head, features: &Matrix) -> Result<Vec<f32>, CompressError> {
        match self {
            CompressedModel::Network(network) => forward::predict(network, head, features),
            CompressedModel::Trees(booster) => {
                if features.cols != booster.features {
                    return Err(TrainError::data(
                        "prediction",
                        format!(
                            "it has {} features but the trees take {}",
                            features.cols, booster.features
                        ),
                    )
                    .into());
                }
                Ok(booster.predict(&features.values, features.rows, features.cols))
            }
        }
    }
}
