//! Step 5: compress the current model and download it as ONNX, with the size / metric table of
//! every numeric form, the sparsity curve and snippets that run the file.

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{BLUE, Chart, Series};
use super::form::{Apply, Field, on_field};
use super::set_aside::SetAsideModels;
use crate::compress::{
    Calibration, CompressionReport, Granularity, PruneScope, PruneSettings, Quantization, headline,
};
use crate::export::InputKind;
use crate::format;
use crate::protocol::{ExportSettings, ExportedModel, Request, Response};
use crate::ui::engine::EngineHandle;
use crate::ui::help::{self, Term};
use crate::ui::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<State>,
    pub worker: Option<EngineHandle>,
}

#[function_component(ExportStep)]
pub fn export_step(props: &Props) -> Html {
    let state = &props.state;
    let Some(model) = state.training.as_ref().and_then(|t| t.result.clone()) else {
        return html! { <main class="step-export"><p>{ "Train a model, pick a trial or load a .hearth file first (steps 3 and 4)." }</p>
        <SetAsideModels state={state.clone()} worker={props.worker.clone()} /></main> };
    };
    let exporting = state.export.running;
    let on_export = {
        let (dispatcher, worker, settings) = (
            state.dispatcher(),
            props.worker.clone(),
            state.export_settings.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(worker) = &worker else { return };
            dispatcher.dispatch(Action::ExportRequested);
            if let Err(message) = worker.send(Request::Export(settings.clone()), None) {
                dispatcher.dispatch(Action::Worker(Response::ExportFailed { message }));
            }
        })
    };
    // Named after the model's data, which need not be the dataset loaded now.
    let name = state.model_file_stem();
    html! {
        <main class="step-export">
            <p class="muted">{ format!("Exporting {} ({}){}", model.label(),
                model.summary.device.as_deref().unwrap_or("trained here"),
                model.loaded_from.as_ref().map(|f| format!(", from {f}")).unwrap_or_default()) }</p>
            if !model.members.is_empty() {
                <p id="ensemble-export-note" class="muted">{ format!("An ensemble of {}: its networks take the form chosen, its trees stay float32, all in one ONNX graph that averages them. Pruning applies to a single network.", model.members.join(", ")) }</p>
            }
            if model.quantizable {
                <ExportSettingsForm settings={state.export_settings.clone()} disabled={exporting} prunable={model.prunable}
                    on_change={{ let d = state.dispatcher(); Callback::from(move |s| d.dispatch(Action::SetExportSettings(s))) }} />
            } else if model.members.is_empty() {
                <p id="trees-export-note" class="muted">{ "Gradient-boosted trees are exported as they are: float32 thresholds and leaf values in one ONNX-ML TreeEnsembleClassifier, after the preprocessing. Pruning and int8 forms apply to networks." }</p>
            }
            <div class="train-buttons">
                <button id="export-button" class="primary" onclick={on_export} disabled={exporting}>{ "Build the ONNX file" }</button>
            </div>
            if let Some((stage, stages, sparsity)) = state.export.stage {
                if exporting {
                    <p class="progress">{ format!("Pruning: stage {stage} of {stages}, sparsity {:.0}%", sparsity * 100.0) }</p>
                }
            }
            if exporting && state.export.stage.is_none() { <p class="progress">{ "Compressing and comparing…" }</p> }
            if let Some(message) = &state.export.error {
                <p id="export-error" class="error" role="alert">{ message }</p>
            }
            if let Some(exported) = &state.export.result {
                <ExportedView exported={exported.clone()} {name} />
            }
        </main>
    }
}

#[derive(Properties, PartialEq)]
struct FormProps {
    settings: ExportSettings,
    disabled: bool,
    /// Offer pruning (one network).
    prunable: bool,
    on_change: Callback<ExportSettings>,
}

#[function_component(ExportSettingsForm)]
fn export_settings_form(props: &FormProps) -> Html {
    let field_error = use_state(|| None::<String>);
    let settings = &props.settings;
    let edit = |apply: Apply<ExportSettings>| {
        on_field(&props.settings, &props.on_change, &field_error, apply)
    };
    let option = |value: &'static str, label: &'static str, selected: bool| html! { <option {value} {selected}>{ label }</option> };
    let (granularity, calibration) = match settings.quantization {
        Quantization::DynamicInt8 { granularity } => (Some(granularity), None),
        Quantization::StaticInt8 {
            granularity,
            calibration,
        } => (Some(granularity), Some(calibration)),
        _ => (None, None),
    };
    let prune = settings.prune.clone();
    html! {
        <fieldset id="export-settings" class="train-settings" disabled={props.disabled}>
            <legend>{ "Compression" }</legend>
            <div class="settings-row">
                <label title={help::titles(&[Term::Float16, Term::DynamicInt8, Term::StaticInt8])}>{ "Form " }<select id="quantize-select" onchange={edit(set_quantization)}>
                    { option("none", "float32", settings.quantization == Quantization::None) }
                    { option("fp16", "float16 weights", settings.quantization == Quantization::Float16) }
                    { option("dynamic", "dynamic int8", matches!(settings.quantization, Quantization::DynamicInt8 { .. })) }
                    { option("static", "static int8 (calibrated)", matches!(settings.quantization, Quantization::StaticInt8 { .. })) }
                </select></label>
                if let Some(granularity) = granularity {
                    <label>{ "Weight scales " }<select id="granularity-select" onchange={edit(set_granularity)}>
                        { option("channel", "per channel", granularity == Granularity::PerChannel) }
                        { option("tensor", "per tensor", granularity == Granularity::PerTensor) }
                    </select></label>
                }
                if let Some(calibration) = calibration {
                    <label>{ "Calibration " }<select id="calibration-select" onchange={edit(set_calibration)}>
                        { option("minmax", "min–max", calibration == Calibration::MinMax) }
                        { option("percentile", "99.99th percentile", matches!(calibration, Calibration::Percentile { .. })) }
                    </select></label>
                }
            </div>
            if props.prunable {
            <div class="settings-row">
                <label title={help::titles(&[Term::Pruning])}><input id="prune-input" type="checkbox" checked={prune.is_some()} onchange={edit(set_prune)} />{ " prune" }</label>
                if let Some(prune) = prune {
                    <label>{ "Sparsity " }<Field id="sparsity-input" kind="number" min="0" max="0.99" step="0.05" value={prune.sparsity.to_string()} onchange={edit(set_sparsity)} /></label>
                    <label>{ "Scope " }<select id="scope-select" onchange={edit(set_scope)}>
                        { option("global", "global", prune.scope == PruneScope::Global) }
                        { option("layer", "per layer", prune.scope == PruneScope::PerLayer) }
                    </select></label>
                    <label>{ "Stages " }<Field id="stages-input" kind="number" min="1" value={prune.stages.to_string()} onchange={edit(set_stages)} /></label>
                    <label>{ "Fine-tune epochs per stage " }<Field id="fine-tune-input" kind="number" min="0" value={prune.fine_tune_epochs.to_string()} onchange={edit(set_fine_tune)} /></label>
                }
            </div>
            }
            if let Some(message) = &*field_error {
                <p id="export-field-error" class="error" role="alert">{ message }</p>
            }
        </fieldset>
    }
}

fn granularity_of(settings: &ExportSettings) -> Granularity {
    match settings.quantization {
        Quantization::DynamicInt8 { granularity }
        | Quantization::StaticInt8 { granularity, .. } => granularity,
        _ => Granularity::PerChannel,
    }
}

fn set_quantization(settings: &mut ExportSettings, value: &str) -> Result<(), String> {
    let granularity = granularity_of(settings);
    settings.quantization = match value {
        "fp16" => Quantization::Float16,
        "dynamic" => Quantization::DynamicInt8 { granularity },
        "static" => Quantization::StaticInt8 {
            granularity,
            calibration: Calibration::MinMax,
        },
        _ => Quantization::None,
    };
    Ok(())
}

fn set_granularity(settings: &mut ExportSettings, value: &str) -> Result<(), String> {
    let chosen = if value == "tensor" {
        Granularity::PerTensor
    } else {
        Granularity::PerChannel
    };
    match &mut settings.quantization {
        Quantization::DynamicInt8 { granularity }
        | Quantization::StaticInt8 { granularity, .. } => *granularity = chosen,
        _ => {}
    }
    Ok(())
}

fn set_calibration(settings: &mut ExportSettings, value: &str) -> Result<(), String> {
    if let Quantization::StaticInt8 { calibration, .. } = &mut settings.quantization {
        *calibration = if value == "percentile" {
            Calibration::Percentile { percentile: 99.99 }
        } else {
            Calibration::MinMax
        };
    }
    Ok(())
}

fn set_prune(settings: &mut ExportSettings, value: &str) -> Result<(), String> {
    settings.prune = (value == "true").then(PruneSettings::default);
    Ok(())
}

fn prune_field<T: std::str::FromStr>(
    settings: &mut ExportSettings,
    name: &str,
    value: &str,
    apply: impl FnOnce(&mut PruneSettings, T),
) -> Result<(), String> {
    let parsed = value
        .parse::<T>()
        .map_err(|_| format!("{name}: “{value}” is not a valid number."))?;
    if let Some(prune) = &mut settings.prune {
        apply(prune, parsed);
    }
    Ok(())
}

fn set_sparsity(settings: &mut ExportSettings, value: &str) -> Result<(), String> {
    prune_field(settings, "Sparsity", value, |p, v: f64| p.sparsity = v)
}

fn set_scope(settings: &mut ExportSettings, value: &str) -> Result<(), String> {
    if let Some(prune) = &mut settings.prune {
        prune.scope = if value == "layer" {
            PruneScope::PerLayer
        } else {
            PruneScope::Global
        };
    }
    Ok(())
}

fn set_stages(settings: &mut ExportSettings, value: &str) -> Result<(), String> {
    prune_field(settings, "Stages", value, |p, v: usize| p.stages = v)
}

fn set_fine_tune(settings: &mut ExportSettings, value: &str) -> Result<(), String> {
    prune_field(settings, "Fine-tune epochs", value, |p, v: usize| {
        p.fine_tune_epochs = v
    })
}

#[derive(Properties, PartialEq)]
struct ExportedProps {
    exported: Rc<ExportedModel>,
    name: String,
}

#[function_component(ExportedView)]
fn exported_view(props: &ExportedProps) -> Html {
    let exported = &props.exported;
    let file_name = format!("{}-{}.onnx", props.name, exported.quantization.label());
    let bytes = exported.clone();
    let url = (*use_memo(Rc::as_ptr(exported) as usize, move |_| {
        bytes_url(&bytes.onnx)
    }))
    .clone();
    html! {
        <div id="exported" data-form={exported.quantization.label()} data-bytes={exported.onnx.len().to_string()}>
            if let Some(note) = &exported.note { <p class="muted">{ note }</p> }
            { report_table(&exported.report, exported.quantization.label()) }
            { sparsity_chart(&exported.report) }
            if let Some(url) = url {
                <p><a id="download-onnx" class="button" href={url} download={file_name.clone()}>
                    { format!("Download {file_name} ({})", format::bytes(exported.onnx.len() as f64)) }
                </a></p>
            }
            { snippets(exported, &file_name) }
        </div>
    }
}

fn report_table(report: &CompressionReport, chosen: &str) -> Html {
    // The same score format as the Train step's tables, so that a model reads the same there.
    let headline_of = |metrics: &Option<crate::train::Metrics>| {
        metrics
            .as_ref()
            .map(|m| format::score(headline(m).1))
            .unwrap_or_else(|| "—".into())
    };
    let metric_name = report
        .variants
        .iter()
        .find_map(|v| v.test_metrics.as_ref().or(v.valid_metrics.as_ref()))
        .map(|m| metric_words(headline(m).0))
        .unwrap_or("metric");
    html! {
        <table id="export-report" class="epochs">
            <caption>{ if report.members > 0 {
                format!("ensemble of {} models: {} parameters and tree nodes", report.members, format::number(report.parameters as f64))
            } else if report.trees {
                format!("gradient-boosted trees: {} nodes", format::number(report.parameters as f64))
            } else {
                format!("{} parameters, {:.0}% of the dense weights zero", format::number(report.parameters as f64), report.sparsity * 100.0)
            } }</caption>
            <thead><tr><th>{ "form" }</th><th>{ "ONNX size" }</th><th>{ "× fp32" }</th><th>{ format!("validation {metric_name}") }</th><th>{ format!("test {metric_name}") }</th>
                <th>{ "max output diff" }</th><th>{ "mean output diff" }</th><th>{ "same label" }</th></tr></thead>
            <tbody>
                { for report.variants.iter().map(|v| html! {
                    <tr data-form={v.quantization.label()} data-ratio={v.size_ratio.to_string()} class={classes!((v.quantization.label() == chosen).then_some("best"))}>
                        <td>{ v.quantization.label() }</td>
                        <td class="num">{ format::bytes(v.onnx_bytes as f64) }</td>
                        <td class="num">{ format!("{:.2}", v.size_ratio) }</td>
                        <td class="num" data-metric="valid">{ headline_of(&v.valid_metrics) }</td>
                        <td class="num" data-metric="test">{ headline_of(&v.test_metrics) }</td>
                        <td class="num">{ format!("{:.2e}", v.max_output_difference) }</td>
                        <td class="num">{ format!("{:.2e}", v.mean_output_difference) }</td>
                        <td class="num">{ v.argmax_agreement.map(|a| format!("{:.1}%", a * 100.0)).unwrap_or_else(|| "—".into()) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn sparsity_chart(report: &CompressionReport) -> Html {
    let points: Vec<(f64, f64)> = report
        .curve
        .iter()
        .filter_map(|p| {
            p.valid_metrics
                .as_ref()
                .map(|m| (p.sparsity * 100.0, headline(m).1))
        })
        .collect();
    let Some(name) = report
        .curve
        .iter()
        .find_map(|p| p.valid_metrics.as_ref().map(|m| headline(m).0))
    else {
        return html! {};
    };
    let fine_tuned = report.curve.iter().any(|p| p.fine_tuned);
    let how = if fine_tuned {
        "pruned gradually and fine-tuned"
    } else {
        "pruned in one shot"
    };
    let series = Rc::new(vec![Series::line(how, BLUE, points)]);
    html! { <Chart id="sparsity-chart" title={format!("Sparsity against the validation metric ({how})")} x_label="sparsity (%)" y_label={format!("validation {}", metric_words(name))} {series} /> }
}

/// The headline metric's name as the Train step's tables spell it.
fn metric_words(name: &str) -> &str {
    match name {
        "r2" => "R²",
        other => other,
    }
}

/// How to run the file: Python onnxruntime and onnxruntime-web, with this model's inputs.
fn snippets(exported: &ExportedModel, file_name: &str) -> Html {
    let python_feeds: Vec<String> = exported
        .inputs
        .iter()
        .map(|input| match input.kind {
            InputKind::Float => format!(
                "    {:?}: np.array([[float(r[{:?}]) if r[{:?}] not in MISSING else np.nan] for r in rows], np.float32),",
                input.name, input.name, input.name
            ),
            InputKind::String => format!(
                "    {:?}: np.array([[\"\" if r[{:?}] in MISSING else r[{:?}]] for r in rows], object),",
                input.name, input.name, input.name
            ),
        })
        .collect();
    let python = format!(
        "import csv, numpy as np, onnxruntime as ort\n\nMISSING = {{\"\", \"NA\", \"N/A\", \"NaN\", \"null\", \"?\", \"-\"}}\nrows = list(csv.DictReader(open(\"data.csv\")))\nsession = ort.InferenceSession({file_name:?})\nfeeds = {{\n{}\n}}\n{} = session.run(None, feeds)\n",
        python_feeds.join("\n"),
        exported.outputs.join(", ")
    );
    let js_feeds: Vec<String> = exported
        .inputs
        .iter()
        .map(|input| match input.kind {
            InputKind::Float => format!(
                "  {:?}: new ort.Tensor('float32', Float32Array.from(rows, (r) => r[{:?}] === '' ? NaN : Number(r[{:?}])), [rows.length, 1]),",
                input.name, input.name, input.name
            ),
            InputKind::String => format!(
                "  {:?}: new ort.Tensor('string', rows.map((r) => r[{:?}] ?? ''), [rows.length, 1]),",
                input.name, input.name
            ),
        })
        .collect();
    let js = format!(
        "import * as ort from 'onnxruntime-web';\n\n// rows: objects keyed by column name, e.g. from a CSV parser\nconst session = await ort.InferenceSession.create({file_name:?});\nconst results = await session.run({{\n{}\n}});\nconsole.log(results.{}.data);\n",
        js_feeds.join("\n"),
        exported
            .outputs
            .first()
            .map(String::as_str)
            .unwrap_or("label")
    );
    // Every column the model reads, null (missing) until the user puts a row's values in.
    let instance: Vec<String> = exported
        .inputs
        .iter()
        .map(|input| format!("{:?}: null", input.name))
        .collect();
    // A model's name in a URL keeps letters, digits, '-', '_' and '.' (hearth serve's rule).
    let name: String = file_name
        .strip_suffix(".onnx")
        .unwrap_or(file_name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let serve = format!(
        "hearth serve {} --name {name}\ncurl -s http://127.0.0.1:8080/v1/models/{name}:predict -H 'Content-Type: application/json' -d '{{\"instances\": [{{{}}}]}}'\n",
        shell_word(file_name),
        instance.join(", ")
    );
    html! {
        <div class="snippets">
            <h4>{ "Serve it over HTTP (hearth serve: KServe V2, TF Serving's :predict, /metrics)" }</h4>
            <pre id="serve-snippet"><code>{ serve }</code></pre>
            <h4>{ "Run it in Python (onnxruntime)" }</h4>
            <pre id="python-snippet"><code>{ python }</code></pre>
            <h4>{ "Run it in the browser (onnxruntime-web)" }</h4>
            <pre id="js-snippet"><code>{ js }</code></pre>
        </div>
    }
}

/// `word` as one shell word: as it is when plain, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// A `blob:` URL holding `bytes`, for the ONNX download.
fn bytes_url(bytes: &[u8]) -> Option<String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}
