//! Newton's method for the linear model (linear, logistic and softmax regression), on the
//! host in f64: each epoch is one Newton step over every training row, with a backtracking
//! line search.
//!
//! Why: the linear model's loss is convex and its parameters few, so the exact minimiser is
//! cheap to reach, and it is what scikit-learn's Ridge and LogisticRegression return. Adam on
//! mini-batches stops near it, not at it: on the AutoML benchmark's Carseats table (split 4,
//! 320 training rows) the search's best Adam-trained linear model scored R² 0.868 where
//! scikit-learn's ridge scored 0.881 on the same split. For squared error one step is the
//! exact ridge solution; logistic and softmax regression converge in a few steps.
//!
//! The objective is the trainer's: the mean (class-weighted) row loss of [`Head::row_losses`]
//! plus `weight_decay / 2 · ‖W‖²` on the weights (not the biases) — the L2 penalty Adam adds
//! to the gradient. Pruned weights ([`NewtonRun::set_frozen`]) are held at zero by solving for
//! the others only.

use super::batch::HostSet;
use super::config::RegressionLoss;
use super::error::TrainError;
use super::gbdt::sigmoid;
use super::model::{Architecture, DenseWeights, Head, Weights};
use crate::prep::Targets;

/// The most multiply-adds one epoch may take building the Hessian (parameters² × rows / 2):
/// about 2 s natively on this project's 2-core reference machine, a few in the browser.
/// Larger linear models train with Adam.
pub const MAX_NEWTON_WORK: f64 = 4e9;

/// Whether Newton's method may fit a linear model of `inputs` features and `outputs` outputs
/// on `rows` rows within [`MAX_NEWTON_WORK`] an epoch.
pub fn newton_fits(inputs: usize, outputs: usize, rows: usize) -> bool {
    newton_work((inputs + 1) * outputs, rows) <= MAX_NEWTON_WORK
}

fn newton_work(parameters: usize, rows: usize) -> f64 {
    (parameters as f64).powi(2) * rows as f64 / 2.0
}

/// A linear model being fitted by Newton's method.
pub(super) struct NewtonRun {
    train: HostSet,
    inputs: usize,
    outputs: usize,
    /// `[inputs][outputs]` weights row-major, then `outputs` biases: the layout of
    /// [`DenseWeights`], so that parameter `(j, c)` is at `j · outputs + c` with `j = inputs`
    /// the bias.
    theta: Vec<f64>,
    /// Weights held at zero (pruning), in `theta`'s layout.
    frozen: Vec<bool>,
    weight_decay: f64,
    /// Whether another step would change nothing.
    converged: bool,
}

/// What one Newton step did.
pub(super) struct NewtonEpoch {
    /// The mean row loss at the new parameters (without the penalty).
    pub train_loss: f64,
    /// The share of the Newton step taken (1 unless the line search shortened it).
    pub step: f64,
}

impl NewtonRun {
    /// A run from `start` (the weights of a linear model) or from zero.
    pub(super) fn new(
        train: HostSet,
        head: &Head,
        weight_decay: f64,
        start: Option<&Weights>,
    ) -> Result<NewtonRun, TrainError> {
        let inputs = train.examples.features.cols;
        let outputs = head.outputs();
        let parameters = (inputs + 1) * outputs;
        let work = newton_work(parameters, train.examples.rows());
        if work > MAX_NEWTON_WORK {
            return Err(TrainError::setting(
                "optimizer",
                format!(
                    "Newton's method would take about {:.0} million multiply-adds an epoch for {parameters} parameters and {} rows (at most {:.0} million); train this linear model with adam or adamw",
                    work / 1e6,
                    train.examples.rows(),
                    MAX_NEWTON_WORK / 1e6
                ),
            ));
        }
        let mut theta = vec![0.0; parameters];
        if let Some(weights) = start {
            match weights.dense.as_slice() {
                [layer] if layer.inputs == inputs && layer.outputs == outputs => {
                    for (t, &w) in theta.iter_mut().zip(layer.weight.iter().chain(&layer.bias)) {
                        *t = f64::from(w);
                    }
                }
                _ => {
                    return Err(TrainError::data(
                        "training",
                        "the starting weights do not fit the model settings and the data",
                    ));
                }
            }
        }
        Ok(NewtonRun {
            train,
            inputs,
            outputs,
            theta,
            frozen: vec![false; parameters],
            weight_decay,
            converged: false,
        })
    }

    /// Holds the weights whose mask is 0 at zero (`mask` in the weight's `[inputs][outputs]`
    /// layout).
    pub(super) fn set_frozen(&mut self, mask: &[f32]) -> Result<(), TrainError> {
        if mask.len() != self.inputs * self.outputs {
            return Err(TrainError::data(
                "training",
                "the pruning masks do not fit the network's dense layers",
            ));
        }
        for (p, &m) in mask.iter().enumerate() {
            let frozen = m == 0.0;
            self.frozen[p] = frozen;
            if frozen {
                self.theta[p] = 0.0;
            }
        }
        self.converged = false;
        Ok(())
    }

    pub(super) fn converged(&self) -> bool {
        self.converged
    }

    /// The current parameters as the linear model's weights.
    pub(super) fn weights(&self) -> Weights {
        let split = self.inputs * self.outputs;
        let as_f32 = |values: &[f64]| values.iter().map(|&v| v as f32).collect();
        Weights {
            architecture: Architecture {
                inputs: self.inputs,
                outputs: self.outputs,
                hidden: Vec::new(),
                activation: Default::default(),
                layer_norm: false,
            },
            dense: vec![DenseWeights {
                inputs: self.inputs,
                outputs: self.outputs,
                weight: as_f32(&self.theta[..split]),
                bias: as_f32(&self.theta[split..]),
            }],
            norms: Vec::new(),
        }
    }

    /// The head's activated outputs (probabilities, or the standardised value) for `set`'s
    /// rows at the current parameters, `outputs` per row.
    pub(super) fn activated(&self, head: &Head, set: &HostSet) -> Vec<f32> {
        let mut out = Vec::with_capacity(set.examples.rows() * self.outputs);
        let mut o = vec![0.0; self.outputs];
        for row in 0..set.examples.rows() {
            self.row_outputs(&self.theta, set.examples.features.row(row), &mut o);
            match head {
                Head::Binary => out.push(sigmoid(o[0]) as f32),
                Head::Multiclass { .. } => {
                    softmax_in_place(&mut o);
                    out.extend(o.iter().map(|&p| p as f32));
                }
                Head::Regression { .. } => out.push(o[0] as f32),
            }
        }
        out
    }

    /// One Newton step on every training row, shortened by backtracking until the objective
    /// falls enough (Armijo's rule).
    pub(super) fn epoch(&mut self, head: &Head) -> Result<NewtonEpoch, TrainError> {
        let p = self.theta.len();
        let k = self.outputs;
        let (mut gradient, mut hessian, weight_sum) = self.derivatives(head);
        if weight_sum <= 0.0 {
            return Err(TrainError::data("training", "its rows carry no weight"));
        }
        // The penalty's share, and a little more on the diagonal so that directions the loss
        // leaves flat (a softmax's shared shift, a constant feature) stay solvable.
        let split = self.inputs * k;
        let trace = (0..p).map(|i| hessian[i * p + i]).sum::<f64>() / p as f64;
        let jitter = 1e-10 * trace.max(1e-12);
        for i in 0..p {
            if i < split {
                gradient[i] += self.weight_decay * self.theta[i];
                hessian[i * p + i] += self.weight_decay;
            }
            hessian[i * p + i] += jitter;
        }
        for i in (0..p).filter(|&i| self.frozen[i]) {
            gradient[i] = 0.0;
            for j in 0..p {
                hessian[i * p + j] = 0.0;
                hessian[j * p + i] = 0.0;
            }
            hessian[i * p + i] = 1.0;
        }
        let direction =
            solve_symmetric(&mut hessian, &gradient, p).ok_or(TrainError::Diverged { epoch: 0 })?;
        let slope: f64 = gradient.iter().zip(&direction).map(|(g, d)| g * d).sum();
        let before = self.objective(head, &self.theta);
        if !before.0.is_finite() {
            return Err(TrainError::Diverged { epoch: 0 });
        }
        let mut step = 1.0;
        let mut candidate = vec![0.0; p];
        for _ in 0..40 {
            for ((c, t), d) in candidate.iter_mut().zip(&self.theta).zip(&direction) {
                *c = t - step * d;
            }
            let after = self.objective(head, &candidate);
            if after.0.is_finite() && after.0 <= before.0 - 1e-4 * step * slope {
                let gain = before.0 - after.0;
                self.theta.clone_from(&candidate);
                if k > 1 {
                    // A softmax ignores a shift shared by every class, which the loss leaves
                    // flat: keep the biases centred so that they cannot drift.
                    let biases = &mut self.theta[split..];
                    let mean = biases.iter().sum::<f64>() / k as f64;
                    biases.iter_mut().for_each(|b| *b -= mean);
                }
                // Squared error is quadratic: the full step lands on the minimum.
                let quadratic = matches!(
                    head,
                    Head::Regression {
                        loss: RegressionLoss::Mse
                    }
                ) && step == 1.0;
                self.converged = quadratic || gain <= 1e-10 * before.0.abs().max(1e-3);
                return Ok(NewtonEpoch {
                    train_loss: after.1,
                    step,
                });
            }
            step *= 0.5;
        }
        // No step lowers the objective: the parameters are at its minimum, to rounding.
        self.converged = true;
        Ok(NewtonEpoch {
            train_loss: before.1,
            step: 0.0,
        })
    }

    /// Outputs (before the head's activation) of one row at `theta`.
    fn row_outputs(&self, theta: &[f64], x: &[f32], o: &mut [f64]) {
        let k = self.outputs;
        let bias = &theta[self.inputs * k..];
        o.copy_from_slice(bias);
        for (j, &xj) in x.iter().enumerate() {
            if xj != 0.0 {
                let xj = f64::from(xj);
                for (oc, w) in o.iter_mut().zip(&theta[j * k..(j + 1) * k]) {
                    *oc += xj * w;
                }
            }
        }
    }

    /// The row's weight and target: (class-weight or 1, class index, standardised value).
    fn row_target(&self, row: usize) -> (f64, usize, f64) {
        let weight = self
            .train
            .row_weights
            .as_ref()
            .and_then(|w| w.get(row))
            .map_or(1.0, |&w| f64::from(w));
        match &self.train.examples.targets {
            Targets::Classes(c) => (weight, c.get(row).copied().unwrap_or(0) as usize, 0.0),
            Targets::Values(v) => (weight, 0, v.get(row).map_or(0.0, |&y| f64::from(y))),
        }
    }

    /// The mean row loss plus the penalty (the objective), and the mean row loss alone.
    fn objective(&self, head: &Head, theta: &[f64]) -> (f64, f64) {
        let mut o = vec![0.0; self.outputs];
        let (mut sum, mut weights) = (0.0, 0.0);
        for row in 0..self.train.examples.rows() {
            self.row_outputs(theta, self.train.examples.features.row(row), &mut o);
            let (w, class, value) = self.row_target(row);
            sum += w * row_loss(head, &o, class, value);
            weights += w;
        }
        let mean = if weights > 0.0 { sum / weights } else { 0.0 };
        let split = self.inputs * self.outputs;
        let penalty = 0.5 * self.weight_decay * theta[..split].iter().map(|t| t * t).sum::<f64>();
        (mean + penalty, mean)
    }

    /// The mean loss's gradient and Hessian (row-major, `P × P`) at the current parameters,
    /// and the rows' weight sum.
    fn derivatives(&self, head: &Head) -> (Vec<f64>, Vec<f64>, f64) {
        let p = self.theta.len();
        let k = self.outputs;
        let d = self.inputs;
        let mut gradient = vec![0.0; p];
        let mut hessian = vec![0.0; p * p];
        let mut o = vec![0.0; k];
        let mut g = vec![0.0; k];
        let mut h = vec![0.0; k * k];
        // The row's non-zero inputs with the bias's 1 last: one-hot columns are mostly zero.
        let mut active: Vec<(usize, f64)> = Vec::with_capacity(d + 1);
        let mut weight_sum = 0.0;
        for row in 0..self.train.examples.rows() {
            let x = self.train.examples.features.row(row);
            self.row_outputs(&self.theta, x, &mut o);
            let (w, class, value) = self.row_target(row);
            row_derivatives(head, &o, class, value, &mut g, &mut h);
            weight_sum += w;
            active.clear();
            active.extend(
                x.iter()
                    .enumerate()
                    .filter(|(_, v)| **v != 0.0)
                    .map(|(j, &v)| (j, f64::from(v))),
            );
            active.push((d, 1.0));
            for &(j, xj) in &active {
                for c in 0..k {
                    gradient[j * k + c] += w * g[c] * xj;
                }
            }
            // The upper triangle by input pairs; mirrored below.
            for (a, &(j, xj)) in active.iter().enumerate() {
                for &(j2, xj2) in &active[a..] {
                    let xx = w * xj * xj2;
                    for c in 0..k {
                        let line = (j * k + c) * p + j2 * k;
                        for c2 in 0..k {
                            hessian[line + c2] += xx * h[c * k + c2];
                        }
                    }
                }
            }
        }
        if weight_sum > 0.0 {
            for v in gradient.iter_mut().chain(hessian.iter_mut()) {
                *v /= weight_sum;
            }
        }
        // Mirror the input pairs (j < j2) into the lower triangle.
        for j in 0..=d {
            for j2 in j + 1..=d {
                for c in 0..k {
                    for c2 in 0..k {
                        hessian[(j2 * k + c2) * p + j * k + c] =
                            hessian[(j * k + c) * p + j2 * k + c2];
                    }
                }
            }
        }
        (gradient, hessian, weight_sum)
    }
}

fn softmax_in_place(o: &mut [f64]) {
    let top = o.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in o.iter_mut() {
        *v = (*v - top).exp();
        sum += *v;
    }
    for v in o.iter_mut() {
        *v /= sum;
    }
}

/// One row's loss from its outputs, as [`Head::row_losses`] computes it.
fn row_loss(head: &Head, o: &[f64], class: usize, value: f64) -> f64 {
    match head {
        Head::Binary => {
            let z = o[0];
            let y = if class == 1 { 1.0 } else { 0.0 };
            z.max(0.0) - y * z + (-z.abs()).exp().ln_1p()
        }
        Head::Multiclass { .. } => {
            let top = o.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let log_sum = top + o.iter().map(|v| (v - top).exp()).sum::<f64>().ln();
            log_sum - o.get(class).copied().unwrap_or(0.0)
        }
        Head::Regression { loss } => {
            let r = o[0] - value;
            match loss {
                RegressionLoss::Mse => r * r,
                RegressionLoss::Huber { delta } => {
                    let a = r.abs();
                    let q = a.min(*delta);
                    0.5 * q * q + (a - q) * delta
                }
            }
        }
    }
}

/// One row's loss gradient `g` and Hessian `h` (`k × k`) with respect to its outputs.
fn row_derivatives(head: &Head, o: &[f64], class: usize, value: f64, g: &mut [f64], h: &mut [f64]) {
    match head {
        Head::Binary => {
            let p = sigmoid(o[0]);
            g[0] = p - if class == 1 { 1.0 } else { 0.0 };
            h[0] = p * (1.0 - p);
        }
        Head::Multiclass { .. } => {
            let k = o.len();
            g.copy_from_slice(o);
            softmax_in_place(g);
            for c in 0..k {
                for c2 in 0..k {
                    h[c * k + c2] = if c == c2 { g[c] } else { 0.0 } - g[c] * g[c2];
                }
            }
            if let Some(gc) = g.get_mut(class) {
                *gc -= 1.0;
            }
        }
        Head::Regression { loss } => {
            let r = o[0] - value;
            match loss {
                RegressionLoss::Mse => {
                    g[0] = 2.0 * r;
                    h[0] = 2.0;
                }
                RegressionLoss::Huber { delta } => {
                    g[0] = r.clamp(-delta, *delta);
                    h[0] = if r.abs() <= *delta { 1.0 } else { 0.0 };
                }
            }
        }
    }
}

/// Solves `a · x = b` for a symmetric positive definite `a` (`n × n`, overwritten by its
/// Cholesky factor); `None` when it is not positive definite.
fn solve_symmetric(a: &mut [f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    for j in 0..n {
        let mut diagonal = a[j * n + j];
        for m in 0..j {
            diagonal -= a[j * n + m] * a[j * n + m];
        }
        if !(diagonal > 0.0 && diagonal.is_finite()) {
            return None;
        }
        let root = diagonal.sqrt();
        a[j * n + j] = root;
        for i in j + 1..n {
            let mut value = a[i * n + j];
            for m in 0..j {
                value -= a[i * n + m] * a[j * n + m];
            }
            a[i * n + j] = value / root;
        }
    }
    let mut x = b.to_vec();
    for i in 0..n {
        for m in 0..i {
            x[i] -= a[i * n + m] * x[m];
        }
        x[i] /= a[i * n + i];
    }
    for i in (0..n).rev() {
        for m in i + 1..n {
            x[i] -= a[m * n + i] * x[m];
        }
        x[i] /= a[i * n + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::solve_symmetric;

    #[test]
    fn cholesky_solves_a_small_system() {
        // [[4, 2], [2, 3]] x = [2, 1] → x = [0.5, 0].
        let mut a = vec![4.0, 2.0, 2.0, 3.0];
        let x = solve_symmetric(&mut a, &[2.0, 1.0], 2).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12, "{x:?}");
        let mut singular = vec![1.0, 1.0, 1.0, 1.0];
        assert!(solve_symmetric(&mut singular, &[1.0, 1.0], 2).is_none());
    }
}
