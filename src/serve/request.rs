//! What a client sends and gets back: the Open Inference Protocol's (KServe V2) `infer`
//! request — one input per CSV column the model reads — TF Serving's `instances` (one object
//! per CSV row), and a CSV body; each read into the rows [`OnnxModel::predict`] takes, and
//! every way it can be wrong named in one sentence.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::data::{self, IngestOptions, parse_number};
use crate::export::InputKind;
use crate::infer::{Answers, InputRow, OnnxModel};

use super::error::ServeError;

/// The V2 datatype of a graph input.
pub fn datatype(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Float => "FP32",
        InputKind::String => "BYTES",
    }
}

/// The rows of a V2 `infer` request's body, and its `id` (echoed in the answer).
pub fn v2_rows(
    model: &OnnxModel,
    body: &[u8],
) -> Result<(Vec<InputRow>, Option<Value>), ServeError> {
    let mut request = json_object(body)?;
    let id = request.remove("id");
    let Some(Value::Array(inputs)) = request.remove("inputs") else {
        return Err(ServeError::bad("the request has no \"inputs\" array"));
    };
    let mut columns: Vec<Option<Vec<Option<String>>>> = vec![None; model.inputs.len()];
    for input in &inputs {
        let Some(name) = input.get("name").and_then(Value::as_str) else {
            return Err(ServeError::bad("an input has no \"name\""));
        };
        let Some(k) = model.inputs.iter().position(|i| i.name == name) else {
            return Err(ServeError::bad(format!(
                "the model has no input \"{name}\"; it reads {}",
                input_names(model)
            )));
        };
        if columns[k].is_some() {
            return Err(ServeError::bad(format!("input \"{name}\" is given twice")));
        }
        let Some(tensor @ Value::Array(_)) = input.get("data") else {
            return Err(ServeError::bad(format!(
                "input \"{name}\" has no \"data\" array"
            )));
        };
        let mut data = Vec::new();
        flatten(tensor, &mut data);
        check_shape(name, input.get("shape"), data.len())?;
        let fields = data
            .into_iter()
            .enumerate()
            .map(|(row, value)| field(model, k, row, value))
            .collect::<Result<Vec<_>, _>>()?;
        columns[k] = Some(fields);
    }
    let columns = columns
        .into_iter()
        .zip(&model.inputs)
        .map(|(column, input)| {
            column.ok_or_else(|| {
                ServeError::bad(format!(
                    "input \"{}\" ({}) is missing; the model reads {}",
                    input.name,
                    datatype(input.kind),
                    input_names(model)
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rows = columns.first().map_or(0, Vec::len);
    if let Some((column, input)) = columns
        .iter()
        .zip(&model.inputs)
        .find(|(column, _)| column.len() != rows)
    {
        return Err(ServeError::bad(format!(
            "input \"{}\" has {} rows and \"{}\" {rows}; every input needs one value a row",
            input.name,
            column.len(),
            model.inputs[0].name
        )));
    }
    Ok((transpose(columns, rows)?, id))
}

/// The rows of a TF-Serving `predict` body: `{"instances": [{column: value, …}, …]}`. Keys the
/// model does not read (the target, an id) are ignored; `null` is a missing value.
pub fn instance_rows(model: &OnnxModel, body: &[u8]) -> Result<Vec<InputRow>, ServeError> {
    let mut request = json_object(body)?;
    let Some(Value::Array(instances)) = request.remove("instances") else {
        return Err(ServeError::bad(
            "the request has no \"instances\" array (one object per row, keyed by column)",
        ));
    };
    let rows = instances
        .into_iter()
        .enumerate()
        .map(|(row, instance)| {
            let Value::Object(mut fields) = instance else {
                return Err(ServeError::bad(format!(
                    "instance {} is not an object keyed by column",
                    row + 1
                )));
            };
            (0..model.inputs.len())
                .map(|k| {
                    let name = &model.inputs[k].name;
                    let value = fields.remove(name.as_str()).ok_or_else(|| {
                        ServeError::bad(format!(
                            "instance {} has no \"{name}\"; the model reads {} (null for a missing value)",
                            row + 1,
                            input_names(model)
                        ))
                    })?;
                    field(model, k, row, value)
                })
                .collect()
        })
        .collect::<Result<Vec<InputRow>, _>>()?;
    non_empty(rows)
}

/// The rows of a CSV body (a header naming the columns, read as `hearth predict` reads a file).
pub fn csv_rows(model: &OnnxModel, body: &[u8]) -> Result<Vec<InputRow>, ServeError> {
    let dataset = data::read_csv_bytes("the request's CSV body", body, IngestOptions::default())
        .map_err(|error| ServeError::bad(error.to_string()))?;
    let rows = model
        .dataset_rows(&dataset)
        .map_err(|error| ServeError::bad(error.to_string()))?;
    for (r, row) in rows.iter().enumerate() {
        for (k, value) in row.iter().enumerate() {
            if let Some(text) = value {
                check_value(model, k, r, text)?;
            }
        }
    }
    non_empty(rows)
}

/// A V2 answer: `label` (BYTES) and `probabilities` (FP32, rows × classes), or `value`.
#[derive(Serialize)]
pub struct V2Answer<'a> {
    pub model_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    pub outputs: Vec<V2Output>,
}

#[derive(Serialize)]
pub struct V2Output {
    pub name: &'static str,
    pub datatype: &'static str,
    pub shape: Vec<usize>,
    pub data: Value,
}

/// The V2 outputs of `answers`.
pub fn v2_outputs(model: &OnnxModel, answers: Answers) -> Vec<V2Output> {
    let rows = answers.rows;
    if model.classifies() {
        vec![
            V2Output {
                name: crate::export::LABEL_OUTPUT,
                datatype: "BYTES",
                shape: vec![rows],
                data: Value::from(answers.labels),
            },
            V2Output {
                name: crate::export::PROBABILITIES_OUTPUT,
                datatype: "FP32",
                shape: vec![rows, model.class_names.len()],
                data: Value::from(answers.probabilities),
            },
        ]
    } else {
        vec![V2Output {
            name: crate::export::VALUE_OUTPUT,
            datatype: "FP32",
            shape: vec![rows],
            data: Value::from(answers.values),
        }]
    }
}

/// TF Serving's `predictions`: per row `{"label", "probabilities": {class: p}}`, or the value.
pub fn predictions(model: &OnnxModel, answers: Answers) -> Value {
    if !model.classifies() {
        return Value::from(answers.values);
    }
    let classes = model.class_names.len().max(1);
    answers
        .labels
        .into_iter()
        .zip(answers.probabilities.chunks(classes))
        .map(|(label, probabilities)| {
            let mut row = Map::new();
            row.insert("label".into(), Value::from(label));
            let by_class: Map<String, Value> = model
                .class_names
                .iter()
                .zip(probabilities)
                .map(|(class, &p)| (class.clone(), Value::from(p)))
                .collect();
            row.insert("probabilities".into(), Value::Object(by_class));
            Value::Object(row)
        })
        .collect()
}

fn json_object(body: &[u8]) -> Result<Map<String, Value>, ServeError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ServeError::bad("the body is JSON but not an object")),
        Err(error) => Err(ServeError::bad(format!(
            "the body is not valid JSON ({error})"
        ))),
    }
}

fn input_names(model: &OnnxModel) -> String {
    model
        .inputs
        .iter()
        .map(|i| format!("\"{}\"", i.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Nested arrays (a V2 tensor may be written row by row) flattened in row-major order.
fn flatten(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| flatten(item, out)),
        other => out.push(other.clone()),
    }
}

/// A V2 input's `shape` must be `[rows]` or `[rows, 1]` and hold its data.
fn check_shape(name: &str, shape: Option<&Value>, values: usize) -> Result<(), ServeError> {
    let dims: Option<Vec<u64>> = shape
        .and_then(Value::as_array)
        .map(|dims| dims.iter().map(Value::as_u64).collect())
        .unwrap_or(None);
    match dims.as_deref() {
        Some([rows]) | Some([rows, 1]) if *rows as usize == values => Ok(()),
        Some(dims) => Err(ServeError::bad(format!(
            "input \"{name}\" has shape {dims:?} for {values} values; each input is one column: [rows] or [rows, 1]"
        ))),
        None => Err(ServeError::bad(format!(
            "input \"{name}\" has no \"shape\" of whole numbers ([rows] or [rows, 1])"
        ))),
    }
}

/// One field of row `row` for input `k`, as a CSV field: numbers for a float input (a JSON
/// number, or text that reads as one), text for a string input; `null` is missing.
fn field(
    model: &OnnxModel,
    k: usize,
    row: usize,
    value: Value,
) -> Result<Option<String>, ServeError> {
    let input = &model.inputs[k];
    let text = match value {
        Value::Null => return Ok(None),
        Value::Number(number) => number.to_string(),
        // In JSON a missing value is null: "NaN" or "NA" where a number belongs is refused.
        Value::String(text)
            if input.kind == InputKind::Float && data::is_missing_marker(text.as_bytes()) =>
        {
            return Err(ServeError::bad(format!(
                "row {}, input \"{}\": \"{text}\" is not a finite number (send null for a missing value)",
                row + 1,
                input.name
            )));
        }
        Value::String(text) => text,
        Value::Bool(flag) => flag.to_string(),
        Value::Array(_) | Value::Object(_) => {
            return Err(ServeError::bad(format!(
                "row {}, input \"{}\": a value must be a number, text or null, not a list or an object",
                row + 1,
                input.name
            )));
        }
    };
    check_value(model, k, row, &text)?;
    Ok(Some(text))
}

/// A float input's text must read as a finite number (a missing value is `null`).
fn check_value(model: &OnnxModel, k: usize, row: usize, text: &str) -> Result<(), ServeError> {
    let input = &model.inputs[k];
    if input.kind != InputKind::Float || data::is_missing_marker(text.as_bytes()) {
        return Ok(());
    }
    match parse_number(text.as_bytes(), false) {
        Some(x) if x.is_finite() => Ok(()),
        Some(_) => Err(ServeError::bad(format!(
            "row {}, input \"{}\": {text} is not a finite number (send null for a missing value)",
            row + 1,
            input.name
        ))),
        None => Err(ServeError::bad(format!(
            "row {}, input \"{}\": \"{text}\" is not a number, and the model reads numbers there",
            row + 1,
            input.name
        ))),
    }
}

/// Columns (one per input) turned into rows; refused when empty.
fn transpose(columns: Vec<Vec<Option<String>>>, rows: usize) -> Result<Vec<InputRow>, ServeError> {
    let mut columns: Vec<_> = columns.into_iter().map(Vec::into_iter).collect();
    let rows = (0..rows)
        .map(|_| columns.iter_mut().map(|c| c.next().flatten()).collect())
        .collect();
    non_empty(rows)
}

fn non_empty(rows: Vec<InputRow>) -> Result<Vec<InputRow>, ServeError> {
    if rows.is_empty() {
        return Err(ServeError::bad("the request has no rows to answer"));
    }
    Ok(rows)
}
