use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::chart::{BLUE, Chart, ORANGE, Series, VERMILION};
use super::metrics::{MetricsTable, ModelDownload};
use super::progress::EpochProgress;
use super::set_aside::SetAsideModels;
use super::train_settings::TrainSettings;
use crate::format;
use crate::protocol::{Request, Response, TrainedModel};
use crate::train::{EpochReport, Metrics};
use crate::ui::engine::EngineHandle;
use crate::ui::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: UseReducerHandle<State>,
    pub worker: Option<EngineHandle>,
}

/// Step 3: train a model on the prepared data in the worker, epoch by epoch, with a Stop that
/// keeps the best model so far; then its metrics and the `.hearth` file.
#[function_component(TrainStep)]
pub fn train_step(props: &Props) -> Html {
    let state = &props.state;
    if state.prep.is_none() {
        return html! { <main class="step-train"><p>{ "Prepare the data first (step 2)." }</p></main> };
    }
    let send = {
        let (dispatcher, worker) = (state.dispatcher(), props.worker.clone());
        move |request: Request| {
            if let Some(worker) = &worker
                && let Err(message) = worker.send(request, None)
            {
                dispatcher.dispatch(Action::Worker(Response::TrainFailed { message }));
            }
        }
    };
    let on_train = {
        let (dispatcher, send) = (state.dispatcher(), send.clone());
        let (config, device) = (state.train_config.clone(), state.train_device);
        Callback::from(move |_: MouseEvent| {
            dispatcher.dispatch(Action::TrainingRequested);
            send(Request::Train {
                config: config.clone(),
                device,
                chosen: None,
            });
        })
    };
    let on_stop = {
        let (dispatcher, send) = (state.dispatcher(), send.clone());
        Callback::from(move |_: MouseEvent| {
            dispatcher.dispatch(Action::StopRequested);
            send(Request::StopTraining);
        })
    };
    let on_load = {
        let (dispatcher, worker) = (state.dispatcher(), props.worker.clone());
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            let request = Request::LoadModel { name: file.name() };
            if let Some(worker) = &worker
                && let Err(message) = worker.send(request, Some(file))
            {
                dispatcher.dispatch(Action::Worker(Response::TrainFailed { message }));
            }
        })
    };
    // A run on earlier data is still stopping: a second run would overlap it in the worker.
    let running = state
        .training
        .as_ref()
        .is_some_and(|training| training.running)
        || state.detached_run.is_some();
    let invalid = state
        .train_config
        .validate()
        .err()
        .map(|error| error.to_string());
    html! {
        <main class="step-train">
            <SetAsideModels state={state.clone()} worker={props.worker.clone()} />
            <TrainSettings config={state.train_config.clone()} device={state.train_device} task={state.task} disabled={running}
                on_config={{ let d = state.dispatcher(); Callback::from(move |c| d.dispatch(Action::SetTrainConfig(c))) }}
                on_device={{ let d = state.dispatcher(); Callback::from(move |c| d.dispatch(Action::SetTrainDevice(c))) }} />
            if let Some(message) = &invalid {
                <p id="train-config-error" class="error" role="alert">{ message }</p>
            }
            <div class="train-buttons">
                <button id="train-button" class="primary" onclick={on_train} disabled={running || invalid.is_some()}>{ "Train" }</button>
                <button id="stop-button" onclick={on_stop} disabled={!running}>{ "Stop (keep the best so far)" }</button>
                // The input lies transparent over its label (not `hidden`), so that Tab reaches it
                // and Enter or Space opens the file chooser; the label shows its focus ring.
                <label class={classes!("button", "file-button", running.then_some("disabled"))}>{ "Load a .hearth model…" }
                    <input id="model-file-input" type="file" accept=".hearth,application/json" disabled={running} onchange={on_load} />
                </label>
            </div>
            if let Some(error) = &state.train_error {
                <p id="train-error" class="error" role="alert">{ error }</p>
            }
            if let Some(training) = &state.training {
                <section id="training" data-running={training.running.to_string()} data-epochs={training.epochs.len().to_string()}>
                    if let Some(selection) = &training.selection {
                        <p id="train-device" class="muted" data-device={selection.accelerator.label()}>
                            { format!("Training on {}: {}", selection.accelerator.label(), selection.reason) }
                        </p>
                    }
                    if training.running {
                        <EpochProgress last={training.epochs.last().cloned()} total={training.total_epochs} stopping={training.stopping} />
                    }
                    { curves(&training.epochs, training.running) }
                    if let Some(result) = &training.result {
                        { result_view(result, state.model_file_stem()) }
                    }
                    { epoch_table(&training.epochs) }
                </section>
            }
        </main>
    }
}

/// The final model: where it came from, its metrics, residuals and the download.
fn result_view(result: &Rc<TrainedModel>, name: String) -> Html {
    let summary = &result.summary;
    let residuals = (!result.residuals.is_empty()).then(|| {
        let points = result
            .residuals
            .iter()
            .map(|&(predicted, actual)| (predicted, actual - predicted))
            .collect();
        Rc::new(vec![Series::points("test rows", BLUE, points)])
    });
    let classes = Rc::new(result.classes.clone());
    html! {
        <div id="trained" data-loaded={result.loaded_from.is_some().to_string()}>
            <h3>{ format!("Best epoch {} of {}", summary.best_epoch, summary.epochs_run) }
                if let Some(reason) = &summary.stop_reason { <small>{ format!(" — {reason}") }</small> }
            </h3>
            <p class="muted">
                { format!("{} · {} · trained on {}", result.label(), if result.config.model.is_network() { result.config.optimizer.name() } else { "boosted" },
                    summary.device.as_deref().unwrap_or("an unrecorded device")) }
                if let Some(file) = &result.loaded_from { { format!(" · loaded from {file}") } }
            </p>
            <div class="metrics-pair">
                if let Some(metrics) = &result.valid_metrics { <MetricsTable id="valid-metrics" title="Validation" metrics={metrics.clone()} classes={classes.clone()} /> }
                if let Some(metrics) = &result.test_metrics { <MetricsTable id="test-metrics" title="Test" metrics={metrics.clone()} {classes} /> }
            </div>
            if let Some(series) = residuals {
                <Chart id="residual-chart" title={residual_title(result)} x_label="predicted"
                    y_label="actual − predicted" {series} marker_y={0.0} />
            }
            <ModelDownload model={result.clone()} {name} />
        </div>
    }
}

/// Says when the residual plot shows an even sample rather than every test row.
fn residual_title(result: &TrainedModel) -> String {
    let shown = result.residuals.len();
    match &result.test_metrics {
        Some(Metrics::Regression(m)) if m.rows > shown => format!(
            "Residuals on {} of the {} test rows, spread evenly",
            format::number(shown as f64),
            format::number(m.rows as f64)
        ),
        _ => "Residuals on the test rows".to_string(),
    }
}

/// Loss and validation-metric curves. While training runs they are redrawn every ~4% of the
/// epochs so far rather than every epoch: a CPU epoch can take a few milliseconds, faster than
/// a chart is worth redrawing.
fn curves(epochs: &[EpochReport], running: bool) -> Html {
    if epochs.is_empty() {
        return html! {};
    }
    let shown = if running {
        let every = (epochs.len() / 25).max(1);
        &epochs[..epochs.len() - epochs.len() % every]
    } else {
        epochs
    };
    let at = |value: &dyn Fn(&EpochReport) -> Option<f64>| -> Vec<(f64, f64)> {
        shown
            .iter()
            .filter_map(|e| value(e).map(|v| (e.epoch as f64, v)))
            .collect()
    };
    let mut losses = vec![Series::line("train", BLUE, at(&|e| Some(e.train_loss)))];
    let valid_loss = at(&|e| e.valid_loss);
    if !valid_loss.is_empty() {
        losses.push(Series::line("validation", ORANGE, valid_loss));
    }
    let classification = shown
        .iter()
        .any(|e| matches!(e.valid_metrics, Some(Metrics::Classification(_))));
    let metric = |pick: fn(&Metrics) -> Option<f64>| {
        at(&move |e: &EpochReport| e.valid_metrics.as_ref().and_then(pick))
    };
    let (metric_title, metric_axis, metric_series) = if classification {
        (
            "Validation accuracy",
            "accuracy",
            vec![
                Series::line(
                    "accuracy",
                    BLUE,
                    metric(|m| match m {
                        Metrics::Classification(m) => Some(m.accuracy),
                        Metrics::Regression(_) => None,
                    }),
                ),
                Series::line(
                    "balanced accuracy",
                    VERMILION,
                    metric(|m| match m {
                        Metrics::Classification(m) => Some(m.balanced_accuracy),
                        Metrics::Regression(_) => None,
                    }),
                ),
            ],
        )
    } else {
        (
            "Validation error",
            "target units",
            vec![
                Series::line(
                    "RMSE",
                    BLUE,
                    metric(|m| match m {
                        Metrics::Regression(m) => Some(m.rmse),
                        Metrics::Classification(_) => None,
                    }),
                ),
                Series::line(
                    "MAE",
                    VERMILION,
                    metric(|m| match m {
                        Metrics::Regression(m) => Some(m.mae),
                        Metrics::Classification(_) => None,
                    }),
                ),
            ],
        )
    };
    let best = shown
        .iter()
        .rev()
        .find(|e| e.is_best)
        .map(|e| e.epoch as f64);
    let has_metric = metric_series.iter().any(|s| !s.points.is_empty());
    html! {
        <div class="charts">
            <Chart id="loss-chart" title="Loss" x_label="epoch" y_label="loss" series={Rc::new(losses)} marker_x={best} />
            if has_metric {
                <Chart id="metric-chart" title={metric_title} x_label="epoch" y_label={metric_axis}
                    series={Rc::new(metric_series)} marker_x={best} />
            }
        </div>
    }
}

/// Every epoch's numbers, folded away: the curves show the shape, this the exact values.
fn epoch_table(epochs: &[EpochReport]) -> Html {
    if epochs.is_empty() {
        return html! {};
    }
    html! {
        <details class="epoch-details">
            <summary>{ format!("All {} epochs", epochs.len()) }</summary>
            <table id="epochs" class="epochs">
                <thead><tr><th>{ "Epoch" }</th><th>{ "Train loss" }</th><th>{ "Valid loss" }</th><th>{ "Valid metric" }</th><th>{ "LR" }</th><th>{ "Time" }</th></tr></thead>
                <tbody>
                    { for epochs.iter().rev().map(|epoch| html! {
                        <tr data-epoch={epoch.epoch.to_string()} data-train-loss={epoch.train_loss.to_string()} data-samples-per-sec={epoch.samples_per_sec.to_string()} class={classes!(epoch.is_best.then_some("best"))}>
                            <td>{ epoch.epoch }{ if epoch.is_best { " ★" } else { "" } }</td>
                            <td class="num">{ format::number(epoch.train_loss) }</td>
                            <td class="num">{ epoch.valid_loss.map(format::number).unwrap_or_default() }</td>
                            <td>{ epoch.valid_metrics.as_ref().map(|m| m.summary()).unwrap_or_default() }</td>
                            <td class="num">{ format!("{:.2e}", epoch.learning_rate) }</td>
                            <td class="num">{ format!("{:.0} ms", epoch.elapsed_ms) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </details>
    }
}
