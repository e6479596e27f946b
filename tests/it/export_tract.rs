//! A second runtime must agree: every kind of ONNX export of models trained on the bundled
//! datasets runs in tract-onnx (through `hearth::infer`, as `hearth predict model.onnx` does)
//! on raw CSV rows fed by the export's contract, and its outputs
//! are compared with Hearth's own predictions from the model file (burn) and with the
//! host-side simulation of the quantized arithmetic.
//!
//! Tolerances: float32 within 1e-5 of burn (probabilities; regression 1e-5 relative) with the
//! same labels; float16 within 1e-2 of burn; int8 within 0.15 (probabilities) or 0.05 of the
//! target's standard deviation (regression) of burn with at least 99 % of the labels agreeing,
//! and within 1e-3 (probabilities; 1e-3 of the standard deviation for regression) of the host
//! simulation, which differs from the runtime only in float rounding.

use hearth::compress::{self, Calibration, CompressedModel, Granularity, Quantization};
use hearth::data::{Task, is_missing_marker};
use hearth::export;
use hearth::infer::{InputRow, OnnxModel};
use hearth::prep::{Prediction, PrepConfig, TargetEncoding, TargetTransform};
use hearth::train::{Activation, ModelFile, ModelKind, TrainConfig};
use prost::Message;

use crate::support::{bundled, ok, prepare, read, sample, train};

/// A small MLP trained on a bundled dataset, with its raw CSV rows.
struct Trained {
    model: ModelFile,
    data: hearth::train::TrainingData,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn trained(
    name: &str,
    target: &str,
    task: Task,
    activation: Activation,
    layer_norm: bool,
) -> Trained {
    trained_with(
        name,
        target,
        task,
        activation,
        layer_norm,
        &PrepConfig::default(),
    )
}

fn trained_with(
    name: &str,
    target: &str,
    task: Task,
    activation: Activation,
    layer_norm: bool,
    prep: &PrepConfig,
) -> Trained {
    let dataset = bundled(name);
    let (_, prepared) = prepare(&dataset, target, task, prep);
    let data = ok(hearth::train::TrainingData::from_prepared(
        &prepared, &dataset,
    ));
    let config = TrainConfig {
        model: ModelKind::Mlp(hearth::train::MlpSettings {
            hidden: vec![16, 8],
            activation,
            dropout: 0.0,
            layer_norm,
        }),
        epochs: 25,
        batch_size: 32,
        learning_rate: 0.01,
        seed: 5,
        ..TrainConfig::default()
    };
    let (trainer, _) = train(&prepared, &data, &config);
    let model = ok(pollster::block_on(ModelFile::from_trainer(
        &trainer, None, None,
    )));
    let text = read(&sample(name));
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    Trained {
        model,
        data,
        header,
        rows,
    }
}

/// What tract returns: labels (classification) and one row of numbers per input row
/// (probabilities, or the value).
struct RuntimeOutputs {
    labels: Vec<String>,
    values: Vec<f32>,
    width: usize,
}

fn run_tract(bytes: &[u8], t: &Trained) -> RuntimeOutputs {
    // Only the contract's operators, the ones the runtime registers (the load below would fail
    // on another; this names it).
    let file = ok(export::ModelProto::decode(bytes));
    for node in file.graph.iter().flat_map(|graph| &graph.node) {
        assert!(
            export::OPERATORS.contains(&node.op_type.as_str()),
            "{} is not in export::OPERATORS",
            node.op_type
        );
    }
    let model = ok(OnnxModel::load("model.onnx", bytes));
    let columns: Vec<usize> = model
        .inputs
        .iter()
        .map(
            |input| match t.header.iter().position(|h| *h == input.name) {
                Some(c) => c,
                None => panic!("no column {}", input.name),
            },
        )
        .collect();
    let rows: Vec<InputRow> = t
        .rows
        .iter()
        .map(|row| columns.iter().map(|&c| Some(row[c].clone())).collect())
        .collect();
    let answers = ok(model.predict(&rows));
    match &t.model.pipeline.target_encoding {
        TargetEncoding::Labels { classes } => RuntimeOutputs {
            labels: answers.labels,
            values: answers.probabilities,
            width: classes.len(),
        },
        TargetEncoding::Regression { .. } => RuntimeOutputs {
            labels: Vec::new(),
            values: answers.values,
            width: 1,
        },
    }
}

/// Burn's predictions (from the model file, as `hearth predict`) in the runtime's layout:
/// every class's probability, or the value in the target's units; and the labels.
fn burn_outputs(t: &Trained) -> (Vec<String>, Vec<f64>) {
    let columns = &t.model.pipeline.columns;
    let positions: Vec<Option<usize>> = columns
        .iter()
        .map(|c| t.header.iter().position(|h| h == c))
        .collect();
    let rows: Vec<Vec<Option<&str>>> = t
        .rows
        .iter()
        .map(|r| positions.iter().map(|p| p.map(|p| r[p].as_str())).collect())
        .collect();
    let predictions = ok(pollster::block_on(
        t.model.predict_rows(&hearth::compute::init_cpu(), &rows),
    ));
    let labels = predictions
        .predictions
        .iter()
        .map(|p| match p {
            Prediction::Class { name, .. } => name.clone(),
            Prediction::Value { value } => format!("{value}"),
        })
        .collect();
    let values = expand(&t.model, &predictions.outputs);
    (labels, values)
}

/// Head outputs in the export's layout (binary: both probabilities; regression: decoded).
fn expand(model: &ModelFile, outputs: &[f32]) -> Vec<f64> {
    match (&model.pipeline.target_encoding, model.head.outputs()) {
        (TargetEncoding::Regression { .. }, _) => outputs
            .iter()
            .map(|&y| model.pipeline.decode_value(y))
            .collect(),
        (TargetEncoding::Labels { .. }, 1) => outputs
            .iter()
            .flat_map(|&p| [f64::from(1.0 - p), f64::from(p)])
            .collect(),
        _ => outputs.iter().map(|&p| f64::from(p)).collect(),
    }
}

/// The target's spread in its own units: the standard deviation, or for a log-scale target
/// half the distance between the values one standard deviation (of the logarithms) apart.
fn target_std(model: &ModelFile) -> f64 {
    match model.pipeline.target_encoding {
        TargetEncoding::Regression { log: true, .. } => {
            (model.pipeline.decode_value(1.0) - model.pipeline.decode_value(-1.0)) / 2.0
        }
        TargetEncoding::Regression { std, .. } => f64::from(std),
        TargetEncoding::Labels { .. } => 1.0,
    }
}

/// The argmax of each row of `width` values.
fn argmax(values: &[f64], width: usize) -> Vec<usize> {
    values
        .chunks(width.max(1))
        .map(|row| {
            let mut best = 0;
            for (i, v) in row.iter().enumerate() {
                if *v > row[best] {
                    best = i;
                }
            }
            best
        })
        .collect()
}

fn kinds() -> Vec<Quantization> {
    vec![
        Quantization::None,
        Quantization::Float16,
        Quantization::DynamicInt8 {
            granularity: Granularity::PerChannel,
        },
        Quantization::DynamicInt8 {
            granularity: Granularity::PerTensor,
        },
        Quantization::StaticInt8 {
            granularity: Granularity::PerChannel,
            calibration: Calibration::MinMax,
        },
        Quantization::StaticInt8 {
            granularity: Granularity::PerTensor,
            calibration: Calibration::Percentile { percentile: 99.9 },
        },
    ]
}

fn check_every_kind(t: &Trained) {
    let (burn_labels, burn_values) = burn_outputs(t);
    let std = target_std(&t.model);
    let regression = matches!(
        t.model.pipeline.target_encoding,
        TargetEncoding::Regression { .. }
    );
    // The host simulation runs on the pipeline's features of the same raw rows.
    let features = {
        let columns = &t.model.pipeline.columns;
        let mut values = Vec::new();
        for r in &t.rows {
            let raw: Vec<Option<&str>> = columns
                .iter()
                .map(|c| t.header.iter().position(|h| h == c).map(|p| r[p].as_str()))
                .collect();
            values.extend(t.model.pipeline.transform_row(&raw));
        }
        hearth::prep::Matrix {
            rows: t.rows.len(),
            cols: t.model.pipeline.width(),
            values,
            feature_names: t.model.pipeline.feature_names.clone(),
        }
    };
    for kind in kinds() {
        let compressed = ok(CompressedModel::new(
            &t.model,
            kind,
            Some(&t.data.train.features),
        ));
        let CompressedModel::Network(network) = &compressed else {
            panic!("an MLP compresses to a network");
        };
        let bytes = ok(export::to_onnx(&t.model, &compressed));
        let runtime = run_tract(&bytes, t);
        let ours: Vec<f64> = runtime.values.iter().map(|&v| f64::from(v)).collect();
        assert_eq!(ours.len(), burn_values.len(), "{kind:?}");
        let simulated = expand(
            &t.model,
            &ok(compress::predict(network, &t.model.head, &features)),
        );
        let scale = if regression { std } else { 1.0 };
        let max_vs_burn = ours
            .iter()
            .zip(&burn_values)
            .map(|(a, b)| {
                (a - b).abs()
                    / if regression && kind == Quantization::None {
                        b.abs().max(1.0)
                    } else {
                        scale
                    }
            })
            .fold(0.0f64, f64::max);
        let max_vs_simulated = ours
            .iter()
            .zip(&simulated)
            .map(|(a, b)| (a - b).abs() / scale)
            .fold(0.0f64, f64::max);
        // int8 rounds on the log scale of a log target, and exp(t) − 1 magnifies it at the
        // largest values: there the graph is held to the host simulation (below), and to burn
        // only loosely.
        let log_target = matches!(
            t.model.pipeline.target_encoding,
            TargetEncoding::Regression { log: true, .. }
        );
        let tolerance = match kind {
            Quantization::None => 1e-5,
            Quantization::Float16 => 1e-2,
            _ if log_target => 0.5,
            _ if regression => 0.05,
            _ => 0.15,
        };
        assert!(
            max_vs_burn <= tolerance,
            "{kind:?}: tract differs from burn by {max_vs_burn} (tolerance {tolerance})"
        );
        assert!(
            max_vs_simulated <= 1e-3,
            "{kind:?}: tract differs from the host simulation by {max_vs_simulated}"
        );
        if !regression {
            let agree = runtime
                .labels
                .iter()
                .zip(&burn_labels)
                .filter(|(a, b)| a == b)
                .count() as f64
                / burn_labels.len() as f64;
            let needed = if kind == Quantization::None {
                1.0
            } else {
                0.99
            };
            assert!(agree >= needed, "{kind:?}: labels agree on {agree}");
            // The label output is the argmax of the probabilities output.
            let classes = match &t.model.pipeline.target_encoding {
                TargetEncoding::Labels { classes } => classes.clone(),
                TargetEncoding::Regression { .. } => Vec::new(),
            };
            for (label, index) in runtime.labels.iter().zip(argmax(&ours, runtime.width)) {
                assert_eq!(label, &classes[index]);
            }
        }
    }
}

#[test]
fn penguins_exports_agree_in_tract() {
    // Categorical columns with missing values (sex), numbers with NA.
    check_every_kind(&trained(
        "penguins.csv",
        "species",
        Task::MulticlassClassification,
        Activation::Relu,
        false,
    ));
}

#[test]
fn iris_exports_agree_in_tract_with_gelu_and_layer_norm() {
    check_every_kind(&trained(
        "iris.csv",
        "species",
        Task::MulticlassClassification,
        Activation::Gelu,
        true,
    ));
}

#[test]
fn diabetes_regression_exports_agree_in_tract() {
    // A boolean written as two numbers (sex 1/2) and a standardised target.
    check_every_kind(&trained(
        "diabetes.csv",
        "progression",
        Task::Regression,
        Activation::Tanh,
        false,
    ));
}

#[test]
fn a_log_scale_target_is_inverted_in_every_kind() {
    // log(1 + y) learned, exp(t) − 1 in the graph: tract must give the target's own units.
    let prep = PrepConfig {
        target_transform: TargetTransform::Log,
        ..PrepConfig::default()
    };
    let t = trained_with(
        "diabetes.csv",
        "progression",
        Task::Regression,
        Activation::Relu,
        false,
        &prep,
    );
    assert!(matches!(
        t.model.pipeline.target_encoding,
        TargetEncoding::Regression { log: true, .. }
    ));
    check_every_kind(&t);
}

#[test]
fn binary_exports_give_both_probabilities() {
    // Penguins' sex as a binary target: one logit, exported as two probabilities.
    let t = trained(
        "penguins.csv",
        "sex",
        Task::BinaryClassification,
        Activation::Relu,
        false,
    );
    let rows: Vec<usize> = (0..t.rows.len())
        .filter(|&r| {
            let column = t.header.iter().position(|h| h == "sex").unwrap_or(0);
            !is_missing_marker(t.rows[r][column].as_bytes())
        })
        .collect();
    let t = Trained {
        rows: rows.iter().map(|&r| t.rows[r].clone()).collect(),
        ..t
    };
    check_every_kind(&t);
}
