//! The head of a network: what it predicts (the output activation) and how its error is
//! measured, on the device and on the host, plus the class weights of the loss.

use burn::tensor::activation::{log_softmax, relu, sigmoid, softmax};
use burn::tensor::{Int, Tensor};
use serde::{Deserialize, Serialize};

use super::super::config::RegressionLoss;
use crate::data::Task;

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
