//! The model (fitted preprocessing + compressed network + head) as one ONNX graph.

use std::collections::BTreeMap;
use std::f32::consts::FRAC_1_SQRT_2;

use prost::Message;

use super::contract::{
    ExportError, GraphInput, InputKind, LABEL_OUTPUT, PROBABILITIES_OUTPUT, VALUE_OUTPUT,
    graph_inputs,
};
use super::graph::{
    Builder, ML_DOMAIN, attr_int, attr_ints, attr_string, attr_strings, value_info,
};
use super::proto::{GraphProto, ModelProto, OperatorSetIdProto, StringStringEntryProto, data_type};
use crate::compress::{
    CompressedNetwork, DenseStorage, NORM_EPSILON, Quantization, dense_sparsity,
};
use crate::data::MISSING_MARKERS;
use crate::prep::{
    BooleanStep, BooleanValues, FALSE_WORDS, FittedColumn, FittedPipeline, NumericStep, Step,
    TRUE_WORDS, TargetEncoding,
};
use crate::train::{Activation, Head, ModelFile};

/// The ONNX operator set the graph uses.
pub const OPSET: i64 = 13;
/// The IR version that goes with opset 13.
const IR_VERSION: i64 = 7;

/// The ONNX file of `model` with its network in the numeric form of `network` (from
/// [`CompressedNetwork::new`] on the model's weights). See the module docs for the contract.
pub fn to_onnx(model: &ModelFile, network: &CompressedNetwork) -> Result<Vec<u8>, ExportError> {
    model.check().map_err(|error| ExportError::Model {
        reason: error.to_string(),
    })?;
    if network.effective.architecture != model.weights.architecture
        || network.storage.len() != model.weights.dense.len()
    {
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
    let logits = network_graph(&mut builder, network, &features, &order)?;
    let outputs = head_graph(&mut builder, model, &logits)?;
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
        metadata_props: metadata(model, network, &inputs),
    };
    Ok(file.encode_to_vec())
}

const DOC: &str = "Hearth model: one input per raw CSV column the model reads, named as the column, shape [N, 1] (float with NaN for missing, or string with \"\" for missing); outputs label (class names) and probabilities for classification, value for regression.";

fn metadata(
    model: &ModelFile,
    network: &CompressedNetwork,
    inputs: &[GraphInput],
) -> Vec<StringStringEntryProto> {
    let classes: Vec<String> = match &model.pipeline.target_encoding {
        TargetEncoding::Labels { classes } => classes.clone(),
        TargetEncoding::Regression { .. } => Vec::new(),
    };
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
        ("quantization", json(&network.quantization)),
        ("sparsity", format!("{}", dense_sparsity(&model.weights))),
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

/// The feature matrix from the raw inputs, as [`FittedPipeline::transform_row`] computes it,
/// with its columns in the graph's order: the returned `order` gives, for each column of the
/// matrix, the pipeline feature it is (the first layer's weight rows are put in that order).
/// Number-valued booleans come first (one small piece each), then the text columns (one
/// `Reshape` of their lookups side by side), then every numeric column in one block (one
/// `Concat` of the inputs, one vectorised impute/cap/scale with `[1, n]` constants), then
/// their missing indicators.
fn preprocess(
    b: &mut Builder,
    pipeline: &FittedPipeline,
    inputs: &[GraphInput],
) -> Result<(String, Vec<usize>), ExportError> {
    let mut pieces = Vec::new();
    let mut order = Vec::new();
    let mut lookups = Vec::new();
    let mut lookup_order = Vec::new();
    let mut numerics: Vec<(&str, &NumericStep, usize)> = Vec::new();
    let mut offset = 0usize;
    for (fitted, input) in pipeline.steps.iter().zip(inputs) {
        let width = fitted.step.width();
        match &fitted.step {
            Step::Numeric(step) => numerics.push((&input.name, step, offset)),
            Step::Boolean(BooleanStep {
                values: BooleanValues::Numbers { zero, one },
                fill,
                indicator,
            }) => {
                let number = |text: &str| {
                    text.parse::<f64>()
                        .map(|x| x as f32)
                        .map_err(|_| ExportError::Column {
                            column: fitted.column.clone(),
                            reason: format!("its boolean value \"{text}\" is not a number"),
                        })
                };
                let (zero, one) = (number(zero)?, number(one)?);
                let x = input.name.as_str();
                let one_c = b.float("one", one);
                let zero_c = b.float("zero", zero);
                let is_one = b.op("Equal", &[x, &one_c], vec![]);
                let is_zero = b.op("Equal", &[x, &zero_c], vec![]);
                let (bit1, bit0, fill_c) =
                    (b.float("1", 1.0), b.float("0", 0.0), b.float("fill", *fill));
                let otherwise = b.op("Where", &[&is_zero, &bit0, &fill_c], vec![]);
                pieces.push(b.op("Where", &[&is_one, &bit1, &otherwise], vec![]));
                if *indicator {
                    let known = b.op("Or", &[&is_one, &is_zero], vec![]);
                    let unknown = b.op("Not", &[&known], vec![]);
                    pieces.push(b.op(
                        "Cast",
                        &[&unknown],
                        vec![attr_int("to", i64::from(data_type::FLOAT))],
                    ));
                }
                order.extend(offset..offset + width);
            }
            Step::Boolean(_) | Step::OneHot(_) | Step::Ordinal(_) | Step::Frequency(_) => {
                lookups.push(lookup(b, pipeline, fitted, &input.name, offset, width));
                lookup_order.extend(offset..offset + width);
            }
            Step::Date(_) => {
                return Err(ExportError::Column {
                    column: fitted.column.clone(),
                    reason: "date/time columns cannot be exported".to_string(),
                });
            }
        }
        offset += width;
    }
    if !lookups.is_empty() {
        // Each lookup is `[N, 1, width]`: side by side on the last axis, then one `Reshape`.
        let width: usize = lookups.iter().map(|(_, width)| width).sum();
        let names: Vec<&str> = lookups.iter().map(|(name, _)| name.as_str()).collect();
        let joined = concat(b, &names, 2);
        let shape = b.int64s("shape", &[2], &[-1, width as i64]);
        pieces.push(b.op("Reshape", &[&joined, &shape], vec![]));
        order.extend(lookup_order);
    }
    if !numerics.is_empty() {
        numeric(b, &numerics, &mut pieces, &mut order);
    }
    if pieces.is_empty() {
        return Err(ExportError::Model {
            reason: "its preprocessing makes no feature".to_string(),
        });
    }
    let refs: Vec<&str> = pieces.iter().map(String::as_str).collect();
    Ok((concat(b, &refs, 1), order))
}

/// The values side by side on `axis` (a single value as it is).
fn concat(b: &mut Builder, values: &[&str], axis: i64) -> String {
    match values {
        [one] => one.to_string(),
        _ => b.op("Concat", values, vec![attr_int("axis", axis)]),
    }
}

/// Every numeric column `(input, step, first feature)` at once: missing (NaN) → the imputed
/// value, ±∞ → the training extremes, then scaled, each with one `[1, n]` constant; then the
/// missing indicators of the columns that have one.
fn numeric(
    b: &mut Builder,
    columns: &[(&str, &NumericStep, usize)],
    pieces: &mut Vec<String>,
    order: &mut Vec<usize>,
) {
    let names: Vec<&str> = columns.iter().map(|(name, _, _)| *name).collect();
    let x = concat(b, &names, 1);
    let dims = [1, columns.len()];
    let row = |b: &mut Builder, what: &str, value: fn(&NumericStep) -> f32| {
        let values: Vec<f32> = columns.iter().map(|(_, step, _)| value(step)).collect();
        b.floats(what, &dims, &values)
    };
    let is_nan = b.op("IsNaN", &[&x], vec![]);
    let impute = row(b, "impute", |s| s.impute);
    let imputed = b.op("Where", &[&is_nan, &impute, &x], vec![]);
    let (inf, neg_inf) = (
        b.float("inf", f32::INFINITY),
        b.float("neg_inf", f32::NEG_INFINITY),
    );
    let (high, low) = (row(b, "high", |s| s.high), row(b, "low", |s| s.low));
    let is_inf = b.op("Equal", &[&imputed, &inf], vec![]);
    let capped = b.op("Where", &[&is_inf, &high, &imputed], vec![]);
    let is_neg_inf = b.op("Equal", &[&capped, &neg_inf], vec![]);
    let floored = b.op("Where", &[&is_neg_inf, &low, &capped], vec![]);
    let center = row(b, "center", |s| s.scaler.center);
    let scale = row(b, "scale", |s| s.scaler.scale);
    let centered = b.op("Sub", &[&floored, &center], vec![]);
    pieces.push(b.op("Div", &[&centered, &scale], vec![]));
    order.extend(columns.iter().map(|(_, _, offset)| *offset));
    let flagged: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].1.indicator)
        .collect();
    if flagged.is_empty() {
        return;
    }
    let flags = b.op(
        "Cast",
        &[&is_nan],
        vec![attr_int("to", i64::from(data_type::FLOAT))],
    );
    pieces.push(if flagged.len() == columns.len() {
        flags
    } else {
        let indices: Vec<i64> = flagged.iter().map(|&i| i as i64).collect();
        let indices = b.int64s("indicator_columns", &[indices.len()], &indices);
        b.op("Gather", &[&flags, &indices], vec![attr_int("axis", 1)])
    });
    order.extend(flagged.iter().map(|&i| columns[i].2 + 1));
}

/// A text column through a lookup table: `CategoryMapper` gives each known spelling its row
/// (anything else the row of unseen values), `Gather` takes that row of features, `[N, 1,
/// width]`; returns it and the width. Each row is what [`FittedPipeline::transform_named`]
/// makes of the spelling, so the graph cannot drift from the pipeline. Spellings: the
/// categories (or the boolean words in every letter case) and the missing markers in every
/// letter case. The table holds each distinct row once, and a spelling whose row is the
/// unseen row is left to the mapper's default.
fn lookup(
    b: &mut Builder,
    pipeline: &FittedPipeline,
    fitted: &FittedColumn,
    x: &str,
    offset: usize,
    width: usize,
) -> (String, usize) {
    let mut vocabulary: Vec<String> = match &fitted.step {
        Step::OneHot(s) => s.categories.clone(),
        Step::Ordinal(s) => s.categories.clone(),
        Step::Frequency(s) => s.categories.clone(),
        _ => TRUE_WORDS
            .iter()
            .chain(&FALSE_WORDS)
            .flat_map(|word| letter_cases(word))
            .collect(),
    };
    vocabulary.extend(MISSING_MARKERS.iter().flat_map(|m| letter_cases(m)));
    let mut seen = std::collections::HashSet::new();
    vocabulary.retain(|v| seen.insert(v.clone()));
    // A spelling that is in no list: the row of unseen values.
    let mut unseen = String::from("\u{0}");
    while seen.contains(&unseen) {
        unseen.push('\u{0}');
    }
    let features_of = |value: &str| -> Vec<u32> {
        let row = BTreeMap::from([(fitted.column.clone(), value.to_string())]);
        let all = pipeline.transform_named(&row);
        all.get(offset..offset + width)
            .map(<[f32]>::to_vec)
            .unwrap_or_else(|| vec![0.0; width])
            .into_iter()
            .map(f32::to_bits)
            .collect()
    };
    // Rows by their bits (so that -0.0 and NaN rows stay exactly as the pipeline writes them).
    let mut rows: Vec<Vec<u32>> = vec![features_of(&unseen)];
    let mut keys = Vec::new();
    let mut indices = Vec::new();
    for value in &vocabulary {
        let features = features_of(value);
        let index = rows.iter().position(|r| *r == features).unwrap_or_else(|| {
            rows.push(features);
            rows.len() - 1
        });
        if index != 0 {
            keys.push(value.as_str());
            indices.push(index as i64);
        }
    }
    if keys.is_empty() {
        // Every spelling gives the unseen row; the mapper still needs one pair.
        keys.push(unseen.as_str());
        indices.push(0);
    }
    let index = b
        .op_outputs(
            "CategoryMapper",
            ML_DOMAIN,
            &[x],
            1,
            vec![
                attr_strings("cats_strings", keys),
                attr_ints("cats_int64s", indices),
                attr_int("default_int64", 0),
            ],
        )
        .into_iter()
        .next()
        .unwrap_or_default();
    let table: Vec<f32> = rows
        .iter()
        .flatten()
        .map(|&bits| f32::from_bits(bits))
        .collect();
    let table = b.floats("table", &[rows.len(), width], &table);
    let gathered = b.op("Gather", &[&table, &index], vec![attr_int("axis", 0)]);
    (gathered, width)
}

/// Every upper/lower-case spelling of an ASCII word (other characters kept).
fn letter_cases(word: &str) -> Vec<String> {
    let mut spellings = vec![String::new()];
    for c in word.chars() {
        let (lower, upper) = (c.to_ascii_lowercase(), c.to_ascii_uppercase());
        spellings = spellings
            .into_iter()
            .flat_map(|prefix| {
                if lower == upper {
                    vec![format!("{prefix}{c}")]
                } else {
                    vec![format!("{prefix}{lower}"), format!("{prefix}{upper}")]
                }
            })
            .collect();
    }
    spellings
}

/// The rows of a row-major `[rows, columns]` matrix in `order` (all of them, as they are, if
/// `order` is not a permutation of the rows).
fn rows_in_order<T: Copy>(values: &[T], columns: usize, order: &[usize]) -> Vec<T> {
    let rows = values.len().checked_div(columns).unwrap_or(0);
    let mut sorted = order.to_vec();
    sorted.sort_unstable();
    if columns == 0 || sorted.len() != rows || sorted.iter().enumerate().any(|(i, &r)| i != r) {
        return values.to_vec();
    }
    order
        .iter()
        .flat_map(|&r| &values[r * columns..(r + 1) * columns])
        .copied()
        .collect()
}

/// The dense layers, norms and activations; returns the raw outputs `[N, outputs]`. The
/// features come in `order` (see [`preprocess`]), so the first layer's weight rows are put in
/// that order.
fn network_graph(
    b: &mut Builder,
    network: &CompressedNetwork,
    features: &str,
    order: &[usize],
) -> Result<String, ExportError> {
    let weights = &network.effective;
    let last = weights.dense.len().saturating_sub(1);
    if let Some(first) = weights.dense.first()
        && (order.len() != first.inputs || (0..first.inputs).any(|i| !order.contains(&i)))
    {
        return Err(ExportError::Network {
            reason: "its first layer does not take the preprocessing's features".to_string(),
        });
    }
    let mut x = features.to_string();
    for (index, (layer, storage)) in weights.dense.iter().zip(&network.storage).enumerate() {
        let dims = [layer.inputs, layer.outputs];
        // Later layers keep their rows as they are.
        let order: &[usize] = if index == 0 { order } else { &[] };
        let per_channel = |scales: &[f32]| scales.len() > 1;
        x = match (network.quantization, storage) {
            (Quantization::DynamicInt8 { .. }, DenseStorage::Int8(matrix)) => {
                let parts = b.op_outputs("DynamicQuantizeLinear", "", &[&x], 3, vec![]);
                let [q, scale, zero] = [&parts[0], &parts[1], &parts[2]];
                let w = b.int8s(
                    "weight_int8",
                    &dims,
                    &rows_in_order(&matrix.values, layer.outputs, order),
                );
                // Symmetric weights: one zero point for every column (shared by the layers).
                let w_zero = b.int8s("weight_zero", &[], &[0]);
                let scale_dims: &[usize] = if per_channel(&matrix.scales) {
                    &[layer.outputs]
                } else {
                    &[]
                };
                let w_scale = b.floats("weight_scale", scale_dims, &matrix.scales);
                let acc = b.op("MatMulInteger", &[q, &w, zero, &w_zero], vec![]);
                let acc = b.op(
                    "Cast",
                    &[&acc],
                    vec![attr_int("to", i64::from(data_type::FLOAT))],
                );
                let combined = b.op("Mul", &[scale, &w_scale], vec![]);
                let product = b.op("Mul", &[&acc, &combined], vec![]);
                let bias = b.floats("bias", &[layer.outputs], &layer.bias);
                b.op("Add", &[&product, &bias], vec![])
            }
            (_, storage) => {
                let input = match (network.quantization, network.input_params.get(index)) {
                    (Quantization::StaticInt8 { .. }, Some(params)) => {
                        let scale = b.float("input_scale", params.scale);
                        let zero = b.uint8s("input_zero", &[], &[params.zero_point]);
                        let q = b.op("QuantizeLinear", &[&x, &scale, &zero], vec![]);
                        b.op("DequantizeLinear", &[&q, &scale, &zero], vec![])
                    }
                    _ => x.clone(),
                };
                let (w, bias) = match storage {
                    DenseStorage::Float32 => (
                        b.floats(
                            "weight",
                            &dims,
                            &rows_in_order(&layer.weight, layer.outputs, order),
                        ),
                        b.floats("bias", &[layer.outputs], &layer.bias),
                    ),
                    DenseStorage::Float16 { weight, bias } => {
                        let to_float = || vec![attr_int("to", i64::from(data_type::FLOAT))];
                        let w16 = b.float16s(
                            "weight_fp16",
                            &dims,
                            &rows_in_order(weight, layer.outputs, order),
                        );
                        let b16 = b.float16s("bias_fp16", &[layer.outputs], bias);
                        (
                            b.op("Cast", &[&w16], to_float()),
                            b.op("Cast", &[&b16], to_float()),
                        )
                    }
                    DenseStorage::Int8(matrix) => {
                        let w8 = b.int8s(
                            "weight_int8",
                            &dims,
                            &rows_in_order(&matrix.values, layer.outputs, order),
                        );
                        let dequantized = if per_channel(&matrix.scales) {
                            let scale = b.floats("weight_scale", &[layer.outputs], &matrix.scales);
                            let zero =
                                b.int8s("weight_zero", &[layer.outputs], &vec![0; layer.outputs]);
                            b.op(
                                "DequantizeLinear",
                                &[&w8, &scale, &zero],
                                vec![attr_int("axis", 1)],
                            )
                        } else {
                            let scale = b.float("weight_scale", matrix.scale(0));
                            let zero = b.int8s("weight_zero", &[], &[0]);
                            b.op("DequantizeLinear", &[&w8, &scale, &zero], vec![])
                        };
                        (dequantized, b.floats("bias", &[layer.outputs], &layer.bias))
                    }
                };
                let product = b.op("MatMul", &[&input, &w], vec![]);
                b.op("Add", &[&product, &bias], vec![])
            }
        };
        if index == last {
            break;
        }
        if let Some(norm) = weights.norms.get(index) {
            let axes = || vec![attr_ints("axes", vec![1]), attr_int("keepdims", 1)];
            let mean = b.op("ReduceMean", &[&x], axes());
            let centered = b.op("Sub", &[&x, &mean], vec![]);
            let squared = b.op("Mul", &[&centered, &centered], vec![]);
            let variance = b.op("ReduceMean", &[&squared], axes());
            let epsilon = b.float("epsilon", NORM_EPSILON);
            let shifted = b.op("Add", &[&variance, &epsilon], vec![]);
            let deviation = b.op("Sqrt", &[&shifted], vec![]);
            let normalised = b.op("Div", &[&centered, &deviation], vec![]);
            let gamma = b.floats("gamma", &[norm.gamma.len()], &norm.gamma);
            let beta = b.floats("beta", &[norm.beta.len()], &norm.beta);
            let scaled = b.op("Mul", &[&normalised, &gamma], vec![]);
            x = b.op("Add", &[&scaled, &beta], vec![]);
        }
        x = match weights.architecture.activation {
            Activation::Relu => b.op("Relu", &[&x], vec![]),
            Activation::Tanh => b.op("Tanh", &[&x], vec![]),
            Activation::Gelu => {
                // x · (erf(x / √2) + 1) · 0.5, the exact GELU as burn computes it.
                let root = b.float("inv_sqrt2", FRAC_1_SQRT_2);
                let scaled = b.op("Mul", &[&x, &root], vec![]);
                let erf = b.op("Erf", &[&scaled], vec![]);
                let one = b.float("1", 1.0);
                let shifted = b.op("Add", &[&erf, &one], vec![]);
                let product = b.op("Mul", &[&x, &shifted], vec![]);
                let half = b.float("half", 0.5);
                b.op("Mul", &[&product, &half], vec![])
            }
        };
    }
    Ok(x)
}

/// The outputs: class names and probabilities, or the value in the target's units.
fn head_graph(
    b: &mut Builder,
    model: &ModelFile,
    logits: &str,
) -> Result<Vec<super::proto::ValueInfoProto>, ExportError> {
    match (&model.head, &model.pipeline.target_encoding) {
        (
            Head::Regression { .. },
            TargetEncoding::Regression {
                mean,
                std,
                standardized,
            },
        ) => {
            let value = if *standardized {
                let std = b.float("target_std", *std);
                let mean = b.float("target_mean", *mean);
                let scaled = b.op("Mul", &[logits, &std], vec![]);
                b.op("Add", &[&scaled, &mean], vec![])
            } else {
                logits.to_string()
            };
            let flat = b.int64s("flat", &[1], &[-1]);
            b.op_named("Reshape", "", &[&value, &flat], VALUE_OUTPUT, vec![]);
            Ok(vec![value_info(VALUE_OUTPUT, data_type::FLOAT, &[None])])
        }
        (Head::Binary | Head::Multiclass { .. }, TargetEncoding::Labels { classes }) => {
            if matches!(model.head, Head::Binary) {
                // One logit: the probabilities of class 0 and class 1.
                let p1 = b.op("Sigmoid", &[logits], vec![]);
                let one = b.float("1", 1.0);
                let p0 = b.op("Sub", &[&one, &p1], vec![]);
                b.op_named(
                    "Concat",
                    "",
                    &[&p0, &p1],
                    PROBABILITIES_OUTPUT,
                    vec![attr_int("axis", 1)],
                );
            } else {
                b.op_named(
                    "Softmax",
                    "",
                    &[logits],
                    PROBABILITIES_OUTPUT,
                    vec![attr_int("axis", 1)],
                );
            }
            // The first most probable class, as the pipeline decodes; for binary, p1 > 1 − p1
            // exactly when p1 > 0.5 (1 − p1 is exact in float32 for p1 ≥ 0.5).
            let index = b.op(
                "ArgMax",
                &[PROBABILITIES_OUTPUT],
                vec![attr_int("axis", 1), attr_int("keepdims", 0)],
            );
            let indices: Vec<i64> = (0..classes.len() as i64).collect();
            b.op_named(
                "CategoryMapper",
                ML_DOMAIN,
                &[&index],
                LABEL_OUTPUT,
                vec![
                    attr_ints("cats_int64s", indices),
                    attr_strings("cats_strings", classes.iter().map(String::as_str)),
                    attr_string("default_string", ""),
                ],
            );
            Ok(vec![
                value_info(LABEL_OUTPUT, data_type::STRING, &[None]),
                value_info(
                    PROBABILITIES_OUTPUT,
                    data_type::FLOAT,
                    &[None, Some(classes.len())],
                ),
            ])
        }
        _ => Err(ExportError::Model {
            reason: "its output layer does not match its target encoding".to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::letter_cases;

    #[test]
    fn letter_cases_cover_every_spelling() {
        assert_eq!(letter_cases("n/a").len(), 4);
        assert!(letter_cases("NaN").contains(&"nan".to_string()));
        assert_eq!(letter_cases("").len(), 1);
        assert_eq!(letter_cases("?"), vec!["?".to_string()]);
    }
}
