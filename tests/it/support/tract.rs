//! Running an exported ONNX graph in tract on the raw rows of a bundled CSV, through
//! `hearth::infer` (what `hearth predict model.onnx` runs): one `[N, 1]` input per column the
//! model reads, as the export's contract says.

use hearth::infer::OnnxModel;
use hearth::prep::FittedPipeline;

use super::data::{bundled, ok};

/// Every raw row of a bundled CSV through an ONNX graph in tract: the labels (classification)
/// and the probabilities, or the values in the target's units.
pub fn tract_run(bytes: &[u8], pipeline: &FittedPipeline, name: &str) -> (Vec<String>, Vec<f32>) {
    let model = ok(OnnxModel::load(name, bytes));
    let inputs: Vec<&str> = model.inputs.iter().map(|i| i.name.as_str()).collect();
    let expected = ok(hearth::export::graph_inputs(pipeline));
    assert_eq!(
        inputs,
        expected.iter().map(|i| i.name.as_str()).collect::<Vec<_>>()
    );
    let rows = ok(model.dataset_rows(&bundled(name)));
    let answers = ok(model.predict(&rows));
    if model.classifies() {
        (answers.labels, answers.probabilities)
    } else {
        (Vec::new(), answers.values)
    }
}
