//! Step 6: use the model — the ONNX file the Export step wrote (or any file that follows the
//! export contract, dropped here) answers one row as the user types, explains the answer,
//! predicts a whole CSV and checks a CSV for drift against the training data. Everything runs
//! in the worker, on the file as downloaded.

use std::rc::Rc;

use web_sys::File;
use yew::prelude::*;

use super::answer_view::{AnswerView, Waterfall};
use super::chart::{BLUE, Chart, Series};
use super::drift_view::DriftView;
use super::file_drop::FileDrop;
use super::metrics::{MetricsTable, blob_url};
use super::predict_form::PredictForm;
use super::progress::ProgressBar;
use crate::explain;
use crate::format;
use crate::format::file_stem;
use crate::prep::Action as ColumnAction;
use crate::protocol::{BatchPredictions, DialectChoice, Request, Response, ServingModel};
use crate::ui::engine::EngineHandle;
use crate::ui::hooks::{WorkerHandle, ask_for_answer, use_open_export};
use crate::ui::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<State>,
    /// The engine's worker (background rows of the loaded dataset).
    pub worker: Option<EngineHandle>,
    /// The Use step's own worker, which runs the ONNX file.
    pub use_worker: Option<WorkerHandle>,
}

#[function_component(UseStep)]
pub fn use_step(props: &Props) -> Html {
    let state = &props.state;
    let serving = &state.serving;
    use_open_export(props.worker.clone(), props.use_worker.clone(), state);
    // Sends a request to the Use step's worker; a failure to reach it shows as the step's
    // error.
    let send = {
        let (worker, dispatcher) = (
            props.use_worker.clone().filter(|_| serving.worker_ready),
            state.dispatcher(),
        );
        Rc::new(move |request: Request, file: Option<File>| {
            let Some(worker) = &worker else { return };
            if let Err(message) = worker.send(request, file) {
                dispatcher.dispatch(Action::Worker(Response::UseFailed { message }));
            }
        })
    };
    let on_onnx = {
        let (send, dispatcher) = (send.clone(), state.dispatcher());
        Callback::from(move |file: File| {
            dispatcher.dispatch(Action::UseOpening);
            send(Request::OpenOnnx { name: file.name() }, Some(file));
        })
    };
    let on_edit = {
        let (worker, dispatcher, row, asked) = (
            props.use_worker.clone().filter(|_| serving.worker_ready),
            state.dispatcher(),
            serving.row.clone(),
            serving.asked,
        );
        Callback::from(move |(index, text): (usize, String)| {
            let Some(worker) = &worker else { return };
            let mut row = row.clone();
            if let Some(field) = row.get_mut(index) {
                *field = text;
            }
            ask_for_answer(worker, &dispatcher, row, asked);
        })
    };
    let on_explain = {
        let (send, dispatcher, row, asked, background) = (
            send.clone(),
            state.dispatcher(),
            serving.input_row(),
            serving.asked,
            serving.background.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            dispatcher.dispatch(Action::UseExplaining);
            send(
                Request::Explain {
                    id: asked,
                    row: row.clone(),
                    background: background.as_deref().cloned(),
                    pairs: explain::PAIRS,
                    seed: 0,
                },
                None,
            );
        })
    };
    // A CSV chosen for a batch or for drift: `request` names the worker's job.
    let on_csv = |running: Action, request: fn(String, DialectChoice) -> Request| {
        let (send, dispatcher) = (send.clone(), state.dispatcher());
        Callback::from(move |file: File| {
            dispatcher.dispatch(running.clone());
            send(request(file.name(), DialectChoice::default()), Some(file));
        })
    };
    let on_batch = on_csv(Action::UseBatchRunning, |name, dialect| {
        Request::PredictBatch { name, dialect }
    });
    let on_monitor = on_csv(Action::UseMonitoring, |name, dialect| Request::Monitor {
        name,
        dialect,
    });
    let busy =
        !serving.worker_ready || serving.opening || serving.batch_running || serving.monitoring;
    html! {
        <main class="step-use">
            <section class="use-source">
                if let Some(model) = &serving.model {
                    <p id="use-model" class="muted" data-source={model.source.clone()}>{ model_line(model) }</p>
                } else if state.export.result.is_none() {
                    <p>{ "Export the model (step 5) to use the file it writes here, or open any ONNX file Hearth exported." }</p>
                }
                <FileDrop id="onnx-input" label="Open an ONNX file…" accept=".onnx" disabled={busy} on_file={on_onnx} />
                if !serving.worker_ready { <p class="progress">{ "Starting the Use step's worker (tract)…" }</p> }
                if serving.opening { <p class="progress">{ "Opening the ONNX file…" }</p> }
                if let Some(message) = &serving.error {
                    <p id="use-error" class="error" role="alert">{ message }</p>
                }
            </section>
            if let Some(model) = serving.model.clone() {
                if model.reference.is_empty() {
                    <p id="use-no-reference" class="muted">{ "This file was written by an older Hearth and carries no training distributions: the form has no ranges or seen values, explanations have no background and drift monitoring needs a re-export." }</p>
                }
                <div class="use-columns">
                    <section class="use-predict">
                        <h3>{ "Predict one row" }</h3>
                        <PredictForm model={model.clone()} row={serving.row.clone()} on_edit={on_edit} />
                        { dropped_columns(state, &model) }
                    </section>
                    <div>
                        if let Some(answer) = &serving.answer {
                            <AnswerView model={model.clone()} answer={answer.clone()} latency_ms={serving.answer_latency_ms} />
                        }
                        <button id="explain-button" onclick={on_explain} disabled={serving.explaining}>{ "Explain this answer" }</button>
                        if serving.explaining { <p class="progress">{ "Explaining…" }</p> }
                        if let Some((id, explanation, background)) = &serving.explanation {
                            <Waterfall model={model.clone()} explanation={explanation.clone()} background={background.clone()} stale={*id != serving.asked} />
                        }
                    </div>
                </div>
                <section class="use-batch">
                    <h3>{ "Batch predictions" }</h3>
                    <p class="muted">{ "A CSV with the model's columns comes back with a prediction (and one probability per class) on every row. With the target column present, the batch is scored too." }</p>
                    <FileDrop id="batch-input" label="Predict a CSV…" accept=".csv,.tsv,.txt,text/csv,text/plain" disabled={busy} on_file={on_batch} />
                    if serving.batch_running {
                        if let Some(progress) = &state.progress { <ProgressBar progress={progress.clone()} /> }
                    }
                    if let Some(batch) = &serving.batch {
                        <BatchView batch={batch.clone()} model={model.clone()} />
                    }
                </section>
                <section class="use-monitor">
                    <h3>{ "Drift" }</h3>
                    <p class="muted">{ "Compare new data with the training data, column by column, before trusting the model on it." }</p>
                    <FileDrop id="monitor-input" label="Check a CSV for drift…" accept=".csv,.tsv,.txt,text/csv,text/plain" disabled={busy || model.reference.is_empty()} on_file={on_monitor} />
                    if serving.monitoring {
                        if let Some(progress) = &state.progress { <ProgressBar progress={progress.clone()} /> }
                    }
                    if let Some(report) = &serving.drift { <DriftView report={report.clone()} /> }
                </section>
            }
            if let Some((batch, model)) = &serving.earlier_batch {
                <section id="earlier-batch" class="use-batch">
                    <h3>{ "Last batch of an earlier visit" }</h3>
                    <p class="muted">{ format!("{} answered by {} ({}); kept in this browser.", batch.source, model.source, model.model) }</p>
                    <BatchView batch={batch.clone()} model={model.clone()} />
                </section>
            }
        </main>
    }
}

fn model_line(model: &ServingModel) -> String {
    format!(
        "Answering with {} ({}; {}, {}; {}), run by tract in this tab; opened in {:.0} ms.",
        model.source,
        format::bytes(model.bytes as f64),
        model.model,
        model.quantization,
        model.task,
        model.load_ms
    )
}

/// The prepared data's dropped columns and why, when the model was made from it here.
fn dropped_columns(state: &State, model: &ServingModel) -> Html {
    let Some(prep) = &state.prep else {
        return html! {};
    };
    if prep.plan.target != model.target {
        return html! {};
    }
    let dropped: Vec<Html> = prep
        .plan
        .decisions
        .iter()
        .filter(|d| d.action == ColumnAction::Drop)
        .map(|d| html! { <li><strong>{ &d.column }</strong>{ format!(": {}", d.reason) }</li> })
        .collect();
    if dropped.is_empty() {
        return html! {};
    }
    html! {
        <details id="use-dropped" class="muted"><summary>{ format!("{} columns the model does not read", dropped.len()) }</summary>
            <ul>{ for dropped }</ul></details>
    }
}

#[derive(Properties, PartialEq)]
struct BatchProps {
    batch: Rc<BatchPredictions>,
    model: Rc<ServingModel>,
}

/// A batch's summary, download and score. The download's Blob is made once per batch: the
/// CSV can be hundreds of megabytes, and the form re-renders this on every keystroke.
#[function_component(BatchView)]
fn batch_view(props: &BatchProps) -> Html {
    let (batch, model) = (&props.batch, &props.model);
    let file_name = format!("{}-predictions.csv", file_stem(&batch.source));
    let csv = batch.clone();
    let url = use_memo(Rc::as_ptr(&props.batch) as usize, move |_| {
        blob_url(&csv.csv, "text/csv")
    });
    let url = (*url).clone();
    let points = batch.clone();
    let residuals = use_memo(Rc::as_ptr(&props.batch) as usize, move |_| {
        let points = points.score.as_ref().map_or_else(Vec::new, |score| {
            score.points.iter().map(|&(p, a)| (p, a - p)).collect()
        });
        Rc::new(vec![Series::points("rows", BLUE, points)])
    });
    let rate = batch.rows as f64 / (batch.model_ms / 1000.0).max(1e-9);
    let classes = Rc::new(model.class_names.clone());
    html! {
        <div id="batch-result" data-token={format!("{}:{}", batch.source, batch.total_ms)} data-rows={batch.rows.to_string()} data-rows-per-second={format!("{rate:.0}")}>
            <p>{ format!("{} rows predicted: the model answered in {:.0} ms ({} rows/s); {:.0} ms from the file's first byte to the CSV.",
                format::number(batch.rows as f64), batch.model_ms, format::number(rate.round()), batch.total_ms) }</p>
            if let Some(url) = url {
                <p><a id="download-predictions" class="button" href={url} download={file_name.clone()}>
                    { format!("Download {file_name} ({})", format::bytes(batch.csv.len() as f64)) }</a></p>
            }
            if let Some(score) = &batch.score {
                <p class="muted">{ format!("{} of {} rows have a known {} and are scored.", format::number(score.scored as f64), format::number(score.rows as f64), model.target) }</p>
                <MetricsTable id="batch-metrics" title="This batch" metrics={score.metrics.clone()} {classes} />
                if !score.points.is_empty() {
                    <Chart id="batch-residuals" title="Residuals on this batch" x_label="predicted" y_label="actual − predicted"
                        series={(*residuals).clone()} marker_y={0.0} />
                }
            }
        </div>
    }
}
