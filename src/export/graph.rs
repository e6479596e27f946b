//! A small builder of ONNX graphs: fresh value names, nodes, and constant initializers.

use std::collections::HashMap;

use super::contract::INTERNAL_PREFIX;
use super::proto::{
    AttributeProto, Dimension, NodeProto, TensorProto, TensorShapeProto, TensorTypeProto,
    TypeProto, ValueInfoProto, attribute_type, data_type,
};

/// The domain of the ONNX-ML operators (`CategoryMapper`).
pub const ML_DOMAIN: &str = "ai.onnx.ml";

/// Prefixes of internal names, shortest first: the first that starts no graph input is used.
const SHORT_PREFIXES: [&str; 6] = ["~", "#", "@", "$", "%", "^"];
/// Constants of at most this many bytes are shared between uses of the same value.
const SHARED_CONSTANT_BYTES: usize = 64;

/// Nodes and initializers under construction.
pub struct Builder {
    pub nodes: Vec<NodeProto>,
    pub initializers: Vec<TensorProto>,
    /// Whether an `ai.onnx.ml` operator was used (its opset must then be imported).
    pub uses_ml: bool,
    prefix: &'static str,
    next: usize,
    /// Small constants already written: (type, dims, bytes) → name.
    constants: HashMap<(i32, Vec<i64>, Vec<u8>), String>,
}

impl Builder {
    /// A builder for a graph whose inputs (and outputs) have these names: internal names start
    /// with a one-character prefix that none of them starts with, or with [`INTERNAL_PREFIX`]
    /// (which no column may start with) if every short one is taken.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let names: Vec<&str> = names.into_iter().collect();
        let prefix = SHORT_PREFIXES
            .into_iter()
            .find(|p| !names.iter().any(|name| name.starts_with(p)))
            .unwrap_or(INTERNAL_PREFIX);
        Self {
            nodes: Vec::new(),
            initializers: Vec::new(),
            uses_ml: false,
            prefix,
            next: 0,
            constants: HashMap::new(),
        }
    }

    /// A name no input or output has: the prefix and a base-36 counter. Short on purpose:
    /// names are repeated wherever a value is used, and a small model's file would otherwise
    /// be mostly names.
    pub fn fresh(&mut self) -> String {
        self.next += 1;
        let mut digits = Vec::new();
        let mut n = self.next;
        while n > 0 {
            digits.push(char::from_digit((n % 36) as u32, 36).unwrap_or('0'));
            n /= 36;
        }
        let mut name = self.prefix.to_string();
        name.extend(digits.iter().rev());
        name
    }

    /// A node of the default domain with one output; returns the output's name.
    pub fn op(&mut self, op: &str, inputs: &[&str], attribute: Vec<AttributeProto>) -> String {
        self.op_outputs(op, "", inputs, 1, attribute)
            .into_iter()
            .next()
            .unwrap_or_default()
    }

    /// A node with `outputs` outputs in `domain`; returns their names.
    pub fn op_outputs(
        &mut self,
        op: &str,
        domain: &str,
        inputs: &[&str],
        outputs: usize,
        attribute: Vec<AttributeProto>,
    ) -> Vec<String> {
        let output: Vec<String> = (0..outputs).map(|_| self.fresh()).collect();
        if domain == ML_DOMAIN {
            self.uses_ml = true;
        }
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: output.clone(),
            name: String::new(),
            op_type: op.to_string(),
            domain: domain.to_string(),
            attribute,
        });
        output
    }

    /// A node whose single output gets a given name (a graph output).
    pub fn op_named(
        &mut self,
        op: &str,
        domain: &str,
        inputs: &[&str],
        output: &str,
        attribute: Vec<AttributeProto>,
    ) {
        if domain == ML_DOMAIN {
            self.uses_ml = true;
        }
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.to_string()],
            name: String::new(),
            op_type: op.to_string(),
            domain: domain.to_string(),
            attribute,
        });
    }

    /// An initializer; `_what` documents the constant at the call site. A small constant
    /// equal to one already written (same type, shape and bytes) is that one.
    fn tensor(&mut self, _what: &str, data_type: i32, dims: &[usize], raw: Vec<u8>) -> String {
        let dims: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
        let key =
            (raw.len() <= SHARED_CONSTANT_BYTES).then(|| (data_type, dims.clone(), raw.clone()));
        if let Some(name) = key.as_ref().and_then(|key| self.constants.get(key)) {
            return name.clone();
        }
        let name = self.fresh();
        if let Some(key) = key {
            self.constants.insert(key, name.clone());
        }
        self.initializers.push(TensorProto {
            dims,
            data_type,
            string_data: Vec::new(),
            name: name.clone(),
            raw_data: raw,
        });
        name
    }

    pub fn floats(&mut self, what: &str, dims: &[usize], values: &[f32]) -> String {
        let raw = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.tensor(what, data_type::FLOAT, dims, raw)
    }

    /// A float scalar (rank 0), for broadcasting.
    pub fn float(&mut self, what: &str, value: f32) -> String {
        self.floats(what, &[], &[value])
    }

    pub fn int64s(&mut self, what: &str, dims: &[usize], values: &[i64]) -> String {
        let raw = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.tensor(what, data_type::INT64, dims, raw)
    }

    pub fn int8s(&mut self, what: &str, dims: &[usize], values: &[i8]) -> String {
        let raw = values.iter().map(|&v| v as u8).collect();
        self.tensor(what, data_type::INT8, dims, raw)
    }

    pub fn uint8s(&mut self, what: &str, dims: &[usize], values: &[u8]) -> String {
        self.tensor(what, data_type::UINT8, dims, values.to_vec())
    }

    /// float16 values given as their bit patterns.
    pub fn float16s(&mut self, what: &str, dims: &[usize], bits: &[u16]) -> String {
        let raw = bits.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.tensor(what, data_type::FLOAT16, dims, raw)
    }
}

pub fn attr_int(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: name.to_string(),
        r#type: Some(attribute_type::INT),
        i: Some(value),
        ..Default::default()
    }
}

pub fn attr_floats(name: &str, values: Vec<f32>) -> AttributeProto {
    AttributeProto {
        name: name.to_string(),
        r#type: Some(attribute_type::FLOATS),
        floats: values,
        ..Default::default()
    }
}

pub fn attr_ints(name: &str, values: Vec<i64>) -> AttributeProto {
    AttributeProto {
        name: name.to_string(),
        r#type: Some(attribute_type::INTS),
        ints: values,
        ..Default::default()
    }
}

pub fn attr_string(name: &str, value: &str) -> AttributeProto {
    AttributeProto {
        name: name.to_string(),
        r#type: Some(attribute_type::STRING),
        s: Some(value.as_bytes().to_vec()),
        ..Default::default()
    }
}

pub fn attr_strings<'a>(name: &str, values: impl IntoIterator<Item = &'a str>) -> AttributeProto {
    AttributeProto {
        name: name.to_string(),
        r#type: Some(attribute_type::STRINGS),
        strings: values.into_iter().map(|s| s.as_bytes().to_vec()).collect(),
        ..Default::default()
    }
}

/// A dimension: `Some(n)` fixed, `None` the batch (`"N"`).
pub fn value_info(name: &str, elem_type: i32, dims: &[Option<usize>]) -> ValueInfoProto {
    ValueInfoProto {
        name: name.to_string(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto {
                elem_type,
                shape: Some(TensorShapeProto {
                    dim: dims
                        .iter()
                        .map(|d| match d {
                            Some(n) => Dimension {
                                dim_value: Some(*n as i64),
                                dim_param: None,
                            },
                            None => Dimension {
                                dim_value: None,
                                dim_param: Some("N".to_string()),
                            },
                        })
                        .collect(),
                }),
            }),
        }),
        doc_string: String::new(),
    }
}
