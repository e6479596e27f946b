//! The network (a burn module), its weights on the host, and the training objective.
//!
//! Initial weights are drawn on the host from the config's seed with [`SplitMix64`] and
//! uploaded, rather than drawn by burn: burn's CPU device keeps one random generator for the
//! whole process, so two trainings running at once (tests, or two runs in one worker) would
//! interleave their draws. Drawing on the host also makes the initial weights identical on
//! every device, so CPU and GPU runs can be compared. Dropout masks are drawn the same way.

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::activation::{gelu, log_softmax, relu, sigmoid, softmax};
use burn::tensor::{Device, Gradients, Int, Tensor, TensorData, Transaction};
use serde::{Deserialize, Serialize};

use super::config::{Activation, MlpSettings, ModelKind, RegressionLoss};
use super::error::TrainError;
use crate::data::Task;
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
            ModelKind::Linear => Architecture {
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

/// The epsilon of layer norm (burn's and PyTorch's default).
const NORM_EPSILON: f64 = 1e-5;

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
        Some(device) if device.clone().without_autodiff() == Device::flex() => "CPU".into(),
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

/// What the network predicts and how its error is measured.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Head {
    /// One logit; sigmoid cross-entropy (logistic loss).
    Binary,
    /// One logit per class; softmax cross-entropy.
    Multiclass { classes: usize },
    /// One value (the standardised target).
    Regression { loss: RegressionLoss },
}

impl Head {
    pub fn new(task: Task, classes: usize, loss: RegressionLoss) -> Head {
        match task {
            Task::BinaryClassification => Head::Binary,
            Task::MulticlassClassification => Head::Multiclass { classes },
            Task::Regression => Head::Regression { loss },
        }
    }

    /// Network outputs.
    pub fn outputs(&self) -> usize {
        match self {
            Head::Multiclass { classes } => *classes,
            Head::Binary | Head::Regression { .. } => 1,
        }
    }

    /// Number of classes (0 for regression).
    pub fn classes(&self) -> usize {
        match self {
            Head::Binary => 2,
            Head::Multiclass { classes } => *classes,
            Head::Regression { .. } => 0,
        }
    }

    /// Turns raw outputs into what is read back: probabilities (of class 1 for binary; per
    /// class for multiclass) or the standardised value.
    pub fn activate(&self, outputs: Tensor<2>) -> Tensor<2> {
        match self {
            Head::Binary => sigmoid(outputs),
            Head::Multiclass { .. } => softmax(outputs, 1),
            Head::Regression { .. } => outputs,
        }
    }

    /// Per-row losses `[rows, 1]` of raw outputs against targets: `float` targets (0/1 for
    /// binary, standardised values for regression) or `class` indices `[rows, 1]`
    /// (multiclass).
    pub fn row_losses(
        &self,
        outputs: Tensor<2>,
        float: Option<Tensor<2>>,
        class: Option<Tensor<2, Int>>,
    ) -> Tensor<2> {
        match (self, float, class) {
            (Head::Binary, Some(y), _) => {
                // softplus(z) − y·z, computed stably: max(z, 0) − y·z + ln(1 + e^−|z|).
                let z = outputs;
                relu(z.clone()) - y * z.clone() + z.abs().neg().exp().log1p()
            }
            (Head::Multiclass { .. }, _, Some(index)) => {
                log_softmax(outputs, 1).gather(1, index).neg()
            }
            (Head::Regression { loss }, Some(y), _) => {
                let residual = outputs - y;
                match loss {
                    RegressionLoss::Mse => residual.square(),
                    RegressionLoss::Huber { delta } => {
                        let a = residual.abs();
                        let q = a.clone().clamp_max(*delta);
                        q.clone().square().mul_scalar(0.5) + (a - q).mul_scalar(*delta)
                    }
                }
            }
            // The trainer always passes the targets its head needs; zeros keep this total.
            (_, _, _) => outputs.zeros_like(),
        }
    }

    /// One row's loss on the host from what [`Head::activate`] read back (`values`: the
    /// probabilities or value of the row) and its target (class index or standardised value).
    pub fn host_loss(&self, values: &[f32], class: u32, value: f32) -> f64 {
        let prob = |p: f32| f64::from(p).clamp(1e-15, 1.0);
        match self {
            Head::Binary => {
                let p1 = values.first().copied().unwrap_or(0.0);
                let p = if class == 1 { p1 } else { 1.0 - p1 };
                -prob(p).ln()
            }
            Head::Multiclass { .. } => {
                -prob(values.get(class as usize).copied().unwrap_or(0.0)).ln()
            }
            Head::Regression { loss } => {
                let r = f64::from(values.first().copied().unwrap_or(0.0)) - f64::from(value);
                match loss {
                    RegressionLoss::Mse => r * r,
                    RegressionLoss::Huber { delta } => {
                        let a = r.abs();
                        let q = a.min(*delta);
                        0.5 * q * q + delta * (a - q)
                    }
                }
            }
        }
    }
}

/// Inverse-frequency class weights `rows / (classes × rows of the class)` (0 for a class
/// without rows).
pub fn class_weights(labels: &[u32], classes: usize) -> Vec<f32> {
    let mut counts = vec![0usize; classes];
    for &label in labels {
        if let Some(count) = counts.get_mut(label as usize) {
            *count += 1;
        }
    }
    let rows = labels.len() as f64;
    counts
        .iter()
        .map(|&count| {
            if count == 0 {
                0.0
            } else {
                (rows / (classes as f64 * count as f64)) as f32
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_weights_are_inverse_frequencies() {
        assert_eq!(class_weights(&[0, 0, 0, 1], 2), vec![4.0 / 6.0, 2.0]);
        assert_eq!(class_weights(&[0, 2], 3), vec![2.0 / 3.0, 0.0, 2.0 / 3.0]);
    }

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

    #[test]
    fn host_losses_follow_their_formulas() {
        let huber = Head::Regression {
            loss: RegressionLoss::Huber { delta: 1.0 },
        };
        assert!((huber.host_loss(&[3.0], 0, 0.5) - 2.0).abs() < 1e-12);
        assert!((huber.host_loss(&[0.5], 0, 0.0) - 0.125).abs() < 1e-12);
        let mse = Head::Regression {
            loss: RegressionLoss::Mse,
        };
        assert!((mse.host_loss(&[3.0], 0, 1.0) - 4.0).abs() < 1e-12);
        let binary = Head::Binary;
        assert!((binary.host_loss(&[0.25], 0, 0.0) - (0.75f64).ln().abs()).abs() < 1e-7);
        let multi = Head::Multiclass { classes: 3 };
        assert!((multi.host_loss(&[0.2, 0.5, 0.3], 1, 0.0) - (0.5f64).ln().abs()).abs() < 1e-7);
    }
}
