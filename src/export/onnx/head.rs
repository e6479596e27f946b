//! The head part of the graph: class names and probabilities, or the value in the target's
//! units.

use super::super::contract::{ExportError, LABEL_OUTPUT, PROBABILITIES_OUTPUT, VALUE_OUTPUT};
use super::super::graph::{
    Builder, ML_DOMAIN, attr_int, attr_ints, attr_string, attr_strings, value_info,
};
use super::super::proto::{ValueInfoProto, data_type};
use crate::prep::TargetEncoding;
use crate::train::{Head, ModelFile};

/// The head's activation of raw outputs `[N, outputs]`, as burn's inference reads them:
/// the probability of class 1 (binary), the class probabilities (multiclass), the
/// standardised value (regression). An ensemble averages these.
pub(super) fn activate(b: &mut Builder, head: &Head, logits: &str) -> String {
    match head {
        Head::Binary => b.op("Sigmoid", &[logits], vec![]),
        Head::Multiclass { .. } => b.op("Softmax", &[logits], vec![attr_int("axis", 1)]),
        Head::Regression { .. } => logits.to_string(),
    }
}

/// The outputs from activated values (see [`activate`]): class names and probabilities, or
/// the value in the target's units.
pub(super) fn head_graph(
    b: &mut Builder,
    model: &ModelFile,
    activated: &str,
) -> Result<Vec<ValueInfoProto>, ExportError> {
    let logits = activated;
    match (&model.head, &model.pipeline.target_encoding) {
        (
            Head::Regression { .. },
            TargetEncoding::Regression {
                mean,
                std,
                standardized,
                log,
            },
        ) => {
            let mut value = if *standardized {
                let std = b.float("target_std", *std);
                let mean = b.float("target_mean", *mean);
                let scaled = b.op("Mul", &[logits, &std], vec![]);
                b.op("Add", &[&scaled, &mean], vec![])
            } else {
                logits.to_string()
            };
            if *log {
                // The inverse of ln(1 + y): exp(t) − 1.
                let exp = b.op("Exp", &[&value], vec![]);
                let one = b.float("target_one", 1.0);
                value = b.op("Sub", &[&exp, &one], vec![]);
            }
            let flat = b.int64s("flat", &[1], &[-1]);
            b.op_named("Reshape", "", &[&value, &flat], VALUE_OUTPUT, vec![]);
            Ok(vec![value_info(VALUE_OUTPUT, data_type::FLOAT, &[None])])
        }
        (Head::Binary | Head::Multiclass { .. }, TargetEncoding::Labels { classes }) => {
            let p = activated;
            if matches!(model.head, Head::Binary) {
                // The probability of class 1: those of class 0 and class 1.
                let one = b.float("1", 1.0);
                let p0 = b.op("Sub", &[&one, p], vec![]);
                b.op_named(
                    "Concat",
                    "",
                    &[&p0, p],
                    PROBABILITIES_OUTPUT,
                    vec![attr_int("axis", 1)],
                );
            } else {
                b.op_named("Identity", "", &[p], PROBABILITIES_OUTPUT, vec![]);
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
