//! The Export step in the worker: prune (optionally with fine-tuning), compare every numeric
//! form with the float32 model on the validation and test rows, and write the chosen one as ONNX.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Engine, post};
use crate::compress::{
    CURVE_LEVELS, Calibration, CompressError, EvaluationRows, Granularity, PruneScope, Pruner,
    Quantization, quantizable, sparsity_curve,
};
use crate::compute;
use crate::export::{
    LABEL_OUTPUT, PROBABILITIES_OUTPUT, VALUE_OUTPUT, compare, graph_inputs, to_onnx_quantized,
};
use crate::protocol::{ExportSettings, ExportedModel, Response};
use crate::train::{Head, ModelFile};

/// Answers [`crate::protocol::Request::Export`].
pub async fn export(engine: &Rc<RefCell<Engine>>, settings: &ExportSettings) -> Response {
    match build(engine, settings).await {
        Ok(exported) => Response::Exported(Box::new(exported)),
        Err(message) => Response::ExportFailed { message },
    }
}

async fn build(
    engine: &Rc<RefCell<Engine>>,
    settings: &ExportSettings,
) -> Result<ExportedModel, String> {
    let (model, data) = {
        let mut engine = engine.borrow_mut();
        let model = engine
            .model
            .clone()
            .ok_or("Train a model, pick a trial or load a .hearth file first (steps 3 and 4).")?;
        // The rows to measure on are the prepared data's, when the model was trained on it.
        let data = super::training(&mut engine)
            .ok()
            .filter(|(pipeline, _)| *pipeline == model.pipeline)
            .map(|(_, data)| data);
        (model, data)
    };
    // Trees have one form, float32, and nothing to prune, and only a single network is pruned:
    // the page offers no other choice, and settings left over from another model's export are
    // not applied.
    let adapted = ExportSettings {
        quantization: if quantizable(&model) {
            settings.quantization
        } else {
            Quantization::None
        },
        prune: settings.prune.clone().filter(|_| model.weights().is_ok()),
    };
    let settings = &adapted;
    let text = |error: CompressError| error.to_string();
    let mut note = data.is_none().then(|| {
        "The current data is not the data this model was prepared on, so only file sizes are compared; load that file and prepare it the same way to see metrics."
            .to_string()
    });
    let mut curve = Vec::new();
    let model = match &settings.prune {
        None => model,
        Some(prune) => {
            let Some(data) = &data else {
                return Err(
                    "Pruning needs the data the model was trained on: load and prepare it first."
                        .into(),
                );
            };
            let mut pruner = Pruner::new(
                compute::init_cpu(),
                &model,
                data.train.clone(),
                data.valid.clone(),
                prune,
            )
            .map_err(text)?;
            while !pruner.done() {
                let stage = pruner.next_stage().await.map_err(text)?;
                post(Response::PruneStage {
                    stage: stage.stage,
                    stages: stage.stages,
                    sparsity: stage.sparsity,
                });
            }
            curve = pruner.curve().to_vec();
            pruner.model().clone()
        }
    };
    let calibration = data.as_ref().map(|data| &data.train.features);
    if calibration.is_none() && matches!(settings.quantization, Quantization::StaticInt8 { .. }) {
        return Err(
            "Static int8 is calibrated on the training rows: load and prepare the model's data first, or pick dynamic int8."
                .into(),
        );
    }
    let granularity = match settings.quantization {
        Quantization::DynamicInt8 { granularity }
        | Quantization::StaticInt8 { granularity, .. } => granularity,
        _ => Granularity::PerChannel,
    };
    let calibration_method = match settings.quantization {
        Quantization::StaticInt8 { calibration, .. } => calibration,
        _ => Calibration::MinMax,
    };
    let variants = Quantization::variants(granularity, calibration.map(|_| calibration_method));
    let rows = EvaluationRows {
        valid: data.as_ref().and_then(|data| data.valid.as_deref()),
        test: data.as_ref().and_then(|data| data.test.as_deref()),
    };
    let mut compared = compare(&model, &variants, calibration, rows).map_err(|e| e.to_string())?;
    if curve.is_empty()
        && model.weights().is_ok()
        && let Some(valid) = rows.valid
    {
        let scope = settings
            .prune
            .as_ref()
            .map_or(PruneScope::Global, |prune| prune.scope);
        curve = sparsity_curve(&model, &CURVE_LEVELS, scope, valid).map_err(text)?;
    }
    let onnx = match compared.take_file(settings.quantization) {
        Some(onnx) => onnx,
        None => to_onnx_quantized(&model, settings.quantization, calibration)
            .map_err(|e| e.to_string())?,
    };
    let mut report = compared.report;
    report.curve = curve;
    let inputs = graph_inputs(&model.pipeline).map_err(|error| error.to_string())?;
    if rows.valid.is_none() && rows.test.is_none() && note.is_none() {
        note = Some("The data has no validation or test rows, so only sizes are compared.".into());
    }
    Ok(ExportedModel {
        report,
        quantization: settings.quantization,
        inputs,
        outputs: output_names(&model),
        onnx,
        note,
    })
}

fn output_names(model: &ModelFile) -> Vec<String> {
    match model.head {
        Head::Regression { .. } => vec![VALUE_OUTPUT.to_string()],
        _ => vec![LABEL_OUTPUT.to_string(), PROBABILITIES_OUTPUT.to_string()],
    }
}
