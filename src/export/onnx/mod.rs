//! The model (fitted preprocessing + compressed network or trees + head) as one ONNX graph.
//!
//! This module assembles the file (graph, opsets, metadata); the parts of the graph are built
//! in `preprocess.rs` (raw inputs → features), `network.rs` (dense layers, norms,
//! activations), `trees.rs` (gradient-boosted trees) and `head.rs` (outputs).

mod head;
mod network;
mod preprocess;
mod trees;

use prost::Message;

use super::contract::{
    ExportError, GraphInput, InputKind, LABEL_OUTPUT, PROBABILITIES_OUTPUT, VALUE_OUTPUT,
    graph_inputs,
};
use super::graph::{Builder, ML_DOMAIN, value_info};
use super::proto::{GraphProto, ModelProto, OperatorSetIdProto, StringStringEntryProto, data_type};
use crate::compress::{CompressedModel, dense_sparsity};
use crate::train::{Fitted, Head, ModelFile};
use head::{activate, head_graph};
use network::network_graph;
use preprocess::preprocess;
use trees::tree_graph_ordered;

/// The ONNX operator set the graph uses.
pub const OPSET: i64 = 13;
/// The IR version that goes with opset 13.
const IR_VERSION: i64 = 7;

/// The ONNX file of `model` in the numeric form of `compressed` (from
/// [`CompressedModel::new`] on the model). See the module docs for the contract.
pub fn to_onnx(model: &ModelFile, compressed: &CompressedModel) -> Result<Vec<u8>, ExportError> {
    model.check().map_err(|error| ExportError::Model {
        reason: error.to_string(),
    })?;
    if !fits(&model.fitted, compressed) {
        return Err(ExportError::Network {
            reason: "its layers are not those of the model's network".to_string(),
        });
    }
    let inputs = graph_inputs(&model.pipeline)?;
    let mut builder = Builder::new(inputs.iter().map(|input| input.name.as_str()).chain([
        LABEL_OUTPUT,
        PROBABILITIES_OUTPUT,
        VALUE_OUTPUT,
    ]));
    let (features, order) = preprocess(&mut builder, &model.pipeline, &inputs)?;
    let activated = match compressed {
        CompressedModel::Ensemble(members) => {
            // Each member's activated outputs times its weight, added in member order (as
            // the host's blend adds them).
            let mut blend: Option<String> = None;
            for (weight, member) in members {
                let logits = body(&mut builder, member, &features, &order)?;
                let activated = activate(&mut builder, &model.head, &logits);
                let weight = builder.float("member_weight", *weight);
                let weighted = builder.op("Mul", &[&activated, &weight], vec![]);
                blend = Some(match blend {
                    None => weighted,
                    Some(total) => builder.op("Add", &[&total, &weighted], vec![]),
                });
            }
            blend.ok_or_else(|| ExportError::Model {
                reason: "its ensemble has no member".to_string(),
            })?
        }
        single => {
            let logits = body(&mut builder, single, &features, &order)?;
            activate(&mut builder, &model.head, &logits)
        }
    };
    let outputs = head_graph(&mut builder, model, &activated)?;
    let graph = GraphProto {
        node: builder.nodes,
        name: format!("hearth_{}", model.pipeline.target),
        initializer: builder.initializers,
        // The model's doc string says it; a second copy would only make the file larger.
        doc_string: String::new(),
        input: inputs
            .iter()
            .map(|input| {
                let elem = match input.kind {
                    InputKind::Float => data_type::FLOAT,
                    InputKind::String => data_type::STRING,
                };
                value_info(&input.name, elem, &[None, Some(1)])
            })
            .collect(),
        output: outputs,
    };
    let mut opset_import = vec![OperatorSetIdProto {
        domain: String::new(),
        version: OPSET,
    }];
    if builder.uses_ml {
        opset_import.push(OperatorSetIdProto {
            domain: ML_DOMAIN.to_string(),
            version: 1,
        });
    }
    let file = ModelProto {
        ir_version: IR_VERSION,
        opset_import,
        producer_name: "hearth".to_string(),
        producer_version: env!("CARGO_PKG_VERSION").to_string(),
        domain: String::new(),
        model_version: 1,
        doc_string: DOC.to_string(),
        graph: Some(graph),
        metadata_props: metadata(model, compressed, &inputs),
    };
    Ok(file.encode_to_vec())
}

/// Whether the compressed form is a form of the fitted model (member by member).
fn fits(fitted: &Fitted, compressed: &CompressedModel) -> bool {
    match (fitted, compressed) {
        (Fitted::Weights(weights), CompressedModel::Network(network)) => {
            network.effective.architecture == weights.architecture
                && network.storage.len() == weights.dense.len()
        }
        (Fitted::Booster(trained), CompressedModel::Trees(trees)) => {
            trees.features == trained.features && trees.objective == trained.objective
        }
        (Fitted::Ensemble(members), CompressedModel::Ensemble(forms)) => {
            members.len() == forms.len()
                && members.iter().zip(forms).all(|(member, (weight, form))| {
                    member.weight == *weight && fits(&member.fitted, form)
                })
        }
        _ => false,
    }
}

/// The raw outputs of one network or one booster.
fn body(
    b: &mut Builder,
    compressed: &CompressedModel,
    features: &str,
    order: &[usize],
) -> Result<String, ExportError> {
    match compressed {
        CompressedModel::Network(network) => network_graph(b, network, features, order),
        CompressedModel::Trees(booster) => tree_graph_ordered(b, booster, features, order),
        CompressedModel::Ensemble(_) => Err(ExportError::Model {
            reason: "an ensemble cannot be a member".to_string(),
        }),
    }
}

const DOC: &str = "Hearth model: one input per raw CSV column the model reads, named as the column, shape [N, 1] (float with NaN for missing, or string with \"\" for missing); outputs label (class names) and probabilities for classification, value for regression.";

fn metadata(
    model: &ModelFile,
    compressed: &CompressedModel,
    inputs: &[GraphInput],
) -> Vec<StringStringEntryProto> {
    let classes = model.pipeline.classes();
    let outputs: Vec<&str> = match model.head {
        Head::Regression { .. } => vec![VALUE_OUTPUT],
        _ => vec![LABEL_OUTPUT, PROBABILITIES_OUTPUT],
    };
    let entries: Vec<(&str, String)> = vec![
        ("hearth_version", env!("CARGO_PKG_VERSION").to_string()),
        ("trained_with_hearth_version", model.hearth_version.clone()),
        ("target", model.pipeline.target.clone()),
        ("task", model.task.label().to_string()),
        ("feature_names", json(&model.pipeline.feature_names)),
        ("class_names", json(&classes)),
        ("inputs", json(&inputs.to_vec())),
        ("outputs", json(&outputs)),
        ("valid_metrics", json(&model.valid_metrics)),
        ("test_metrics", json(&model.test_metrics)),
        // What `hearth monitor` compares new data with (see `prep::ColumnReference`).
        ("monitoring_reference", json(&model.pipeline.reference)),
        // The model's answers on its test split: what prediction drift compares with.
        ("monitoring_answers", json(&model.test_answers)),
        (
            "model",
            match model.members() {
                Some(members) => format!(
                    "ensemble of {}",
                    members
                        .iter()
                        .map(|m| format!("{} ×{}", m.model.label(), m.weight))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => model.config.model.label(),
            },
        ),
        ("quantization", json(&compressed.quantization())),
        (
            "sparsity",
            match &model.fitted {
                Fitted::Weights(weights) => format!("{}", dense_sparsity(weights)),
                Fitted::Booster(_) | Fitted::Ensemble(_) => "0".to_string(),
            },
        ),
    ];
    entries
        .into_iter()
        .map(|(key, value)| StringStringEntryProto {
            key: key.to_string(),
            value,
        })
        .collect()
}

/// A metadata value as JSON (`null` if it cannot be written, which plain data never is).
fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}
