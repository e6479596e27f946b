//! The exported ONNX file, answering: load any file that follows the export contract (see
//! [`crate::export`]) into tract-onnx, read its contract from the metadata (inputs and their
//! kinds, task, classes, target, the monitoring reference), and answer raw rows.
//!
//! This is what a user downloads, run as it is: every form (float32, float16, dynamic or
//! static int8, pruned, trees, ensembles) through one code path. tract is pure Rust (nothing
//! downloaded at build time, unlike onnxruntime's crate) and runs the ONNX-ML operators the
//! export uses. The graph is optimised once with the row count left symbolic (the export's
//! `N`), so one plan answers one row or a million.
//!
//! The answers' types and the batch helpers build without tract (the `onnx` feature), so
//! the page's bundle can show them; tract runs in the Use step's worker and natively.

use serde::{Deserialize, Serialize};

use crate::prep::Prediction;

mod batch;
#[cfg(feature = "onnx")]
mod onnx;
#[cfg(feature = "onnx")]
mod operators;

pub use batch::{BatchScore, MAX_SCORE_POINTS, batch_score, predictions_csv};
#[cfg(feature = "onnx")]
pub use onnx::{InferError, OnnxModel};

/// A raw row: one optional field per graph input, in the graph's input order.
pub type InputRow = Vec<Option<String>>;

/// The answers for a batch of rows.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Answers {
    pub rows: usize,
    /// Classification: the predicted class of each row.
    pub labels: Vec<String>,
    /// Classification: `rows × classes` probabilities, row by row.
    pub probabilities: Vec<f32>,
    /// Regression: the value of each row, in the target's units.
    pub values: Vec<f32>,
}

impl Answers {
    /// The answers as the engine's predictions (`classes` in the probabilities' order; empty
    /// for regression), e.g. for prediction drift.
    pub fn predictions(&self, classes: &[String]) -> Vec<Prediction> {
        if classes.is_empty() {
            return self
                .values
                .iter()
                .map(|&value| Prediction::Value {
                    value: f64::from(value),
                })
                .collect();
        }
        self.labels
            .iter()
            .map(|name| Prediction::Class {
                index: classes.iter().position(|c| c == name).unwrap_or(0) as u32,
                name: name.clone(),
            })
            .collect()
    }
}
