//! The whole model in the numeric form an export writes: a network's compressed weights, or
//! gradient-boosted trees, which stay float32 (ONNX-ML's tree operators take float thresholds
//! and leaf values, and the trees' size is their node count, not a weight width), or an
//! ensemble of both, whose networks take the form asked for and whose trees stay float32.

use super::error::CompressError;
use super::forward;
use super::network::CompressedNetwork;
use super::settings::Quantization;
use crate::prep::Matrix;
use crate::train::gbdt::Booster;
use crate::train::{
    Fitted, Head, Member, ModelFile, TrainError, Weights, predict_trees, weighted_sum,
};

/// A model ready to export.
#[derive(Clone, Debug, PartialEq)]
pub enum CompressedModel {
    Network(CompressedNetwork),
    Trees(Booster),
    /// Each member with its weight, in the ensemble's order.
    Ensemble(Vec<(f32, CompressedModel)>),
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
            Fitted::Weights(weights) => network(weights, quantization, calibration),
            Fitted::Booster(booster) if quantization == Quantization::None => {
                Ok(CompressedModel::Trees(booster.clone()))
            }
            Fitted::Booster(_) => Err(CompressError::TreesStayFloat32 {
                form: quantization.label(),
            }),
            Fitted::Ensemble(_) if quantization != Quantization::None && !quantizable(model) => {
                Err(CompressError::TreesStayFloat32 {
                    form: quantization.label(),
                })
            }
            Fitted::Ensemble(members) => members
                .iter()
                .map(|Member { weight, fitted, .. }| {
                    let compressed = match fitted {
                        Fitted::Weights(weights) => network(weights, quantization, calibration)?,
                        Fitted::Booster(booster) => CompressedModel::Trees(booster.clone()),
                        Fitted::Ensemble(_) => {
                            return Err(
                                TrainError::model_file("an ensemble cannot be a member").into()
                            );
                        }
                    };
                    Ok((*weight, compressed))
                })
                .collect::<Result<Vec<_>, CompressError>>()
                .map(CompressedModel::Ensemble),
        }
    }

    /// The form of the networks (float32 for trees alone).
    pub fn quantization(&self) -> Quantization {
        match self {
            CompressedModel::Network(network) => network.quantization,
            CompressedModel::Trees(_) => Quantization::None,
            CompressedModel::Ensemble(members) => members
                .iter()
                .map(|(_, member)| member.quantization())
                .find(|q| *q != Quantization::None)
                .unwrap_or(Quantization::None),
        }
    }

    /// The head's outputs for every row of `features`, as the exported graph computes them.
    pub fn predict(&self, head: &Head, features: &Matrix) -> Result<Vec<f32>, CompressError> {
        match self {
            CompressedModel::Network(network) => forward::predict(network, head, features),
            CompressedModel::Trees(booster) => Ok(predict_trees(booster, features)?),
            CompressedModel::Ensemble(members) => {
                let parts = members
                    .iter()
                    .map(|(weight, member)| Ok((*weight, member.predict(head, features)?)))
                    .collect::<Result<Vec<_>, CompressError>>()?;
                Ok(weighted_sum(parts).unwrap_or_default())
            }
        }
    }
}

fn network(
    weights: &Weights,
    quantization: Quantization,
    calibration: Option<&Matrix>,
) -> Result<CompressedModel, CompressError> {
    Ok(CompressedModel::Network(CompressedNetwork::new(
        weights,
        quantization,
        calibration,
    )?))
}

/// The model's trainable numbers: a network's weights and biases, the trees' nodes
/// (thresholds and leaf values), or an ensemble's members' together.
pub fn parameters(fitted: &Fitted) -> usize {
    match fitted {
        Fitted::Weights(weights) => weights.architecture.parameters(),
        Fitted::Booster(booster) => booster.trees.iter().map(|tree| tree.nodes.len()).sum(),
        Fitted::Ensemble(members) => members.iter().map(|m| parameters(&m.fitted)).sum(),
    }
}

/// Whether the model has a network to quantize (alone or in an ensemble): float16 and int8
/// forms apply to it; trees alone have one form.
pub fn quantizable(model: &ModelFile) -> bool {
    has_network(&model.fitted)
}

pub(super) fn has_network(fitted: &Fitted) -> bool {
    match fitted {
        Fitted::Weights(_) => true,
        Fitted::Booster(_) => false,
        Fitted::Ensemble(members) => members.iter().any(|m| has_network(&m.fitted)),
    }
}
