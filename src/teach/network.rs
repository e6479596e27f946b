//! The Teach step's network: a small dense network trained one mini-batch at a time, in
//! `f64`, on the host.
//!
//! **Why not burn.** A teaching network is 2–8 units wide and its batches are 10 points; the
//! Teach view draws its 100 × 100 boundary and every unit's thumbnail between epochs. At that
//! size a burn step is all dispatch and readback (Hearth's MLP on the CPU device takes ~0.3 ms
//! a batch before any arithmetic, the whole epoch here takes ~30 µs), the Playground's exact
//! rules (per-link L1 that stops at zero, its initial weights) have no burn equivalent, and
//! a classroom link must replay bit for bit in every browser and natively: plain `f64`
//! arithmetic with `libm`'s functions (the same code on every target, not the platform's
//! math library) does. The model Hearth exports is still trained by `train` with burn.

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64;

/// A hidden unit's activation function.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Tanh,
    Relu,
    Sigmoid,
    Linear,
}

impl Activation {
    pub const ALL: [Activation; 4] = [
        Activation::Tanh,
        Activation::Relu,
        Activation::Sigmoid,
        Activation::Linear,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Linear => "linear",
        }
    }

    pub fn from_key(key: &str) -> Option<Activation> {
        Activation::ALL.into_iter().find(|a| a.key() == key)
    }

    fn apply(self, x: f64) -> f64 {
        match self {
            Activation::Tanh => libm::tanh(x),
            Activation::Relu => x.max(0.0),
            Activation::Sigmoid => sigmoid(x),
            Activation::Linear => x,
        }
    }

    /// The derivative at pre-activation `x` whose output is `y`.
    fn derivative(self, x: f64, y: f64) -> f64 {
        match self {
            Activation::Tanh => 1.0 - y * y,
            Activation::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Sigmoid => y * (1.0 - y),
            Activation::Linear => 1.0,
        }
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-x))
}

/// What the last layer answers and the loss it is trained with.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Head {
    /// One unit, the probability of class 1 through a sigmoid; log loss.
    Binary,
    /// One unit per class through a softmax; log loss.
    Classes(usize),
    /// One unit, the value itself; squared error.
    Value,
}

impl Head {
    pub fn units(self) -> usize {
        match self {
            Head::Classes(k) => k,
            Head::Binary | Head::Value => 1,
        }
    }
}

/// One dense layer: `units × inputs` weights, row by row, and a bias per unit.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Dense {
    pub inputs: usize,
    pub units: usize,
    pub weights: Vec<f64>,
    pub biases: Vec<f64>,
}

impl Dense {
    pub fn weight(&self, unit: usize, input: usize) -> f64 {
        self.weights
            .get(unit * self.inputs + input)
            .copied()
            .unwrap_or(0.0)
    }
}

/// How a step updates the weights.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepRule {
    pub learning_rate: f64,
    pub l1: f64,
    pub l2: f64,
    /// The probability that a hidden unit is dropped for one point (inverted dropout).
    pub dropout: f64,
}

/// The network: hidden layers with one activation, then the head.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Network {
    pub layers: Vec<Dense>,
    pub activation: Activation,
    pub head: Head,
}

/// A forward pass's values, reused from point to point so that training allocates nothing.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    /// `values[0]` is the input; `values[l + 1]` the output of layer `l` (the head's raw
    /// scores for the last).
    pub values: Vec<Vec<f64>>,
    /// Pre-activations of each layer.
    pre: Vec<Vec<f64>>,
    /// Dropout multipliers of each hidden layer (1 when not training).
    keep: Vec<Vec<f64>>,
    delta: Vec<f64>,
    previous: Vec<f64>,
}

/// Gradient sums over a batch, shaped as the layers.
#[derive(Clone, Debug, Default)]
struct Gradients {
    weights: Vec<Vec<f64>>,
    biases: Vec<Vec<f64>>,
}

impl Network {
    /// A network `inputs → hidden… → head`, initialised as the Playground does: weights uniform
    /// in `[-0.5, 0.5)`, biases 0.1.
    pub fn new(
        inputs: usize,
        hidden: &[usize],
        activation: Activation,
        head: Head,
        rng: &mut SplitMix64,
    ) -> Network {
        let mut sizes = vec![inputs];
        sizes.extend_from_slice(hidden);
        sizes.push(head.units());
        let layers = sizes
            .windows(2)
            .map(|pair| {
                let (inputs, units) = (pair[0], pair[1]);
                Dense {
                    inputs,
                    units,
                    weights: (0..inputs * units).map(|_| rng.next_f64() - 0.5).collect(),
                    biases: vec![0.1; units],
                }
            })
            .collect();
        Network {
            layers,
            activation,
            head,
        }
    }

    /// Weights and biases.
    pub fn parameters(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.weights.len() + l.biases.len())
            .sum()
    }

    pub fn scratch(&self) -> Scratch {
        let mut values = vec![vec![0.0; self.layers.first().map_or(0, |l| l.inputs)]];
        values.extend(self.layers.iter().map(|l| vec![0.0; l.units]));
        let pre = self.layers.iter().map(|l| vec![0.0; l.units]).collect();
        let keep = self.layers.iter().map(|l| vec![1.0; l.units]).collect();
        Scratch {
            values,
            pre,
            keep,
            delta: Vec::new(),
            previous: Vec::new(),
        }
    }

    /// Runs `input` through the network into `scratch` (no dropout) and returns the head's
    /// answer: the probability of class 1, each class's probability, or the value.
    pub fn forward<'s>(&self, input: &[f64], scratch: &'s mut Scratch) -> &'s [f64] {
        for keep in &mut scratch.keep {
            keep.fill(1.0);
        }
        self.run(input, scratch);
        self.answer(scratch)
    }

    fn run(&self, input: &[f64], scratch: &mut Scratch) {
        let Scratch {
            values, pre, keep, ..
        } = scratch;
        if let Some(first) = values.first_mut() {
            first.clear();
            first.extend_from_slice(input);
        }
        let last = self.layers.len().saturating_sub(1);
        for (l, layer) in self.layers.iter().enumerate() {
            let (before, after) = values.split_at_mut(l + 1);
            let (Some(x), Some(out), Some(pre), Some(keep)) = (
                before.last(),
                after.first_mut(),
                pre.get_mut(l),
                keep.get(l),
            ) else {
                return;
            };
            for u in 0..layer.units {
                let row = &layer.weights[u * layer.inputs..(u + 1) * layer.inputs];
                let mut z = layer.biases[u];
                for (w, v) in row.iter().zip(x.iter()) {
                    z += w * v;
                }
                pre[u] = z;
                out[u] = if l == last {
                    z
                } else {
                    self.activation.apply(z) * keep[u]
                };
            }
        }
    }

    /// The head's answer from the raw scores of the last forward pass, written in place.
    fn answer<'s>(&self, scratch: &'s mut Scratch) -> &'s [f64] {
        let Some(out) = scratch.values.last_mut() else {
            return &[];
        };
        match self.head {
            Head::Binary => {
                for v in out.iter_mut() {
                    *v = sigmoid(*v);
                }
            }
            Head::Classes(_) => softmax(out),
            Head::Value => {}
        }
        out
    }

    /// The loss of one point from the head's answer: log loss of the true class, or the
    /// squared error.
    pub fn loss(&self, answer: &[f64], label: f64) -> f64 {
        const TINY: f64 = 1e-15;
        match self.head {
            Head::Binary => {
                let p = answer
                    .first()
                    .copied()
                    .unwrap_or(0.5)
                    .clamp(TINY, 1.0 - TINY);
                if label >= 0.5 {
                    -libm::log(p)
                } else {
                    -libm::log(1.0 - p)
                }
            }
            Head::Classes(_) => {
                let p = answer.get(label as usize).copied().unwrap_or(0.0);
                -libm::log(p.clamp(TINY, 1.0))
            }
            Head::Value => {
                let d = answer.first().copied().unwrap_or(0.0) - label;
                d * d
            }
        }
    }

    /// The class the answer picks (regression: none).
    pub fn class_of(&self, answer: &[f64]) -> Option<usize> {
        match self.head {
            Head::Binary => Some(usize::from(answer.first().is_some_and(|&p| p >= 0.5))),
            Head::Classes(_) => answer
                .iter()
                .enumerate()
                .fold(None, |best: Option<(usize, f64)>, (k, &p)| match best {
                    Some((_, q)) if q >= p => best,
                    _ => Some((k, p)),
                })
                .map(|(k, _)| k),
            Head::Value => None,
        }
    }

    /// One mini-batch step over `batch` (each an input row and its label): gradients summed
    /// over the points, then `w ← w − rate · (ḡ + l2·w + l1·sign w)`, biases without the
    /// penalty, and a weight that L1 pushes across zero stops at zero (as the Playground).
    pub fn train_batch<'a>(
        &mut self,
        batch: impl Iterator<Item = (&'a [f64], f64)>,
        rule: &StepRule,
        rng: &mut SplitMix64,
        scratch: &mut Scratch,
    ) {
        let mut grads = Gradients {
            weights: self
                .layers
                .iter()
                .map(|l| vec![0.0; l.weights.len()])
                .collect(),
            biases: self.layers.iter().map(|l| vec![0.0; l.units]).collect(),
        };
        let hidden = self.layers.len().saturating_sub(1);
        let dropout = rule.dropout.clamp(0.0, 0.95);
        let mut count = 0usize;
        for (input, label) in batch {
            count += 1;
            for keep in scratch.keep.iter_mut().take(hidden) {
                for k in keep.iter_mut() {
                    *k = if dropout > 0.0 {
                        if rng.next_f64() < dropout {
                            0.0
                        } else {
                            1.0 / (1.0 - dropout)
                        }
                    } else {
                        1.0
                    };
                }
            }
            self.run(input, scratch);
            self.answer(scratch);
            self.backward(label, scratch, &mut grads);
        }
        if count == 0 {
            return;
        }
        let n = count as f64;
        for (l, layer) in self.layers.iter_mut().enumerate() {
            for (w, g) in layer.weights.iter_mut().zip(&grads.weights[l]) {
                let before = *w;
                let penalty = rule.l2 * before + rule.l1 * sign(before);
                let after = before - rule.learning_rate * (g / n + penalty);
                *w = if rule.l1 > 0.0 && before != 0.0 && sign(after) != sign(before) {
                    0.0
                } else {
                    after
                };
            }
            for (b, g) in layer.biases.iter_mut().zip(&grads.biases[l]) {
                *b -= rule.learning_rate * g / n;
            }
        }
    }

    /// Adds one point's gradients, from the answer in `scratch`.
    fn backward(&self, label: f64, scratch: &mut Scratch, grads: &mut Gradients) {
        let Scratch {
            values,
            pre,
            keep,
            delta,
            previous,
        } = scratch;
        let Some(out) = values.last() else {
            return;
        };
        // The head's loss derivative with respect to its raw scores: p − y for the sigmoid
        // and softmax with log loss, 2(v − y) for the squared error.
        delta.clear();
        match self.head {
            Head::Binary => delta.push(out.first().copied().unwrap_or(0.0) - label),
            Head::Classes(_) => delta.extend(
                out.iter()
                    .enumerate()
                    .map(|(k, &p)| p - f64::from(u8::from(k == label as usize))),
            ),
            Head::Value => delta.push(2.0 * (out.first().copied().unwrap_or(0.0) - label)),
        }
        for l in (0..self.layers.len()).rev() {
            let layer = &self.layers[l];
            let x = &values[l];
            let gw = &mut grads.weights[l];
            let gb = &mut grads.biases[l];
            for u in 0..layer.units {
                let d = delta[u];
                gb[u] += d;
                let row = &mut gw[u * layer.inputs..(u + 1) * layer.inputs];
                for (g, v) in row.iter_mut().zip(x.iter()) {
                    *g += d * v;
                }
            }
            if l == 0 {
                break;
            }
            // The error at the previous layer's outputs, through its activation and dropout.
            previous.clear();
            previous.resize(layer.inputs, 0.0);
            for (row, &d) in layer
                .weights
                .chunks_exact(layer.inputs.max(1))
                .zip(delta.iter())
            {
                for (p, w) in previous.iter_mut().zip(row) {
                    *p += w * d;
                }
            }
            let (z, y, k) = (&pre[l - 1], &values[l], &keep[l - 1]);
            for i in 0..layer.inputs {
                // The output y already carries the dropout factor k; the derivative needs
                // the activation's own output.
                let raw = if k[i] != 0.0 { y[i] / k[i] } else { 0.0 };
                previous[i] *= self.activation.derivative(z[i], raw) * k[i];
            }
            std::mem::swap(delta, previous);
        }
    }
}

fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

fn softmax(v: &mut [f64]) {
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for x in v.iter_mut() {
        *x = libm::exp(*x - max);
        sum += *x;
    }
    if sum > 0.0 {
        for x in v.iter_mut() {
            *x /= sum;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The analytic gradient against central differences of the loss, for every head and
    /// activation: backpropagation is right before anything is taught with it.
    #[test]
    fn gradients_match_finite_differences() {
        for head in [Head::Binary, Head::Classes(3), Head::Value] {
            for activation in [Activation::Tanh, Activation::Sigmoid, Activation::Linear] {
                let mut rng = SplitMix64::new(3);
                let net = Network::new(3, &[4, 3], activation, head, &mut rng);
                let input = [0.3, -1.2, 0.7];
                let label = if head == Head::Value { 0.4 } else { 1.0 };
                let mut scratch = net.scratch();
                let mut grads = Gradients {
                    weights: net
                        .layers
                        .iter()
                        .map(|l| vec![0.0; l.weights.len()])
                        .collect(),
                    biases: net.layers.iter().map(|l| vec![0.0; l.units]).collect(),
                };
                net.run(&input, &mut scratch);
                net.answer(&mut scratch);
                net.backward(label, &mut scratch, &mut grads);
                let loss_at = |net: &Network| {
                    let mut s = net.scratch();
                    let answer = net.forward(&input, &mut s).to_vec();
                    net.loss(&answer, label)
                };
                for l in 0..net.layers.len() {
                    for i in 0..net.layers[l].weights.len() {
                        let h = 1e-6;
                        let mut up = net.clone();
                        up.layers[l].weights[i] += h;
                        let mut down = net.clone();
                        down.layers[l].weights[i] -= h;
                        let numeric = (loss_at(&up) - loss_at(&down)) / (2.0 * h);
                        let analytic = grads.weights[l][i];
                        assert!(
                            (numeric - analytic).abs() < 1e-6,
                            "{head:?} {activation:?} layer {l} weight {i}: {numeric} vs {analytic}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn l1_stops_a_weight_at_zero() {
        let mut rng = SplitMix64::new(1);
        let mut net = Network::new(1, &[], Activation::Linear, Head::Value, &mut rng);
        net.layers[0].weights[0] = 0.001;
        let rule = StepRule {
            learning_rate: 0.1,
            l1: 1.0,
            l2: 0.0,
            dropout: 0.0,
        };
        let mut scratch = net.scratch();
        // A point the weight does not matter for (input 0): only the penalty moves it.
        let input = [0.0];
        net.train_batch(
            std::iter::once((&input[..], 0.1)),
            &rule,
            &mut rng,
            &mut scratch,
        );
        assert_eq!(net.layers[0].weights[0], 0.0);
    }
}
