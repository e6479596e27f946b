//! A network's weights on the host (what a model file stores) and their architecture, with
//! the seeded initial draw and the checks a hand-edited model file goes through.

use serde::{Deserialize, Serialize};

use super::super::config::{Activation, MlpSettings, ModelKind};
use super::super::error::TrainError;
use crate::rng::SplitMix64;

/// The layer sizes and functions of a network: everything but the weights.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Architecture {
    /// Features in.
    pub inputs: usize,
    /// Outputs: 1 for regression and binary classification (the logit of class 1), the number
    /// of classes for multiclass classification.
    pub outputs: usize,
    /// Hidden layer sizes; empty for the linear family.
    pub hidden: Vec<usize>,
    pub activation: Activation,
    /// Whether each hidden layer is normalised before its activation.
    pub layer_norm: bool,
}

impl Architecture {
    /// The architecture of `model` for `inputs` features and the task's outputs.
    pub fn new(model: &ModelKind, inputs: usize, outputs: usize) -> Architecture {
        match model {
            // Trees have no network; the linear shape keeps the match total.
            ModelKind::Linear | ModelKind::Gbdt(_) => Architecture {
                inputs,
                outputs,
                hidden: Vec::new(),
                activation: Activation::Relu,
                layer_norm: false,
            },
            ModelKind::Mlp(MlpSettings {
                hidden,
                activation,
                layer_norm,
                ..
            }) => Architecture {
                inputs,
                outputs,
                hidden: hidden.clone(),
                activation: *activation,
                layer_norm: *layer_norm,
            },
        }
    }

    /// `[inputs, hidden…, outputs]`.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![self.inputs];
        sizes.extend(&self.hidden);
        sizes.push(self.outputs);
        sizes
    }

    /// Number of trainable numbers.
    pub fn parameters(&self) -> usize {
        let sizes = self.sizes();
        let dense: usize = sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum();
        let norms: usize = if self.layer_norm {
            self.hidden.iter().map(|h| 2 * h).sum()
        } else {
            0
        };
        dense + norms
    }
}

/// One dense layer's weights: `weight` is row-major `[inputs][outputs]` (output `j` is
/// `bias[j] + Σ_i x[i] · weight[i · outputs + j]`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DenseWeights {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

/// One layer norm's scale and shift.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NormWeights {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
}

/// A network's weights on the host: what a model file stores. `dense` has one layer per
/// hidden layer and then the output layer; `norms` one per hidden layer with layer norm.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Weights {
    pub architecture: Architecture,
    pub dense: Vec<DenseWeights>,
    pub norms: Vec<NormWeights>,
}

impl Weights {
    /// Initial weights drawn from `seed`: every dense weight and bias uniform in
    /// `±1/√inputs` (PyTorch's default for linear layers), layer norms at scale 1, shift 0.
    pub fn init(architecture: &Architecture, seed: u64) -> Weights {
        let mut rng = SplitMix64::new(seed);
        let sizes = architecture.sizes();
        let dense = sizes
            .windows(2)
            .map(|w| {
                let (inputs, outputs) = (w[0], w[1]);
                let bound = 1.0 / (inputs.max(1) as f64).sqrt();
                let mut draw = |n: usize| -> Vec<f32> {
                    (0..n)
                        .map(|_| ((rng.next_f64() * 2.0 - 1.0) * bound) as f32)
                        .collect()
                };
                let weight = draw(inputs * outputs);
                let bias = draw(outputs);
                DenseWeights {
                    inputs,
                    outputs,
                    weight,
                    bias,
                }
            })
            .collect();
        let norms = if architecture.layer_norm {
            architecture
                .hidden
                .iter()
                .map(|&h| NormWeights {
                    gamma: vec![1.0; h],
                    beta: vec![0.0; h],
                })
                .collect()
        } else {
            Vec::new()
        };
        Weights {
            architecture: architecture.clone(),
            dense,
            norms,
        }
    }

    /// Checks that the weights fit their architecture and are finite (a model file may have
    /// been edited by hand).
    pub fn validate(&self) -> Result<(), TrainError> {
        let arch = &self.architecture;
        if arch.inputs == 0 || arch.outputs == 0 {
            return Err(TrainError::model_file(
                "the network has no inputs or no outputs",
            ));
        }
        if arch.hidden.len() > 4 || arch.hidden.iter().any(|&h| h == 0 || h > 4096) {
            return Err(TrainError::model_file(
                "the network's hidden layers are not 1 to 4 layers of 1 to 4096 units",
            ));
        }
        let sizes = arch.sizes();
        if self.dense.len() != sizes.len() - 1 {
            return Err(TrainError::model_file(format!(
                "the network should have {} dense layers but has {}",
                sizes.len() - 1,
                self.dense.len()
            )));
        }
        for (i, (layer, w)) in self.dense.iter().zip(sizes.windows(2)).enumerate() {
            if layer.inputs != w[0]
                || layer.outputs != w[1]
                || layer.weight.len() != w[0] * w[1]
                || layer.bias.len() != w[1]
            {
                return Err(TrainError::model_file(format!(
                    "dense layer {} does not have {} inputs and {} outputs",
                    i + 1,
                    w[0],
                    w[1]
                )));
            }
        }
        let expected_norms = if arch.layer_norm {
            arch.hidden.len()
        } else {
            0
        };
        if self.norms.len() != expected_norms
            || self
                .norms
                .iter()
                .zip(&arch.hidden)
                .any(|(n, &h)| n.gamma.len() != h || n.beta.len() != h)
        {
            return Err(TrainError::model_file(
                "the layer norms do not match the hidden layers",
            ));
        }
        if !self.values().all(f32::is_finite) {
            return Err(TrainError::model_file("a weight is not a finite number"));
        }
        Ok(())
    }

    /// Every number, in a fixed order (dense weight and bias per layer, then the norms).
    pub fn values(&self) -> impl Iterator<Item = f32> + '_ {
        self.dense
            .iter()
            .flat_map(|d| d.weight.iter().chain(&d.bias))
            .chain(
                self.norms
                    .iter()
                    .flat_map(|n| n.gamma.iter().chain(&n.beta)),
            )
            .copied()
    }

    /// Mutable access to every number, in the order of [`Weights::values`].
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut f32> + '_ {
        self.dense
            .iter_mut()
            .flat_map(|d| d.weight.iter_mut().chain(d.bias.iter_mut()))
            .chain(
                self.norms
                    .iter_mut()
                    .flat_map(|n| n.gamma.iter_mut().chain(n.beta.iter_mut())),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_weights_follow_the_seed_and_the_architecture() {
        let arch = Architecture::new(
            &ModelKind::Mlp(MlpSettings {
                hidden: vec![3, 2],
                activation: Activation::Tanh,
                dropout: 0.0,
                layer_norm: true,
            }),
            4,
            5,
        );
        assert_eq!(arch.sizes(), vec![4, 3, 2, 5]);
        assert_eq!(arch.parameters(), 4 * 3 + 3 + 3 * 2 + 2 + 2 * 5 + 5 + 6 + 4);
        let a = Weights::init(&arch, 1);
        assert_eq!(a, Weights::init(&arch, 1));
        assert_ne!(a, Weights::init(&arch, 2));
        assert_eq!(a.values().count(), arch.parameters());
        assert_eq!(a.validate(), Ok(()));
        assert!(a.dense[0].weight.iter().all(|w| w.abs() <= 0.5));
        let mut broken = a.clone();
        broken.dense[1].bias.pop();
        assert!(broken.validate().is_err());
        let mut nan = a;
        if let Some(v) = nan.values_mut().nth(7) {
            *v = f32::NAN;
        }
        assert!(nan.validate().is_err());
    }
}
