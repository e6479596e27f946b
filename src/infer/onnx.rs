//! tract-onnx running a file that follows the export contract (see the layer's doc in
//! `mod.rs`).

use std::collections::BTreeMap;
use std::sync::Arc;

use prost::Message;
use tract_onnx::prelude::*;

use crate::data::{Dataset, is_missing_marker, parse_number};
use crate::export::{GraphInput, InputKind, LABEL_OUTPUT, PROBABILITIES_OUTPUT, VALUE_OUTPUT};
use crate::prep::ColumnReference;

use super::{Answers, InputRow};

/// A loaded ONNX model and its contract.
pub struct OnnxModel {
    /// The file name (for messages).
    pub source: String,
    pub inputs: Vec<GraphInput>,
    pub target: String,
    /// `binary`, `multiclass` or `regression`, as the metadata's `task` says.
    pub task: String,
    /// The class names (empty for regression), in the order of the probabilities.
    pub class_names: Vec<String>,
    /// Each input column's training distribution (empty when the file predates it).
    pub reference: Vec<ColumnReference>,
    /// The model's answers on its test split, for prediction drift (metadata
    /// `monitoring_answers`; `None` without a test split or in older files).
    pub answers_reference: Option<ColumnReference>,
    /// Every metadata property, as written.
    pub metadata: BTreeMap<String, String>,
    plan: Arc<TypedRunnableModel>,
}

/// Why a file cannot be used or a row cannot be answered.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InferError {
    #[error("{file} is not an ONNX model ({problem}).")]
    NotOnnx { file: String, problem: String },
    #[error(
        "{file} is not a Hearth export: its metadata has no \"{key}\" (the export contract names each input and output there)."
    )]
    NotHearth { file: String, key: String },
    #[error("{file}: its \"{key}\" metadata cannot be read ({problem}).")]
    Metadata {
        file: String,
        key: String,
        problem: String,
    },
    #[error("{file}: tract cannot run it ({problem}).")]
    Runtime { file: String, problem: String },
    #[error(
        "Row {row}, column \"{column}\": \"{value}\" is not a number, and the model reads numbers there."
    )]
    NotANumber {
        row: usize,
        column: String,
        value: String,
    },
    #[error("{file} has no column \"{column}\", which {model} reads.")]
    MissingColumn {
        file: String,
        column: String,
        model: String,
    },
    #[error("Row {row} has {got} fields; the model reads {expected} columns.")]
    Width {
        row: usize,
        got: usize,
        expected: usize,
    },
}

impl OnnxModel {
    /// Reads and optimises the file's graph.
    pub fn load(source: &str, bytes: &[u8]) -> Result<OnnxModel, InferError> {
        let not_onnx = |problem: String| InferError::NotOnnx {
            file: source.to_string(),
            problem,
        };
        let proto = crate::export::ModelProto::decode(bytes)
            .map_err(|error| not_onnx(error.to_string()))?;
        if proto.graph.is_none() {
            return Err(not_onnx("it has no graph".to_string()));
        }
        let metadata: BTreeMap<String, String> = proto
            .metadata_props
            .iter()
            .map(|p| (p.key.clone(), p.value.clone()))
            .collect();
        let text = |key: &str| -> Result<&String, InferError> {
            metadata.get(key).ok_or_else(|| InferError::NotHearth {
                file: source.to_string(),
                key: key.to_string(),
            })
        };
        let parse = |key: &str, value: &str, problem: serde_json::Error| InferError::Metadata {
            file: source.to_string(),
            key: key.to_string(),
            problem: format!("{problem} in {}", shorten(value)),
        };
        let inputs: Vec<GraphInput> = serde_json::from_str(text("inputs")?)
            .map_err(|e| parse("inputs", text("inputs").map_or("", |s| s), e))?;
        let class_names: Vec<String> = match metadata.get("class_names") {
            Some(json) => serde_json::from_str::<Option<Vec<String>>>(json)
                .map_err(|e| parse("class_names", json, e))?
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let reference: Vec<ColumnReference> = match metadata.get("monitoring_reference") {
            Some(json) => {
                serde_json::from_str(json).map_err(|e| parse("monitoring_reference", json, e))?
            }
            None => Vec::new(),
        };
        let answers_reference: Option<ColumnReference> = match metadata.get("monitoring_answers") {
            Some(json) => {
                serde_json::from_str(json).map_err(|e| parse("monitoring_answers", json, e))?
            }
            None => None,
        };
        let runtime = |error: TractError| InferError::Runtime {
            file: source.to_string(),
            problem: format!("{error:#}"),
        };
        let contract_ops = tract_onnx::Onnx {
            op_register: super::operators::register(),
            ..tract_onnx::Onnx::default()
        };
        let plan = contract_ops
            .model_for_read(&mut std::io::Cursor::new(bytes))
            .and_then(|model| model.into_optimized())
            .and_then(|model| model.into_runnable())
            .map_err(runtime)?;
        Ok(OnnxModel {
            source: source.to_string(),
            inputs,
            target: text("target")?.clone(),
            task: text("task")?.clone(),
            class_names,
            reference,
            answers_reference,
            plan,
            metadata,
        })
    }

    /// Whether the model predicts classes (else a value).
    pub fn classifies(&self) -> bool {
        !self.class_names.is_empty()
    }

    /// What an explanation explains: per row the class probabilities, or the value.
    pub fn outputs(&self, rows: &[InputRow]) -> Result<Vec<f32>, InferError> {
        let answers = self.predict(rows)?;
        Ok(if self.classifies() {
            answers.probabilities
        } else {
            answers.values
        })
    }

    /// Every row of `dataset` laid out as the graph's inputs (found by column name), as
    /// [`OnnxModel::predict`] takes them. Each input must be a column of the file.
    pub fn dataset_rows(&self, dataset: &Dataset) -> Result<Vec<InputRow>, InferError> {
        let columns = self
            .inputs
            .iter()
            .map(|input| {
                dataset
                    .column(&input.name)
                    .ok_or_else(|| InferError::MissingColumn {
                        file: dataset.source.clone(),
                        column: input.name.clone(),
                        model: self.source.clone(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((0..dataset.rows)
            .map(|row| columns.iter().map(|column| column.raw(row)).collect())
            .collect())
    }

    /// Answers `rows` (one field per input; `None` or a missing marker is missing).
    pub fn predict(&self, rows: &[InputRow]) -> Result<Answers, InferError> {
        let n = rows.len();
        if n == 0 {
            return Ok(Answers {
                rows: 0,
                labels: Vec::new(),
                probabilities: Vec::new(),
                values: Vec::new(),
            });
        }
        if let Some((row, fields)) = rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != self.inputs.len())
        {
            return Err(InferError::Width {
                row: row + 1,
                got: fields.len(),
                expected: self.inputs.len(),
            });
        }
        let runtime = |error: TractError| InferError::Runtime {
            file: self.source.clone(),
            problem: format!("{error:#}"),
        };
        let mut feeds: TVec<TValue> = TVec::new();
        for (i, input) in self.inputs.iter().enumerate() {
            let fields = rows
                .iter()
                .map(|r| r[i].as_deref().filter(|f| !is_missing_marker(f.as_bytes())));
            let tensor = match input.kind {
                InputKind::Float => {
                    let mut values = Vec::with_capacity(n);
                    for (row, field) in fields.enumerate() {
                        values.push(match field {
                            None => f32::NAN,
                            Some(text) => parse_number(text.as_bytes(), false)
                                .or_else(|| parse_number(text.as_bytes(), true))
                                .map(|x| x as f32)
                                .ok_or_else(|| InferError::NotANumber {
                                    row: row + 1,
                                    column: input.name.clone(),
                                    value: text.to_string(),
                                })?,
                        });
                    }
                    tensor1(&values).into_shape(&[n, 1]).map_err(runtime)?
                }
                InputKind::String => {
                    let values: Vec<String> =
                        fields.map(|f| f.unwrap_or_default().to_string()).collect();
                    tensor1(&values).into_shape(&[n, 1]).map_err(runtime)?
                }
            };
            feeds.push(tensor.into());
        }
        let outputs = self.plan.run(feeds).map_err(runtime)?;
        // The contract's order: `label` then `probabilities`, or `value`.
        let output = |index: usize, name: &str| -> Result<&TValue, InferError> {
            outputs.get(index).ok_or_else(|| InferError::NotHearth {
                file: self.source.clone(),
                key: format!("{name} output"),
            })
        };
        let floats = |value: &TValue| -> Result<Vec<f32>, InferError> {
            Ok(value
                .to_plain_array_view::<f32>()
                .map_err(runtime)?
                .iter()
                .copied()
                .collect())
        };
        if self.classifies() {
            let labels = output(0, LABEL_OUTPUT)?
                .to_plain_array_view::<String>()
                .map_err(runtime)?
                .iter()
                .cloned()
                .collect();
            Ok(Answers {
                rows: n,
                labels,
                probabilities: floats(output(1, PROBABILITIES_OUTPUT)?)?,
                values: Vec::new(),
            })
        } else {
            Ok(Answers {
                rows: n,
                labels: Vec::new(),
                probabilities: Vec::new(),
                values: floats(output(0, VALUE_OUTPUT)?)?,
            })
        }
    }
}

/// A metadata value cut for a message.
fn shorten(value: &str) -> String {
    let cut: String = value.chars().take(60).collect();
    if cut.len() < value.len() {
        format!("\"{cut}…\"")
    } else {
        format!("\"{cut}\"")
    }
}
