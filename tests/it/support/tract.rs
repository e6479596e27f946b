//! Running an exported ONNX graph in tract (the second runtime, pure Rust) on the raw rows of
//! a bundled CSV, fed as the export's contract says: one `[N, 1]` input per column the model
//! reads, float32 with NaN for a missing number, a string with "" for a missing category.

use hearth::data::is_missing_marker;
use hearth::export::{self, InputKind};
use hearth::prep::{FittedPipeline, TargetEncoding};
use tract_onnx::prelude::*;

use super::cli::{read, sample};
use super::data::ok;

/// Every raw row of a bundled CSV through an ONNX graph in tract: the labels (classification)
/// and the probabilities, or the values in the target's units.
pub fn tract_run(bytes: &[u8], pipeline: &FittedPipeline, name: &str) -> (Vec<String>, Vec<f32>) {
    let text = read(&sample(name));
    let mut lines = text.lines().filter(|l| !l.is_empty());
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let n = rows.len();
    let mut graph = ok(tract_onnx::onnx().model_for_read(&mut std::io::Cursor::new(bytes)));
    let mut feeds: TVec<TValue> = TVec::new();
    for (i, input) in ok(export::graph_inputs(pipeline)).iter().enumerate() {
        let column = header
            .iter()
            .position(|h| *h == input.name)
            .expect("a column");
        // The export's contract: NaN or "" for a missing field.
        let raw = rows.iter().map(|r| r[column]);
        let raw = raw.map(|v| (!is_missing_marker(v.as_bytes())).then_some(v));
        let tensor = match input.kind {
            InputKind::Float => {
                let parse = |v: Option<&str>| v.map_or(f32::NAN, |v| ok(v.trim().parse()));
                let values: Vec<f32> = raw.map(parse).collect();
                ok(graph.set_input_fact(i, f32::fact([n, 1]).into()));
                ok(tensor1(&values).into_shape(&[n, 1]))
            }
            InputKind::String => {
                let values: Vec<String> = raw.map(|v| v.unwrap_or_default().into()).collect();
                ok(graph.set_input_fact(
                    i,
                    InferenceFact::dt_shape(String::datum_type(), tvec![n, 1]),
                ));
                ok(tensor1(&values).into_shape(&[n, 1]))
            }
        };
        feeds.push(tensor.into());
    }
    let outputs = ok(ok(ok(graph.into_optimized()).into_runnable()).run(feeds));
    let floats =
        |t: &TValue| -> Vec<f32> { ok(t.to_plain_array_view::<f32>()).iter().copied().collect() };
    match pipeline.target_encoding {
        TargetEncoding::Labels { .. } => (
            ok(outputs[0].to_plain_array_view::<String>())
                .iter()
                .cloned()
                .collect(),
            floats(&outputs[1]),
        ),
        TargetEncoding::Regression { .. } => (Vec::new(), floats(&outputs[0])),
    }
}
