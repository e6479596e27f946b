//! The network (a burn module), its weights on the host, and the training objective.
//!
//! Initial weights are drawn on the host from the config's seed with
//! [`SplitMix64`](crate::rng::SplitMix64) and uploaded, rather than drawn by burn: burn's CPU
//! device keeps one random generator for the whole process, so two trainings running at once
//! (tests, or two runs in one worker) would interleave their draws. Drawing on the host also
//! makes the initial weights identical on every device, so CPU and GPU runs can be compared.
//! Dropout masks are drawn the same way.
//!
//! The host-side weights and their architecture are in `weights.rs`, the head (output
//! activation and loss) in `head.rs`; this module is the burn network.

mod head;
mod weights;

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::activation::{gelu, relu};
use burn::tensor::{Device, Gradients, Tensor, TensorData, Transaction};

pub use head::{Head, class_weights};
pub use weights::{Architecture, DenseWeights, NormWeights, Weights};

use super::config::Activation;
use super::error::TrainError;

/// The epsilon of layer norm (burn's and PyTorch's default).
const NORM_EPSILON: f64 = 1e-5;

/// A layer norm's learned scale and shift.
#[derive(Module, Debug)]
pub struct Norm {
    gamma: Param<Tensor<1>>,
    beta: Param<Tensor<1>>,
}

/// The network as a burn module: dense layers, optional layer norms, and the activation.
#[derive(Module, Debug)]
pub struct Network {
    dense: Vec<Linear>,
    norms: Vec<Norm>,
    #[module(skip)]
    architecture: Architecture,
}

fn param1(values: &[f32], device: &Device) -> Param<Tensor<1>> {
    Param::from_tensor(Tensor::from_data(
        TensorData::new(values.to_vec(), [values.len()]),
        device,
    ))
}

impl Network {
    /// Uploads `weights` (checked first) to `device`; on an autodiff device the parameters
    /// are trainable.
    pub fn from_weights(weights: &Weights, device: &Device) -> Result<Network, TrainError> {
        weights.validate()?;
        let dense = weights
            .dense
            .iter()
            .map(|layer| Linear {
                weight: Param::from_tensor(Tensor::from_data(
                    TensorData::new(layer.weight.clone(), [layer.inputs, layer.outputs]),
                    device,
                )),
                bias: Some(param1(&layer.bias, device)),
            })
            .collect();
        let norms = weights
            .norms
            .iter()
            .map(|norm| Norm {
                gamma: param1(&norm.gamma, device),
                beta: param1(&norm.beta, device),
            })
            .collect();
        Ok(Network {
            dense,
            norms,
            architecture: weights.architecture.clone(),
        })
    }

    pub fn architecture(&self) -> &Architecture {
        &self.architecture
    }

    /// The network with each dense weight multiplied by its mask (`masks[layer]`, shaped like
    /// the weight), keeping the parameter ids so that an optimiser's state carries over: how
    /// the trainer holds pruned weights at zero.
    pub(crate) fn masked(self, masks: &[Tensor<2>]) -> Network {
        let dense = self
            .dense
            .into_iter()
            .enumerate()
            .map(|(index, mut layer)| {
                if let Some(mask) = masks.get(index) {
                    let require_grad = layer.weight.val().is_require_grad();
                    layer.weight = layer.weight.map(|weight| {
                        (weight * mask.clone())
                            .detach()
                            .set_require_grad(require_grad)
                    });
                }
                layer
            })
            .collect();
        Network { dense, ..self }
    }

    /// The raw outputs (logits, or the standardised regression value) for a batch
    /// `[rows, inputs]`. `masks`, when given, holds one dropout mask `[rows, units]` per hidden
    /// layer (0 or 1/(1 − p)), applied after the activation.
    pub fn forward(&self, input: Tensor<2>, masks: Option<&[Tensor<2>]>) -> Tensor<2> {
        let last = self.dense.len().saturating_sub(1);
        let mut x = input;
        for (i, layer) in self.dense.iter().enumerate() {
            x = layer.forward(x);
            if i == last {
                break;
            }
            if let Some(norm) = self.norms.get(i) {
                x = burn::tensor::module::layer_norm(
                    x,
                    norm.gamma.val(),
                    Some(norm.beta.val()),
                    NORM_EPSILON,
                );
            }
            x = match self.architecture.activation {
                Activation::Relu => relu(x),
                Activation::Gelu => gelu(x),
                Activation::Tanh => x.tanh(),
            };
            if let Some(mask) = masks.and_then(|m| m.get(i)) {
                x = x * mask.clone();
            }
        }
        x
    }

    /// The gradient of every parameter, flattened, in the order of [`Weights::values`]
    /// (zeros for a parameter without one).
    pub(crate) fn gradient_vectors(&self, grads: &Gradients) -> Vec<Tensor<1>> {
        fn flat<const D: usize>(value: Tensor<D>, grads: &Gradients) -> Tensor<1> {
            let n = value.shape().num_elements();
            match value.grad(grads) {
                Some(grad) => grad.reshape([n]),
                None => Tensor::zeros([n], &value.device().without_autodiff()),
            }
        }
        let mut out = Vec::new();
        for layer in &self.dense {
            out.push(flat(layer.weight.val(), grads));
            if let Some(bias) = &layer.bias {
                out.push(flat(bias.val(), grads));
            }
        }
        for norm in &self.norms {
            out.push(flat(norm.gamma.val(), grads));
            out.push(flat(norm.beta.val(), grads));
        }
        out
    }

    /// Reads every weight back to the host in one transaction.
    pub async fn weights(&self) -> Result<Weights, TrainError> {
        let mut transaction = Transaction::default();
        for layer in &self.dense {
            transaction = transaction.register(layer.weight.val().inner());
            if let Some(bias) = &layer.bias {
                transaction = transaction.register(bias.val().inner());
            }
        }
        for norm in &self.norms {
            transaction = transaction
                .register(norm.gamma.val().inner())
                .register(norm.beta.val().inner());
        }
        let device = self.dense.first().map(|layer| layer.weight.val().device());
        let data = transaction
            .execute_async()
            .await
            .map_err(|error| readback_error(device.as_ref(), "reading the weights", error))?;
        let mut values = data.into_iter().map(|d| d.try_into_vec_as::<f32>());
        let mut next = |what: &str| -> Result<Vec<f32>, TrainError> {
            match values.next() {
                Some(Ok(v)) => Ok(v),
                Some(Err(error)) => Err(readback_error(
                    device.as_ref(),
                    "reading the weights",
                    format!("{what}: {error:?}"),
                )),
                None => Err(readback_error(
                    device.as_ref(),
                    "reading the weights",
                    format!("{what} is missing"),
                )),
            }
        };
        let sizes = self.architecture.sizes();
        let mut dense = Vec::with_capacity(self.dense.len());
        for w in sizes.windows(2) {
            let weight = next("a weight matrix")?;
            let bias = next("a bias")?;
            dense.push(DenseWeights {
                inputs: w[0],
                outputs: w[1],
                weight,
                bias,
            });
        }
        let mut norms = Vec::with_capacity(self.norms.len());
        for _ in &self.norms {
            let gamma = next("a layer norm scale")?;
            let beta = next("a layer norm shift")?;
            norms.push(NormWeights { gamma, beta });
        }
        Ok(Weights {
            architecture: self.architecture.clone(),
            dense,
            norms,
        })
    }
}

/// Which device a tensor lives on, in words.
pub(crate) fn device_label(device: Option<&Device>) -> String {
    match device {
        Some(device) if crate::compute::is_cpu(&device.clone().without_autodiff()) => "CPU".into(),
        Some(_) => "GPU".into(),
        None => "compute".into(),
    }
}

pub(crate) fn readback_error(
    device: Option<&Device>,
    during: &str,
    reason: impl std::fmt::Debug,
) -> TrainError {
    TrainError::Device {
        device: device_label(device),
        during: during.to_string(),
        reason: format!("{reason:?}"),
    }
}
